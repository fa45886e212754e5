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
  RemoteResult<CursorPage> listed = ListByCursor("/v1/disputes", "dispute", r.since, r.limit);
  if (!listed.ok()) return listed.error();
  DisputePage page;
  page.has_more = listed->has_more;
  page.next_since = listed->next_since;
  for (const Value& item : listed->items) {
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
