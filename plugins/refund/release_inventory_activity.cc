// refund.release_inventory: give the capacity back, or restock returned goods.
//
// Input:  {reservation_id, kind?: cancellation | return | seller_cancellation,
//          items?: [{sku, quantity}],
//          inspection?: {result?, items?: [{sku, quantity, result}]}   (returns)}
// Output: {released, release_id?, restocked: [...], liquidation: [...], replayed}
//
// A cancellation releases the reserved slot/capacity (and items, if listed)
// with POST /inventory/release. A return restocks only the items whose
// inspection result is `like_new` or `good`; the others are listed under
// `liquidation` and not restocked; when nothing qualifies no call is made.
// The request carries Idempotency-Key = ctx.idempotency_key(): a retry after
// a lost answer gets the first release back, never a second one.
// Errors: inventory_* as classified by the HTTP client (5xx, timeouts:
// retryable), inventory_not_configured, invalid_input.
#include <fmt/format.h>

#include "refund/activities.h"
#include "refund/activity_support.h"

namespace steadfast::refund {
namespace {

bool Restockable(const std::string& result) { return result == "like_new" || result == "good"; }

}  // namespace

ActivityFn MakeReleaseInventoryActivity(Services s) {
  return [s](ActivityContext& ctx) -> ActivityResult {
    const Value& in = ctx.input();
    if (!s->inventory) return ActivityError::NonRetryable("inventory_not_configured", s->inventory_problem);
    const std::string reservation_id = IdString(in.Get("reservation_id"));
    if (reservation_id.empty()) return InvalidInput("reservation_id is required");
    const std::string kind = in.Get("kind").StringOr("cancellation");

    Value body;
    body["reservation_id"] = reservation_id;
    body["workflow_id"] = ctx.workflow_id();
    Value::List restocked, liquidation;
    if (kind == "return") {
      const Value& inspection = in.Get("inspection");
      const std::string overall = inspection.Get("result").StringOr("");
      const Value& listed = inspection.Get("items").is_list() ? inspection.Get("items") : in.Get("items");
      if (!listed.is_list() || listed.AsList().empty()) {
        return InvalidInput("a return needs items (input.items or inspection.items)");
      }
      for (const Value& item : listed.AsList()) {
        const std::string sku = item.Get("sku").StringOr("");
        if (sku.empty()) return InvalidInput("every item needs a sku");
        std::string result = item.Get("result").StringOr(overall);
        if (result.empty()) {
          // Items of input.items take their result from the inspection's items, matched by sku.
          for (const Value& i : inspection.Get("items").is_list() ? inspection.Get("items").AsList() : Value::List{}) {
            if (i.Get("sku").StringOr("") == sku) result = i.Get("result").StringOr("");
          }
        }
        if (result.empty()) return InvalidInput("no inspection result for item " + sku);
        Value entry;
        entry["sku"] = sku;
        entry["quantity"] = item.Get("quantity").IntOr(1);
        entry["condition"] = result;
        (Restockable(result) ? restocked : liquidation).push_back(std::move(entry));
      }
      Value out;
      out["restocked"] = restocked;
      out["liquidation"] = liquidation;
      if (restocked.empty()) {
        out["released"] = false;
        out["replayed"] = false;
        ctx.logger().Info(fmt::format("return {}: nothing to restock, {} item(s) to liquidation", reservation_id,
                                      liquidation.size()));
        return out;
      }
      body["items"] = restocked;
      body["reason"] = "return_restock";
    } else {
      if (in.Get("items").is_list() && !in.Get("items").AsList().empty()) body["items"] = in.Get("items");
      body["reason"] = kind;
    }
    RemoteResult<JsonResponse> r = s->inventory->PostJson("/inventory/release", body, ctx.idempotency_key());
    if (!r.ok()) return r.error();
    Value out;
    out["released"] = true;
    out["release_id"] = r->body.Get("id").StringOr("");
    out["replayed"] = r->replayed;
    out["restocked"] = restocked;
    out["liquidation"] = liquidation;
    return out;
  };
}

}  // namespace steadfast::refund
