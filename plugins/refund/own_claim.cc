// Loading a workflow's own claim (refund/own_claim.h).
#include "refund/own_claim.h"

#include <fmt/format.h>

#include "refund/activity_support.h"
#include "refund/claim_store.h"
#include "refund/refund_services.h"

namespace steadfast::refund {

std::variant<ReservationClaim, ActivityError> LoadOwnClaim(ActivityContext& ctx, const std::string& claim_id) {
  if (claim_id.empty()) return InvalidInput("claim_id is required");
  if (ctx.storage() == nullptr) return StoreError(Status::Unavailable("no plugin storage for this attempt"));
  ClaimStore claims(*ctx.storage());
  Result<ReservationClaim> claim = claims.Claim(claim_id);
  if (!claim.ok()) {
    if (claim.status().code() == StatusCode::kNotFound) {
      return ActivityError::NonRetryable("claim_not_found", claim.status().message());
    }
    return StoreError(claim.status());
  }
  if (claim->workflow_id != ctx.workflow_id()) {
    return ActivityError::NonRetryable("claim_conflict",
                                       fmt::format("claim {} belongs to workflow {}", claim_id, claim->workflow_id));
  }
  return std::move(claim).value();
}

}  // namespace steadfast::refund
