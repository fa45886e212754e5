// refund.open_claim: open a host's claim against a reservation, once.
//
// Input:  {reservation_id, currency, host_id?, claim_id? (default "clm_" +
//          16 hex digits of the activity key's hash), opened_by?,
//          items?: [{id, description, amount ({minor, currency} or "12.34 EUR")}],
//          messages?: [{author, text}]}
// Output: <claim> (claim.h's Value form) plus {needs_review, replayed}
//
// Written in a plugin transaction of its own keyed by the claim id: a
// retry, a restart or a second workflow naming the same claim gets the
// first claim back (replayed) instead of a second one. A claim with no
// items is a "no claim" settlement: needs_review is false. One claim per
// reservation.
// Errors (non-retryable): invalid_input (a missing field, a malformed item,
// an item in another currency), claim_conflict (the claim id is another
// reservation's, or the reservation has another claim);
// refund_store_error (retryable when the database is busy).
#include <fmt/format.h>

#include "refund/activities.h"
#include "refund/activity_support.h"
#include "refund/claim.h"
#include "refund/claim_store.h"
#include "refund/currency.h"
#include "refund/settlement.h"

namespace steadfast::refund {

ActivityFn MakeOpenClaimActivity(Services) {
  return [](ActivityContext& ctx) -> ActivityResult {
    const Value& in = ctx.input();
    ReservationClaim claim;
    claim.reservation_id = IdString(in.Get("reservation_id"));
    if (claim.reservation_id.empty()) return InvalidInput("reservation_id is required");
    claim.currency = in.Get("currency").StringOr("");
    if (!IsKnownCurrency(claim.currency)) return InvalidInput("currency must be a known ISO 4217 code");
    claim.id = IdString(in.Get("claim_id"));
    // The same id on every attempt: the key is stable across retries and restarts.
    if (claim.id.empty()) claim.id = "clm_" + TransactionIdFor(ctx.idempotency_key()).substr(4);
    claim.host_id = IdString(in.Get("host_id"));
    claim.opened_by = in.Get("opened_by").StringOr("");
    claim.workflow_id = ctx.workflow_id();
    claim.created_ms = ctx.clock().NowMs();
    claim.updated_ms = claim.created_ms;
    Result<std::vector<ClaimItem>> items = ClaimItemsFromValue(in.Get("items"), claim.currency);
    if (!items.ok()) return InvalidInput(items.status().message());
    claim.items = std::move(*items);
    if (in.Get("messages").is_list()) {
      for (const Value& m : in.Get("messages").AsList()) {
        const std::string text = m.Get("text").StringOr("");
        if (text.empty()) return InvalidInput("a message needs a text");
        claim.messages.push_back(ClaimMessage{0, m.Get("author").StringOr(claim.opened_by), text, claim.created_ms});
      }
    } else if (!in.Get("messages").is_null()) {
      return InvalidInput("messages must be a list of {author, text}");
    }
    if (ctx.storage() == nullptr) return StoreError(Status::Unavailable("no plugin storage for this attempt"));
    ClaimStore claims(*ctx.storage());
    Result<ClaimStore::Opened> opened = claims.Open(claim);
    if (!opened.ok()) {
      if (opened.status().code() == StatusCode::kConflict) {
        return ActivityError::NonRetryable("claim_conflict", opened.status().message());
      }
      return StoreError(opened.status());
    }
    ctx.SetTraceAttribute("refund.reservation_id", claim.reservation_id);
    ctx.logger().Info(fmt::format("claim {} of {}: {} item(s){}", opened->claim.id, claim.reservation_id,
                                  opened->claim.items.size(), opened->replayed ? " (replayed)" : ""));
    Value out = ClaimToValue(opened->claim);
    out["needs_review"] = !opened->claim.items.empty();
    out["replayed"] = opened->replayed;
    return out;
  };
}

}  // namespace steadfast::refund
