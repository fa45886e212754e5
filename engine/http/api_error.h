// ApiError: what the HTTP API answers when a request fails, and how engine
// Statuses map onto it.
//
// Every error body is {"error": {"code": "...", "message": "..."}} (plus
// optional extra members, e.g. the first decision of an approval decided
// twice). Codes are stable and listed in docs/http.md:
//   400 malformed_json, value_too_deep, invalid_field, invalid_query, invalid_header, invalid_argument
//   401 unauthenticated            403 forbidden, four_eyes
//   404 not_found                  405 method_not_allowed
//   409 conflict, idempotency_conflict, already_decided, invalid_state
//   413 payload_too_large          415 unsupported_media_type
//   422 invalid_definition (with problems)
//   429 rate_limited               500 internal
//   503 unavailable, store_busy, resource_exhausted, not_ready     504 timeout
// Two kinds of error: the caller's (their input, a missing instance, a
// conflict with what exists) keep the engine's message, which is about the
// request; the server's own (store failures, bugs, timeouts: anything that
// may carry a path or SQL) get a fixed plain message per code, and the body
// an error_id that the server log line with the original carries too.
// Messages never contain tokens.
#ifndef STEADFAST_HTTP_API_ERROR_H_
#define STEADFAST_HTTP_API_ERROR_H_

#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "http/http_message.h"
#include "steadfast/logger.h"
#include "steadfast/status.h"
#include "steadfast/value.h"

namespace steadfast::http {

struct ApiError {
  int status = 500;
  std::string code;
  std::string message;
  Value extra;                                               // a map merged into the error object, or null
  bool server_side = false;  // the server's own failure: plain message; ReportError logs the cause
  std::vector<std::pair<std::string, std::string>> headers;  // e.g. Allow, WWW-Authenticate, Retry-After

  static ApiError Make(int status, std::string code, std::string message) {
    ApiError e;
    e.status = status;
    e.code = std::move(code);
    e.message = std::move(message);
    return e;
  }
  ApiError&& WithHeader(std::string name, std::string value) && {
    headers.emplace_back(std::move(name), std::move(value));
    return std::move(*this);
  }
};

// A T or the ApiError to answer with. Accessing value() of an error is a bug.
template <class T>
class [[nodiscard]] ApiResult {
 public:
  ApiResult(T value) : v_(std::move(value)) {}         // NOLINT: implicit by design
  ApiResult(ApiError error) : v_(std::move(error)) {}  // NOLINT
  bool ok() const { return std::holds_alternative<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T& value() & { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  const ApiError& error() const { return std::get<ApiError>(v_); }

 private:
  std::variant<T, ApiError> v_;
};

// The HTTP status and code for an engine Status (not ok). The caller's
// errors keep their message (PermissionDenied whose message starts
// "four_eyes:" becomes 403 four_eyes, a too-deep value 400 value_too_deep);
// the server's own (Internal, Corruption, Busy, ResourceExhausted,
// Unavailable, LeaseLost, Cancelled, DeadlineExceeded) become server_side
// errors with a fixed message, never the Status's. Pure: see ReportError.
ApiError ErrorFromStatus(const Status& status);

// ErrorFromStatus, and for a server-side error a fresh error_id in the body
// and one log line with `what` (e.g. "POST /v1/workflows"), the original
// Status and the same error_id. Thread-safe.
ApiError ReportError(const Status& status, std::string_view what, Logger& logger);

// The 400 for a request body Value::FromJson refused: value_too_deep when
// it nests deeper than kMaxValueDepth, malformed_json otherwise.
ApiError JsonBodyError(const Status& status);

// The JSON error response.
HttpResponse ErrorResponse(const ApiError& error);

// A JSON response with the Value as body.
HttpResponse JsonResponse(int status, const Value& body);

}  // namespace steadfast::http

#endif  // STEADFAST_HTTP_API_ERROR_H_
