// refund.adjust_loyalty: take back (or grant) loyalty points.
//
// Input:  {customer_id, points: int (negative deducts), reason?}
//     or  {customer_id, refunded: {minor, currency}, reason?}: deducts the
//         points the refunded amount earned, one per whole major unit of its
//         currency (loyalty.h), so a workflow never does currency arithmetic.
// Output: {adjustment_id, customer_id, points, balance, replayed}
// One row per activity key in loyalty_adjustments, so a retry never deducts
// twice; the balance is the sum of the customer's adjustments.
// Errors: refund_store_error, invalid_input.
#include "refund/activities.h"
#include "refund/activity_support.h"
#include "refund/loyalty.h"

namespace steadfast::refund {
namespace {

// The signed adjustment the input asks for.
Result<int64_t> PointsOf(const Value& in) {
  const bool has_points = !in.Get("points").is_null();
  const bool has_refunded = !in.Get("refunded").is_null();
  if (has_points == has_refunded) return Status::InvalidArgument("give exactly one of points and refunded");
  if (has_points) {
    if (!in.Get("points").is_int()) return Status::InvalidArgument("points must be an integer");
    return in.Get("points").AsInt();
  }
  Result<Money> refunded = MoneyFromValue(in.Get("refunded"));
  if (!refunded.ok()) return Status::InvalidArgument("refunded: " + refunded.status().message());
  if (refunded->minor < 0) return Status::InvalidArgument("refunded must not be negative");
  SF_ASSIGN_OR_RETURN(const int64_t earned, LoyaltyPointsFor(*refunded));
  return -earned;
}

}  // namespace

ActivityFn MakeAdjustLoyaltyActivity(Services s) {
  return [s](ActivityContext& ctx) -> ActivityResult {
    const Value& in = ctx.input();
    const std::string customer = IdString(in.Get("customer_id"));
    if (customer.empty()) return InvalidInput("customer_id is required");
    Result<int64_t> points = PointsOf(in);
    if (!points.ok()) return InvalidInput(points.status().message());
    Result<RefundStore*> store = s->Store();
    if (!store.ok()) return StoreError(store.status());
    Result<RefundStore::CaseRow> row = (*store)->AdjustLoyalty(
        ctx.idempotency_key(), customer, *points, in.Get("reason").StringOr("refund"), ctx.clock().NowMs());
    if (!row.ok()) return StoreError(row.status());
    Value out = row->data;
    out["replayed"] = row->replayed;
    return out;
  };
}

}  // namespace steadfast::refund
