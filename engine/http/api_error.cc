// Error mapping for the HTTP API.
#include "http/api_error.h"

#include <random>

#include <fmt/format.h>

namespace steadfast::http {
namespace {

constexpr std::string_view kFourEyesPrefix = "four_eyes:";

ApiError ServerSide(int status, std::string code, std::string message) {
  ApiError e = ApiError::Make(status, std::move(code), std::move(message));
  e.server_side = true;
  return e;
}

// 16 hex digits: unique enough to find one line in a log, and says nothing
// about the server.
std::string NewErrorId() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return fmt::format("{:016x}", rng());
}

std::string TrimFront(std::string s) {
  size_t i = 0;
  while (i < s.size() && s[i] == ' ') ++i;
  return s.substr(i);
}

}  // namespace

ApiError ErrorFromStatus(const Status& status) {
  const std::string& m = status.message();
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
      if (IsValueTooDeep(status)) {
        return ApiError::Make(400, "value_too_deep", std::string(ValueTooDeepMessage(status)));
      }
      return ApiError::Make(400, "invalid_argument", m);
    case StatusCode::kNotFound: return ApiError::Make(404, "not_found", m);
    case StatusCode::kAlreadyExists:
    case StatusCode::kConflict: return ApiError::Make(409, "conflict", m);
    case StatusCode::kFailedPrecondition: return ApiError::Make(409, "invalid_state", m);
    case StatusCode::kPermissionDenied:
      if (m.rfind(kFourEyesPrefix, 0) == 0) {
        return ApiError::Make(403, "four_eyes", TrimFront(m.substr(kFourEyesPrefix.size())));
      }
      return ApiError::Make(403, "forbidden", m);
    case StatusCode::kBusy:
      return ServerSide(503, "store_busy", "the store is busy, retry later").WithHeader("Retry-After", "1");
    case StatusCode::kResourceExhausted:
      return ServerSide(503, "resource_exhausted", "the server is out of storage or memory, retry later")
          .WithHeader("Retry-After", "1");
    case StatusCode::kUnavailable:
    case StatusCode::kAborted:
    case StatusCode::kLeaseLost:
    case StatusCode::kCancelled:
      return ServerSide(503, "unavailable", "the service is temporarily unavailable, retry later")
          .WithHeader("Retry-After", "1");
    case StatusCode::kDeadlineExceeded: return ServerSide(504, "timeout", "the operation timed out, retry later");
    case StatusCode::kOk:
    case StatusCode::kInternal:
    case StatusCode::kCorruption: break;
  }
  return ServerSide(500, "internal", "internal error; the server log has the details");
}

ApiError ReportError(const Status& status, std::string_view what, Logger& logger) {
  ApiError e = ErrorFromStatus(status);
  if (!e.server_side) return e;
  const std::string error_id = NewErrorId();
  e.extra = Value::Map{{"error_id", error_id}};
  logger.Error("http: " + std::string(what) + ": " + status.ToString() + " [error_id=" + error_id + "]");
  return e;
}

ApiError JsonBodyError(const Status& status) {
  if (IsValueTooDeep(status)) return ErrorFromStatus(status);
  return ApiError::Make(400, "malformed_json", status.message());
}

HttpResponse ErrorResponse(const ApiError& error) {
  Value inner = Value::Map{{"code", error.code}, {"message", error.message}};
  if (error.extra.is_map()) {
    for (const auto& [k, v] : error.extra.AsMap()) {
      if (k != "code" && k != "message") inner[k] = v;
    }
  }
  HttpResponse r = JsonResponse(error.status, Value::Map{{"error", std::move(inner)}});
  r.headers = error.headers;
  return r;
}

HttpResponse JsonResponse(int status, const Value& body) {
  HttpResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.body = body.ToJson();
  r.body += '\n';
  return r;
}

}  // namespace steadfast::http
