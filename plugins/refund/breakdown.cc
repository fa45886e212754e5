// RefundBreakdown -> Value.
#include "refund/breakdown.h"

#include "steadfast/local_time.h"
#include "steadfast/time_text.h"

namespace steadfast::refund {

std::string_view LineKindName(LineKind kind) {
  switch (kind) {
    case LineKind::kRental: return "rental";
    case LineKind::kDelivery: return "delivery";
    case LineKind::kCleaningFee: return "cleaning_fee";
    case LineKind::kDiscount: return "discount";
    case LineKind::kTax: return "tax";
    case LineKind::kGuestServiceFee: return "guest_service_fee";
    case LineKind::kCancellationFee: return "cancellation_fee";
    case LineKind::kVoucherBonus: return "voucher_bonus";
  }
  return "unknown";
}

Value BreakdownToValue(const RefundBreakdown& b) {
  // Built key by key: GCC 12 misreports large Value initializer lists as
  // maybe-uninitialized.
  const RefundRule& rule = b.window.rule;
  Value window;
  window["name"] = rule.name;
  window["kind"] = WindowKindName(b.window.kind);
  window["refund_percent"] = FormatBasisPoints(rule.refund_bps);
  window["refund_bps"] = rule.refund_bps;
  window["per_line"] = rule.per_line;
  Value line_percents;
  line_percents["rental"] = FormatBasisPoints(rule.refund_bps);
  line_percents["delivery"] = FormatBasisPoints(rule.delivery_bps);
  line_percents["cleaning_fee"] = FormatBasisPoints(rule.cleaning_fee_bps);
  window["line_percents"] = std::move(line_percents);
  window["service_fee_refundable"] = rule.service_fee_refundable;
  window["delivery_refundable"] = rule.delivery_refundable;
  window["prorate"] = rule.prorate;
  window["charge_cancellation_fee"] = rule.charge_cancellation_fee;
  if (b.window.kind == WindowKind::kNotice || b.window.kind == WindowKind::kGrace) {
    window["min_notice"] = FormatDurationMs(rule.min_notice_ms);
    window["min_notice_ms"] = rule.min_notice_ms;
  }
  if (b.window.kind == WindowKind::kGrace) {
    window["max_since_booking"] = FormatDurationMs(rule.max_since_booking_ms);
    window["max_since_booking_ms"] = rule.max_since_booking_ms;
  }
  Value::List lines;
  for (const BreakdownLine& l : b.lines) {
    Value line;
    line["kind"] = LineKindName(l.kind);
    line["paid"] = MoneyToValue(l.paid);
    line["refund"] = MoneyToValue(l.refund);
    line["basis"] = l.basis;
    if (l.percent_bps.has_value()) {
      line["percent"] = FormatBasisPoints(*l.percent_bps);
      line["percent_bps"] = *l.percent_bps;
    }
    lines.push_back(std::move(line));
  }
  Value policy;
  policy["name"] = b.policy_name;
  policy["version"] = b.policy_version;
  Value units;
  units["total"] = b.units_total;
  units["refunded"] = b.units_refunded;
  Value settlement;
  settlement["host_fee"] = MoneyToValue(b.host_fee);
  settlement["cancellation_fee_to_host"] = MoneyToValue(b.cancellation_fee_to_host);
  settlement["tax_retained"] = MoneyToValue(b.tax_retained);
  settlement["platform_retained"] = MoneyToValue(b.platform_retained);

  Value out;
  out["reservation_id"] = b.reservation_id;
  out["currency"] = b.currency;
  out["policy"] = std::move(policy);
  out["rounding"] = RoundingModeName(b.rounding);
  out["window"] = std::move(window);
  out["notice"] = FormatDurationMs(b.notice_ms);
  out["notice_ms"] = b.notice_ms;
  out["start_at"] = FormatRfc3339Utc(b.start_at_ms);
  out["cancel_at"] = FormatRfc3339Utc(b.cancel_at_ms);
  // Only what the reservation and policy have: outputs without a grace rule,
  // booked_at or a local check-in stay exactly as they were.
  if (b.grace.status != GraceStatus::kNotInPolicy) {
    Value grace;
    grace["rule"] = b.grace.rule;
    grace["status"] = GraceStatusName(b.grace.status);
    grace["applied"] = b.grace.status == GraceStatus::kApplied;
    grace["reason"] = b.grace.reason;
    out["grace"] = std::move(grace);
  }
  if (b.booked_at_ms.has_value()) {
    out["booked_at"] = FormatRfc3339Utc(*b.booked_at_ms);
    const int64_t since = b.grace.since_booking_ms.value_or(0);  // cancel_at - booked_at, set with booked_at
    out["since_booking"] = FormatDurationMs(since);
    out["since_booking_ms"] = since;
  }
  if (b.check_in.has_value()) {
    const LocalCheckIn& c = *b.check_in;
    Value check_in;
    check_in["date"] = c.date;
    check_in["time"] = c.time;
    check_in["time_zone"] = c.time_zone;
    const std::string local = FormatRfc3339WithOffset(c.resolved.at_ms, c.resolved.offset_s);
    check_in["offset"] = local.back() == 'Z' ? std::string("+00:00") : local.substr(local.size() - 6);
    check_in["local"] = local;
    check_in["fit"] = LocalTimeFitName(c.resolved.fit);
    out["check_in"] = std::move(check_in);
  }
  out["units"] = std::move(units);
  out["lines"] = std::move(lines);
  out["refund_method"] = RefundMethodName(b.method);
  out["minimum_refund_applied"] = b.minimum_refund_applied;
  out["paid_total"] = MoneyToValue(b.paid_total);
  out["refund_total"] = MoneyToValue(b.refund_total);
  out["refund_to_guest"] = MoneyToValue(b.refund_to_guest);
  out["payout_to_host"] = MoneyToValue(b.payout_to_host);
  out["host_payout_before"] = MoneyToValue(b.host_payout_before);
  out["host_payout_adjustment"] = MoneyToValue(b.host_payout_adjustment);
  out["settlement"] = std::move(settlement);
  return out;
}

}  // namespace steadfast::refund
