// Durations as refund policies write them ("7d", "24h", "1d12h", "0s").
//
// The refund plugin parses its own notice periods so that it depends on no
// engine internals; the grammar is the engine's (docs: durations are written
// 500ms, 30s, 5m, 72h, 7d). A day is exactly 24 hours of elapsed time: refund
// windows are measured between absolute instants (see docs/refunds.md).
#ifndef STEADFAST_PLUGINS_REFUND_DURATION_TEXT_H_
#define STEADFAST_PLUGINS_REFUND_DURATION_TEXT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "steadfast/status.h"

namespace steadfast::refund {

// "<digits><unit>" repeated, units d, h, m, s, ms, each unit at most once and
// in that order ("1d12h" yes, "12h1d" no). Returns milliseconds (>= 0).
// InvalidArgument for empty text, a missing or unknown unit, or overflow.
Result<int64_t> ParseDurationText(std::string_view text);

// The shortest exact rendering in the same grammar: 604800000 -> "7d",
// 90000000 -> "1d1h", 0 -> "0s". Negative durations get a leading '-'.
std::string FormatDurationText(int64_t ms);

}  // namespace steadfast::refund

#endif  // STEADFAST_PLUGINS_REFUND_DURATION_TEXT_H_
