// CronExpression: when a cron line fires, in a time zone.
//
// Grammar (docs/schedules.md): five fields "minute hour day-of-month month
// day-of-week", or six with a leading "second"; each field a comma list of
// `*`, `N`, `N-M`, each optionally `/STEP` (`N/STEP` runs from N to the
// field's maximum); months and weekdays also by English name (jan, mon; any
// case); weekday 0 and 7 are Sunday. Macros: @yearly (@annually), @monthly,
// @weekly, @daily (@midnight), @hourly. Fields are separated by blanks.
//
// Semantics as in Vixie cron: when both day-of-month and day-of-week are
// restricted (neither field starts with '*'), a day matches when EITHER
// does ("0 0 13 * 5": every 13th and every Friday); otherwise both must.
//
// Daylight saving time, also as Vixie cron does it: a schedule whose hour
// field is fixed (does not start with '*') names wall-clock times, so a
// time skipped by a forward jump fires once at the end of the gap, and a
// time repeated by a backward jump fires once, at its first occurrence. A
// schedule with '*' as hour runs by elapsed time: skipped wall-clock times
// do not exist and repeated ones fire in both occurrences.
#ifndef STEADFAST_SCHEDULE_CRON_EXPRESSION_H_
#define STEADFAST_SCHEDULE_CRON_EXPRESSION_H_

#include <bitset>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "schedule/time_zone.h"
#include "steadfast/clock.h"
#include "steadfast/status.h"

namespace steadfast {

class CronExpression {
 public:
  // InvalidArgument saying what is wrong and where; *error_offset (if not
  // null) is set to the 0-based offset in text of the offending part.
  static Result<CronExpression> Parse(std::string_view text, int* error_offset = nullptr);

  // The first firing time strictly after `after` in `zone` (a whole second),
  // or nullopt when there is none within the next eight years (e.g.
  // "0 0 30 2 *": February never has a 30th). Pure; thread-safe.
  std::optional<TimeMs> Next(TimeMs after, const TimeZone& zone) const;

  const std::string& text() const { return text_; }

 private:
  // True when the civil day (days since 1970-01-01) is a firing day.
  bool DayMatches(int64_t days) const;
  // The first matching civil second (seconds since 1970-01-01 local) in
  // [from, to), or nullopt.
  std::optional<int64_t> FirstCivilMatch(int64_t from, int64_t to) const;

  std::string text_;
  std::bitset<60> seconds_;
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_of_month_;  // 1..31
  std::bitset<13> months_;         // 1..12
  std::bitset<7> days_of_week_;    // 0 = Sunday
  bool dom_star_ = false;          // the day-of-month field starts with '*'
  bool dow_star_ = false;          // the day-of-week field starts with '*'
  bool hour_star_ = false;         // the hour field starts with '*': runs by elapsed time across DST
};

}  // namespace steadfast

#endif  // STEADFAST_SCHEDULE_CRON_EXPRESSION_H_
