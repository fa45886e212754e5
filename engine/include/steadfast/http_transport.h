// HttpTransport: one HTTP exchange, request in, response or transport error
// out. The engine implements it once, over libcurl (HTTPS-ready, peer and
// host verification on, no redirects, no verbose output), and hands plugins
// an instance through PluginContext::http; the engine's own clients (the
// CLI's --server mode, the OTLP trace exporter) use the same implementation.
//
// A transport reports only what happened on the wire: an HTTP response of
// any status is a success here, and deciding what a 503 or a timeout means
// (retry? give up?) is the caller's job. Tests substitute fakes to script
// any status, header or failure.
#ifndef STEADFAST_HTTP_TRANSPORT_H_
#define STEADFAST_HTTP_TRANSPORT_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace steadfast {

enum class HttpMethod : int { kGet = 0, kPost = 1 };

struct HttpRequest {
  HttpMethod method = HttpMethod::kGet;
  std::string url;                                           // absolute, http:// or https://
  std::vector<std::pair<std::string, std::string>> headers;  // may hold secrets: never log them
  std::string body;                                          // sent with POST
  int64_t timeout_ms = 30'000;         // whole exchange
  int64_t connect_timeout_ms = 5'000;  // TCP + TLS connect
  // When set and it becomes true, an exchange in progress is abandoned
  // (kAborted): lets a shutting-down thread stop waiting for a slow server.
  const std::atomic<bool>* abort = nullptr;
  // Keep at most this many bytes of the response body (0 = all of it).
  size_t max_response_bytes = 0;
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
  kTimeout = 0,          // connect or total timeout expired
  kConnectFailed = 1,    // refused, unreachable, DNS failure: the request was not sent
  kConnectionLost = 2,   // sent (maybe processed), then the connection closed or reset without a full answer
  kTlsVerification = 3,  // the server's certificate was not trusted: a configuration problem
  kOther = 4,            // anything else (bad URL, out of memory, ...)
  kAborted = 5,          // HttpRequest::abort was set
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

// Percent-encodes every byte outside the unreserved set [A-Za-z0-9-._~]
// (RFC 3986), for a path segment, a query value or a form field.
std::string UrlEscape(std::string_view text);

// "a=1&metadata%5Bk%5D=v%20w": an application/x-www-form-urlencoded body or
// query string, names and values escaped with UrlEscape.
std::string FormUrlEncode(const std::vector<std::pair<std::string, std::string>>& fields);

// An HTTP-date ("Sun, 06 Nov 1994 08:49:37 GMT", RFC 9110, and the obsolete
// forms), as in Retry-After or Date headers, as Unix seconds; nullopt when
// unparsable.
std::optional<int64_t> ParseHttpDate(std::string_view text);

}  // namespace steadfast

#endif  // STEADFAST_HTTP_TRANSPORT_H_
