// Error mapping for the HTTP API.
#include "http/api_error.h"

namespace steadfast::http {
namespace {

constexpr std::string_view kFourEyesPrefix = "four_eyes:";

std::string TrimFront(std::string s) {
  size_t i = 0;
  while (i < s.size() && s[i] == ' ') ++i;
  return s.substr(i);
}

}  // namespace

ApiError ErrorFromStatus(const Status& status) {
  const std::string& m = status.message();
  switch (status.code()) {
    case StatusCode::kOk:
    case StatusCode::kInternal:
    case StatusCode::kCorruption:
      return ApiError::Make(500, "internal", "internal error; the server log has the details");
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
    case StatusCode::kUnavailable:
    case StatusCode::kBusy:
    case StatusCode::kResourceExhausted:
    case StatusCode::kLeaseLost:
    case StatusCode::kCancelled: return ApiError::Make(503, "unavailable", m).WithHeader("Retry-After", "1");
    case StatusCode::kDeadlineExceeded: return ApiError::Make(504, "timeout", m);
  }
  return ApiError::Make(500, "internal", "internal error; the server log has the details");
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
