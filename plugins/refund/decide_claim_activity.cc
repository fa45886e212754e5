// refund.decide_claim: decide a claim's items from its review.
//
// Input:  {claim_id, review: <the approval step's output>}
// Output: <claim> (decided) plus {replayed}
//
// The reviewers' per-item decisions travel in their approval comments
// (claim_decision.h): checked here, merged (four-eyes: two reviewers who
// decide an item must agree), and written with this step's checkpoint, so
// the items are decided exactly when the engine records the step. A claim
// decided already (a replay, an operator's retry) is reported as stored.
// Errors (non-retryable): invalid_claim_decision (a malformed payload, an
// unknown or undecided item, reviewers who disagree: the message says which),
// claim_not_found, claim_conflict (another workflow's claim), invalid_input;
// refund_store_error (retryable when the database is busy).
#include <fmt/format.h>

#include "refund/activities.h"
#include "refund/activity_support.h"
#include "refund/claim_decision.h"
#include "refund/claim_store.h"
#include "refund/own_claim.h"

namespace steadfast::refund {

ActivityFn MakeDecideClaimActivity(Services) {
  return [](ActivityContext& ctx) -> ActivityResult {
    const Value& in = ctx.input();
    const std::string claim_id = IdString(in.Get("claim_id"));
    std::variant<ReservationClaim, ActivityError> own = LoadOwnClaim(ctx, claim_id);
    if (const ActivityError* error = std::get_if<ActivityError>(&own)) return *error;
    ReservationClaim* claim = &std::get<ReservationClaim>(own);
    if (claim->status != ClaimStatus::kOpen) {
      Value out = ClaimToValue(*claim);
      out["replayed"] = true;
      return out;
    }
    Result<ClaimDecision> decided = DecideClaim(*claim, in.Get("review"));
    if (!decided.ok()) return ActivityError::NonRetryable("invalid_claim_decision", decided.status().message());
    claim->items = std::move(decided->items);
    claim->decision = decided->decision;
    claim->status = ClaimStatus::kDecided;
    claim->updated_ms = ctx.clock().NowMs();
    ClaimStore::RecordDecisionAtCheckpoint(ctx, *claim);
    Result<int64_t> total = DecidedTotal(*claim);
    Result<int64_t> asked = ClaimedTotal(*claim);
    if (!total.ok() || !asked.ok()) return InvalidInput("claim amounts overflow");
    ctx.logger().Info(fmt::format("claim {} decided ({}): {} of {}", claim_id, claim->decision,
                                  FormatMoney(Money{*total, claim->currency}),
                                  FormatMoney(Money{*asked, claim->currency})));
    Value out = ClaimToValue(*claim);
    out["replayed"] = false;
    return out;
  };
}

}  // namespace steadfast::refund
