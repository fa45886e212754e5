// InstanceState: the runtime's per-instance progress, stored as an opaque
// blob in the instance row and rewritten by every checkpoint.
#ifndef STEADFAST_RUNTIME_INSTANCE_STATE_H_
#define STEADFAST_RUNTIME_INSTANCE_STATE_H_

#include <map>
#include <string>
#include <vector>

#include "steadfast/status.h"
#include "steadfast/value.h"

namespace steadfast {

// InstanceState::branches: a branch's or element's child not ended yet, or
// asked to stop; after it ended, its InstanceStatusName.
inline constexpr const char* kBranchRunning = "running";
inline constexpr const char* kBranchCancelling = "cancelling";
inline bool BranchInFlight(const std::string& status) {
  return status == kBranchRunning || status == kBranchCancelling;
}

struct InstanceState {
  Value::Map outputs;                       // step id -> output (activity result, signal payload, decision)
  Value::Map inputs;                        // step id -> evaluated input, kept for compensation
  std::vector<std::string> completed;       // activity steps in completion order
  std::vector<std::string> compensation_queue;  // steps still to compensate, next first
  std::map<std::string, int> failures;      // step id -> failed attempts counted against the retry budget
  std::map<std::string, int> last_attempt;  // step id -> highest attempt number used (history numbering)
  Value::Map approvals;                     // approval step id -> list of {principal, decision, comment, at}
  std::string failed_step;                  // the failure that led to compensation / pause
  std::string failure_code;
  std::string failure_message;
  int64_t transitions = 0;                  // steps entered in this run (${workflow.steps_entered})
  int64_t run = 1;                          // which run this is: 1, then +1 at each continue_as_new
  int64_t run_started_at = 0;               // when this run began (0 for the first: the instance's created_at)
  // While a parallel step waits: each branch's child, "running" or
  // "cancelling" until it ended, then its status ("completed", "failed",
  // "compensated", "cancelled", "missing"). Empty otherwise.
  std::map<std::string, std::string> branches;
  // While a for_each step runs (branches holds only its elements running,
  // cancelling or failed, under their ElementId, so the state stays small
  // however long the list): how many elements its list has, how many have
  // been started (in order) and how many completed.
  int64_t elements_total = 0;
  int64_t elements_started = 0;
  int64_t elements_completed = 0;
  // Why the instance is being stopped before it finished (a cancel or the
  // workflow deadline): {kind: "cancel"|"deadline", principal, reason,
  // requested_at}; null when it is not. While stop_pending, the attempt
  // that was in flight is still to be checkpointed before the stop acts.
  Value stop;
  bool stop_pending = false;
  // An operator's pause waiting for the attempt in flight to be
  // checkpointed: {principal, reason, requested_at}; null when none. The
  // instance pauses at the step it would run next.
  Value pause_request;

  // InvalidArgument (IsValueTooDeep) if a value in it is nested too deeply to store.
  Result<std::string> Encode() const;
  static Result<InstanceState> Decode(std::string_view blob);
};

}  // namespace steadfast

#endif  // STEADFAST_RUNTIME_INSTANCE_STATE_H_
