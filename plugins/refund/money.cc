// Money arithmetic, rounding, allocation and text/Value conversion.
//
// Intermediate products use a 128-bit integer so that value * ratio never
// overflows before the division; only a final result that does not fit in
// int64 is reported as overflow.
#include "refund/money.h"

#include <algorithm>
#include <numeric>

#include <fmt/format.h>

#include "refund/currency.h"

namespace steadfast::refund {
namespace {

__extension__ typedef __int128 Int128;

constexpr Int128 kInt64Max = INT64_MAX;
constexpr Int128 kInt64Min = INT64_MIN;

Status Overflow(std::string_view what) {
  return Status::InvalidArgument(fmt::format("overflow in {}", what));
}

Status CurrencyMismatch(const Money& a, const Money& b) {
  return Status::InvalidArgument(fmt::format("currency mismatch: {} vs {}", a.currency, b.currency));
}

// Rounds n / d (d > 0, n >= 0) half to even.
Int128 DivRoundHalfEvenNonNegative(Int128 n, Int128 d) {
  Int128 q = n / d;
  Int128 r = n % d;
  Int128 twice = r * 2;  // r < d <= 2^126, so no overflow
  if (twice > d || (twice == d && (q % 2) != 0)) ++q;
  return q;
}

// Rounds n / d (d > 0, n >= 0) half up (a tie goes to the larger magnitude).
Int128 DivRoundHalfUpNonNegative(Int128 n, Int128 d) {
  Int128 q = n / d;
  Int128 r = n % d;
  if (r * 2 >= d) ++q;
  return q;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

Result<Money> MakeMoney(int64_t minor, std::string_view currency) {
  if (!IsKnownCurrency(currency)) return Status::InvalidArgument(fmt::format("unknown currency '{}'", currency));
  return Money{minor, std::string(currency)};
}

Result<int64_t> CheckedAdd(int64_t a, int64_t b) {
  int64_t out = 0;
  if (__builtin_add_overflow(a, b, &out)) return Overflow("addition");
  return out;
}

Result<int64_t> CheckedSub(int64_t a, int64_t b) {
  int64_t out = 0;
  if (__builtin_sub_overflow(a, b, &out)) return Overflow("subtraction");
  return out;
}

Result<int64_t> CheckedMul(int64_t a, int64_t b) {
  int64_t out = 0;
  if (__builtin_mul_overflow(a, b, &out)) return Overflow("multiplication");
  return out;
}

Result<int64_t> CheckedSum(std::span<const int64_t> terms) {
  int64_t sum = 0;
  for (int64_t t : terms) {
    if (__builtin_add_overflow(sum, t, &sum)) return Overflow("sum");
  }
  return sum;
}

std::string_view RoundingModeName(RoundingMode mode) {
  switch (mode) {
    case RoundingMode::kHalfEven: return "half_even";
    case RoundingMode::kHalfUp: return "half_up";
  }
  return "half_even";
}

Result<RoundingMode> ParseRoundingMode(std::string_view name) {
  if (name == "half_even") return RoundingMode::kHalfEven;
  if (name == "half_up") return RoundingMode::kHalfUp;
  return Status::InvalidArgument(fmt::format("unknown rounding mode '{}' (expected half_even or half_up)", name));
}

Result<int64_t> MulDivRoundHalfEven(int64_t value, int64_t numerator, int64_t denominator) {
  return MulDivRound(value, numerator, denominator, RoundingMode::kHalfEven);
}

Result<int64_t> MulDivRound(int64_t value, int64_t numerator, int64_t denominator, RoundingMode mode) {
  if (denominator == 0) return Status::InvalidArgument("division by zero");
  Int128 n = static_cast<Int128>(value) * numerator;  // |n| <= 2^126
  Int128 d = denominator;
  bool negative = (n < 0) != (d < 0);
  if (n < 0) n = -n;
  if (d < 0) d = -d;
  Int128 q = mode == RoundingMode::kHalfUp ? DivRoundHalfUpNonNegative(n, d) : DivRoundHalfEvenNonNegative(n, d);
  if (negative) q = -q;
  if (q > kInt64Max || q < kInt64Min) return Overflow("scaling");
  return static_cast<int64_t>(q);
}

Result<Money> Add(const Money& a, const Money& b) {
  if (a.currency != b.currency) return CurrencyMismatch(a, b);
  SF_ASSIGN_OR_RETURN(int64_t sum, CheckedAdd(a.minor, b.minor));
  return Money{sum, a.currency};
}

Result<Money> Subtract(const Money& a, const Money& b) {
  if (a.currency != b.currency) return CurrencyMismatch(a, b);
  SF_ASSIGN_OR_RETURN(int64_t diff, CheckedSub(a.minor, b.minor));
  return Money{diff, a.currency};
}

Result<Money> Negate(const Money& a) {
  SF_ASSIGN_OR_RETURN(int64_t neg, CheckedSub(0, a.minor));
  return Money{neg, a.currency};
}

Result<Money> ApplyBasisPoints(const Money& amount, int64_t bps) {
  SF_ASSIGN_OR_RETURN(int64_t scaled, MulDivRoundHalfEven(amount.minor, bps, kBasisPointsPerWhole));
  return Money{scaled, amount.currency};
}

Result<std::vector<int64_t>> AllocateMinor(int64_t total, std::span<const int64_t> weights) {
  if (weights.empty()) return Status::InvalidArgument("allocation needs at least one weight");
  int64_t sum = 0;
  for (int64_t w : weights) {
    if (w < 0) return Status::InvalidArgument(fmt::format("negative allocation weight {}", w));
    if (__builtin_add_overflow(sum, w, &sum)) return Overflow("allocation weights");
  }
  if (sum == 0) return Status::InvalidArgument("allocation weights sum to zero");

  const bool negative = total < 0;
  const Int128 magnitude = negative ? -static_cast<Int128>(total) : static_cast<Int128>(total);
  const size_t n = weights.size();
  std::vector<Int128> shares(n);
  std::vector<Int128> remainders(n);
  Int128 assigned = 0;
  for (size_t i = 0; i < n; ++i) {
    Int128 product = magnitude * weights[i];  // <= 2^63 * 2^63
    shares[i] = product / sum;
    remainders[i] = product % sum;
    assigned += shares[i];
  }
  // The leftover is the sum of the fractional parts, so it is < n and at most
  // the number of parts with a non-zero remainder.
  Int128 leftover = magnitude - assigned;
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return remainders[a] > remainders[b]; });
  for (size_t k = 0; leftover > 0; ++k, --leftover) ++shares[order[k]];

