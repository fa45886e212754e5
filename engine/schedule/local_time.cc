// ResolveLocalTime over TimeZone's periods (schedule/time_zone.h): between
// two offset changes local time runs evenly with UTC, so a local time
// happened in a period exactly when local - offset falls inside it.
#include "steadfast/local_time.h"

#include <vector>

#include <fmt/format.h>

#include "schedule/time_zone.h"
#include "steadfast/time_text.h"

namespace steadfast {
namespace {

constexpr int64_t kDayS = 86'400;

bool Digits(std::string_view s, size_t from, size_t n) {
  for (size_t i = from; i < from + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

// The local time as seconds of a UTC-like count (what the wall clock shows,
// with no offset), validated by the RFC 3339 parser.
Result<int64_t> LocalSeconds(std::string_view local) {
  const bool shape = (local.size() == 16 || (local.size() == 19 && local[16] == ':' && Digits(local, 17, 2))) &&
                     Digits(local, 0, 4) && local[4] == '-' && Digits(local, 5, 2) && local[7] == '-' &&
                     Digits(local, 8, 2) && local[10] == 'T' && Digits(local, 11, 2) && local[13] == ':' &&
                     Digits(local, 14, 2);
  if (!shape) {
    return Status::InvalidArgument(
        fmt::format("local time '{}' is not YYYY-MM-DDTHH:MM[:SS] (no offset: the zone gives it)", local));
  }
  std::string text(local);
  if (local.size() == 16) text += ":00";
  Result<TimeMs> ms = ParseRfc3339(text + "Z");
  if (!ms.ok()) return Status::InvalidArgument(fmt::format("local time '{}': {}", local, ms.status().message()));
  return *ms / 1000;
}

}  // namespace

std::string_view LocalTimeFitName(LocalTimeFit fit) {
  switch (fit) {
    case LocalTimeFit::kExact: return "exact";
    case LocalTimeFit::kSkipped: return "skipped";
    case LocalTimeFit::kRepeated: return "repeated";
  }
  return "exact";
}

Result<ZonedInstant> ResolveLocalTime(std::string_view local, std::string_view zone_name) {
  SF_ASSIGN_OR_RETURN(const int64_t l, LocalSeconds(local));
  SF_ASSIGN_OR_RETURN(const TimeZone zone, TimeZone::Find(zone_name));
  // Every offset is within a day of UTC, so the periods that can hold the
  // local time start at most a day before it; walk them in order.
  std::vector<TimeZone::Period> periods;
  for (TimeZone::Period p = zone.PeriodAt(l - kDayS);; p = zone.PeriodAt(p.end_s)) {
    periods.push_back(p);
    if (p.end_s > l + kDayS) break;
  }
  std::vector<ZonedInstant> fits;
  for (const TimeZone::Period& p : periods) {
    const int64_t t = l - p.offset_s;
    if (t >= p.begin_s && t < p.end_s) fits.push_back(ZonedInstant{t * 1000, p.offset_s, LocalTimeFit::kExact});
  }
  if (fits.size() > 1) {
    fits.front().fit = LocalTimeFit::kRepeated;  // the earlier: periods are walked in order
    return fits.front();
  }
  if (fits.size() == 1) return fits.front();
  // In a gap: read with the offset of the last period whose wall clock ended
  // at or before it (the one in force before the jump).
  const TimeZone::Period* before = &periods.front();
  for (const TimeZone::Period& p : periods) {
    if (p.end_s + p.offset_s <= l) before = &p;
  }
  const int64_t t = l - before->offset_s;
  return ZonedInstant{t * 1000, zone.PeriodAt(t).offset_s, LocalTimeFit::kSkipped};
}

std::string FormatRfc3339WithOffset(TimeMs ms, int64_t offset_s) {
  std::string text = FormatRfc3339Utc(ms + offset_s * 1000);  // the wall clock, written as if UTC
  text.pop_back();                                             // the 'Z'
  if (offset_s == 0) return text + "Z";
  const int64_t minutes = (offset_s < 0 ? -offset_s : offset_s) / 60;
  return text + fmt::format("{}{:02}:{:02}", offset_s < 0 ? '-' : '+', minutes / 60, minutes % 60);
}

}  // namespace steadfast
