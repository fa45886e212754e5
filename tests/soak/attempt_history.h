// The soak's check that no task ran twice at once, read from a workflow's
// history: events numbered 1..n; per step (and separately per step's
// compensation) attempts numbered 1..k, each with exactly one outcome; and
// no two attempts of one step overlapping in time (an attempt's interval is
// its outcome's started_at, or commit time minus duration_ms, to the end).
#ifndef STEADFAST_TESTS_SOAK_ATTEMPT_HISTORY_H_
#define STEADFAST_TESTS_SOAK_ATTEMPT_HISTORY_H_

#include <string>
#include <vector>

#include "steadfast/history.h"

namespace steadfast::soak {

// Human-readable problems found in one instance's history; empty when sound.
// Attempts whose start is unknown (abandoned ones: the process died) count
// for numbering but not for overlap.
std::vector<std::string> AttemptHistoryProblems(const std::vector<HistoryEvent>& history);

}  // namespace steadfast::soak

#endif  // STEADFAST_TESTS_SOAK_ATTEMPT_HISTORY_H_
