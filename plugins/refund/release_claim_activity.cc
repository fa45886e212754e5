// refund.release_claim (compensation): give up this workflow's claim on a
// refund request, so that the request can be made again.
//
// refund.check_eligibility claims (reservation, kind) for its workflow so a
// second workflow for the same request is refused as `duplicate_request`.
// When the workflow then fails for good and compensates, nothing was
// refunded by it, and the guest's retry is legitimate: this compensation of
// the eligibility step drops the claim. A refund that did move money stays
// recorded in refund_records, so eligibility still answers `already_refunded`.
//
// Input:  {reservation_id, kind} or the engine's default compensation input
//         {input, output} of the eligibility step (output.reservation_id, output.kind)
// Output: {released: bool, reservation_id, kind}
// Only the claim held by this workflow is dropped; repeating it is a no-op.
// Errors: invalid_input, refund_store_error.
#include "refund/activities.h"
#include "refund/activity_support.h"

namespace steadfast::refund {

ActivityFn MakeReleaseClaimActivity(Services s) {
  return [s](ActivityContext& ctx) -> ActivityResult {
    const Value& in = ctx.input();
    std::string reservation_id = IdString(in.Get("reservation_id"));
    if (reservation_id.empty()) reservation_id = IdString(in.Get("output").Get("reservation_id"));
    std::string kind = in.Get("kind").StringOr(in.Get("output").Get("kind").StringOr(""));
    if (reservation_id.empty() || kind.empty()) {
      return InvalidInput("reservation_id and kind (or the eligibility step's output) are required");
    }
    Result<RefundStore*> store = s->Store();
    if (!store.ok()) return StoreError(store.status());
    Result<bool> released = (*store)->ReleaseClaim(reservation_id, kind, ctx.workflow_id());
    if (!released.ok()) return StoreError(released.status());
    if (*released) ctx.logger().Info("claim on " + kind + " refund of " + reservation_id + " released");
    Value out;
    out["released"] = *released;
    out["reservation_id"] = reservation_id;
    out["kind"] = kind;
    return out;
  };
}

}  // namespace steadfast::refund
