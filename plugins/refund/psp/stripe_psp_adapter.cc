// StripePspAdapter: request building, response parsing, domain error codes.
#include "stripe_psp_adapter.h"

#include <cstdlib>
#include <utility>
#include <vector>

#include "steadfast/http_transport.h"
#include "error_classification.h"
#include "stripe_request_checks.h"

namespace steadfast::refund {

namespace {

using stripe::Lower;

ActivityError InvalidRequest(std::string message) {
  return ActivityError::NonRetryable("invalid_refund_request", std::move(message));
}

ActivityError BadResponse(const Status& status) {
  return ActivityError::Retryable("psp_bad_response", "unexpected answer from the PSP: " + status.message());
}

}  // namespace

Result<StripeConfig> StripeConfigFromValue(const Value& v) {
  StripeConfig c;
  if (!v.is_null() && !v.is_map()) return Status::InvalidArgument("psp config must be a map");
  auto text = [&](std::string_view key, std::string& out) -> Status {
    const Value* field = v.Find(key);
    if (field == nullptr) return Status::Ok();
    if (!field->is_string()) return Status::InvalidArgument("psp." + std::string(key) + " must be a string");
    out = field->AsString();
    return Status::Ok();
  };
  auto millis = [&](std::string_view key, int64_t& out) -> Status {
    const Value* field = v.Find(key);
    if (field == nullptr) return Status::Ok();
    if (!field->is_int() || field->AsInt() <= 0) {
      return Status::InvalidArgument("psp." + std::string(key) + " must be a positive integer (milliseconds)");
    }
    out = field->AsInt();
    return Status::Ok();
  };
  SF_RETURN_IF_ERROR(text("base_url", c.base_url));
  SF_RETURN_IF_ERROR(text("secret_key", c.secret_key));
  SF_RETURN_IF_ERROR(text("secret_key_env", c.secret_key_env));
  SF_RETURN_IF_ERROR(text("stripe_version", c.stripe_version));
  SF_RETURN_IF_ERROR(millis("timeout_ms", c.timeout_ms));
  SF_RETURN_IF_ERROR(millis("connect_timeout_ms", c.connect_timeout_ms));
  return c;
}

Result<std::unique_ptr<StripePspAdapter>> StripePspAdapter::Create(StripeConfig config, HttpTransport& transport,
                                                                   const Clock& clock) {
  if (config.secret_key.empty() && !config.secret_key_env.empty()) {
    if (const char* key = std::getenv(config.secret_key_env.c_str()); key != nullptr) config.secret_key = key;
  }
  if (config.secret_key.empty()) {
    return Status::InvalidArgument("no PSP secret key: set psp.secret_key_env's variable (" + config.secret_key_env +
                                   ")");
  }
  if (config.base_url.rfind("https://", 0) != 0 && config.base_url.rfind("http://", 0) != 0) {
    return Status::InvalidArgument("psp.base_url must start with https:// or http://");
  }
  while (!config.base_url.empty() && config.base_url.back() == '/') config.base_url.pop_back();
  if (config.timeout_ms <= 0 || config.connect_timeout_ms <= 0) {
    return Status::InvalidArgument("psp timeouts must be positive");
  }
  return std::unique_ptr<StripePspAdapter>(new StripePspAdapter(std::move(config), transport, clock));
}

HttpRequest StripePspAdapter::NewRequest(HttpMethod method, std::string path) const {
  HttpRequest request;
  request.method = method;
  request.url = config_.base_url + path;
  request.timeout_ms = config_.timeout_ms;
  request.connect_timeout_ms = config_.connect_timeout_ms;
  request.max_response_bytes = kMaxRemoteResponseBytes;
  request.headers.emplace_back("Authorization", "Bearer " + config_.secret_key);
  request.headers.emplace_back("Accept", "application/json");
  request.headers.emplace_back("User-Agent", config_.user_agent);
  if (!config_.stripe_version.empty()) request.headers.emplace_back("Stripe-Version", config_.stripe_version);
  return request;
}

HttpRequest StripePspAdapter::NewIdempotentPost(std::string path,
                                                const std::vector<std::pair<std::string, std::string>>& form,
                                                const std::string& idempotency_key) const {
  HttpRequest request = NewRequest(HttpMethod::kPost, std::move(path));
  request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  request.headers.emplace_back("Idempotency-Key", idempotency_key);
  request.body = FormUrlEncode(form);
  return request;
}

RemoteResult<HttpResponse> StripePspAdapter::Exchange(const HttpRequest& request) {
  TransportResult result = transport_.Send(request);
  if (auto* error = std::get_if<TransportError>(&result)) return ClassifyTransportError("psp", *error);
  HttpResponse& response = std::get<HttpResponse>(result);
  if (response.status >= 200 && response.status < 300) return std::move(response);
  return ClassifyHttpError("psp", response, clock_.NowMs());
}

RemoteResult<PspRefund> StripePspAdapter::Refund(const RefundRequest& r) {
  if (auto problem = stripe::IdempotencyKeyProblem(r.idempotency_key)) return InvalidRequest("a refund needs " + *problem);
  if (r.charge.empty() == r.payment_intent.empty()) {
    return InvalidRequest("a refund needs exactly one of charge or payment_intent");
  }
  if (r.amount_minor && *r.amount_minor <= 0) return InvalidRequest("a refund amount must be positive");
  if (auto problem = stripe::MetadataProblem(r.metadata)) return InvalidRequest(*problem);

  std::vector<std::pair<std::string, std::string>> form;
  if (!r.charge.empty()) form.emplace_back("charge", r.charge);
  if (!r.payment_intent.empty()) form.emplace_back("payment_intent", r.payment_intent);
  if (r.amount_minor) form.emplace_back("amount", std::to_string(*r.amount_minor));
  if (r.reason != RefundReason::kUnspecified) form.emplace_back("reason", std::string(RefundReasonName(r.reason)));
  for (const auto& [key, value] : r.metadata) form.emplace_back("metadata[" + key + "]", value);
  RemoteResult<HttpResponse> response = Exchange(NewIdempotentPost("/v1/refunds", form, r.idempotency_key));
  if (!response.ok()) {
    ActivityError error = response.error();
    const std::string param = error.details.Get("param").StringOr("");
    if (error.code == "resource_missing" && (param == "charge" || param == "payment_intent")) {
      error.code = "invalid_charge";
      error.kind = ErrorKind::kNonRetryable;
    }
    return error;
  }
  Result<Value> json = Value::FromJson(response->body);
  if (!json.ok()) return BadResponse(json.status());
  Result<PspRefund> refund = ParseStripeRefund(*json);
  if (!refund.ok()) {
    if (refund.status().code() == StatusCode::kFailedPrecondition) {
      ActivityError error = ActivityError::NonRetryable("psp_unexpected_status", refund.status().message());
      error.details = Value::Map{{"refund_id", json->Get("id").StringOr("")}};
      return error;
    }
    return BadResponse(refund.status());
  }
  refund->replayed = response->Header("idempotent-replayed").value_or("") == "true";
  if (!r.expected_currency.empty() && Lower(r.expected_currency) != refund->currency) {
    ActivityError error = ActivityError::NonRetryable(
        "psp_currency_mismatch", "the PSP refunded in " + refund->currency + ", expected " + Lower(r.expected_currency));
    error.details = Value::Map{{"refund_id", refund->id},
                               {"currency", refund->currency},
                               {"amount", refund->amount_minor},
                               {"expected_currency", Lower(r.expected_currency)}};
    return error;
  }
  // The answer to this request must be a refund of the amount asked for: a
  // PSP (or something posing as one) that reports another amount is not
  // believed, and the refund id goes to whoever settles it by hand.
  if (r.amount_minor && refund->amount_minor != *r.amount_minor) {
    ActivityError error = ActivityError::NonRetryable(
        "psp_amount_mismatch", "the PSP reports a refund of " + std::to_string(refund->amount_minor) +
                                   " minor units, expected " + std::to_string(*r.amount_minor));
    error.details = Value::Map{{"refund_id", refund->id},
                               {"currency", refund->currency},
                               {"amount", refund->amount_minor},
                               {"expected_amount", *r.amount_minor}};
    return error;
  }
  return std::move(refund).value();
}

RemoteResult<PspRefund> StripePspAdapter::GetRefund(std::string_view refund_id) {
  if (refund_id.empty()) return InvalidRequest("a refund id is required");
  // Escape the id as a path segment (it is normally "re_" + alphanumerics).
  RemoteResult<HttpResponse> response = Exchange(NewRequest(HttpMethod::kGet, "/v1/refunds/" + UrlEscape(refund_id)));
  if (!response.ok()) return response.error();
  Result<Value> json = Value::FromJson(response->body);
  if (!json.ok()) return BadResponse(json.status());
  Result<PspRefund> refund = ParseStripeRefund(*json);
  if (!refund.ok()) return BadResponse(refund.status());
  return std::move(refund).value();
}

RemoteResult<RefundPage> StripePspAdapter::ListRefunds(const ListRefundsRequest& r) {
  if (r.limit < 1 || r.limit > 100) return InvalidRequest("list limit must be in 1..100");
  std::vector<std::pair<std::string, std::string>> query{{"limit", std::to_string(r.limit)}};
  if (!r.starting_after.empty()) query.emplace_back("starting_after", r.starting_after);
  if (!r.charge.empty()) query.emplace_back("charge", r.charge);
  if (!r.payment_intent.empty()) query.emplace_back("payment_intent", r.payment_intent);
  if (r.created_gte_s) query.emplace_back("created[gte]", std::to_string(*r.created_gte_s));
  RemoteResult<HttpResponse> response = Exchange(NewRequest(HttpMethod::kGet, "/v1/refunds?" + FormUrlEncode(query)));
  if (!response.ok()) return response.error();
  Result<Value> json = Value::FromJson(response->body);
  if (!json.ok()) return BadResponse(json.status());
  if (json->Get("object").StringOr("") != "list" || !json->Get("data").is_list()) {
    return BadResponse(Status::InvalidArgument("not a list object"));
  }
  // Without has_more nobody can tell the last page from a cut-off one.
  if (!json->Get("has_more").is_bool()) return BadResponse(Status::InvalidArgument("list without has_more"));
  RefundPage page;
  page.has_more = json->Get("has_more").AsBool();
  for (const Value& item : json->Get("data").AsList()) {
    Result<PspRefund> refund = ParseStripeRefund(item);
    if (!refund.ok()) return BadResponse(refund.status());
    page.refunds.push_back(std::move(refund).value());
  }
  return page;
}

Result<PspRefund> ParseStripeRefund(const Value& o) {
  if (!o.is_map()) return Status::InvalidArgument("a refund must be a JSON object");
  if (const Value* object = o.Find("object"); object != nullptr && object->StringOr("") != "refund") {
    return Status::InvalidArgument("object is '" + object->StringOr("?") + "', not 'refund'");
  }
  PspRefund r;
  r.id = o.Get("id").StringOr("");
  if (r.id.empty()) return Status::InvalidArgument("refund without an id");
  if (!o.Get("amount").is_int() || o.Get("amount").AsInt() < 0) {
    return Status::InvalidArgument("refund " + r.id + " without a non-negative integer amount");
  }
  r.amount_minor = o.Get("amount").AsInt();
  r.currency = Lower(o.Get("currency").StringOr(""));
  if (r.currency.empty()) return Status::InvalidArgument("refund " + r.id + " without a currency");
  r.charge = o.Get("charge").StringOr("");
  r.payment_intent = o.Get("payment_intent").StringOr("");
  r.created_s = o.Get("created").IntOr(0);
  r.failure_reason = o.Get("failure_reason").StringOr("");
  r.reason = ParseRefundReason(o.Get("reason").StringOr("")).value_or(RefundReason::kUnspecified);
  if (o.Get("metadata").is_map()) {
    for (const auto& [key, value] : o.Get("metadata").AsMap()) r.metadata[key] = value.StringOr("");
  }
  const std::string status = o.Get("status").StringOr("");
  const auto parsed = ParsePspRefundStatus(status);
  if (!parsed) return Status::FailedPrecondition("refund " + r.id + " has an unknown status '" + status + "'");
  r.status = *parsed;
  return r;
}

}  // namespace steadfast::refund
