// refund.adjust_loyalty: take back (or grant) loyalty points.
//
// Input:  {customer_id, points: int (negative deducts), reason?}
// Output: {adjustment_id, customer_id, points, balance, replayed}
// One row per activity key in loyalty_adjustments, so a retry never deducts
// twice; the balance is the sum of the customer's adjustments.
// Errors: refund_store_error, invalid_input.
#include "refund/activities.h"
#include "refund/activity_support.h"

namespace steadfast::refund {

ActivityFn MakeAdjustLoyaltyActivity(Services s) {
  return [s](ActivityContext& ctx) -> ActivityResult {
    const Value& in = ctx.input();
    const std::string customer = IdString(in.Get("customer_id"));
    if (customer.empty()) return InvalidInput("customer_id is required");
    if (!in.Get("points").is_int()) return InvalidInput("points must be an integer");
    Result<RefundStore*> store = s->Store();
    if (!store.ok()) return StoreError(store.status());
    Result<RefundStore::CaseRow> row = (*store)->AdjustLoyalty(
        ctx.idempotency_key(), customer, in.Get("points").AsInt(), in.Get("reason").StringOr("refund"),
        ctx.clock().NowMs());
    if (!row.ok()) return StoreError(row.status());
    Value out = row->data;
    out["replayed"] = row->replayed;
    return out;
  };
}

}  // namespace steadfast::refund
