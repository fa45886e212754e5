// Money: an exact amount in one currency, and the only arithmetic allowed on it.
//
// An amount is an int64 count of minor units plus an ISO 4217 code; there is
// no floating point anywhere on this path. Every operation that could
// overflow is checked and returns an error instead of wrapping. Scaling by a
// percentage or a ratio rounds exactly once, by default half to even
// (banker's rounding): 0.5 of a minor unit goes to the even neighbour, so a
// ledger of many refunds drifts neither up nor down. A refund policy may ask
// for half up instead (ties away from zero, what many tax authorities and
// PSPs expect); see RoundingMode. Splitting an amount (Allocate)
// uses the largest-remainder method, so the parts always add up to the whole.
// docs/refunds.md states these rules for people who read refunds.
#ifndef STEADFAST_PLUGINS_REFUND_MONEY_H_
#define STEADFAST_PLUGINS_REFUND_MONEY_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "steadfast/status.h"
#include "steadfast/value.h"

namespace steadfast::refund {

struct Money {
  int64_t minor = 0;     // count of minor units (cents, yen, fils); may be negative
  std::string currency;  // ISO 4217 code, upper case, known to CurrencyExponent

  friend bool operator==(const Money&, const Money&) = default;
};

// One basis point is 1/100 of a percent: 10000 bps = 100%.
inline constexpr int64_t kBasisPointsPerWhole = 10000;

// A Money after checking that the currency is known. InvalidArgument otherwise.
Result<Money> MakeMoney(int64_t minor, std::string_view currency);

// --- Checked integer arithmetic on minor units (InvalidArgument "overflow").
Result<int64_t> CheckedAdd(int64_t a, int64_t b);
Result<int64_t> CheckedSub(int64_t a, int64_t b);
Result<int64_t> CheckedMul(int64_t a, int64_t b);
// The sum of the terms, left to right; InvalidArgument "overflow" as soon as a
// partial sum does not fit in int64 (conservative, never a wrapped total).
Result<int64_t> CheckedSum(std::span<const int64_t> terms);

// How an exact quotient that falls between two minor units is rounded. Only
// ties differ: anything else goes to the nearest minor unit in both modes.
//   kHalfEven: a tie goes to the even neighbour (2.5 -> 2, 3.5 -> 4).
//   kHalfUp:   a tie goes away from zero (2.5 -> 3, -2.5 -> -3), so the mode
//              is symmetric like half-even: f(-v) == -f(v).
// Serialized as "half_even" / "half_up".
enum class RoundingMode : int { kHalfEven = 0, kHalfUp = 1 };
std::string_view RoundingModeName(RoundingMode mode);
// "half_even" | "half_up"; InvalidArgument naming the accepted values otherwise.
Result<RoundingMode> ParseRoundingMode(std::string_view name);

// value * numerator / denominator, computed exactly in 128 bits and rounded
// once as `mode` says. InvalidArgument if denominator is 0 or the result does
// not fit in int64. Symmetric: f(-v) == -f(v).
Result<int64_t> MulDivRound(int64_t value, int64_t numerator, int64_t denominator, RoundingMode mode);

// value * numerator / denominator, computed exactly in 128 bits and rounded
// once, half to even. InvalidArgument if denominator is 0 or the result does
// not fit in int64. Symmetric: f(-v) == -f(v).
Result<int64_t> MulDivRoundHalfEven(int64_t value, int64_t numerator, int64_t denominator);

// --- Money arithmetic. Mixing currencies is InvalidArgument, so is overflow.
Result<Money> Add(const Money& a, const Money& b);
Result<Money> Subtract(const Money& a, const Money& b);
Result<Money> Negate(const Money& a);

// amount * bps / 10000, rounded half to even. bps may exceed 10000 or be negative.
Result<Money> ApplyBasisPoints(const Money& amount, int64_t bps);

// Splits `total` into weights.size() parts proportional to the weights by the
// largest-remainder method: each part first gets floor(total * w / sum(w)),
// then the minor units left over go one each to the parts with the largest
// remainders (ties: the earlier part). Guarantees: the parts add up to
// exactly `total`, each part is within one minor unit of its exact share, a
// zero weight gets zero. A negative total is split as -(split of -total).
// InvalidArgument if weights is empty, has a negative entry, sums to zero or
// the sum overflows.
Result<std::vector<int64_t>> AllocateMinor(int64_t total, std::span<const int64_t> weights);
Result<std::vector<Money>> Allocate(const Money& total, std::span<const int64_t> weights);

// --- Text. The canonical form is "<amount> <CODE>" with exactly the
// currency's number of decimals: "12.34 EUR", "-0.05 USD", "1500 JPY",
// "1.234 KWD".

// Parses "<amount> <CODE>". The amount is [-]digits[.digits] with at most the
// currency's number of decimals (fewer are padded: "12.5 EUR" is 1250 minor);
// more decimals than the currency has are an error, never rounded away.
Result<Money> ParseMoney(std::string_view text);
// Parses just the amount part in a given currency: ParseAmount("12.34", "EUR").
Result<Money> ParseAmount(std::string_view amount, std::string_view currency);

// "12.34 EUR". A Money with an unknown currency prints its minor units with
// no decimal point (it cannot be built through MakeMoney/ParseMoney).
std::string FormatMoney(const Money& m);
// The amount alone: "12.34", "-0.05", "1500", "1.234".
std::string FormatAmount(const Money& m);

// --- Percentages as basis points. "50" -> 5000, "12.5" -> 1250,
// "0.01" -> 1, "7.5%" -> 750. At most two decimals, no sign, no exponent.
Result<int64_t> ParseBasisPoints(std::string_view percent);
// 5000 -> "50%", 1250 -> "12.5%", 1 -> "0.01%".
std::string FormatBasisPoints(int64_t bps);

// --- Values and JSON: {"minor": <int>, "currency": "<CODE>"}.
Value MoneyToValue(const Money& m);
// Requires a map whose "minor" is an int (a double is rejected: money never
// travels as floating point) and whose "currency" is a known code. Other keys
// are ignored.
Result<Money> MoneyFromValue(const Value& v);
std::string MoneyToJson(const Money& m);
Result<Money> MoneyFromJson(std::string_view json);

}  // namespace steadfast::refund

#endif  // STEADFAST_PLUGINS_REFUND_MONEY_H_
