// The claim a claim_settlement workflow opened, as its later steps load it
// (refund.decide_claim, refund.settle_claim).
#ifndef STEADFAST_PLUGINS_REFUND_OWN_CLAIM_H_
#define STEADFAST_PLUGINS_REFUND_OWN_CLAIM_H_

#include <string>
#include <variant>

#include "refund/claim.h"
#include "steadfast/activity.h"

namespace steadfast::refund {

// The claim `claim_id` of the attempt's workflow, or the step's error:
// invalid_input (no id), claim_not_found, claim_conflict (another
// workflow's claim), or a store error (retryable).
std::variant<ReservationClaim, ActivityError> LoadOwnClaim(ActivityContext& ctx, const std::string& claim_id);

}  // namespace steadfast::refund

#endif  // STEADFAST_PLUGINS_REFUND_OWN_CLAIM_H_
