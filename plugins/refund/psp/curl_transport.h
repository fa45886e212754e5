// CurlTransport: HttpTransport over libcurl (HTTPS-ready).
//
// One easy handle per exchange, never reused, so a connection that died
// under a request is never silently retried by libcurl behind the caller's
// back: the caller's retry policy (with its idempotency key) decides. TLS
// peer and host verification stay on. No verbose output, so request headers
// (the PSP secret) never reach a log.
//
// FormUrlEncode builds application/x-www-form-urlencoded bodies and query
// strings with libcurl's percent-encoding.
#ifndef STEADFAST_PLUGINS_REFUND_PSP_CURL_TRANSPORT_H_
#define STEADFAST_PLUGINS_REFUND_PSP_CURL_TRANSPORT_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http_transport.h"
#include "steadfast/status.h"

namespace steadfast::refund {

class CurlTransport final : public HttpTransport {
 public:
  // Initialises libcurl once per process (thread-safe).
  CurlTransport();
  TransportResult Send(const HttpRequest& request) override;

  // A process-wide instance (stateless, so sharing is free).
  static CurlTransport& Instance();
};

// "a=1&metadata%5Bk%5D=v%20w": every byte outside [A-Za-z0-9-._~] is %XX-encoded.
// Internal only when libcurl cannot allocate.
Result<std::string> FormUrlEncode(const std::vector<std::pair<std::string, std::string>>& fields);
// Percent-encodes one value (e.g. a path segment) the same way.
Result<std::string> UrlEscape(std::string_view text);

}  // namespace steadfast::refund

#endif  // STEADFAST_PLUGINS_REFUND_PSP_CURL_TRANSPORT_H_
