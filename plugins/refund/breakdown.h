// RefundBreakdown: the line-by-line result of a refund calculation.
//
// Eight lines, always present and always in this order (zero when they do
// not apply): rental, delivery, cleaning_fee, discount, tax,
// guest_service_fee, cancellation_fee, voucher_bonus. Each line's `refund` is what it adds to
// the guest's refund (discount and cancellation fee are zero or negative), so
// refund_to_guest is exactly the sum of the lines: the guest service fee
// portion is its own line for settlement records and is counted once, never
// on top of a total that already contains it. The settlement fields split the
// original payment between guest, host, tax authority and platform so that
// a ledger can post it balanced:
//   paid_total = refund_total + payout_to_host + tax_retained + platform_retained
// (the voucher bonus is extra value the platform grants on top).
#ifndef STEADFAST_PLUGINS_REFUND_BREAKDOWN_H_
#define STEADFAST_PLUGINS_REFUND_BREAKDOWN_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "refund/money.h"
#include "refund/policy.h"
#include "refund/reservation.h"
#include "steadfast/clock.h"
#include "steadfast/value.h"

namespace steadfast::refund {

// Serialized by name ("rental", ..., "voucher_bonus"); the numbers are the line order.
enum class LineKind : int {
  kRental = 0,
  kDelivery = 1,
  kCleaningFee = 2,
  kDiscount = 3,
  kTax = 4,
  kGuestServiceFee = 5,
  kCancellationFee = 6,
  kVoucherBonus = 7,
};
inline constexpr int kLineKindCount = 8;
std::string_view LineKindName(LineKind kind);

struct BreakdownLine {
  LineKind kind = LineKind::kRental;
  Money paid;         // what the guest paid on this line (discount negative; 0 for fee and bonus lines)
  Money refund;       // what this line adds to the guest's refund (may be negative)
  std::string basis;  // how `refund` was derived, for people ("50% of 400.00")
  // The window's percent for this line: set on rental, delivery and
  // cleaning_fee (0 when the window refunds none of it), unset on the others,
  // which follow in proportion or are fees.
  std::optional<int64_t> percent_bps;
};

struct RefundBreakdown {
  std::string reservation_id;
  std::string currency;
  std::string policy_name;
  int policy_version = 0;
  RoundingMode rounding = RoundingMode::kHalfEven;  // how every rounding in this calculation broke ties
  AppliedRule window;           // the rule that applied, and which kind
  GraceCheck grace;             // whether the policy's grace rule applied, and why (not)
  int64_t notice_ms = 0;        // start - cancel_at; negative after the start
  TimeMs start_at_ms = 0;
  TimeMs cancel_at_ms = 0;
  std::optional<TimeMs> booked_at_ms;     // the reservation's, when given
  std::optional<LocalCheckIn> check_in;   // what start_at_ms was derived from, when a local check-in
  int64_t units_total = 1;
  int64_t units_refunded = 0;   // units whose rental is refundable (all of them unless prorated)
  std::vector<BreakdownLine> lines;  // kLineKindCount lines in LineKind order
  RefundMethod method = RefundMethod::kCash;
  bool minimum_refund_applied = false;  // a refund below the policy minimum was set to zero

  Money paid_total;              // everything the guest paid
  Money refund_total;            // the part of the payment given back (lines without the voucher bonus)
  Money refund_to_guest;         // value the guest receives: refund_total + voucher bonus
  Money payout_to_host;          // the host's payout for this reservation after the cancellation
  Money host_payout_before;      // the host's payout had nobody cancelled
  Money host_payout_adjustment;  // payout_to_host - host_payout_before (<= 0 means the host loses)

  // Settlement of the original payment (see the file comment).
  Money host_fee;                 // platform's fee on what the host keeps
  Money cancellation_fee_to_host; // the host's share of the cancellation fee
  Money tax_retained;             // tax not refunded (still owed to the authority)
  Money platform_retained;        // service fee kept + host fee + platform's share of the cancellation fee

  const BreakdownLine& line(LineKind kind) const { return lines[static_cast<size_t>(kind)]; }
};

// The activity output form:
// {reservation_id, currency, policy: {name, version}, rounding ("half_even" | "half_up"),
//  window: {name, kind, refund_percent, refund_bps, per_line,
//           line_percents: {rental, delivery, cleaning_fee}, min_notice, min_notice_ms,
//           max_since_booking, max_since_booking_ms (grace only),
//           service_fee_refundable, delivery_refundable, prorate, charge_cancellation_fee},
//  grace?: {rule, status, applied, reason} (when the policy has a grace rule),
//  notice, notice_ms, start_at, cancel_at,
//  booked_at?, since_booking?, since_booking_ms? (when the reservation has booked_at),
//  check_in?: {date, time, time_zone, offset, local, fit} (when start_at was derived from one),
//  units: {total, refunded},
//  lines: [{kind, paid, refund, basis, percent?, percent_bps?}], refund_method, minimum_refund_applied,
//  paid_total, refund_total, refund_to_guest, payout_to_host, host_payout_before,
//  host_payout_adjustment, settlement: {host_fee, cancellation_fee_to_host,
//  tax_retained, platform_retained}}
// with every amount as {minor, currency} and instants as RFC 3339 UTC.
Value BreakdownToValue(const RefundBreakdown& b);

}  // namespace steadfast::refund

#endif  // STEADFAST_PLUGINS_REFUND_BREAKDOWN_H_
