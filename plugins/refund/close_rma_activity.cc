// refund.close_rma: close a return authorisation (e.g. the item never arrived).
//
// Input:  {rma_id, reason?}
// Output: {rma_id, order_id, status: "closed", close_reason, replayed}
// Idempotent: closing a closed RMA returns it unchanged (replayed: true).
// Errors: unknown_rma (non-retryable), refund_store_error, invalid_input.
#include "refund/activities.h"
#include "refund/activity_support.h"

namespace steadfast::refund {

ActivityFn MakeCloseRmaActivity(Services s) {
  return [s](ActivityContext& ctx) -> ActivityResult {
    const std::string rma_id = ctx.input().Get("rma_id").StringOr("");
    if (rma_id.empty()) return InvalidInput("rma_id is required");
    ctx.SetTraceAttribute("rma.id", rma_id);
    const std::string reason = ctx.input().Get("reason").StringOr("closed");
    Result<RefundStore*> store = s->Store();
    if (!store.ok()) return StoreError(store.status());
    Result<RefundStore::CaseRow> row = (*store)->CloseRma(rma_id, reason, ctx.clock().NowMs());
    if (!row.ok()) {
      if (row.status().code() == StatusCode::kNotFound) {
        return ActivityError::NonRetryable("unknown_rma", row.status().message());
      }
      return StoreError(row.status());
    }
    Value out = row->data;
    out["replayed"] = row->replayed;
    return out;
  };
}

}  // namespace steadfast::refund
