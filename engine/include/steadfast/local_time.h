// Wall-clock times in an IANA time zone, as instants.
//
// Some inputs name a local time, not an instant: "check-in on 2026-03-29 at
// 15:00 in Europe/Paris". ResolveLocalTime turns one into the absolute
// instant with the system's tz database (tzdata), so a plugin never compares
// wall-clock times and never needs its own copy of the zone rules. Every
// local time gets exactly one instant, also on the two nights a year where
// the wall clock skips or repeats an hour:
//  - skipped (a spring-forward gap, e.g. 02:30 in Paris on 2026-03-29): the
//    local time is read with the offset in force before the gap, which is
//    the same as moving it forward by the gap's length (02:30 -> 03:30
//    CEST, 01:30Z): the clock time a guest would have reached had the
//    clock not jumped;
//  - repeated (a fall-back overlap, e.g. 01:30 in New York on 2026-11-01):
//    the earlier of the two instants (01:30 EDT, 05:30Z).
// These are RFC 5545's and JavaScript Temporal's "compatible" choices.
#ifndef STEADFAST_LOCAL_TIME_H_
#define STEADFAST_LOCAL_TIME_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "steadfast/clock.h"
#include "steadfast/status.h"

namespace steadfast {

// How a local time met the zone's clock changes.
enum class LocalTimeFit : int {
  kExact = 0,     // the local time happened exactly once
  kSkipped = 1,   // in a spring-forward gap: moved forward by the gap's length
  kRepeated = 2,  // in a fall-back overlap: the earlier instant
};
// "exact", "skipped", "repeated".
std::string_view LocalTimeFitName(LocalTimeFit fit);

struct ZonedInstant {
  TimeMs at_ms = 0;          // the instant
  int64_t offset_s = 0;      // the UTC offset in force at the instant (after the gap for a skipped time)
  LocalTimeFit fit = LocalTimeFit::kExact;
};

// `local` is "YYYY-MM-DDTHH:MM" or "YYYY-MM-DDTHH:MM:SS" with no offset;
// `zone` an IANA name ("Europe/Paris", "UTC"). InvalidArgument for malformed
// text (an offset included, a 25th hour, a 30 February), NotFound for a zone
// tzdata does not know. Independent of the process time zone; thread-safe.
Result<ZonedInstant> ResolveLocalTime(std::string_view local, std::string_view zone);

// "2026-03-29T15:00:00+02:00": the instant written with `offset_s` (whole
// minutes), ".123" only when the millisecond part is non-zero.
std::string FormatRfc3339WithOffset(TimeMs ms, int64_t offset_s);

}  // namespace steadfast

#endif  // STEADFAST_LOCAL_TIME_H_
