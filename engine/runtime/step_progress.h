// StepProgress: where each step of one instance stands, read from its history.
//
// The history (docs/history.md) is the audit trail, so it is also the truth
// about every step's outcome: the reviewer page colours the step graph with
// this, and the graph endpoint returns it beside the graph. Steps the
// history never mentions are not in the result (they are pending).
#ifndef STEADFAST_RUNTIME_STEP_PROGRESS_H_
#define STEADFAST_RUNTIME_STEP_PROGRESS_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.h"

namespace steadfast {

enum class StepState : int {
  kRunning = 0,      // scheduled, attempting or retrying
  kWaiting = 1,      // waiting for a signal or a decision
  kCompleted = 2,    // succeeded, received its signal, or approved
  kSkipped = 3,      // `when` was false (an approval that was not needed)
  kFailed = 4,       // failed for good (or its compensation failed)
  kRejected = 5,     // an approval that was rejected
  kTimedOut = 6,     // a wait whose timeout fired
  kCompensated = 7,  // completed, then undone by its compensation
  kCancelled = 8,    // running or waiting when the instance was cancelled
};

struct StepProgress {
  StepState state = StepState::kRunning;
  std::string detail;  // for people: "approved by rita", "card_declined", "1 of 2 approvals", ...
  int attempts = 0;    // attempts with an outcome so far
};

// "running", "waiting", "completed", "skipped", "failed", "rejected",
// "timed_out", "compensated", "cancelled".
std::string_view StepStateName(StepState state);

// Replays the events (in seq order) into each step's latest state.
std::map<std::string, StepProgress> StepProgressFromHistory(const std::vector<HistoryEvent>& events);

}  // namespace steadfast

#endif  // STEADFAST_RUNTIME_STEP_PROGRESS_H_
