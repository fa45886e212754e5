// Durations and instants as text: one grammar for the engine and plugins.
//
// Durations are written as ops people write them: "500ms", "30s", "5m",
// "72h", "7d", or compound ("1h30m", "1d12h"). The same grammar is used for
// every time field of a workflow definition, the engine config and plugin
// configuration, so a duration that works in one place works in all.
// Kept to integer milliseconds so values round trip exactly.
//
// Instants are RFC 3339 with an explicit UTC offset
// ("2026-03-29T15:00:00+02:00", "2026-03-29T13:00:00.123Z"): a local time
// without an offset names no instant and is rejected.
#ifndef STEADFAST_TIME_TEXT_H_
#define STEADFAST_TIME_TEXT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "steadfast/clock.h"
#include "steadfast/status.h"

namespace steadfast {

// Parses "<non-negative integer><unit>" with unit ms, s, m, h or d; compound
// forms such as "1h30m" are accepted too (any order, units may repeat; the
// parts are summed). Returns milliseconds, or InvalidArgument with a message
// that says what is wrong ("missing unit in '30'", "unknown unit 'x' in
// '5x'", "duration '...' overflows"). Whitespace, signs and fractions
// ("1.5h") are not allowed; "" is an error. Never throws.
Result<int64_t> ParseDurationMs(std::string_view text);

// The shortest exact rendering: 90000 -> "1m30s", 500 -> "500ms", 0 -> "0s",
// 86400000 -> "1d". Negative input renders with a leading '-' (for logs only:
// ParseDurationMs does not accept it).
std::string FormatDurationMs(int64_t ms);

// Parses "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)" (the 'T' and 'Z'
// may be lower case, the 'T' may be a space). Fractions finer than a
// millisecond are truncated toward the past. Years 0001-9999; leap seconds
// (":60") are rejected. InvalidArgument, naming the problem, otherwise.
// Independent of the process time zone.
Result<TimeMs> ParseRfc3339(std::string_view text);

// "2026-03-29T13:00:00Z", with ".123" only when the millisecond part is non-zero.
std::string FormatRfc3339Utc(TimeMs ms);

}  // namespace steadfast

#endif  // STEADFAST_TIME_TEXT_H_
