// StripeApi: refunds and charges endpoints with Stripe's validation and errors.
#include "stripe_api.h"

#include <algorithm>
#include <optional>
#include <vector>

#include "stripe_params.h"
#include "text_parse.h"

namespace steadfast::sandbox {


Outcome StripeApi::CreateRefund(const SandboxRequest& request, const CallContext& ctx,
                                const SettlementConfig& settlement) {
  if (auto bad = CheckFormBody(request)) return std::move(*bad);
  return RunIdempotent(idempotency_, "psp", request, FormFingerprint(request.form), ctx,
                       [&] { return ExecuteRefund(request, ctx, settlement); });
}

Execution StripeApi::ExecuteRefund(const SandboxRequest& request, const CallContext& ctx,
                                   const SettlementConfig& settlement) {
  std::string charge_id, payment_intent, reason, currency;
  std::optional<int64_t> amount;
  Metadata metadata;
  for (const auto& [name, value] : request.form) {
    if (name == "charge") {
      charge_id = value;
    } else if (name == "payment_intent") {
      payment_intent = value;
    } else if (name == "amount") {
      Outcome error;
      Result<int64_t> parsed = ParseAmount(value, error);
      if (!parsed.ok()) return Invalid(std::move(error));
      amount = *parsed;
    } else if (name == "reason") {
      if (value != "duplicate" && value != "fraudulent" && value != "requested_by_customer") {
        return Invalid(ErrorOutcome(400, "invalid_request_error", "",
                                    "Invalid reason: must be one of duplicate, fraudulent, or requested_by_customer",
                                    "reason"));
      }
      reason = value;
    } else if (name == "currency") {
      currency = AsciiLower(value);
    } else if (auto key = MetadataKey(name)) {
      Outcome error;
      if (!AddMetadata(name, *key, value, metadata, error)) return Invalid(std::move(error));
    } else if (name == "instructions_email" || name == "origin" || name == "refund_application_fee" ||
               name == "reverse_transfer" || IsExpand(name)) {
      // Accepted and without effect in the sandbox.
    } else {
      return Invalid(UnknownParameter(name));
    }
  }
  if (auto too_many = CheckMetadataCount(metadata)) return Invalid(std::move(*too_many));
  if (charge_id.empty() && payment_intent.empty()) {
    return Invalid(ErrorOutcome(400, "invalid_request_error", "parameter_missing",
                                "One of the following params should be provided for this request: charge or "
                                "payment_intent."));
  }

  // Execution begins: from here on results are saved under the key.
  const Charge* charge = nullptr;
  if (!charge_id.empty()) {
    charge = book_.FindCharge(charge_id);
    if (charge == nullptr) return {NoSuch("charge", charge_id, "charge")};
    if (!payment_intent.empty() && charge->payment_intent != payment_intent) {
      return {ErrorOutcome(400, "invalid_request_error", "",
                           "The charge " + charge_id + " does not belong to the payment intent " + payment_intent + ".",
                           "payment_intent")};
    }
  } else {
    charge = book_.FindChargeByPaymentIntent(payment_intent);
    if (charge == nullptr) return {NoSuch("payment_intent", payment_intent, "payment_intent")};
  }
  if (!currency.empty() && currency != charge->currency) {
    return {ErrorOutcome(400, "invalid_request_error", "",
                         "The currency " + currency + " does not match the charge's currency " + charge->currency + ".",
                         "currency")};
  }
  // As at Stripe: no refund while a dispute is open (the bank may return the
  // money itself); a lost dispute's amount is no longer refundable.
  if (charge->amount_disputed_open > 0) {
    return {ErrorOutcome(400, "invalid_request_error", "charge_disputed",
                         "Charge " + charge->id + " has been charged back; it cannot be refunded while the dispute "
                         "is open.", "charge")};
  }
  const int64_t remaining = book_.Remaining(*charge);
  if (remaining <= 0) {
    return {ErrorOutcome(400, "invalid_request_error", "charge_already_refunded",
                         "Charge " + charge->id + " has already been refunded.", "charge")};
  }
  const int64_t refund_amount = amount.value_or(remaining);
  if (refund_amount > remaining) {
    return {ErrorOutcome(400, "invalid_request_error", "amount_too_large",
                         "Refund amount (" + std::to_string(refund_amount) + " " + charge->currency +
                             ") is greater than unrefunded amount on charge (" + std::to_string(remaining) + " " +
                             charge->currency + ")",
                         "amount")};
  }
  Result<Refund> refund = book_.AddRefund(charge->id, refund_amount, reason, std::move(metadata),
                                          request.idempotency_key, settlement, ctx.now_ms);
  if (!refund.ok()) {
    return Invalid(ErrorOutcome(500, "api_error", "", "sandbox storage failure: " + refund.status().ToString()));
  }
  return {JsonOutcome(200, RefundToJson(*refund), refund->id)};
}

Outcome StripeApi::GetRefund(std::string_view id) {
  const Refund* refund = book_.FindRefund(id);
  if (refund == nullptr) return NoSuch("refund", id, "id");
  return JsonOutcome(200, RefundToJson(*refund), refund->id);
}

Outcome StripeApi::GetCharge(std::string_view id) {
  const Charge* charge = book_.FindCharge(id);
  if (charge == nullptr) return NoSuch("charge", id, "id");
  return JsonOutcome(200, ChargeToJson(*charge), charge->id);
}

Outcome StripeApi::ListRefunds(const SandboxRequest& request) {
  if (!request.query_valid) {
    return ErrorOutcome(400, "invalid_request_error", "", "Invalid request: the query string could not be decoded.");
  }
  int64_t limit = 10;
  std::string charge, payment_intent, starting_after, ending_before;
  std::optional<int64_t> created_gt, created_gte, created_lt, created_lte;
  for (const auto& [name, value] : request.query) {
    std::optional<int64_t>* bound = nullptr;
    if (name == "limit") {
      const auto parsed = ParseInt(value);
      if (!parsed || *parsed < 1 || *parsed > 100) {
        return ErrorOutcome(400, "invalid_request_error", "parameter_invalid_integer",
                            "This value must be between 1 and 100 (it currently is '" + value + "').", "limit");
      }
      limit = *parsed;
      continue;
    }
    if (name == "charge") { charge = value; continue; }
    if (name == "payment_intent") { payment_intent = value; continue; }
    if (name == "starting_after") { starting_after = value; continue; }
    if (name == "ending_before") { ending_before = value; continue; }
    if (IsExpand(name)) continue;
    if (name == "created") {
      bound = &created_gte;
    } else if (name == "created[gt]") {
      bound = &created_gt;
    } else if (name == "created[gte]") {
      bound = &created_gte;
    } else if (name == "created[lt]") {
      bound = &created_lt;
    } else if (name == "created[lte]") {
      bound = &created_lte;
    } else {
      return UnknownParameter(name);
    }
    const auto parsed = ParseInt(value);
    if (!parsed) {
      return ErrorOutcome(400, "invalid_request_error", "parameter_invalid_integer", "Invalid integer: " + value,
                          name);
    }
    *bound = *parsed;
    if (name == "created") created_lte = *parsed;  // exact match
  }
  if (!starting_after.empty() && !ending_before.empty()) {
    return ErrorOutcome(400, "invalid_request_error", "",
                        "You may only specify one of these parameters: ending_before, starting_after.");
  }
  int64_t cursor_seq = 0;
  if (!starting_after.empty() || !ending_before.empty()) {
    const bool after = !starting_after.empty();
    const std::string& cursor_id = after ? starting_after : ending_before;
    const Refund* cursor = book_.FindRefund(cursor_id);
    if (cursor == nullptr) return NoSuch("refund", cursor_id, after ? "starting_after" : "ending_before");
    cursor_seq = cursor->seq;
  }

  auto matches = [&](const Refund& r) {
    if (!charge.empty() && r.charge != charge) return false;
    if (!payment_intent.empty() && r.payment_intent != payment_intent) return false;
    if (created_gt && !(r.created_s > *created_gt)) return false;
    if (created_gte && !(r.created_s >= *created_gte)) return false;
    if (created_lt && !(r.created_s < *created_lt)) return false;
    if (created_lte && !(r.created_s <= *created_lte)) return false;
    return true;
  };

  // Stripe lists newest first; the cursor is a position in that order.
  std::vector<const Refund*> page;
  bool has_more = false;
  const auto& all = book_.refunds();
  if (!ending_before.empty()) {
    // The `limit` matching refunds just newer than the cursor, newest first.
    std::vector<const Refund*> newer;
    for (const Refund& r : all) {
      if (r.seq > cursor_seq && matches(r)) newer.push_back(&r);
    }
    has_more = static_cast<int64_t>(newer.size()) > limit;
    const size_t take = std::min(newer.size(), static_cast<size_t>(limit));
    for (size_t i = take; i > 0; --i) page.push_back(newer[i - 1]);
  } else {
    for (auto it = all.rbegin(); it != all.rend(); ++it) {
      if (!starting_after.empty() && it->seq >= cursor_seq) continue;
      if (!matches(*it)) continue;
      if (static_cast<int64_t>(page.size()) == limit) {
        has_more = true;
        break;
      }
      page.push_back(&*it);
    }
  }
  nlohmann::ordered_json body;
  body["object"] = "list";
  body["data"] = nlohmann::ordered_json::array();
  for (const Refund* r : page) body["data"].push_back(RefundToJson(*r));
  body["has_more"] = has_more;
  body["url"] = "/v1/refunds";
  return JsonOutcome(200, body);
}

}  // namespace steadfast::sandbox
