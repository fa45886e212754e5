// refund.calculate_amount: input validation, policy selection, error codes.
#include "refund/calculate_amount_activity.h"

#include <fmt/format.h>

#include "refund/breakdown.h"
#include "refund/calculator.h"
#include "refund/money.h"
#include "refund/reservation.h"
#include "steadfast/time_text.h"

namespace steadfast::refund {
namespace {

ActivityError Fail(std::string code, std::string message) {
  return ActivityError::NonRetryable(std::move(code), std::move(message));
}

}  // namespace

ActivityResult CalculateAmount(const PolicySet& policies, const Value& input, TimeMs now_ms) {
  if (!input.is_map()) return Fail("invalid_input", "input must be a map with a 'reservation'");
  const Value* reservation_value = input.Find("reservation");
  if (reservation_value == nullptr || reservation_value->is_null()) {
    return Fail("invalid_reservation", "input.reservation is required");
  }
  Result<Reservation> reservation = ReservationFromValue(*reservation_value);
  if (!reservation.ok()) return Fail("invalid_reservation", reservation.status().message());

  Result<std::string> spec = PolicySpecFromValue(input.Get("policy"));
  if (!spec.ok()) return Fail("invalid_input", spec.status().message());

  TimeMs cancel_at = now_ms;
  if (const Value* c = input.Find("cancel_at"); c != nullptr && !c->is_null()) {
    if (c->is_int()) {
      cancel_at = c->AsInt();
    } else if (c->is_string()) {
      Result<TimeMs> t = ParseRfc3339(c->AsString());
      if (!t.ok()) return Fail("invalid_input", "cancel_at: " + t.status().message());
      cancel_at = *t;
    } else {
      return Fail("invalid_input", "cancel_at must be an RFC 3339 string or epoch milliseconds");
    }
  }
  if (const Value* m = input.Find("refund_method"); m != nullptr && !m->is_null()) {
    Result<RefundMethod> method = m->is_string() ? ParseRefundMethod(m->AsString())
                                                 : Result<RefundMethod>(Status::InvalidArgument(
                                                       "refund_method must be \"cash\" or \"voucher\""));
    if (!method.ok()) return Fail("invalid_input", method.status().message());
    reservation->refund_method = *method;
  }

  Result<const RefundPolicy*> policy = policies.Select(spec->empty() ? reservation->policy : *spec);
  if (!policy.ok()) return Fail("unknown_policy", policy.status().message());

  Result<RefundBreakdown> breakdown = CalculateRefund(*reservation, **policy, cancel_at);
  if (!breakdown.ok()) {
    const Status& s = breakdown.status();
    if (s.code() == StatusCode::kFailedPrecondition) return Fail("unsupported_currency", s.message());
    return Fail("invalid_reservation", s.message());
  }
  return BreakdownToValue(*breakdown);
}

ActivityFn MakeCalculateAmountActivity(std::shared_ptr<const PolicySet> policies) {
  return [policies = std::move(policies)](ActivityContext& ctx) -> ActivityResult {
    ActivityResult result = CalculateAmount(*policies, ctx.input(), ctx.clock().NowMs());
    if (result.ok()) {
      const Value& out = result.output();
      if (Result<Money> total = MoneyFromValue(out.Get("refund_total")); total.ok()) {
        ctx.SetTraceAttribute("refund.amount_minor", total->minor);
        ctx.SetTraceAttribute("refund.currency", total->currency);
      }
      ctx.logger().Info(fmt::format("refund for {} under {}@{}: {} to guest ({}), window {}",
                                    out.Get("reservation_id").StringOr("?"),
                                    out.Get("policy").Get("name").StringOr("?"),
                                    out.Get("policy").Get("version").IntOr(0),
                                    MoneyFromValue(out.Get("refund_to_guest")).ok()
                                        ? FormatMoney(*MoneyFromValue(out.Get("refund_to_guest")))
                                        : std::string("?"),
                                    out.Get("refund_method").StringOr("?"),
                                    out.Get("window").Get("name").StringOr("?")));
    } else {
      ctx.logger().Warn(fmt::format("refund amount not calculated: {}: {}", result.error().code,
                                    result.error().message));
    }
    return result;
  };
}

}  // namespace steadfast::refund
