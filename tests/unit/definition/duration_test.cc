// ParseDurationMs / FormatDurationMs: units, compounds, and every rejection.
#include "definition/duration.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace steadfast {
namespace {

TEST(DurationTest, ParsesEachUnit) {
  EXPECT_EQ(*ParseDurationMs("500ms"), 500);
  EXPECT_EQ(*ParseDurationMs("30s"), 30'000);
  EXPECT_EQ(*ParseDurationMs("5m"), 300'000);
  EXPECT_EQ(*ParseDurationMs("72h"), 72 * 3'600'000LL);
  EXPECT_EQ(*ParseDurationMs("7d"), 7 * 86'400'000LL);
  EXPECT_EQ(*ParseDurationMs("0s"), 0);
}

TEST(DurationTest, ParsesCompounds) {
  EXPECT_EQ(*ParseDurationMs("1h30m"), 5'400'000);
  EXPECT_EQ(*ParseDurationMs("1m30s500ms"), 90'500);
  EXPECT_EQ(*ParseDurationMs("1d12h"), 36 * 3'600'000LL);
}

TEST(DurationTest, RejectsBadInput) {
  struct Case {
    const char* text;
    const char* message;
  };
  for (const Case& c : {
           Case{"", "empty duration"},
           Case{"30", "missing unit in '30' (use ms, s, m, h or d)"},
           Case{"5x", "unknown unit 'x' in '5x' (use ms, s, m, h or d)"},
           Case{"-5s", "negative duration '-5s'"},
           Case{"1.5h", "unexpected '.' in duration '1.5h'"},
           Case{" 5s", "expected a number at ' 5s' in duration ' 5s'"},
           Case{"5 s", "unexpected ' ' in duration '5 s'"},
           Case{"s", "expected a number at 's' in duration 's'"},
           Case{"1h30", "missing unit in '1h30' (use ms, s, m, h or d)"},
           Case{"5sec", "unknown unit 'sec' in '5sec' (use ms, s, m, h or d)"},
       }) {
    Result<int64_t> r = ParseDurationMs(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status().message(), c.message) << c.text;
  }
}

TEST(DurationTest, RejectsOverflow) {
  EXPECT_FALSE(ParseDurationMs("9223372036854775808ms").ok());   // digits alone overflow
  EXPECT_FALSE(ParseDurationMs("9223372036854776s").ok());       // number * unit overflows
  EXPECT_FALSE(ParseDurationMs("9223372036854775807ms1ms").ok());  // the sum overflows
  EXPECT_EQ(*ParseDurationMs("9223372036854775807ms"), std::numeric_limits<int64_t>::max());
  EXPECT_TRUE(ParseDurationMs("106751991167d").ok());  // just fits
  EXPECT_EQ(ParseDurationMs("106751991168d").status().message(), "duration '106751991168d' overflows");
}

TEST(DurationTest, FormatsShortestExact) {
  EXPECT_EQ(FormatDurationMs(0), "0s");
  EXPECT_EQ(FormatDurationMs(500), "500ms");
  EXPECT_EQ(FormatDurationMs(90'000), "1m30s");
  EXPECT_EQ(FormatDurationMs(86'400'000), "1d");
  EXPECT_EQ(FormatDurationMs(90'061'001), "1d1h1m1s1ms");
  EXPECT_EQ(FormatDurationMs(-1500), "-1s500ms");
  EXPECT_FALSE(FormatDurationMs(std::numeric_limits<int64_t>::min()).empty());
}

TEST(DurationTest, RoundTrips) {
  for (int64_t ms : {int64_t{1}, int64_t{999}, int64_t{1000}, int64_t{61'000}, int64_t{3'600'001},
                     int64_t{7} * 86'400'000, std::numeric_limits<int64_t>::max()}) {
    Result<int64_t> back = ParseDurationMs(FormatDurationMs(ms));
    ASSERT_TRUE(back.ok()) << FormatDurationMs(ms);
    EXPECT_EQ(*back, ms);
  }
}

}  // namespace
}  // namespace steadfast
