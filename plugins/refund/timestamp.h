// RFC 3339 timestamps <-> absolute instants (milliseconds since the epoch, UTC).
//
// Reservations carry local times with their UTC offset
// ("2026-03-29T15:00:00+02:00"); refund windows are measured between absolute
// instants, so the offset is applied when parsing and never again. A time
// without an offset is rejected: it names no instant.
#ifndef STEADFAST_PLUGINS_REFUND_TIMESTAMP_H_
#define STEADFAST_PLUGINS_REFUND_TIMESTAMP_H_

#include <string>
#include <string_view>

#include "steadfast/clock.h"
#include "steadfast/status.h"

namespace steadfast::refund {

// Parses "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)" (the 'T' and 'Z'
// may be lower case, the 'T' may be a space). Fractions finer than a
// millisecond are truncated toward the past. Years 0001-9999; leap seconds
// (":60") are rejected. InvalidArgument, naming the problem, otherwise.
Result<TimeMs> ParseRfc3339(std::string_view text);

// "2026-03-29T13:00:00Z", with ".123" only when the millisecond part is non-zero.
std::string FormatRfc3339Utc(TimeMs ms);

}  // namespace steadfast::refund

#endif  // STEADFAST_PLUGINS_REFUND_TIMESTAMP_H_
