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
// A workflow may have posted the refund itself before it was stopped (a
// cancel that arrived while its ledger step ran waits for that attempt,
// which posts, and then compensates): a posting of the workflow for the
// same reference and kind is then reported (replayed: true) and nothing is
// posted again, so the books hold the refund once.
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
    const Value& ledger = in.Get("ledger");
    Result<RefundStore*> store = s->Store();
    if (!store.ok()) return StoreError(store.status());
    const std::string kind = ledger.Get("kind").StringOr(ctx.workflow_name().empty() ? "manual" : ctx.workflow_name());
    Result<std::optional<PostedTransaction>> earlier =
        (*store)->WorkflowPosting(ctx.workflow_id(), IdString(ledger.Get("reference")), kind);
    if (!earlier.ok()) return StoreError(earlier.status());
    if (earlier->has_value()) {
      ctx.logger().Info("the workflow posted this refund already (ledger transaction " +
                        std::to_string((*earlier)->id) + "): not posted again");
      return Value(Value::Map{{"ledger", PostedTransactionToValue(**earlier)}, {"review", review.output()}});
    }
    ActivityResult posted = PostLedger(s, ctx, ledger, ctx.idempotency_key() + "/ledger");
    if (!posted.ok()) return posted;
    return Value(Value::Map{{"ledger", posted.output()}, {"review", review.output()}});
  };
}

}  // namespace steadfast::refund
