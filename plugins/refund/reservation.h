// Reservation: what the guest bought and paid, as the refund calculator sees it.
//
// Built from the JSON/Value that an eligibility step or a support tool
// supplies. All amounts are non-negative minor units in the reservation's
// currency; the discount is written as a positive amount that was taken off
// rental + delivery (a negative discount is rejected, so there is one way to
// write it). Validation happens here, once, so the calculator can rely on it.
#ifndef STEADFAST_PLUGINS_REFUND_RESERVATION_H_
#define STEADFAST_PLUGINS_REFUND_RESERVATION_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "steadfast/clock.h"
#include "steadfast/local_time.h"
#include "steadfast/status.h"
#include "steadfast/value.h"

namespace steadfast::refund {

// How a refund reaches the guest. Serialized as "cash" / "voucher".
enum class RefundMethod : int { kCash = 0, kVoucher = 1 };

std::string_view RefundMethodName(RefundMethod m);
Result<RefundMethod> ParseRefundMethod(std::string_view name);

// What the guest paid, line by line, in minor units of Reservation::currency.
// Paid total = rental + delivery + cleaning_fee - discount + tax + service_fee.
struct ReservationLines {
  int64_t rental = 0;        // the stay, rental or subscription itself: the nightly rate (host's)
  int64_t delivery = 0;      // delivery / setup / other host extras (host's)
  int64_t cleaning_fee = 0;  // optional: the stay's cleaning fee (host's); policies may refund it at its own percent
  int64_t discount = 0;      // taken off rental + delivery (never the cleaning fee); >= 0, <= rental + delivery
  int64_t tax = 0;          // collected by the platform and remitted
  int64_t service_fee = 0;  // the guest service fee (platform's)
};

// A check-in given as the property's local date and hour instead of an
// instant: `check_in: {date: 2026-03-29, time: "15:00", time_zone:
// Europe/Paris}`. Kept as given, with how it met the zone's clock changes,
// so the breakdown can show what the start instant was derived from.
struct LocalCheckIn {
  std::string date;       // "2026-03-29"
  std::string time;       // "15:00" or "15:00:00"
  std::string time_zone;  // IANA name
  ZonedInstant resolved;  // the instant start_at_ms was set to, its offset and fit
};

// A security deposit: money the guest paid besides the booking, held for
// them (a claim may draw on it) and returned at settlement. It is a charge
// of its own at the PSP (taken at booking), so returning it is a refund of
// that charge, never of the booking's.
struct SecurityDeposit {
  int64_t amount_minor = 0;  // > 0, the reservation's currency
  std::string charge;        // the deposit's charge at the PSP ("ch_..."), not the booking's
};

struct Reservation {
  std::string id;
  std::string currency;              // known ISO 4217 code
  TimeMs start_at_ms = 0;            // the instant the stay/subscription starts
  std::optional<LocalCheckIn> check_in;  // set when start_at_ms was derived from a local check-in
  std::optional<TimeMs> booked_at_ms;    // when the guest booked; grace rules need it
  std::optional<TimeMs> end_at_ms;   // >= start when present
  ReservationLines lines;
  int64_t units_total = 1;           // nights, days or periods bought; >= 1
  int64_t units_used = 0;            // 0 <= units_used <= units_total
  std::string policy;                // policy spec it was booked under ("moderate", "moderate@2"), may be ""
  std::string status;                // informational here (eligibility owns it)
  std::optional<RefundMethod> refund_method;  // the guest's preference, used when the policy lets them choose
  std::optional<SecurityDeposit> deposit;     // held separately from the booking; no policy refunds it
};

// Reads and validates a reservation. Required: id (string or int), currency,
// the start as exactly one of start_at (RFC 3339 with offset) or check_in
// {date, time, time_zone} (a local check-in resolved with the tz database,
// steadfast/local_time.h), lines (a map with any of rental, delivery,
// cleaning_fee, discount, tax, service_fee; other keys are an error). Each line amount is an
// integer count of minor units, a decimal string in the reservation currency
// ("400.00" or "400.00 EUR") or a money map {minor, currency}; a floating
// point number is an error. Optional: booked_at (RFC 3339 with offset), end_at, units_total (default 1),
// units_used (default 0), policy (string "name" / "name@version" or map
// {name, version}), status, paid (default true; false is an error: nothing
// was paid, nothing can be refunded), refund_method ("cash" | "voucher").
// Every problem is InvalidArgument naming the field.
Result<Reservation> ReservationFromValue(const Value& v);

// The reservation's `deposit` ({amount, charge}; null or absent: none).
// The amount as a line amount (integer minor units, a decimal string or
// {minor, currency}) in `currency`, > 0; the charge a "ch_..." id.
// InvalidArgument naming the field otherwise.
Result<std::optional<SecurityDeposit>> SecurityDepositFromValue(const Value& v, const std::string& currency);
Value SecurityDepositToValue(const SecurityDeposit& d, const std::string& currency);  // {amount: {minor, currency}, charge}

// The sum the guest paid, checked for overflow.
Result<int64_t> PaidTotalMinor(const ReservationLines& lines);

}  // namespace steadfast::refund

#endif  // STEADFAST_PLUGINS_REFUND_RESERVATION_H_
