// TimeZone over H. Hinnant's date/tz (USE_OS_TZDB: the system's tzdata).
#include "schedule/time_zone.h"

#include <date/tz.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <limits>

namespace steadfast {

Result<TimeZone> TimeZone::Find(std::string_view name) {
  TimeZone zone;
  if (name == "UTC") return zone;
  try {
    zone.zone_ = date::locate_zone(name);
  } catch (const std::exception& e) {
    // locate_zone throws runtime_error for an unknown name (and when the
    // tzdata cannot be read at all).
    return Status::NotFound("unknown time zone '" + std::string(name) + "' (expected an IANA name such as "
                            "Europe/Paris, America/New_York or UTC)");
  }
  zone.name_ = std::string(name);
  return zone;
}

TimeZone::Period TimeZone::PeriodAt(int64_t utc_s) const {
  constexpr int64_t kFar = int64_t{1} << 40;  // ~35,000 years: "forever" for a schedule
  if (zone_ == nullptr) return Period{-kFar, kFar, 0};
  date::sys_info info = zone_->get_info(date::sys_seconds{std::chrono::seconds{utc_s}});
  Period p;
  p.begin_s = std::max<int64_t>(info.begin.time_since_epoch().count(), -kFar);
  p.end_s = std::min<int64_t>(info.end.time_since_epoch().count(), kFar);
  p.offset_s = info.offset.count();
  return p;
}

}  // namespace steadfast
