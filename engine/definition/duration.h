// Durations as ops people write them: "500ms", "30s", "5m", "72h", "7d".
//
// Used for every time field of a workflow definition (timeouts, retry
// intervals, deadlines). Kept to integer milliseconds so that values round
// trip exactly through the store and through FormatDurationMs.
#ifndef STEADFAST_DEFINITION_DURATION_H_
#define STEADFAST_DEFINITION_DURATION_H_

#include <cstdint>
#include <string>
#include <string_view>

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

}  // namespace steadfast

#endif  // STEADFAST_DEFINITION_DURATION_H_
