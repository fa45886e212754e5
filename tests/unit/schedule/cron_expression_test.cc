// CronExpression and TickRule: the grammar, Vixie cron's day semantics,
// leap days, and firing times across daylight-saving changes in real IANA
// zones (the system's tzdata).
#include "schedule/cron_expression.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "schedule/tick_rule.h"
#include "steadfast/time_text.h"

namespace steadfast {
namespace {

TimeMs At(const char* rfc3339) {
  Result<TimeMs> t = ParseRfc3339(rfc3339);
  EXPECT_TRUE(t.ok()) << rfc3339;
  return t.ok() ? *t : 0;
}

TimeZone Zone(const char* name) {
  Result<TimeZone> z = TimeZone::Find(name);
  EXPECT_TRUE(z.ok()) << z.status().ToString();
  return z.ok() ? *z : TimeZone();
}

CronExpression Cron(const char* text) {
  Result<CronExpression> c = CronExpression::Parse(text);
  EXPECT_TRUE(c.ok()) << text << ": " << c.status().ToString();
  return c.ok() ? *c : *CronExpression::Parse("* * * * *");
}

// The next firing after `after`, as UTC text ("-" for none).
std::string NextUtc(const char* cron, const char* after, const char* zone = "UTC") {
  std::optional<TimeMs> t = Cron(cron).Next(At(after), Zone(zone));
  return t ? FormatRfc3339Utc(*t) : "-";
}

// The firings in (from, to], as UTC text.
std::vector<std::string> Between(const char* cron, const char* from, const char* to, const char* zone) {
  std::vector<std::string> out;
  CronExpression c = Cron(cron);
  TimeZone z = Zone(zone);
  TimeMs t = At(from);
  const TimeMs end = At(to);
  while (true) {
    std::optional<TimeMs> next = c.Next(t, z);
    if (!next || *next > end) break;
    out.push_back(FormatRfc3339Utc(*next));
    t = *next;
  }
  return out;
}

std::string ParseError(const char* text, int* offset) {
  Result<CronExpression> c = CronExpression::Parse(text, offset);
  EXPECT_FALSE(c.ok()) << text;
  return c.ok() ? "" : c.status().message();
}

TEST(CronExpression, FiveFieldsFireOnTheMinute) {
  EXPECT_EQ(NextUtc("*/15 * * * *", "2026-12-03T10:07:30Z"), "2026-12-03T10:15:00Z");
  EXPECT_EQ(NextUtc("*/15 * * * *", "2026-12-03T10:15:00Z"), "2026-12-03T10:30:00Z");  // strictly after
  EXPECT_EQ(NextUtc("0 2 * * *", "2026-12-03T02:00:00.001Z"), "2026-12-04T02:00:00Z");
  EXPECT_EQ(NextUtc("5,10-12 3 * * *", "2026-12-03T03:10:00Z"), "2026-12-03T03:11:00Z");
}

TEST(CronExpression, SixFieldsHaveALeadingSecond) {
  EXPECT_EQ(NextUtc("*/10 * * * * *", "2026-12-03T10:07:31Z"), "2026-12-03T10:07:40Z");
  EXPECT_EQ(NextUtc("* * * * * *", "2026-12-03T10:07:31.500Z"), "2026-12-03T10:07:32Z");
  EXPECT_EQ(NextUtc("30 0 12 * * *", "2026-12-03T12:00:30Z"), "2026-12-04T12:00:30Z");
}

TEST(CronExpression, NamesMacrosAndSundayAsSeven) {
  // 2026-12-03 is a Thursday.
  EXPECT_EQ(NextUtc("0 9 * * MON-fri", "2026-12-04T09:00:00Z"), "2026-12-07T09:00:00Z");
  EXPECT_EQ(NextUtc("0 9 * * 7", "2026-12-03T00:00:00Z"), "2026-12-06T09:00:00Z");
  EXPECT_EQ(NextUtc("0 9 * * 0", "2026-12-03T00:00:00Z"), "2026-12-06T09:00:00Z");
  EXPECT_EQ(NextUtc("0 0 1 jan,Jul *", "2026-12-03T00:00:00Z"), "2027-01-01T00:00:00Z");
  EXPECT_EQ(NextUtc("@hourly", "2026-12-03T10:07:00Z"), "2026-12-03T11:00:00Z");
  EXPECT_EQ(NextUtc("@daily", "2026-12-03T10:07:00Z"), "2026-12-04T00:00:00Z");
  EXPECT_EQ(NextUtc("@weekly", "2026-12-03T10:07:00Z"), "2026-12-06T00:00:00Z");
  EXPECT_EQ(NextUtc("@monthly", "2026-12-03T10:07:00Z"), "2027-01-01T00:00:00Z");
  EXPECT_EQ(NextUtc("@yearly", "2026-12-03T10:07:00Z"), "2027-01-01T00:00:00Z");
}

TEST(CronExpression, StepsFromAStartRunToTheFieldMaximum) {
  EXPECT_EQ(Between("0 10/6 * * *", "2026-12-03T00:00:00Z", "2026-12-04T00:00:00Z", "UTC"),
            (std::vector<std::string>{"2026-12-03T10:00:00Z", "2026-12-03T16:00:00Z", "2026-12-03T22:00:00Z"}));
  EXPECT_EQ(Between("0 1-9/4 * * *", "2026-12-03T00:00:00Z", "2026-12-04T00:00:00Z", "UTC"),
            (std::vector<std::string>{"2026-12-03T01:00:00Z", "2026-12-03T05:00:00Z", "2026-12-03T09:00:00Z"}));
}

TEST(CronExpression, BothDayFieldsRestrictedMatchEither) {
  // Vixie cron: "the 1st, and every Monday". 2026-12-07 is a Monday.
  EXPECT_EQ(NextUtc("0 0 1 * 1", "2026-12-02T00:00:00Z"), "2026-12-07T00:00:00Z");
  EXPECT_EQ(NextUtc("0 0 1 * 1", "2026-12-28T00:00:00Z"), "2027-01-01T00:00:00Z");
  // One of them '*': both must match.
  EXPECT_EQ(NextUtc("0 0 1 * *", "2026-12-02T00:00:00Z"), "2027-01-01T00:00:00Z");
  EXPECT_EQ(NextUtc("0 0 * * 1", "2026-12-02T00:00:00Z"), "2026-12-07T00:00:00Z");
  // A field that starts with '*' counts as unrestricted, as in Vixie cron:
  // odd days that are also Mondays. 2026-12-07 is odd and a Monday.
  EXPECT_EQ(NextUtc("0 0 */2 * 1", "2026-12-01T00:00:00Z"), "2026-12-07T00:00:00Z");
  EXPECT_EQ(NextUtc("0 0 */2 * 1", "2026-12-07T00:00:00Z"), "2026-12-21T00:00:00Z");
}

TEST(CronExpression, LeapDays) {
  EXPECT_EQ(NextUtc("0 0 29 2 *", "2025-03-01T00:00:00Z"), "2028-02-29T00:00:00Z");
  EXPECT_EQ(NextUtc("0 0 29 2 *", "2028-02-29T00:00:00Z"), "2032-02-29T00:00:00Z");
  // 2100 is not a leap year: the next one after 2096 is 2104.
  EXPECT_EQ(NextUtc("0 0 29 2 *", "2096-03-01T00:00:00Z"), "2104-02-29T00:00:00Z");
}

TEST(CronExpression, ImpossibleDatesNeverFire) {
  EXPECT_EQ(NextUtc("0 0 30 2 *", "2026-01-01T00:00:00Z"), "-");
  EXPECT_EQ(NextUtc("0 0 31 4,6,9,11 *", "2026-01-01T00:00:00Z"), "-");
}

TEST(CronExpression, ForwardJumpFiresAFixedTimeOnceAtTheEndOfTheGap) {
  // Paris, 2026-03-29: 02:00 CET becomes 03:00 CEST (01:00Z). 02:30 does not
  // exist that night; a daily 02:30 job runs at 03:00 local instead.
  EXPECT_EQ(NextUtc("30 2 * * *", "2026-03-28T12:00:00Z", "Europe/Paris"), "2026-03-29T01:00:00Z");
  EXPECT_EQ(NextUtc("30 2 * * *", "2026-03-29T01:00:00Z", "Europe/Paris"), "2026-03-30T00:30:00Z");
  // Several gap times collapse into one firing, which also covers 03:00.
  EXPECT_EQ(Between("0,30 2-3 * * *", "2026-03-28T23:00:00Z", "2026-03-29T03:00:00Z", "Europe/Paris"),
            (std::vector<std::string>{"2026-03-29T01:00:00Z", "2026-03-29T01:30:00Z"}));
  // New York, 2026-03-08: 02:00 EST becomes 03:00 EDT (07:00Z).
  EXPECT_EQ(NextUtc("15 2 * * *", "2026-03-06T12:00:00Z", "America/New_York"), "2026-03-07T07:15:00Z")
      << "the day before: 02:15 EST";
  EXPECT_EQ(NextUtc("15 2 * * *", "2026-03-07T08:00:00Z", "America/New_York"), "2026-03-08T07:00:00Z");
}

TEST(CronExpression, ForwardJumpSkipsWallClockTimesOfAnHourlySchedule) {
  // Hour '*': by elapsed time. 01:30 CET, then 03:30 CEST; 02:30 never exists.
  EXPECT_EQ(Between("30 * * * *", "2026-03-29T00:00:00Z", "2026-03-29T02:00:00Z", "Europe/Paris"),
            (std::vector<std::string>{"2026-03-29T00:30:00Z", "2026-03-29T01:30:00Z"}));
}

TEST(CronExpression, BackwardJumpFiresAFixedTimeOnlyAtItsFirstOccurrence) {
  // Paris, 2026-10-25: 03:00 CEST becomes 02:00 CET (01:00Z); 02:00-03:00 happens twice.
  EXPECT_EQ(NextUtc("30 2 * * *", "2026-10-24T12:00:00Z", "Europe/Paris"), "2026-10-25T00:30:00Z");
  EXPECT_EQ(NextUtc("30 2 * * *", "2026-10-25T00:30:00Z", "Europe/Paris"), "2026-10-26T01:30:00Z");
  // A 24-hour list of fixed hours: 72 firings on the 25-hour day.
  EXPECT_EQ(Between("0,20,40 0-23 * * *", "2026-10-24T21:59:59Z", "2026-10-25T22:59:59Z", "Europe/Paris").size(), 72u);
}

TEST(CronExpression, BackwardJumpRepeatsAnHourlySchedule) {
  // Hour '*': 02:30 CEST (00:30Z) and 02:30 CET (01:30Z) both fire.
  EXPECT_EQ(Between("30 * * * *", "2026-10-25T00:00:00Z", "2026-10-25T02:00:00Z", "Europe/Paris"),
            (std::vector<std::string>{"2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z"}));
  EXPECT_EQ(Between("0,20,40 * * * *", "2026-10-24T21:59:59Z", "2026-10-25T22:59:59Z", "Europe/Paris").size(), 75u);
}

TEST(CronExpression, ZoneOffsetApplies) {
  EXPECT_EQ(NextUtc("0 2 * * *", "2026-12-03T00:00:00Z", "Europe/Paris"), "2026-12-03T01:00:00Z");
  EXPECT_EQ(NextUtc("0 2 * * *", "2026-12-03T01:00:00Z", "Europe/Paris"), "2026-12-04T01:00:00Z");
  EXPECT_EQ(NextUtc("0 2 * * *", "2026-12-03T00:00:00Z", "Asia/Kolkata"), "2026-12-03T20:30:00Z");
}

TEST(CronExpression, BadInputSaysWhatAndWhere) {
  int at = -1;
  EXPECT_EQ(ParseError("61 * * * *", &at), "minute field: 61 is out of range 0-59");
  EXPECT_EQ(at, 0);
  EXPECT_EQ(ParseError("0 24 * * *", &at), "hour field: 24 is out of range 0-23");
  EXPECT_EQ(at, 2);
  EXPECT_EQ(ParseError("0 0 0 * *", &at), "day-of-month field: 0 is out of range 1-31");
  EXPECT_EQ(at, 4);
  EXPECT_EQ(ParseError("0 0 * foo *", &at), "month field: unknown name 'foo'");
  EXPECT_EQ(at, 6);
  EXPECT_EQ(ParseError("0 0 * * 8", &at), "day-of-week field: 8 is out of range 0-7");
  EXPECT_EQ(ParseError("5-1 * * * *", &at), "minute field: range 5-1 runs backwards (write the smaller value first)");
  EXPECT_EQ(at, 2);
  EXPECT_EQ(ParseError("*/0 * * * *", &at), "minute field: step must be from 1 to 60");
  EXPECT_EQ(at, 2);
  EXPECT_EQ(ParseError("1,,2 * * * *", &at), "minute field: empty list item");
  EXPECT_EQ(at, 2);
  EXPECT_EQ(ParseError("1x * * * *", &at), "minute field: unexpected 'x'");
  EXPECT_EQ(at, 1);
  EXPECT_EQ(ParseError("*/ * * * *", &at), "minute field: a step needs a number after '/'");
  EXPECT_NE(ParseError("* * * *", &at).find("got 4"), std::string::npos);
  EXPECT_NE(ParseError("* * * * * * *", &at).find("got 7"), std::string::npos);
  EXPECT_EQ(at, 12);
  EXPECT_NE(ParseError("", &at).find("got 0"), std::string::npos);
  EXPECT_NE(ParseError("@reboot", &at).find("unknown cron macro '@reboot'"), std::string::npos);
  EXPECT_NE(ParseError("99999999999999999999 * * * *", &at).find("too large"), std::string::npos);
}

TEST(TimeZone, UnknownNamesAreRefused) {
  EXPECT_TRUE(TimeZone::Find("UTC").ok());
  EXPECT_TRUE(TimeZone::Find("Europe/Paris").ok());
  Result<TimeZone> bad = TimeZone::Find("Mars/Olympus_Mons");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kNotFound);
  EXPECT_NE(bad.status().message().find("Mars/Olympus_Mons"), std::string::npos);
}

TEST(TickRule, EveryTicksOnWholeMultiplesOfTheInterval) {
  ScheduleDef def;
  def.every_ms = 3'600'000;
  Result<TickRule> rule = TickRule::FromDef(def);
  ASSERT_TRUE(rule.ok());
  EXPECT_EQ(FormatRfc3339Utc(*rule->Next(At("2026-12-03T10:07:00Z"))), "2026-12-03T11:00:00Z");
  EXPECT_EQ(FormatRfc3339Utc(*rule->Next(At("2026-12-03T11:00:00Z"))), "2026-12-03T12:00:00Z");
  EXPECT_EQ(rule->Describe(), "every 1h");
}

TEST(TickRule, CronRuleReadsItsZone) {
  ScheduleDef def;
  def.cron = "0 2 * * *";
  def.time_zone = "Europe/Paris";
  Result<TickRule> rule = TickRule::FromDef(def);
  ASSERT_TRUE(rule.ok());
  EXPECT_EQ(FormatRfc3339Utc(*rule->Next(At("2026-12-03T00:00:00Z"))), "2026-12-03T01:00:00Z");
  EXPECT_EQ(rule->Describe(), "cron '0 2 * * *' (Europe/Paris)");
}

}  // namespace
}  // namespace steadfast
