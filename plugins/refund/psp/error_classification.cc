// Error classification rules (see the header for the table).
#include "error_classification.h"

#include <algorithm>
#include <charconv>

namespace steadfast::refund {

namespace {

std::string Prefixed(std::string_view service, std::string_view suffix) {
  return std::string(service) + "_" + std::string(suffix);
}

std::string Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) text.remove_suffix(1);
  return std::string(text);
}

}  // namespace

RemoteErrorBody ParseErrorBody(std::string_view body) {
  RemoteErrorBody out;
  Result<Value> parsed = Value::FromJson(body);
  if (!parsed.ok()) return out;
  const Value& error = parsed->Get("error");
  out.type = error.Get("type").StringOr("");
  out.code = error.Get("code").StringOr("");
  out.message = error.Get("message").StringOr("");
  out.param = error.Get("param").StringOr("");
  return out;
}

ActivityError ClassifyTransportError(std::string_view service, const TransportError& error) {
  ActivityError out;
  switch (error.kind) {
    case TransportErrorKind::kTimeout:
      out = ActivityError::Retryable(Prefixed(service, "timeout"), "no answer in time: " + error.message);
      break;
    case TransportErrorKind::kConnectFailed:
      out = ActivityError::Retryable(Prefixed(service, "unreachable"), "could not connect: " + error.message);
      break;
    case TransportErrorKind::kConnectionLost:
      out = ActivityError::Retryable(Prefixed(service, "connection_lost"),
                                     "connection lost before a full answer (the request may have been applied; "
                                     "retry with the same idempotency key): " + error.message);
      break;
    case TransportErrorKind::kTlsVerification:
      out = ActivityError::NonRetryable(Prefixed(service, "tls_error"),
                                        "server certificate not trusted: " + error.message);
      break;
    case TransportErrorKind::kOther:
    case TransportErrorKind::kAborted:  // the plugin never sets HttpRequest::abort; counted as other
      out = ActivityError::Retryable(Prefixed(service, "transport_error"), error.message);
      break;
  }
  out.details = Value::Map{{"transport_error", static_cast<int64_t>(error.kind)}};
  return out;
}

ActivityError ClassifyHttpError(std::string_view service, const HttpResponse& response, TimeMs now_ms) {
  const RemoteErrorBody body = ParseErrorBody(response.body);
  const int status = response.status;
  std::string message = std::string(service) + " answered HTTP " + std::to_string(status);
  if (!body.message.empty()) message += ": " + body.message;

  ActivityError out;
  if (status == 429) {
    out = ActivityError::Retryable(Prefixed(service, "rate_limited"), message);
  } else if (status >= 500) {
    out = ActivityError::Retryable(Prefixed(service, "unavailable"), message);
  } else if (status == 409 && (body.code == "idempotency_key_in_use" || body.code == "lock_timeout")) {
    out = ActivityError::Retryable(body.code, message);
  } else if (status == 401 || status == 403) {
    out = ActivityError::NonRetryable(Prefixed(service, "auth_failed"), message);
  } else {
    std::string code = !body.code.empty()   ? body.code
                       : !body.type.empty() ? body.type
                                            : "http_" + std::to_string(status);
    out = ActivityError::NonRetryable(std::move(code), message);
  }
  if (auto should_retry = response.Header("stripe-should-retry")) {
    const std::string value = Trim(*should_retry);
    if (value == "true") out.kind = ErrorKind::kRetryable;
    if (value == "false") out.kind = ErrorKind::kNonRetryable;
  }
  if (out.kind == ErrorKind::kRetryable) {
    if (auto retry_after = response.Header("retry-after")) out.retry_after_ms = ParseRetryAfterMs(*retry_after, now_ms);
  }
  Value::Map details{{"http_status", status}};
  if (!body.type.empty()) details["type"] = body.type;
  if (!body.code.empty()) details["code"] = body.code;
  if (!body.param.empty()) details["param"] = body.param;
  if (auto request_id = response.Header("request-id")) details["request_id"] = *request_id;
  out.details = std::move(details);
  return out;
}

std::optional<int64_t> ParseRetryAfterMs(std::string_view value, TimeMs now_ms) {
  const std::string text = Trim(value);
  if (text.empty()) return std::nullopt;
  int64_t seconds = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (ec == std::errc() && end == text.data() + text.size()) {
    if (seconds < 0) return std::nullopt;
    return std::min<int64_t>(seconds, kMaxRetryAfterSeconds) * 1000;
  }
  const std::optional<int64_t> when = ParseHttpDate(text);
  if (!when) return std::nullopt;
  // Both forms get the same cap: a date years ahead is no longer a wait.
  const int64_t wait_ms = std::max<int64_t>(0, *when * 1000 - now_ms);
  return std::min<int64_t>(wait_ms, kMaxRetryAfterSeconds * 1000);
}

}  // namespace steadfast::refund
