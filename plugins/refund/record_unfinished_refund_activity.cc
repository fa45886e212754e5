// refund.record_unfinished_refund (compensation of the PSP refund step): the
// money moved, but the workflow will not finish (a later step failed for
// good, it was cancelled, or its deadline passed).
//
// A refund cannot be taken back from the guest, so "undoing" it means
// telling the truth about it: the refund is posted to the ledger (so the
// books agree with the PSP and `steadfast reconcile` finds no drift), and a
// manual-review case asks a person to finish what the workflow did not
// (release the inventory, send the receipt).
//
// Input:  {subject, reason?, details?, ledger: {kind, reference, description?,
//          breakdown | entries, method?}}   (the input of refund.post_ledger)
// Output: {ledger: <refund.post_ledger output>, review: <refund.open_manual_review output>}
// Keys: <ctx key>/ledger and <ctx key>/review. The review case is opened at
// once (a retry finds it); the posting is written in this attempt's
// checkpoint transaction, as refund.post_ledger's is.
// Errors: those of refund.post_ledger and refund.open_manual_review.
#include "refund/activities.h"
#include "refund/activity_support.h"

namespace steadfast::refund {

ActivityFn MakeRecordUnfinishedRefundActivity(Services s) {
  return [s](ActivityContext& ctx) -> ActivityResult {
    const Value& in = ctx.input();
    if (!in.Get("ledger").is_map()) return InvalidInput("ledger (the refund's posting) is required");
    // The case first: if the posting is refused for good, a person already
    // knows about the refund (and the compensation's failure says why).
    Value review_input = in;
    review_input.MutableMap().erase("ledger");
    ActivityResult review = OpenManualReview(s, ctx, review_input, ctx.idempotency_key() + "/review");
    if (!review.ok()) return review;
    ActivityResult posted = PostLedger(s, ctx, in.Get("ledger"), ctx.idempotency_key() + "/ledger");
    if (!posted.ok()) return posted;
    return Value(Value::Map{{"ledger", posted.output()}, {"review", review.output()}});
  };
}

}  // namespace steadfast::refund
