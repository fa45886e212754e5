// RFC 3339 instants and policy duration text.
#include "refund/timestamp.h"

#include <gtest/gtest.h>

#include "refund/duration_text.h"

namespace steadfast::refund {
namespace {

TEST(TimestampTest, ParsesOffsetsToTheSameInstant) {
  const TimeMs utc = *ParseRfc3339("2026-03-29T13:00:00Z");
  EXPECT_EQ(utc, 1774789200000);
  EXPECT_EQ(*ParseRfc3339("2026-03-29T15:00:00+02:00"), utc);
  EXPECT_EQ(*ParseRfc3339("2026-03-29T08:00:00-05:00"), utc);
  EXPECT_EQ(*ParseRfc3339("2026-03-29T22:00:00+09:00"), utc);
  EXPECT_EQ(*ParseRfc3339("2026-03-29T13:00:00+00:00"), utc);
  EXPECT_EQ(*ParseRfc3339("2026-03-29t13:00:00z"), utc);
  EXPECT_EQ(*ParseRfc3339("2026-03-29 13:00:00Z"), utc);
  EXPECT_EQ(*ParseRfc3339("2026-03-29T18:30:00+05:30"), utc);
}

TEST(TimestampTest, EpochLeapYearsAndFractions) {
  EXPECT_EQ(*ParseRfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*ParseRfc3339("1969-12-31T23:59:59Z"), -1000);
  EXPECT_EQ(*ParseRfc3339("2024-02-29T00:00:00Z") - *ParseRfc3339("2024-02-28T00:00:00Z"), 86'400'000);
  EXPECT_EQ(*ParseRfc3339("2000-03-01T00:00:00Z") - *ParseRfc3339("2000-02-28T00:00:00Z"), 2 * 86'400'000);
  EXPECT_EQ(*ParseRfc3339("2026-01-01T00:00:00.5Z"), *ParseRfc3339("2026-01-01T00:00:00Z") + 500);
  EXPECT_EQ(*ParseRfc3339("2026-01-01T00:00:00.123Z"), *ParseRfc3339("2026-01-01T00:00:00Z") + 123);
  EXPECT_EQ(*ParseRfc3339("2026-01-01T00:00:00.123999Z"), *ParseRfc3339("2026-01-01T00:00:00Z") + 123);
}

TEST(TimestampTest, RejectsWhatNamesNoInstant) {
  for (const char* bad : {"2026-03-29T15:00:00",  // no offset
                          "2026-03-29", "2026-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-13-01T00:00:00Z",
                          "2026-00-10T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T23:60:00Z",
                          "2026-01-01T23:59:60Z", "2026-01-01T00:00:00+24:00", "2026-01-01T00:00:00+0200",
                          "2026-01-01T00:00:00+02", "2026-01-01T00:00:00.Z", "2026-01-01T00:00:00Zjunk",
                          "26-01-01T00:00:00Z", "2026/01/01T00:00:00Z", "2026-01-01X00:00:00Z", "", "now"}) {
    EXPECT_FALSE(ParseRfc3339(bad).ok()) << bad;
  }
}

TEST(TimestampTest, FormatsUtc) {
  EXPECT_EQ(FormatRfc3339Utc(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339Utc(1774789200000), "2026-03-29T13:00:00Z");
  EXPECT_EQ(FormatRfc3339Utc(1774789200123), "2026-03-29T13:00:00.123Z");
  EXPECT_EQ(FormatRfc3339Utc(-1000), "1969-12-31T23:59:59Z");
  EXPECT_EQ(FormatRfc3339Utc(-1), "1969-12-31T23:59:59.999Z");
  for (TimeMs t : {TimeMs{0}, TimeMs{951782400000}, TimeMs{1774789200123}, TimeMs{-86'400'001}, TimeMs{253402300799000}}) {
    EXPECT_EQ(*ParseRfc3339(FormatRfc3339Utc(t)), t) << t;
  }
}

TEST(DurationTextTest, Parses) {
  EXPECT_EQ(*ParseDurationText("7d"), 7 * 86'400'000);
  EXPECT_EQ(*ParseDurationText("24h"), 86'400'000);
  EXPECT_EQ(*ParseDurationText("1d12h"), 36 * 3'600'000);
  EXPECT_EQ(*ParseDurationText("90m"), 5'400'000);
  EXPECT_EQ(*ParseDurationText("1m30s"), 90'000);
  EXPECT_EQ(*ParseDurationText("30s"), 30'000);
  EXPECT_EQ(*ParseDurationText("500ms"), 500);
  EXPECT_EQ(*ParseDurationText("1s500ms"), 1500);
  EXPECT_EQ(*ParseDurationText("0s"), 0);
  for (const char* bad : {"", "7", "d", "7x", "7 d", "-1d", "12h1d", "1h1h", "1.5h", "7D", "99999999999999999999d",
                          "106751991168d"}) {
    EXPECT_FALSE(ParseDurationText(bad).ok()) << bad;
  }
}

TEST(DurationTextTest, Formats) {
  EXPECT_EQ(FormatDurationText(7 * 86'400'000), "7d");
  EXPECT_EQ(FormatDurationText(25 * 3'600'000), "1d1h");
  EXPECT_EQ(FormatDurationText(0), "0s");
  EXPECT_EQ(FormatDurationText(1500), "1s500ms");
  EXPECT_EQ(FormatDurationText(-1000), "-1s");
  EXPECT_EQ(FormatDurationText(7 * 86'400'000 - 1000), "6d23h59m59s");
  for (int64_t ms : {int64_t{1}, int64_t{59'999}, int64_t{3'600'000}, int64_t{90'061'001}}) {
    EXPECT_EQ(*ParseDurationText(FormatDurationText(ms)), ms);
  }
}

}  // namespace
}  // namespace steadfast::refund
