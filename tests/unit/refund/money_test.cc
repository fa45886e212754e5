// Money: currency exponents, checked arithmetic, the rounding rule,
// largest-remainder allocation (invariants over random inputs), text and
// Value forms.
#include "refund/money.h"

#include <gtest/gtest.h>

#include <array>

#include <climits>
#include <numeric>
#include <random>

#include "refund/currency.h"

namespace steadfast::refund {
namespace {

Money M(int64_t minor, const char* currency) { return Money{minor, currency}; }

TEST(CurrencyTest, ExponentTable) {
  for (const char* code : {"JPY", "KRW"}) EXPECT_EQ(*CurrencyExponent(code), 0) << code;
  for (const char* code : {"USD", "EUR", "GBP", "CHF", "CAD", "AUD"}) EXPECT_EQ(*CurrencyExponent(code), 2) << code;
  for (const char* code : {"KWD", "BHD", "JOD", "OMR", "TND"}) EXPECT_EQ(*CurrencyExponent(code), 3) << code;
  EXPECT_EQ(*CurrencyExponent("CLF"), 4);
}

TEST(CurrencyTest, UnknownCodesAreErrors) {
  for (const char* code : {"XYZ", "eur", "", "EURO", "EU"}) {
    Result<int> e = CurrencyExponent(code);
    ASSERT_FALSE(e.ok()) << code;
    EXPECT_EQ(e.status().code(), StatusCode::kInvalidArgument);
    EXPECT_FALSE(IsKnownCurrency(code));
  }
  EXPECT_FALSE(MakeMoney(1, "XYZ").ok());
  EXPECT_EQ(*MakeMoney(1, "EUR"), M(1, "EUR"));
}

TEST(CurrencyTest, KnownCurrenciesAreSortedAndUnique) {
  std::vector<std::string> codes = KnownCurrencies();
  EXPECT_TRUE(std::is_sorted(codes.begin(), codes.end()));
  EXPECT_EQ(std::adjacent_find(codes.begin(), codes.end()), codes.end());
  for (const std::string& c : codes) EXPECT_TRUE(IsKnownCurrency(c));
}

TEST(MoneyArithmeticTest, AddSubtractNegate) {
  EXPECT_EQ(*Add(M(150, "EUR"), M(-50, "EUR")), M(100, "EUR"));
  EXPECT_EQ(*Subtract(M(150, "EUR"), M(200, "EUR")), M(-50, "EUR"));
  EXPECT_EQ(*Negate(M(7, "JPY")), M(-7, "JPY"));
}

TEST(MoneyArithmeticTest, MixedCurrenciesAreErrors) {
  EXPECT_EQ(Add(M(1, "EUR"), M(1, "USD")).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Subtract(M(1, "EUR"), M(1, "USD")).status().code(), StatusCode::kInvalidArgument);
}

TEST(MoneyArithmeticTest, OverflowIsAnErrorNotWraparound) {
  EXPECT_FALSE(Add(M(INT64_MAX, "EUR"), M(1, "EUR")).ok());
  EXPECT_FALSE(Add(M(INT64_MIN, "EUR"), M(-1, "EUR")).ok());
  EXPECT_FALSE(Subtract(M(INT64_MIN, "EUR"), M(1, "EUR")).ok());
  EXPECT_FALSE(Subtract(M(0, "EUR"), M(INT64_MIN, "EUR")).ok());
  EXPECT_FALSE(Negate(M(INT64_MIN, "EUR")).ok());
  EXPECT_EQ(*Negate(M(INT64_MAX, "EUR")), M(-INT64_MAX, "EUR"));
  EXPECT_FALSE(CheckedMul(INT64_MAX / 2 + 1, 2).ok());
  EXPECT_EQ(*CheckedMul(INT64_MAX / 2, 2), INT64_MAX - 1);
  EXPECT_FALSE(CheckedAdd(INT64_MAX, 1).ok());
  EXPECT_FALSE(CheckedSub(INT64_MIN, 1).ok());
  EXPECT_EQ(*CheckedAdd(INT64_MAX, INT64_MIN), -1);
  const std::array<int64_t, 3> fits{INT64_MAX - 2, 1, 1};
  EXPECT_EQ(*CheckedSum(fits), INT64_MAX);
  const std::array<int64_t, 3> wraps{INT64_MAX - 2, 1, 2};
  Result<int64_t> wrapped = CheckedSum(wraps);
  ASSERT_FALSE(wrapped.ok());
  EXPECT_NE(wrapped.status().message().find("overflow"), std::string::npos);
  EXPECT_EQ(*CheckedSum(std::span<const int64_t>()), 0);
}

// The rounding rule: half to even, symmetric around zero.
struct RoundingRow {
  int64_t value, numerator, denominator, expected;
};

TEST(MoneyRoundingTest, HalfToEvenTable) {
  const RoundingRow rows[] = {
      {5, 1, 2, 2},      // 2.5  -> 2
      {7, 1, 2, 4},      // 3.5  -> 4
      {1, 1, 2, 0},      // 0.5  -> 0
      {3, 1, 2, 2},      // 1.5  -> 2
      {-5, 1, 2, -2},    // -2.5 -> -2
      {-7, 1, 2, -4},    // -3.5 -> -4
      {5, -1, 2, -2},    // sign from the numerator
      {5, 1, -2, -2},    // sign from the denominator
      {-5, -1, 2, 2},    // two negatives
      {10, 1, 3, 3},     // 3.33 -> 3
      {20, 1, 3, 7},     // 6.67 -> 7
      {-20, 1, 3, -7},   // -6.67 -> -7
      {25, 1, 10, 2},    // 2.5 -> 2
      {35, 1, 10, 4},    // 3.5 -> 4
      {251, 1, 100, 3},  // 2.51 -> 3 (above half)
      {249, 1, 100, 2},  // 2.49 -> 2 (below half)
      {0, 7, 9, 0},
      {12, 5, 1, 60},    // exact
  };
  for (const RoundingRow& r : rows) {
    Result<int64_t> got = MulDivRoundHalfEven(r.value, r.numerator, r.denominator);
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(*got, r.expected) << r.value << " * " << r.numerator << " / " << r.denominator;
  }
}

// Half up differs from half to even only on exact ties, and is symmetric.
TEST(MoneyRoundingTest, HalfUpTableAndModes) {
  const RoundingRow rows[] = {
      {5, 1, 2, 3},      // 2.5  -> 3 (half even: 2)
      {7, 1, 2, 4},      // 3.5  -> 4 (same)
      {1, 1, 2, 1},      // 0.5  -> 1 (half even: 0)
      {-5, 1, 2, -3},    // -2.5 -> -3: away from zero
      {-1, 1, 2, -1},    // -0.5 -> -1
      {5, 1, -2, -3},    // sign from the denominator
      {10, 1, 3, 3},     // 3.33 -> 3: not a tie, same as half even
      {20, 1, 3, 7},     // 6.67 -> 7
      {249, 1, 100, 2},  // 2.49 -> 2
      {12345, 5000, 10000, 6173},  // 6172.5 -> 6173 (half even: 6172)
      {0, 7, 9, 0},
  };
  for (const RoundingRow& r : rows) {
    Result<int64_t> got = MulDivRound(r.value, r.numerator, r.denominator, RoundingMode::kHalfUp);
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(*got, r.expected) << r.value << " * " << r.numerator << " / " << r.denominator;
    EXPECT_EQ(*MulDivRound(-r.value, r.numerator, r.denominator, RoundingMode::kHalfUp), -r.expected);
  }
  EXPECT_EQ(*MulDivRound(5, 1, 2, RoundingMode::kHalfEven), *MulDivRoundHalfEven(5, 1, 2));
  EXPECT_EQ(*MulDivRound(INT64_MAX, 5000, 10000, RoundingMode::kHalfUp), INT64_MAX / 2 + 1);
  EXPECT_FALSE(MulDivRound(1, 1, 0, RoundingMode::kHalfUp).ok());
  EXPECT_FALSE(MulDivRound(INT64_MIN, -1, 1, RoundingMode::kHalfUp).ok());
  EXPECT_EQ(RoundingModeName(RoundingMode::kHalfEven), "half_even");
  EXPECT_EQ(RoundingModeName(RoundingMode::kHalfUp), "half_up");
  EXPECT_EQ(*ParseRoundingMode("half_up"), RoundingMode::kHalfUp);
  EXPECT_EQ(*ParseRoundingMode("half_even"), RoundingMode::kHalfEven);
  EXPECT_EQ(ParseRoundingMode("HALF_UP").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseRoundingMode("bankers").status().code(), StatusCode::kInvalidArgument);
}

TEST(MoneyRoundingTest, BasisPoints) {
  EXPECT_EQ(*ApplyBasisPoints(M(10005, "EUR"), 5000), M(5002, "EUR"));  // 50.025 -> 50.02
  EXPECT_EQ(*ApplyBasisPoints(M(10007, "EUR"), 5000), M(5004, "EUR"));  // 50.035 -> 50.04
  EXPECT_EQ(*ApplyBasisPoints(M(12345, "JPY"), 1000), M(1234, "JPY"));  // 1234.5 -> 1234
  EXPECT_EQ(*ApplyBasisPoints(M(12355, "JPY"), 1000), M(1236, "JPY"));  // 1235.5 -> 1236
  EXPECT_EQ(*ApplyBasisPoints(M(-10005, "EUR"), 5000), M(-5002, "EUR"));
  EXPECT_EQ(*ApplyBasisPoints(M(100, "EUR"), 0), M(0, "EUR"));
  EXPECT_EQ(*ApplyBasisPoints(M(100, "EUR"), 10000), M(100, "EUR"));
  EXPECT_EQ(*ApplyBasisPoints(M(100, "EUR"), 1), M(0, "EUR"));      // 0.01
  EXPECT_EQ(*ApplyBasisPoints(M(5000, "EUR"), 1), M(0, "EUR"));     // 0.5 -> 0
  EXPECT_EQ(*ApplyBasisPoints(M(15000, "EUR"), 1), M(2, "EUR"));    // 1.5 -> 2
  EXPECT_EQ(*ApplyBasisPoints(M(INT64_MAX, "EUR"), 10000), M(INT64_MAX, "EUR"));  // 128-bit intermediate
  EXPECT_EQ(*ApplyBasisPoints(M(INT64_MAX, "EUR"), 5000), M(INT64_MAX / 2 + 1, "EUR"));  // x.5, odd -> up
}

TEST(MoneyRoundingTest, OverflowAndDivisionByZero) {
  EXPECT_FALSE(ApplyBasisPoints(M(INT64_MAX, "EUR"), 20000).ok());
  EXPECT_FALSE(MulDivRoundHalfEven(INT64_MIN, -1, 1).ok());
  EXPECT_FALSE(MulDivRoundHalfEven(1, 1, 0).ok());
  EXPECT_EQ(*MulDivRoundHalfEven(INT64_MAX, INT64_MAX, INT64_MAX), INT64_MAX);
  EXPECT_EQ(*MulDivRoundHalfEven(INT64_MIN, 1, 1), INT64_MIN);
}

TEST(AllocateTest, Examples) {
  auto alloc = [](int64_t total, std::vector<int64_t> w) { return *AllocateMinor(total, w); };
  EXPECT_EQ(alloc(100, {1, 1, 1}), (std::vector<int64_t>{34, 33, 33}));  // tie: earliest first
  EXPECT_EQ(alloc(-100, {1, 1, 1}), (std::vector<int64_t>{-34, -33, -33}));
  EXPECT_EQ(alloc(5, {1, 2}), (std::vector<int64_t>{2, 3}));  // 1.67/3.33: remainders 2 vs 1 of 3
  EXPECT_EQ(alloc(50000, {2, 1}), (std::vector<int64_t>{33333, 16667}));
  EXPECT_EQ(alloc(1000, {33333, 6667}), (std::vector<int64_t>{833, 167}));
  EXPECT_EQ(alloc(0, {3, 4}), (std::vector<int64_t>{0, 0}));
  EXPECT_EQ(alloc(7, {0, 5, 0}), (std::vector<int64_t>{0, 7, 0}));
  EXPECT_EQ(alloc(1, {1, 1, 1, 1}), (std::vector<int64_t>{1, 0, 0, 0}));
  EXPECT_EQ(alloc(INT64_MAX, {1, 1}), (std::vector<int64_t>{INT64_MAX / 2 + 1, INT64_MAX / 2}));
  EXPECT_EQ(alloc(INT64_MIN, {1, 1}), (std::vector<int64_t>{INT64_MIN / 2, INT64_MIN / 2}));
  std::vector<Money> parts = *Allocate(M(1000, "KWD"), std::vector<int64_t>{1, 2});
  EXPECT_EQ(parts, (std::vector<Money>{M(333, "KWD"), M(667, "KWD")}));
}

TEST(AllocateTest, BadWeights) {
  EXPECT_FALSE(AllocateMinor(10, std::vector<int64_t>{}).ok());
  EXPECT_FALSE(AllocateMinor(10, std::vector<int64_t>{0, 0}).ok());
  EXPECT_FALSE(AllocateMinor(10, std::vector<int64_t>{1, -1}).ok());
  EXPECT_FALSE(AllocateMinor(10, std::vector<int64_t>{INT64_MAX, 1}).ok());
}

// Never loses or invents a minor unit; each part is within one unit of its
// exact share (floor or ceil); zero weights get zero; proportional ties and
// order are respected. Random totals (including extremes) and weights.
TEST(AllocateTest, InvariantsOverRandomInputs) {
  std::mt19937_64 rng(20260329);
  std::uniform_int_distribution<int> count_dist(1, 12);
  std::uniform_int_distribution<int> shape(0, 5);
  for (int iter = 0; iter < 20000; ++iter) {
    int64_t total = 0;
    switch (shape(rng)) {
      case 0: total = std::uniform_int_distribution<int64_t>(-100, 100)(rng); break;
      case 1: total = std::uniform_int_distribution<int64_t>(-10'000'000, 10'000'000)(rng); break;
      case 2: total = std::uniform_int_distribution<int64_t>(INT64_MIN, INT64_MAX)(rng); break;
      case 3: total = INT64_MAX - std::uniform_int_distribution<int64_t>(0, 5)(rng); break;
      case 4: total = INT64_MIN + std::uniform_int_distribution<int64_t>(0, 5)(rng); break;
      default: total = std::uniform_int_distribution<int64_t>(0, 1000)(rng); break;
    }
    const int n = count_dist(rng);
    std::vector<int64_t> weights(n);
    const int64_t max_weight = shape(rng) < 3 ? 10 : (INT64_MAX / 16);
    for (int64_t& w : weights) w = std::uniform_int_distribution<int64_t>(0, max_weight)(rng);
    if (std::all_of(weights.begin(), weights.end(), [](int64_t w) { return w == 0; })) weights[0] = 1;

    Result<std::vector<int64_t>> parts = AllocateMinor(total, weights);
    ASSERT_TRUE(parts.ok()) << parts.status().ToString();
    ASSERT_EQ(parts->size(), weights.size());

    __extension__ typedef __int128 Int128;
    Int128 sum = 0, weight_sum = 0;
    for (int64_t w : weights) weight_sum += w;
    for (int i = 0; i < n; ++i) {
      const int64_t p = (*parts)[i];
      sum += p;
      if (weights[i] == 0) {
        EXPECT_EQ(p, 0);
      }
      // |p - total*w/sum| < 1  <=>  |p*sum - total*w| < sum
      Int128 diff = static_cast<Int128>(p) * weight_sum - static_cast<Int128>(total) * weights[i];
      if (diff < 0) diff = -diff;
      EXPECT_LT(diff, weight_sum) << "part " << i << " is not within one unit of its share";
      if (total >= 0) {
        EXPECT_GE(p, 0);
      }
      if (total <= 0) {
        EXPECT_LE(p, 0);
      }
    }
    ASSERT_EQ(sum, static_cast<Int128>(total)) << "allocation lost or invented minor units";
  }
}

TEST(MoneyTextTest, Format) {
  EXPECT_EQ(FormatMoney(M(1234, "EUR")), "12.34 EUR");
  EXPECT_EQ(FormatMoney(M(-5, "USD")), "-0.05 USD");
  EXPECT_EQ(FormatMoney(M(0, "EUR")), "0.00 EUR");
  EXPECT_EQ(FormatMoney(M(1500, "JPY")), "1500 JPY");
  EXPECT_EQ(FormatMoney(M(-1500, "KRW")), "-1500 KRW");
  EXPECT_EQ(FormatMoney(M(1234, "KWD")), "1.234 KWD");
  EXPECT_EQ(FormatMoney(M(5, "BHD")), "0.005 BHD");
  EXPECT_EQ(FormatMoney(M(INT64_MIN, "EUR")), "-92233720368547758.08 EUR");
  EXPECT_EQ(FormatMoney(M(INT64_MAX, "EUR")), "92233720368547758.07 EUR");
  EXPECT_EQ(FormatAmount(M(100, "CLF")), "0.0100");
  EXPECT_EQ(FormatMoney(M(1234, "XYZ")), "1234 XYZ");  // unknown: raw minor units
}

TEST(MoneyTextTest, Parse) {
  EXPECT_EQ(*ParseMoney("12.34 EUR"), M(1234, "EUR"));
  EXPECT_EQ(*ParseMoney("12.3 EUR"), M(1230, "EUR"));
  EXPECT_EQ(*ParseMoney("12 EUR"), M(1200, "EUR"));
  EXPECT_EQ(*ParseMoney("-0.05 USD"), M(-5, "USD"));
  EXPECT_EQ(*ParseMoney("1500 JPY"), M(1500, "JPY"));
  EXPECT_EQ(*ParseMoney("1.234 KWD"), M(1234, "KWD"));
  EXPECT_EQ(*ParseMoney("0.5 KWD"), M(500, "KWD"));
  EXPECT_EQ(*ParseMoney("92233720368547758.07 EUR"), M(INT64_MAX, "EUR"));
  EXPECT_EQ(*ParseMoney("-92233720368547758.08 EUR"), M(INT64_MIN, "EUR"));
  EXPECT_EQ(*ParseAmount("007.10", "GBP"), M(710, "GBP"));
}

TEST(MoneyTextTest, ParseRejects) {
  for (const char* bad : {"12.345 EUR", "1.5 JPY", "1.2345 KWD", "12.34", "EUR 12.34", "12.34  EUR", "12,34 EUR",
                          ".5 EUR", "5. EUR", "+5 EUR", "1e3 EUR", "12.34 XYZ", "12.34 eur", " 12.34 EUR", "- EUR",
                          "--1 EUR", "92233720368547758.08 EUR", "-92233720368547758.09 EUR", "", "abc"}) {
    Result<Money> m = ParseMoney(bad);
    EXPECT_FALSE(m.ok()) << "'" << bad << "' parsed as " << (m.ok() ? FormatMoney(*m) : "");
  }
}

TEST(MoneyTextTest, RoundTripsOverRandomAmounts) {
  std::mt19937_64 rng(42);
  for (const char* cur : {"JPY", "EUR", "KWD", "CLF"}) {
    for (int i = 0; i < 2000; ++i) {
      Money m{std::uniform_int_distribution<int64_t>(INT64_MIN, INT64_MAX)(rng) >> (i % 60), cur};
      Result<Money> back = ParseMoney(FormatMoney(m));
      ASSERT_TRUE(back.ok()) << FormatMoney(m) << ": " << back.status().ToString();
      EXPECT_EQ(*back, m);
    }
  }
}

TEST(MoneyTextTest, BasisPoints) {
  EXPECT_EQ(*ParseBasisPoints("50"), 5000);
  EXPECT_EQ(*ParseBasisPoints("12.5"), 1250);
  EXPECT_EQ(*ParseBasisPoints("0.01"), 1);
  EXPECT_EQ(*ParseBasisPoints("7.5%"), 750);
  EXPECT_EQ(*ParseBasisPoints("100"), 10000);
  EXPECT_EQ(*ParseBasisPoints("0"), 0);
  for (const char* bad : {"", "%", "-5", "1.234", "1e2", "5 %", ".5", "5.", "abc", "99999999999999999999"}) {
    EXPECT_FALSE(ParseBasisPoints(bad).ok()) << bad;
  }
  EXPECT_EQ(FormatBasisPoints(5000), "50%");
  EXPECT_EQ(FormatBasisPoints(1250), "12.5%");
  EXPECT_EQ(FormatBasisPoints(1), "0.01%");
  EXPECT_EQ(FormatBasisPoints(0), "0%");
  EXPECT_EQ(FormatBasisPoints(-750), "-7.5%");
}

TEST(MoneyValueTest, RoundTripAndStrictness) {
  Value v = MoneyToValue(M(1234, "EUR"));
  EXPECT_EQ(v.Get("minor").AsInt(), 1234);
  EXPECT_EQ(v.Get("currency").AsString(), "EUR");
  EXPECT_EQ(*MoneyFromValue(v), M(1234, "EUR"));
  EXPECT_EQ(MoneyToJson(M(-5, "KWD")), R"({"currency":"KWD","minor":-5})");
  EXPECT_EQ(*MoneyFromJson(R"({"minor": 1500, "currency": "JPY", "note": "ignored"})"), M(1500, "JPY"));

  EXPECT_FALSE(MoneyFromJson(R"({"minor": 12.5, "currency": "EUR"})").ok());  // never a double
  EXPECT_FALSE(MoneyFromJson(R"({"minor": "1250", "currency": "EUR"})").ok());
  EXPECT_FALSE(MoneyFromJson(R"({"minor": 1250, "currency": "XYZ"})").ok());
  EXPECT_FALSE(MoneyFromJson(R"({"minor": 1250})").ok());
  EXPECT_FALSE(MoneyFromJson(R"({"currency": "EUR"})").ok());
  EXPECT_FALSE(MoneyFromJson(R"("12.34 EUR")").ok());
  EXPECT_FALSE(MoneyFromJson(R"({"minor": 1e3, "currency": "EUR"})").ok());
  EXPECT_FALSE(MoneyFromJson("{").ok());
}

}  // namespace
}  // namespace steadfast::refund
