// RFC 3339 instants (steadfast/time_text.h); durations: tests/unit/definition/duration_test.cc.
#include "steadfast/time_text.h"

#include <gtest/gtest.h>

namespace steadfast {
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

}  // namespace
}  // namespace steadfast
