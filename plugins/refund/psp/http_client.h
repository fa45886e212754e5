// JsonHttpClient: JSON over HTTP for the inventory and notification services.
//
// The refund activities release inventory and send receipts through small
// JSON APIs (served by steadfast-sandbox in tests and demos). This client
// POSTs a Value as JSON with the activity's Idempotency-Key, GETs JSON, and
// classifies failures exactly like the PSP adapter (error_classification.h)
// with the configured service name as the code prefix, e.g.
// `inventory_unavailable`, `notification_timeout`. The bearer token, if any,
// is never logged.
#ifndef STEADFAST_PLUGINS_REFUND_PSP_HTTP_CLIENT_H_
#define STEADFAST_PLUGINS_REFUND_PSP_HTTP_CLIENT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "steadfast/http_transport.h"
#include "remote_result.h"
#include "steadfast/clock.h"
#include "steadfast/status.h"
#include "steadfast/value.h"

namespace steadfast::refund {

struct JsonHttpClientOptions {
  std::string service;             // "inventory", "notification": error-code prefix
  std::string base_url;            // e.g. "http://127.0.0.1:12111"
  std::string bearer_token;        // optional Authorization: Bearer token
  int64_t timeout_ms = 10'000;
  int64_t connect_timeout_ms = 3'000;
};

struct JsonResponse {
  int status = 0;         // 2xx
  Value body;             // parsed JSON (null for an empty body)
  bool replayed = false;  // Idempotent-Replayed: true
};

class JsonHttpClient {
 public:
  // InvalidArgument for an empty service name, a non-http(s) base_url or
  // non-positive timeouts. `transport` and `clock` must outlive the client.
  static Result<std::unique_ptr<JsonHttpClient>> Create(JsonHttpClientOptions options, HttpTransport& transport,
                                                        const Clock& clock);
  JsonHttpClient(const JsonHttpClient&) = delete;
  JsonHttpClient& operator=(const JsonHttpClient&) = delete;

  // POSTs body.ToJson() to base_url + path. A non-empty idempotency key is
  // required (non-retryable `invalid_request` otherwise). Thread-safe.
  RemoteResult<JsonResponse> PostJson(std::string_view path, const Value& body, std::string_view idempotency_key);
  // GETs base_url + path (path may carry a query string). Thread-safe.
  RemoteResult<JsonResponse> GetJson(std::string_view path);

 private:
  JsonHttpClient(JsonHttpClientOptions options, HttpTransport& transport, const Clock& clock)
      : options_(std::move(options)), transport_(transport), clock_(clock) {}
  RemoteResult<JsonResponse> Exchange(HttpRequest request);

  const JsonHttpClientOptions options_;
  HttpTransport& transport_;
  const Clock& clock_;
};

}  // namespace steadfast::refund

#endif  // STEADFAST_PLUGINS_REFUND_PSP_HTTP_CLIENT_H_
