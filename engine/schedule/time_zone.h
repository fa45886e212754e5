// TimeZone: an IANA time zone ("Europe/Paris", "UTC") read from the
// system's tzdata, as the schedules need it: the UTC offset in force at an
// instant and the span of time it stays in force.
//
// A cron schedule names wall-clock times in a zone; the scheduler walks the
// zone's periods (between two offset changes local time runs evenly with
// UTC) to turn them into instants, DST gaps and repeats included
// (schedule/cron_expression.h). Backed by H. Hinnant's date/tz library over
// /usr/share/zoneinfo (Debian's libhowardhinnant-date-dev and tzdata);
// only this file's .cc sees it.
#ifndef STEADFAST_SCHEDULE_TIME_ZONE_H_
#define STEADFAST_SCHEDULE_TIME_ZONE_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "steadfast/status.h"

namespace date {
class time_zone;
}

namespace steadfast {

class TimeZone {
 public:
  // A span of UTC seconds [begin_s, end_s) during which local time is UTC +
  // offset_s. The first and last periods reach far into the past and future.
  struct Period {
    int64_t begin_s = 0;
    int64_t end_s = 0;
    int64_t offset_s = 0;
  };

  // UTC.
  TimeZone() = default;
  // The zone with this IANA name ("UTC" and "Etc/UTC" included). NotFound
  // naming it when tzdata has no such zone; never throws. Thread-safe.
  static Result<TimeZone> Find(std::string_view name);

  const std::string& name() const { return name_; }
  // The period containing the UTC instant utc_s.
  Period PeriodAt(int64_t utc_s) const;

 private:
  std::string name_ = "UTC";
  const date::time_zone* zone_ = nullptr;  // null = UTC; owned by the tz database (lives for the process)
};

}  // namespace steadfast

#endif  // STEADFAST_SCHEDULE_TIME_ZONE_H_
