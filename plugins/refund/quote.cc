// Refund quotes for the CLI.
#include "refund/quote.h"

#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "refund/calculator.h"
#include "steadfast/local_time.h"
#include "steadfast/time_text.h"
#include "refund/policy.h"
#include "refund/reservation.h"

namespace steadfast::refund {
namespace {

Result<std::string> ReadArgument(const std::string& arg) {
  if (arg.empty() || arg.front() != '@') return arg;
  std::string path = arg.substr(1);
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(fmt::format("cannot read reservation file '{}'", path));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

Result<RefundBreakdown> ComputeQuote(const QuoteRequest& request, const Clock& clock) {
  SF_ASSIGN_OR_RETURN(PolicySet policies, PolicySet::Load(request.policies_path));
  SF_ASSIGN_OR_RETURN(std::string json, ReadArgument(request.reservation));
  Result<Value> value = Value::FromJson(json);
  if (!value.ok()) return Status::InvalidArgument("reservation: " + value.status().message());
  SF_ASSIGN_OR_RETURN(Reservation reservation, ReservationFromValue(*value));
  if (!request.refund_method.empty()) {
    SF_ASSIGN_OR_RETURN(reservation.refund_method, ParseRefundMethod(request.refund_method));
  }
  TimeMs cancel_at = clock.NowMs();
  if (!request.cancel_at.empty() && request.cancel_at != "now") {
    SF_ASSIGN_OR_RETURN(cancel_at, ParseRfc3339(request.cancel_at));
  }
  SF_ASSIGN_OR_RETURN(const RefundPolicy* policy,
                      policies.Select(request.policy.empty() ? reservation.policy : request.policy));
  return CalculateRefund(reservation, *policy, cancel_at);
}

std::string FormatBreakdownTable(const RefundBreakdown& b) {
  const RefundRule& rule = b.window.rule;
  std::string window;
  switch (b.window.kind) {
    case WindowKind::kNotice:
      window = fmt::format("{} (notice >= {})", rule.name, FormatDurationMs(rule.min_notice_ms));
      break;
    case WindowKind::kAfterStart: window = fmt::format("{} (cancelled after the start)", rule.name); break;
    case WindowKind::kNone: window = "none (no window applies)"; break;
    case WindowKind::kGrace:
      window = fmt::format("{} (grace: cancelled within {} of booking, notice >= {})", rule.name,
                           FormatDurationMs(rule.max_since_booking_ms), FormatDurationMs(rule.min_notice_ms));
      break;
  }
  if (rule.per_line) {
    window += fmt::format(": rental {}, delivery {}, cleaning_fee {} refundable", FormatBasisPoints(rule.refund_bps),
                          FormatBasisPoints(rule.delivery_bps), FormatBasisPoints(rule.cleaning_fee_bps));
  } else {
    window += fmt::format(": {} refundable", FormatBasisPoints(rule.refund_bps));
  }
  if (rule.prorate) window += ", prorated by unused units";
  window += rule.service_fee_refundable ? ", service fee refundable" : ", service fee not refundable";

  std::string out;
  out += fmt::format("Refund quote for reservation {} ({})\n", b.reservation_id, b.currency);
  out += fmt::format("  policy     {} v{}\n", b.policy_name, b.policy_version);
  out += fmt::format("  rounding   {}\n", b.rounding == RoundingMode::kHalfUp
                                              ? "half_up (a tie of half a minor unit goes away from zero)"
                                              : "half_even (a tie of half a minor unit goes to the even neighbour)");
  out += fmt::format("  start      {}\n", FormatRfc3339Utc(b.start_at_ms));
  if (b.check_in.has_value()) {
    // The derived instant, and what it was derived from.
    const LocalCheckIn& c = *b.check_in;
    const std::string local = FormatRfc3339WithOffset(c.resolved.at_ms, c.resolved.offset_s);
    std::string how;
    switch (c.resolved.fit) {
      case LocalTimeFit::kExact: break;
      case LocalTimeFit::kSkipped:
        how = fmt::format("; {} does not exist there (clocks spring forward): moved forward by the gap", c.time);
        break;
      case LocalTimeFit::kRepeated:
        how = fmt::format("; {} happens twice there (clocks fall back): the earlier", c.time);
        break;
    }
    out += fmt::format("  check-in   {} {} {} = {}{}\n", c.date, c.time, c.time_zone, local, how);
  }
  if (b.booked_at_ms.has_value()) {
    out += fmt::format("  booked at  {}  (cancelled {} after booking)\n", FormatRfc3339Utc(*b.booked_at_ms),
                       FormatDurationMs(b.grace.since_booking_ms.value_or(0)));
  }
  out += fmt::format("  cancel at  {}  (notice {})\n", FormatRfc3339Utc(b.cancel_at_ms), FormatDurationMs(b.notice_ms));
  if (b.grace.status != GraceStatus::kNotInPolicy) out += fmt::format("  grace      {}\n", b.grace.reason);
  out += fmt::format("  window     {}\n", window);
  out += fmt::format("  method     {}\n", RefundMethodName(b.method));
  if (b.minimum_refund_applied) out += "  note       below the policy's minimum refund: nothing is refunded\n";
  out += "\n";

  size_t paid_w = 4, refund_w = 6;
  for (const BreakdownLine& l : b.lines) {
    paid_w = std::max(paid_w, FormatAmount(l.paid).size());
    refund_w = std::max(refund_w, FormatAmount(l.refund).size());
  }
  for (const Money* m : {&b.paid_total, &b.refund_total, &b.refund_to_guest, &b.payout_to_host,
                         &b.host_payout_before, &b.host_payout_adjustment}) {
    paid_w = std::max(paid_w, FormatAmount(*m).size());
    refund_w = std::max(refund_w, FormatAmount(*m).size());
  }
  // The percent column: the window's percent for each host line (rental,
  // delivery, cleaning_fee); the other lines follow in proportion or are fees.
  constexpr size_t kPercentWidth = 7;
  auto row = [&](std::string_view label, std::string_view paid, std::string_view percent, std::string_view refund,
                 std::string_view note) {
    std::string line = fmt::format("  {:<19} {:>{}}  {:>{}}  {:>{}}", label, paid, paid_w, percent, kPercentWidth,
                                   refund, refund_w);
    if (!note.empty()) line += fmt::format("  {}", note);
    return line + "\n";
  };
  out += row("line", "paid", "percent", "refund", "basis");
  for (const BreakdownLine& l : b.lines) {
    bool has_paid = l.kind != LineKind::kCancellationFee && l.kind != LineKind::kVoucherBonus;
    out += row(LineKindName(l.kind), has_paid ? FormatAmount(l.paid) : "",
               l.percent_bps.has_value() ? FormatBasisPoints(*l.percent_bps) : "", FormatAmount(l.refund), l.basis);
  }
  out += "  " + std::string(19 + 1 + paid_w + 2 + kPercentWidth + 2 + refund_w, '-') + "\n";
  out += row("total", FormatAmount(b.paid_total), "", FormatAmount(b.refund_total),
             "refund_total (payment given back)");
  out += row("refund to guest", "", "", FormatAmount(b.refund_to_guest),
             fmt::format("{} {}", b.currency,
                         b.method == RefundMethod::kVoucher ? "as voucher" : "to the payment method"));
  out += row("payout to host", FormatAmount(b.host_payout_before), "", FormatAmount(b.payout_to_host),
             fmt::format("before / after; adjustment {}", FormatAmount(b.host_payout_adjustment)));
  return out;
}

Result<std::string> QuoteRefund(const QuoteRequest& request, const Clock& clock) {
  SF_ASSIGN_OR_RETURN(RefundBreakdown breakdown, ComputeQuote(request, clock));
  return FormatBreakdownTable(breakdown);
}

}  // namespace steadfast::refund
