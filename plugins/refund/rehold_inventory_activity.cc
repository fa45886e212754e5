// refund.rehold_inventory (compensation): hold the capacity again.
//
// Input:  {reservation_id, items?: [{sku, quantity}], reason?}
// Output: {held: true, hold_id, replayed}
// Undoes refund.release_inventory when the refund does not complete (the
// money did not move, so the guest keeps the booking): POST /inventory/hold
// with Idempotency-Key = ctx.idempotency_key() ("<workflow>/<step>/compensate").
// Errors: inventory_* (retryable ones are retried by the engine),
// inventory_not_configured, invalid_input.
#include "refund/activities.h"
#include "refund/activity_support.h"

namespace steadfast::refund {

ActivityFn MakeReholdInventoryActivity(Services s) {
  return [s](ActivityContext& ctx) -> ActivityResult {
    const Value& in = ctx.input();
    if (!s->inventory) return ActivityError::NonRetryable("inventory_not_configured", s->inventory_problem);
    const std::string reservation_id = IdString(in.Get("reservation_id"));
    if (reservation_id.empty()) return InvalidInput("reservation_id is required");
    Value body;
    body["reservation_id"] = reservation_id;
    body["workflow_id"] = ctx.workflow_id();
    body["reason"] = in.Get("reason").StringOr("refund_not_completed");
    if (in.Get("items").is_list() && !in.Get("items").AsList().empty()) body["items"] = in.Get("items");
    RemoteResult<JsonResponse> r = s->inventory->PostJson("/inventory/hold", body, ctx.idempotency_key());
    if (!r.ok()) return r.error();
    Value out;
    out["held"] = true;
    out["hold_id"] = r->body.Get("id").StringOr("");
    out["replayed"] = r->replayed;
    return out;
  };
}

}  // namespace steadfast::refund
