// refund.check_eligibility: may this reservation (order) be refunded now?
//
// Ineligible is a business outcome, {eligible: false, reason}, not an error,
// so a workflow branches on it with `when`. Only malformed input is an error
// (non-retryable invalid_input). An eligible request is claimed in the
// plugin's refund_claims table for this workflow, so a second workflow for the
// same reservation and kind is ineligible with `duplicate_request`; the claim
// is keyed by workflow id, so a retry of this activity sees its own claim.
#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

#include "refund/activities.h"
#include "refund/activity_support.h"
#include "steadfast/time_text.h"

namespace steadfast::refund {
namespace {

Value Ineligible(std::string reason, std::string detail, const std::string& kind, const std::string& id) {
  Value out;
  out["eligible"] = false;
  out["reason"] = std::move(reason);
  out["detail"] = std::move(detail);
  out["kind"] = kind;
  out["reservation_id"] = id;
  return out;
}

bool IsOneOf(const std::string& s, std::initializer_list<const char*> set) {
  return std::any_of(set.begin(), set.end(), [&](const char* x) { return s == x; });
}

// One SKU of an order or of a return request, over all the lines naming it.
struct SkuTotal {
  std::string sku;
  int64_t quantity = 0;     // summed over the lines (checked)
  int64_t unit_price = 0;   // minor units; order lines only
  int64_t unit_tax = 0;
  std::string category;
  bool returnable = true;
};

const SkuTotal* FindSku(const std::vector<SkuTotal>& totals, const std::string& sku) {
  auto it = std::find_if(totals.begin(), totals.end(), [&](const SkuTotal& t) { return t.sku == sku; });
  return it == totals.end() ? nullptr : &*it;
}

// Sums the quantities of `lines` per SKU, in order of first appearance. A
// return is judged per SKU, not per line: two request lines of one SKU are
// two units of it, and an order may list a SKU on several lines. With
// `order` (a request), every SKU must be in it and a line without quantity
// asks for everything the order has of that SKU. Order lines of one SKU must
// agree on price, tax and returnability, or nobody can tell which was returned.
Result<std::vector<SkuTotal>> TotalsBySku(const Value::List& lines, const char* what,
                                          const std::vector<SkuTotal>* order) {
  std::vector<SkuTotal> out;
  for (const Value& line : lines) {
    SkuTotal t;
    t.sku = line.Get("sku").StringOr("");
    if (t.sku.empty()) {
      if (order == nullptr) continue;  // an order line nobody can ask to return (shipping, a fee)
      return Status::InvalidArgument("request item without a sku");
    }
    const SkuTotal* bought = order == nullptr ? nullptr : FindSku(*order, t.sku);
    if (order != nullptr && bought == nullptr) {
      return Status::InvalidArgument(fmt::format("request item '{}' is not in the order", t.sku));
    }
    const Value& qty = line.Get("quantity");
    if (!qty.is_null() && !qty.is_int()) {
      return Status::InvalidArgument(fmt::format("{} item '{}': quantity must be an integer", what, t.sku));
    }
    t.quantity = qty.is_int() ? qty.AsInt() : (bought != nullptr ? bought->quantity : 1);
    if (t.quantity <= 0) {
      return Status::InvalidArgument(
          fmt::format("{} item '{}': quantity {} must be at least 1", what, t.sku, t.quantity));
    }
    if (order == nullptr) {
      t.unit_price = line.Get("unit_price").IntOr(-1);  // checked when the item is returned
      t.unit_tax = line.Get("unit_tax").is_null() ? 0 : line.Get("unit_tax").IntOr(-1);
      t.category = line.Get("category").StringOr("");
      t.returnable = line.Get("returnable").BoolOr(true);
    }
    auto same = std::find_if(out.begin(), out.end(), [&](const SkuTotal& o) { return o.sku == t.sku; });
    if (same == out.end()) {
      out.push_back(std::move(t));
      continue;
    }
    if (order == nullptr && (same->unit_price != t.unit_price || same->unit_tax != t.unit_tax ||
                             same->category != t.category || same->returnable != t.returnable)) {
      return Status::InvalidArgument(fmt::format(
          "the order lists item '{}' on several lines with different price, tax or returnability", t.sku));
    }
    Result<int64_t> sum = CheckedAdd(same->quantity, t.quantity);
    if (!sum.ok()) return Status::InvalidArgument(fmt::format("{} item '{}': quantity overflows", what, t.sku));
    same->quantity = *sum;
  }
  return out;
}

}  // namespace

ActivityResult EvaluateEligibility(const Value& input, const EligibilityRules& rules, TimeMs now_ms,
                                   const std::vector<RefundRecord>& prior_refunds) {
  const Value& r = input.Get("reservation");
  if (!r.is_map()) return InvalidInput("input.reservation must be a map (the booking snapshot)");
  const std::string id = IdString(r.Get("id"));
  if (id.empty()) return InvalidInput("input.reservation.id is required");
  const Value& request = input.Get("request");
  const std::string kind = request.Get("kind").StringOr("cancellation");
  if (!IsOneOf(kind, {"cancellation", "return", "seller_cancellation"})) {
    return InvalidInput("request.kind must be cancellation, return or seller_cancellation (got '" + kind + "')");
  }
  Result<TimeMs> requested_at = InstantOr(request.Get("requested_at"), now_ms);
  if (!requested_at.ok()) return InvalidInput("request.requested_at: " + requested_at.status().message());

  const std::string status = r.Get("status").StringOr("confirmed");
  if (IsOneOf(status, {"cancelled", "canceled"})) {
    return Ineligible("already_cancelled", "the reservation is already cancelled", kind, id);
  }
  if (status == "refunded") return Ineligible("already_refunded", "the reservation is marked refunded", kind, id);
  if (!r.Get("paid").BoolOr(true) || IsOneOf(status, {"unpaid", "pending_payment", "payment_failed"})) {
    return Ineligible("not_paid", "nothing was paid, nothing can be refunded", kind, id);
  }
  if (!prior_refunds.empty()) {
    const RefundRecord& p = prior_refunds.front();
    return Ineligible("already_refunded",
                      fmt::format("refund {} ({} {}) by workflow {}", p.psp_refund_id.empty() ? p.idempotency_key : p.psp_refund_id,
                                  FormatMoney(Money{p.amount_minor, p.currency}), p.status, p.workflow_id),
                      kind, id);
  }

  Value out;
  out["eligible"] = true;
  out["reason"] = "";
  out["kind"] = kind;
  out["reservation_id"] = id;
  out["requested_at"] = FormatRfc3339Utc(*requested_at);
  out["customer_id"] = IdString(r.Get("customer").Get("id"));
  out["payment"] = r.Get("payment");

  if (kind == "cancellation") {
    if (const Value* end = r.Find("end_at"); end != nullptr && !end->is_null()) {
      Result<TimeMs> end_at = InstantOr(*end, 0);
      if (!end_at.ok()) return InvalidInput("reservation.end_at: " + end_at.status().message());
      if (*requested_at >= *end_at) {
        return Ineligible("stay_completed", "the stay ended at " + FormatRfc3339Utc(*end_at), kind, id);
      }
    }
    out["reservation"] = r;
    return out;
  }
  if (kind == "seller_cancellation") {
    if (IsOneOf(status, {"shipped", "delivered", "completed"})) {
      return Ineligible("already_shipped", "a seller cannot cancel an order that is " + status, kind, id);
    }
    out["reservation"] = r;
    return out;
  }

  // Returns: within the window after delivery, only returnable items.
  const Value& delivered = r.Get("delivered_at");
  if (delivered.is_null()) return Ineligible("not_delivered", "nothing was delivered yet", kind, id);
  Result<TimeMs> delivered_at = InstantOr(delivered, 0);
  if (!delivered_at.ok()) return InvalidInput("reservation.delivered_at: " + delivered_at.status().message());
  Result<int64_t> since_delivery = CheckedSub(*requested_at, *delivered_at);
  if (!since_delivery.ok()) return InvalidInput("request.requested_at is too far from reservation.delivered_at");
  if (*since_delivery > rules.return_window_ms) {
    return Ineligible("return_window_expired",
                      fmt::format("delivered {}, returns close {} after delivery", FormatRfc3339Utc(*delivered_at),
                                  FormatDurationMs(rules.return_window_ms)),
                      kind, id);
  }
  if (!r.Get("items").is_list() || r.Get("items").AsList().empty()) {
    return InvalidInput("reservation.items is required for a return");
  }
  const std::string currency = r.Get("currency").StringOr("");
  // Requested items default to everything bought (that has a sku).
  Value::List wanted;
  if (request.Get("items").is_list()) {
    wanted = request.Get("items").AsList();
  } else {
    for (const Value& item : r.Get("items").AsList()) {
      if (!item.Get("sku").StringOr("").empty()) wanted.push_back(item);
    }
  }
  if (wanted.empty()) return InvalidInput("request.items is empty");
  Result<std::vector<SkuTotal>> bought = TotalsBySku(r.Get("items").AsList(), "order", nullptr);
  if (!bought.ok()) return InvalidInput(bought.status().message());
  Result<std::vector<SkuTotal>> asked = TotalsBySku(wanted, "request", &*bought);
  if (!asked.ok()) return InvalidInput(asked.status().message());
  int64_t rental = 0, tax = 0;
  Value::List returned;
  for (const SkuTotal& want : *asked) {
    const SkuTotal& have = *FindSku(*bought, want.sku);
    if (have.unit_price < 0 || have.unit_tax < 0) {
      return InvalidInput("item " + want.sku + ": unit_price/unit_tax must be integer minor units");
    }
    if (want.quantity > have.quantity) {
      return InvalidInput(fmt::format("request returns {} of item '{}', the order has {}", want.quantity, want.sku,
                                      have.quantity));
    }
    const bool listed = std::find(rules.non_returnable_categories.begin(), rules.non_returnable_categories.end(),
                                  have.category) != rules.non_returnable_categories.end();
    if (!have.returnable || listed) {
      return Ineligible("non_returnable_item",
                        "item " + want.sku + (have.category.empty() ? "" : " (" + have.category + ")") +
                            " cannot be returned",
                        kind, id);
    }
    Result<int64_t> line = CheckedMul(have.unit_price, want.quantity);
    Result<int64_t> line_tax = CheckedMul(have.unit_tax, want.quantity);
    if (line.ok()) line = CheckedAdd(rental, *line);
    if (line_tax.ok()) line_tax = CheckedAdd(tax, *line_tax);
    if (!line.ok() || !line_tax.ok()) {
      return InvalidInput(fmt::format("the returned amount overflows at item '{}' (quantity {}, unit_price {})",
                                      want.sku, want.quantity, have.unit_price));
    }
    rental = *line;
    tax = *line_tax;
    Value ret;
    ret["sku"] = want.sku;
    ret["quantity"] = want.quantity;
    ret["unit_price"] = have.unit_price;
    returned.push_back(std::move(ret));
  }
  // The part of the order being returned, as refund.calculate_amount reads a reservation.
  Value snapshot;
  snapshot["id"] = id;
  snapshot["currency"] = currency;
  snapshot["start_at"] = delivered;
  snapshot["lines"] = Value::Map{{"rental", rental}, {"tax", tax}};
  snapshot["policy"] = r.Get("return_policy").is_null() ? Value("returns") : r.Get("return_policy");
  snapshot["paid"] = true;
  snapshot["status"] = status;
  out["reservation"] = std::move(snapshot);
  out["items"] = std::move(returned);
  return out;
}

ActivityFn MakeCheckEligibilityActivity(Services s) {
  return [s](ActivityContext& ctx) -> ActivityResult {
    const std::string id = IdString(ctx.input().Get("reservation").Get("id"));
    std::vector<RefundRecord> prior;
    Result<RefundStore*> store = s->Store();
    if (!store.ok()) return StoreError(store.status());
    if (!id.empty()) {
      Result<std::vector<RefundRecord>> all = (*store)->ActiveRefundsOf(id);
      if (!all.ok()) return StoreError(all.status());
      for (RefundRecord& r : *all) {
        if (r.workflow_id != ctx.workflow_id()) prior.push_back(std::move(r));
      }
    }
    EligibilityRules rules{s->config.return_window_ms, s->config.non_returnable_categories};
    ActivityResult result = EvaluateEligibility(ctx.input(), rules, ctx.clock().NowMs(), prior);
    if (!result.ok() || !result.output().Get("eligible").BoolOr(false)) {
      if (result.ok()) {
        ctx.logger().Info(fmt::format("reservation {} not eligible: {}", id, result.output().Get("reason").StringOr("")));
      }
      return result;
    }
    const std::string kind = result.output().Get("kind").StringOr("");
    Result<std::string> owner = (*store)->ClaimRequest(id, kind, ctx.workflow_id(), ctx.clock().NowMs());
    if (!owner.ok()) return StoreError(owner.status());
    if (*owner != ctx.workflow_id()) {
      Value out = Ineligible("duplicate_request", "a " + kind + " refund is already handled by workflow " + *owner,
                             kind, id);
      out["existing_workflow"] = *owner;
      return out;
    }
    return result;
  };
}

}  // namespace steadfast::refund
