// refund.open_manual_review (compensation): hand a refund that could not
// complete to a person.
//
// Input:  {subject (reservation/order id), reason?, details?: any}
//         (the engine's default compensation input {input, output} is accepted too)
// Output: {case_id, subject, reason, status: "open", replayed}
// Records one row in manual_review_cases per activity key, so a repeated
// compensation opens one case. Errors: refund_store_error, invalid_input.
#include "refund/activities.h"
#include "refund/activity_support.h"

namespace steadfast::refund {

ActivityResult OpenManualReview(const Services& s, ActivityContext& ctx, const Value& in, const std::string& key) {
  std::string subject = IdString(in.Get("subject"));
  if (subject.empty()) subject = IdString(in.Get("input").Get("reservation_id"));
  if (subject.empty()) return InvalidInput("subject (the reservation or order id) is required");
  const std::string reason = in.Get("reason").StringOr("refund did not complete");
  Value details = in.Get("details").is_null() ? in : in.Get("details");
  Result<RefundStore*> store = s->Store();
  if (!store.ok()) return StoreError(store.status());
  Result<RefundStore::CaseRow> row =
      (*store)->InsertManualReview(key, ctx.workflow_id(), subject, reason, details, ctx.clock().NowMs());
  if (!row.ok()) return StoreError(row.status());
  ctx.logger().Warn("manual review case " + row->id + " opened: " + reason);
  Value out = row->data;
  out["replayed"] = row->replayed;
  return out;
}

ActivityFn MakeOpenManualReviewActivity(Services s) {
  return [s](ActivityContext& ctx) -> ActivityResult {
    return OpenManualReview(s, ctx, ctx.input(), ctx.idempotency_key());
  };
}

}  // namespace steadfast::refund