  std::vector<int64_t> out(n);
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<int64_t>(negative ? -shares[i] : shares[i]);
  return out;
}

Result<std::vector<Money>> Allocate(const Money& total, std::span<const int64_t> weights) {
  SF_ASSIGN_OR_RETURN(std::vector<int64_t> parts, AllocateMinor(total.minor, weights));
  std::vector<Money> out;
  out.reserve(parts.size());
  for (int64_t p : parts) out.push_back(Money{p, total.currency});
  return out;
}

Result<Money> ParseAmount(std::string_view amount, std::string_view currency) {
  SF_ASSIGN_OR_RETURN(int exponent, CurrencyExponent(currency));
  std::string_view s = amount;
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument(fmt::format("bad amount '{}' for {}: {}", amount, currency, why));
  };
  bool negative = false;
  if (!s.empty() && s.front() == '-') {
    negative = true;
    s.remove_prefix(1);
  }
  size_t dot = s.find('.');
  std::string_view whole = s.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view() : s.substr(dot + 1);
  if (whole.empty()) return bad("expected digits before the decimal point");
  if (dot != std::string_view::npos && frac.empty()) return bad("expected digits after the decimal point");
  if (!std::all_of(whole.begin(), whole.end(), IsDigit) || !std::all_of(frac.begin(), frac.end(), IsDigit)) {
    return bad("expected [-]digits[.digits]");
  }
  if (frac.size() > static_cast<size_t>(exponent)) {
    return bad(fmt::format("{} has {} decimal place(s)", currency, exponent));
  }
  // Accumulate as a negative number so that INT64_MIN is representable.
  int64_t acc = 0;
  auto push = [&](char c) {
    return !__builtin_mul_overflow(acc, 10, &acc) && !__builtin_sub_overflow(acc, c - '0', &acc);
  };
  for (char c : whole) {
    if (!push(c)) return bad("overflow");
  }
  for (int i = 0; i < exponent; ++i) {
    char c = i < static_cast<int>(frac.size()) ? frac[i] : '0';
    if (!push(c)) return bad("overflow");
  }
  if (!negative) {
    if (acc == INT64_MIN) return bad("overflow");
    acc = -acc;
  }
  return Money{acc, std::string(currency)};
}

