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

#include "refund/activities.h"
#include "refund/activity_support.h"
#include "refund/duration_text.h"

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
  if (*requested_at - *delivered_at > rules.return_window_ms) {
    return Ineligible("return_window_expired",
                      fmt::format("delivered {}, returns close {} after delivery", FormatRfc3339Utc(*delivered_at),
                                  FormatDurationText(rules.return_window_ms)),
                      kind, id);
  }
  if (!r.Get("items").is_list() || r.Get("items").AsList().empty()) {
    return InvalidInput("reservation.items is required for a return");
  }
  const std::string currency = r.Get("currency").StringOr("");
  // Requested items default to everything bought.
  Value::List wanted = request.Get("items").is_list() ? request.Get("items").AsList() : r.Get("items").AsList();
  if (wanted.empty()) return InvalidInput("request.items is empty");
  int64_t rental = 0, tax = 0;
  Value::List returned;
  for (const Value& w : wanted) {
    const std::string sku = w.Get("sku").StringOr("");
    const Value* bought = nullptr;
    for (const Value& item : r.Get("items").AsList()) {
      if (item.Get("sku").StringOr("") == sku) bought = &item;
    }
    if (bought == nullptr) return InvalidInput("request item '" + sku + "' is not in the order");
    const int64_t qty = w.Get("quantity").IntOr(bought->Get("quantity").IntOr(1));
    if (qty <= 0 || qty > bought->Get("quantity").IntOr(1)) {
      return InvalidInput(fmt::format("request item '{}': quantity {} is not between 1 and what was bought", sku, qty));
    }
    const std::string category = bought->Get("category").StringOr("");
    const bool listed = std::find(rules.non_returnable_categories.begin(), rules.non_returnable_categories.end(),
                                  category) != rules.non_returnable_categories.end();
    if (!bought->Get("returnable").BoolOr(true) || listed) {
      return Ineligible("non_returnable_item",
                        "item " + sku + (category.empty() ? "" : " (" + category + ")") + " cannot be returned", kind,
                        id);
    }
    const int64_t price = bought->Get("unit_price").IntOr(-1);
    const int64_t unit_tax = bought->Get("unit_tax").IntOr(0);
    if (price < 0 || unit_tax < 0) return InvalidInput("item " + sku + ": unit_price/unit_tax must be integer minor units");
    Result<int64_t> line = CheckedMul(price, qty);
    Result<int64_t> line_tax = CheckedMul(unit_tax, qty);
    if (!line.ok() || !line_tax.ok()) return InvalidInput("item " + sku + ": amount overflows");
    rental += *line;
    tax += *line_tax;
    Value ret;
    ret["sku"] = sku;
    ret["quantity"] = qty;
    ret["unit_price"] = price;
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
