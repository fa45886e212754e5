// Error classification: what a remote failure means for the retry policy.
//
// One rule set for the PSP, inventory and notification services, so an
// operator reads the same codes everywhere (`<service>` is "psp",
// "inventory", "notification"):
//
//   no response: timeout            -> retryable  <service>_timeout
//                refused/unreachable -> retryable  <service>_unreachable
//                connection lost     -> retryable  <service>_connection_lost
//                  (the request may have been processed: retry with the SAME key)
//                TLS not trusted     -> non-retryable <service>_tls_error (configuration)
//                other               -> retryable  <service>_transport_error
//   HTTP 429                         -> retryable  <service>_rate_limited, retry_after_ms from Retry-After
//   HTTP 5xx                         -> retryable  <service>_unavailable (Retry-After honoured if sent)
//   HTTP 409 idempotency_key_in_use  -> retryable  idempotency_key_in_use (the first attempt is still running)
//   HTTP 401/403                     -> non-retryable <service>_auth_failed
//   other 4xx                        -> non-retryable, the service's error.code (else error.type, else http_<status>)
//
// A `Stripe-Should-Retry: true|false` header, when present, overrides the
// retryability of an HTTP error, as Stripe's own libraries do. Every HTTP
// error carries details {http_status, type, code, param, request_id}.
#ifndef STEADFAST_PLUGINS_REFUND_PSP_ERROR_CLASSIFICATION_H_
#define STEADFAST_PLUGINS_REFUND_PSP_ERROR_CLASSIFICATION_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "steadfast/http_transport.h"
#include "steadfast/activity.h"
#include "steadfast/clock.h"

namespace steadfast::refund {

// The most of a remote service's answer kept in memory (1 MiB; a Stripe
// page of 100 refunds is about 150 KB). A hostile or broken service that
// sends more gets its answer cut, which then fails to parse: a retryable
// <service>_bad_response, never an unbounded buffer.
inline constexpr size_t kMaxRemoteResponseBytes = 1 << 20;

// The {"error": {...}} envelope of a failed response (fields empty when absent).
struct RemoteErrorBody {
  std::string type;
  std::string code;
  std::string message;
  std::string param;
};
// Reads Stripe's error envelope; all fields empty when the body is not one.
RemoteErrorBody ParseErrorBody(std::string_view body);

ActivityError ClassifyTransportError(std::string_view service, const TransportError& error);
// For a response with status >= 400 (or any status the caller rejects).
ActivityError ClassifyHttpError(std::string_view service, const HttpResponse& response, TimeMs now_ms);

// The longest Retry-After honoured, in either form: one day.
inline constexpr int64_t kMaxRetryAfterSeconds = 86'400;

// Retry-After as milliseconds from now: delay-seconds ("120") or an HTTP-date
// (steadfast::ParseHttpDate). nullopt when absent or unparseable; never negative;
// at most kMaxRetryAfterSeconds.
std::optional<int64_t> ParseRetryAfterMs(std::string_view value, TimeMs now_ms);

}  // namespace steadfast::refund

#endif  // STEADFAST_PLUGINS_REFUND_PSP_ERROR_CLASSIFICATION_H_
