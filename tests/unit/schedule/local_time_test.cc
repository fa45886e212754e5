// ResolveLocalTime (steadfast/local_time.h) on real tzdata: exact local
// times, a spring-forward gap and a fall-back overlap, bad input.
#include "steadfast/local_time.h"

#include <gtest/gtest.h>

#include "steadfast/time_text.h"

namespace steadfast {
namespace {

TimeMs Instant(std::string_view rfc3339) { return *ParseRfc3339(rfc3339); }

TEST(LocalTimeTest, ExactLocalTimesUseTheOffsetInForce) {
  Result<ZonedInstant> paris = ResolveLocalTime("2026-03-29T15:00", "Europe/Paris");
  ASSERT_TRUE(paris.ok()) << paris.status().ToString();
  EXPECT_EQ(paris->at_ms, Instant("2026-03-29T13:00:00Z"));  // CEST already, +02:00
  EXPECT_EQ(paris->offset_s, 7200);
  EXPECT_EQ(paris->fit, LocalTimeFit::kExact);
  Result<ZonedInstant> winter = ResolveLocalTime("2026-03-28T15:00:00", "Europe/Paris");
  ASSERT_TRUE(winter.ok());
  EXPECT_EQ(winter->at_ms, Instant("2026-03-28T14:00:00Z"));  // CET, +01:00
  Result<ZonedInstant> tokyo = ResolveLocalTime("2026-10-10T15:00", "Asia/Tokyo");
  ASSERT_TRUE(tokyo.ok());
  EXPECT_EQ(tokyo->at_ms, Instant("2026-10-10T06:00:00Z"));
  Result<ZonedInstant> utc = ResolveLocalTime("2026-01-01T00:00", "UTC");
  ASSERT_TRUE(utc.ok());
  EXPECT_EQ(utc->at_ms, Instant("2026-01-01T00:00:00Z"));
  EXPECT_EQ(utc->offset_s, 0);
}

TEST(LocalTimeTest, SkippedLocalTimeMovesForwardByTheGap) {
  // Paris springs forward at 02:00 CET (01:00Z) to 03:00 CEST.
  Result<ZonedInstant> gap = ResolveLocalTime("2026-03-29T02:30", "Europe/Paris");
  ASSERT_TRUE(gap.ok()) << gap.status().ToString();
  EXPECT_EQ(gap->fit, LocalTimeFit::kSkipped);
  EXPECT_EQ(gap->at_ms, Instant("2026-03-29T03:30:00+02:00"));  // read with CET (+01:00): 01:30Z
  EXPECT_EQ(gap->offset_s, 7200);                          // the offset in force then: CEST
  Result<ZonedInstant> start = ResolveLocalTime("2026-03-29T02:00", "Europe/Paris");
  ASSERT_TRUE(start.ok());
  EXPECT_EQ(start->fit, LocalTimeFit::kSkipped);
  EXPECT_EQ(start->at_ms, Instant("2026-03-29T01:00:00Z"));  // the first instant after the gap
  Result<ZonedInstant> after = ResolveLocalTime("2026-03-29T03:00", "Europe/Paris");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->fit, LocalTimeFit::kExact);
  EXPECT_EQ(after->at_ms, Instant("2026-03-29T01:00:00Z"));
  Result<ZonedInstant> before = ResolveLocalTime("2026-03-29T01:59:59", "Europe/Paris");
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(before->fit, LocalTimeFit::kExact);
  EXPECT_EQ(before->at_ms, Instant("2026-03-29T00:59:59Z"));
}

TEST(LocalTimeTest, RepeatedLocalTimeIsTheEarlierInstant) {
  // New York falls back at 02:00 EDT (06:00Z) to 01:00 EST: 01:00-01:59 twice.
  Result<ZonedInstant> twice = ResolveLocalTime("2026-11-01T01:30", "America/New_York");
  ASSERT_TRUE(twice.ok()) << twice.status().ToString();
  EXPECT_EQ(twice->fit, LocalTimeFit::kRepeated);
  EXPECT_EQ(twice->offset_s, -4 * 3600);
  EXPECT_EQ(twice->at_ms, Instant("2026-11-01T05:30:00Z"));
  Result<ZonedInstant> noon = ResolveLocalTime("2026-11-01T12:00", "America/New_York");
  ASSERT_TRUE(noon.ok());
  EXPECT_EQ(noon->fit, LocalTimeFit::kExact);
  EXPECT_EQ(noon->at_ms, Instant("2026-11-01T17:00:00Z"));
  Result<ZonedInstant> two = ResolveLocalTime("2026-11-01T02:00", "America/New_York");
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(two->fit, LocalTimeFit::kExact);
  EXPECT_EQ(two->at_ms, Instant("2026-11-01T07:00:00Z"));
}

TEST(LocalTimeTest, RejectsWhatNamesNoLocalTime) {
  for (std::string_view bad : {"2026-03-29T15:00Z", "2026-03-29T15:00:00+02:00", "2026-03-29 15:00",
                               "2026-03-29T25:00", "2026-02-30T15:00", "2026-03-29T15", "2026-03-29T15:00:00.5",
                               ""}) {
    Result<ZonedInstant> r = ResolveLocalTime(bad, "Europe/Paris");
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
  }
  Result<ZonedInstant> zone = ResolveLocalTime("2026-03-29T15:00", "Europe/Parris");
  EXPECT_EQ(zone.status().code(), StatusCode::kNotFound);
  EXPECT_NE(zone.status().message().find("Europe/Parris"), std::string::npos);
}

TEST(LocalTimeTest, FormatsWithTheOffset) {
  EXPECT_EQ(FormatRfc3339WithOffset(Instant("2026-03-29T13:00:00Z"), 7200), "2026-03-29T15:00:00+02:00");
  EXPECT_EQ(FormatRfc3339WithOffset(Instant("2026-11-01T05:30:00Z"), -4 * 3600), "2026-11-01T01:30:00-04:00");
  EXPECT_EQ(FormatRfc3339WithOffset(Instant("2026-01-01T00:00:00.250Z"), 0), "2026-01-01T00:00:00.250Z");
  EXPECT_EQ(FormatRfc3339WithOffset(Instant("2026-01-01T00:00:00Z"), 5 * 3600 + 45 * 60), "2026-01-01T05:45:00+05:45");
}

}  // namespace
}  // namespace steadfast
