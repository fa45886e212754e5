// refund.create_return_label: open the RMA and issue its return label.
//
// Input:  {order_id, items: [{sku, quantity}], customer_id?, carrier?}
// Output: {rma_id, order_id, status: "open", label_id, tracking_number, carrier, items, replayed}
// Records the RMA (with its label) in the plugin's rmas table, once per
// activity key; the tracking number derives from the RMA id, so a retry
// returns the same label. Errors: refund_store_error, invalid_input.
#include <functional>

#include <fmt/format.h>

#include "refund/activities.h"
#include "refund/activity_support.h"

namespace steadfast::refund {

ActivityFn MakeCreateReturnLabelActivity(Services s) {
  return [s](ActivityContext& ctx) -> ActivityResult {
    const Value& in = ctx.input();
    const std::string order_id = IdString(in.Get("order_id"));
    if (order_id.empty()) return InvalidInput("order_id is required");
    if (!in.Get("items").is_list() || in.Get("items").AsList().empty()) return InvalidInput("items are required");
    const std::string carrier = in.Get("carrier").StringOr("sandbox-post");
    const size_t h = std::hash<std::string>{}(ctx.idempotency_key());
    Value details;
    details["items"] = in.Get("items");
    details["customer_id"] = IdString(in.Get("customer_id"));
    details["carrier"] = carrier;
    details["label_id"] = fmt::format("lbl_{:016x}", h);
    details["tracking_number"] = fmt::format("RT{:012}", h % 1000000000000ULL);
    Result<RefundStore*> store = s->Store();
    if (!store.ok()) return StoreError(store.status());
    Result<RefundStore::CaseRow> row =
        (*store)->OpenRma(ctx.idempotency_key(), ctx.workflow_id(), order_id, details, ctx.clock().NowMs());
    if (!row.ok()) return StoreError(row.status());
    Value out = row->data;
    out["replayed"] = row->replayed;
    ctx.SetTraceAttribute("rma.id", out.Get("rma_id").StringOr(""));
    return out;
  };
}

}  // namespace steadfast::refund