Result<Money> ParseMoney(std::string_view text) {
  size_t space = text.find(' ');
  if (space == std::string_view::npos || text.find(' ', space + 1) != std::string_view::npos) {
    return Status::InvalidArgument(fmt::format("bad money '{}': expected '<amount> <CURRENCY>', e.g. '12.34 EUR'", text));
  }
  return ParseAmount(text.substr(0, space), text.substr(space + 1));
}

std::string FormatAmount(const Money& m) {
  Result<int> exp = CurrencyExponent(m.currency);
  int exponent = exp.ok() ? *exp : 0;
  uint64_t magnitude = m.minor < 0 ? 0 - static_cast<uint64_t>(m.minor) : static_cast<uint64_t>(m.minor);
  std::string digits = std::to_string(magnitude);
  if (exponent > 0) {
    if (digits.size() <= static_cast<size_t>(exponent)) {
      digits.insert(0, static_cast<size_t>(exponent) + 1 - digits.size(), '0');
    }
    digits.insert(digits.size() - static_cast<size_t>(exponent), 1, '.');
  }
  return m.minor < 0 ? "-" + digits : digits;
}

std::string FormatMoney(const Money& m) { return FormatAmount(m) + " " + m.currency; }

Result<int64_t> ParseBasisPoints(std::string_view percent) {
  std::string_view s = percent;
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument(fmt::format("bad percentage '{}': {}", percent, why));
  };
  if (!s.empty() && s.back() == '%') s.remove_suffix(1);
  size_t dot = s.find('.');
  std::string_view whole = s.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view() : s.substr(dot + 1);
  if (whole.empty() || (dot != std::string_view::npos && frac.empty()) ||
      !std::all_of(whole.begin(), whole.end(), IsDigit) || !std::all_of(frac.begin(), frac.end(), IsDigit)) {
    return bad("expected digits with at most two decimals, e.g. 50 or 12.5");
  }
  if (frac.size() > 2) return bad("at most two decimals (basis points)");
  int64_t bps = 0;
  for (char c : whole) {
    if (__builtin_mul_overflow(bps, 10, &bps) || __builtin_add_overflow(bps, c - '0', &bps)) return bad("overflow");
  }
  for (int i = 0; i < 2; ++i) {
    char c = i < static_cast<int>(frac.size()) ? frac[i] : '0';
    if (__builtin_mul_overflow(bps, 10, &bps) || __builtin_add_overflow(bps, c - '0', &bps)) return bad("overflow");
  }
  return bps;
}

std::string FormatBasisPoints(int64_t bps) {
  std::string sign = bps < 0 ? "-" : "";
  uint64_t magnitude = bps < 0 ? 0 - static_cast<uint64_t>(bps) : static_cast<uint64_t>(bps);
  uint64_t whole = magnitude / 100;
  uint64_t frac = magnitude % 100;
  if (frac == 0) return fmt::format("{}{}%", sign, whole);
  if (frac % 10 == 0) return fmt::format("{}{}.{}%", sign, whole, frac / 10);
  return fmt::format("{}{}.{:02}%", sign, whole, frac);
}

Value MoneyToValue(const Money& m) { return Value::Map{{"minor", m.minor}, {"currency", m.currency}}; }

Result<Money> MoneyFromValue(const Value& v) {
  if (!v.is_map()) {
    return Status::InvalidArgument(fmt::format("money must be a map {{minor, currency}}, got {}", Value::TypeName(v.type())));
  }
  const Value& minor = v.Get("minor");
  if (!minor.is_int()) {
    return Status::InvalidArgument(fmt::format("money 'minor' must be an integer count of minor units, got {}",
                                               Value::TypeName(minor.type())));
  }
  const Value& currency = v.Get("currency");
  if (!currency.is_string()) return Status::InvalidArgument("money 'currency' must be a string");
  return MakeMoney(minor.AsInt(), currency.AsString());
}

std::string MoneyToJson(const Money& m) { return MoneyToValue(m).ToJson(); }

Result<Money> MoneyFromJson(std::string_view json) {
  SF_ASSIGN_OR_RETURN(Value v, Value::FromJson(json));
  return MoneyFromValue(v);
}

}  // namespace steadfast::refund
