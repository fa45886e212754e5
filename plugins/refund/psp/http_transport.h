// HttpTransport: the one seam between the refund plugin and the network.
//
// The Stripe adapter and the JSON client build requests and read responses;
// an HttpTransport moves the bytes. CurlTransport (curl_transport.h) is the
// real one; tests substitute fakes to script any status, header or failure.
// A transport reports only what happened on the wire: an HTTP response of any
// status is a success here, and deciding what a 503 or a timeout means is the
// job of error_classification.h.
#ifndef STEADFAST_PLUGINS_REFUND_PSP_HTTP_TRANSPORT_H_
#define STEADFAST_PLUGINS_REFUND_PSP_HTTP_TRANSPORT_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace steadfast::refund {

enum class HttpMethod : int { kGet = 0, kPost = 1 };

struct HttpRequest {
  HttpMethod method = HttpMethod::kGet;
  std::string url;                                           // absolute, http:// or https://
  std::vector<std::pair<std::string, std::string>> headers;  // may hold secrets: never log them
  std::string body;
  int64_t timeout_ms = 30'000;         // whole exchange
  int64_t connect_timeout_ms = 5'000;  // TCP + TLS connect
};

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased; last value wins
  std::string body;

  // The header's value, or nullopt. `name` must be lower case.
  std::optional<std::string> Header(std::string_view name) const {
    auto it = headers.find(std::string(name));
    if (it == headers.end()) return std::nullopt;
    return it->second;
  }
};

// Why no HTTP response arrived.
enum class TransportErrorKind : int {
  kTimeout = 0,         // connect or total timeout expired
  kConnectFailed = 1,   // refused, unreachable, DNS failure: the request was not sent
  kConnectionLost = 2,  // sent (maybe processed), then the connection closed or reset without a full answer
  kTlsVerification = 3, // the server's certificate was not trusted: a configuration problem
  kOther = 4,           // anything else (bad URL, out of memory, ...)
};

struct TransportError {
  TransportErrorKind kind = TransportErrorKind::kOther;
  std::string message;  // for humans; never contains request headers
};

using TransportResult = std::variant<HttpResponse, TransportError>;

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // Performs one exchange; blocks for at most about request.timeout_ms.
  // Thread-safe: may be called concurrently from worker threads.
  virtual TransportResult Send(const HttpRequest& request) = 0;
};

}  // namespace steadfast::refund

#endif  // STEADFAST_PLUGINS_REFUND_PSP_HTTP_TRANSPORT_H_
