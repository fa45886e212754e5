// StripePspAdapter's disputes: the list by change cursor, and the parsing
// of Stripe's dispute objects (psp_dispute.h).
#include <utility>
#include <vector>

#include "psp_dispute.h"
#include "steadfast/http_transport.h"
#include "stripe_psp_adapter.h"
#include "stripe_request_checks.h"

namespace steadfast::refund {

namespace {

ActivityError BadResponse(const Status& status) {
  return ActivityError::Retryable("psp_bad_response", "unexpected answer from the PSP: " + status.message());
}

}  // namespace

std::string_view DisputeStatusName(DisputeStatus status) {
  switch (status) {
    case DisputeStatus::kOpen: return "open";
    case DisputeStatus::kWon: return "won";
    case DisputeStatus::kLost: return "lost";
  }
  return "open";
}

std::optional<DisputeStatus> ParseDisputeStatus(std::string_view name) {
  if (name == "open" || name == "needs_response" || name == "under_review" || name == "warning_needs_response" ||
      name == "warning_under_review") {
    return DisputeStatus::kOpen;
  }
  if (name == "won" || name == "warning_closed") return DisputeStatus::kWon;
  if (name == "lost") return DisputeStatus::kLost;
  return std::nullopt;
}

RemoteResult<DisputePage> StripePspAdapter::ListDisputes(const ListDisputesRequest& r) {
  if (r.limit < 1 || r.limit > 100) {
    return ActivityError::NonRetryable("invalid_refund_request", "list limit must be in 1..100");
  }
  if (r.since < 0) return ActivityError::NonRetryable("invalid_refund_request", "since must be >= 0");
  const std::vector<std::pair<std::string, std::string>> query{{"since", std::to_string(r.since)},
                                                               {"limit", std::to_string(r.limit)}};
  RemoteResult<HttpResponse> response = Exchange(NewRequest(HttpMethod::kGet, "/v1/disputes?" + FormUrlEncode(query)));
  if (!response.ok()) return response.error();
  Result<Value> json = Value::FromJson(response->body);
  if (!json.ok()) return BadResponse(json.status());
  if (json->Get("object").StringOr("") != "list" || !json->Get("data").is_list()) {
    return BadResponse(Status::InvalidArgument("not a list object"));
  }
  if (!json->Get("has_more").is_bool() || !json->Get("next_since").is_int()) {
    return BadResponse(Status::InvalidArgument("dispute list without has_more or next_since"));
  }
  DisputePage page;
  page.has_more = json->Get("has_more").AsBool();
  page.next_since = json->Get("next_since").AsInt();
  // A cursor that goes back would make the sync read the same changes forever.
  if (page.next_since < r.since) return BadResponse(Status::InvalidArgument("next_since went backwards"));
  for (const Value& item : json->Get("data").AsList()) {
    Result<PspDispute> dispute = ParseStripeDispute(item);
    if (!dispute.ok()) return BadResponse(dispute.status());
    page.disputes.push_back(std::move(dispute).value());
  }
  return page;
}

Result<PspDispute> ParseStripeDispute(const Value& o) {
  if (!o.is_map()) return Status::InvalidArgument("a dispute must be a JSON object");
  if (o.Get("object").StringOr("") != "dispute") return Status::InvalidArgument("object is not 'dispute'");
  PspDispute d;
  d.id = o.Get("id").StringOr("");
  if (d.id.empty()) return Status::InvalidArgument("dispute without an id");
  if (!o.Get("amount").is_int() || o.Get("amount").AsInt() <= 0) {
    return Status::InvalidArgument("dispute " + d.id + " without a positive integer amount");
  }
  d.amount_minor = o.Get("amount").AsInt();
  d.charge = o.Get("charge").StringOr("");
  d.currency = stripe::Lower(o.Get("currency").StringOr(""));
  if (d.charge.empty() || d.currency.empty()) {
    return Status::InvalidArgument("dispute " + d.id + " without its charge or currency");
  }
  d.payment_intent = o.Get("payment_intent").StringOr("");
  d.reason = o.Get("reason").StringOr("");
  std::optional<DisputeStatus> status = ParseDisputeStatus(o.Get("status").StringOr(""));
  if (!status) return Status::InvalidArgument("dispute " + d.id + " with an unknown status");
  d.status = *status;
  d.created_s = o.Get("created").IntOr(0);
  d.change = o.Get("sandbox_change").IntOr(0);
  return d;
}

}  // namespace steadfast::refund
