// Committed history events: the audit trail of every workflow, as a plugin
// may observe it.
//
// The engine records what happens to a workflow as history events
// (docs/history.md lists each type with its data). A plugin subscribes
// through PluginContext::events to be told of every event once it is
// durable (committed): counting SLIs, feeding a projection, notifying. An
// event a crash lost was never committed and is never delivered; an attempt
// lost to a crash shows up as the attempt_abandoned its successor records.
#ifndef STEADFAST_HISTORY_H_
#define STEADFAST_HISTORY_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "steadfast/clock.h"
#include "steadfast/value.h"

namespace steadfast {

// The names of history events. Renaming one breaks stored histories, so
// never do.
namespace history {

inline constexpr const char* kWorkflowStarted = "workflow_started";
inline constexpr const char* kWorkflowCompleted = "workflow_completed";
inline constexpr const char* kWorkflowFailed = "workflow_failed";
inline constexpr const char* kWorkflowPaused = "workflow_paused";
inline constexpr const char* kWorkflowResumed = "workflow_resumed";
inline constexpr const char* kPauseRequested = "pause_requested";    // an operator's pause, waiting for the attempt
inline constexpr const char* kWorkflowRetried = "workflow_retried";  // an operator's retry from a step
inline constexpr const char* kWorkflowCancelled = "workflow_cancelled";
inline constexpr const char* kCancelRequested = "cancel_requested";
inline constexpr const char* kWorkflowCompensated = "workflow_compensated";
inline constexpr const char* kDeadlineExceeded = "deadline_exceeded";
inline constexpr const char* kStepScheduled = "step_scheduled";
inline constexpr const char* kStepSkipped = "step_skipped";
inline constexpr const char* kAttemptSucceeded = "attempt_succeeded";
inline constexpr const char* kAttemptFailed = "attempt_failed";
inline constexpr const char* kAttemptAbandoned = "attempt_abandoned";
inline constexpr const char* kRetryScheduled = "retry_scheduled";
inline constexpr const char* kStepFailed = "step_failed";
inline constexpr const char* kWaitStarted = "wait_started";
inline constexpr const char* kWaitTimedOut = "wait_timed_out";
inline constexpr const char* kSignalReceived = "signal_received";
inline constexpr const char* kSignalBuffered = "signal_buffered";
inline constexpr const char* kApprovalNotRequired = "approval_not_required";
inline constexpr const char* kApprovalDecided = "approval_decided";
inline constexpr const char* kSleepStarted = "sleep_started";  // a sleep step's timer set (`sleep:` / `until:`)
inline constexpr const char* kSleepEnded = "sleep_ended";      // ... and reached
// continue_as_new: the last event of the run that ended (kept under its
// run id, "<id>~<run>"), and the first of the next run under the instance's id.
inline constexpr const char* kWorkflowContinuedAsNew = "workflow_continued_as_new";
inline constexpr const char* kRunStarted = "run_started";
// A child workflow step: the child started (or, entered again, found), and
// how it ended; a stop of the parent cancels it (kCancelRequested waits for it).
inline constexpr const char* kChildStarted = "child_started";
inline constexpr const char* kChildCompleted = "child_completed";
inline constexpr const char* kChildFailed = "child_failed";
// A parallel step no longer needs a branch still running (a sibling
// failed, the join was reached, or the parent is being stopped): `why`.
inline constexpr const char* kChildCancelRequested = "child_cancel_requested";
inline constexpr const char* kCompensationStarted = "compensation_started";
inline constexpr const char* kCompensationSucceeded = "compensation_succeeded";
inline constexpr const char* kCompensationFailed = "compensation_failed";

}  // namespace history

// One history event as stored.
struct HistoryEvent {
  int64_t seq = 0;            // 1-based per instance, assigned by the store
  std::string instance_id;
  TimeMs at = 0;
  std::string type;           // one of history::k* (docs/history.md)
  std::string step_id;        // "" for workflow-level events
  int attempt = 0;            // 0 when not about an attempt
  Value data;                 // event details (error code/message, output, principal, ...)
  std::string decode_error;   // why data could not be decoded (then data is {"decode_error": ...})
};

// A committed event with what it is about resolved. The references are
// valid only during the call.
struct CommittedEvent {
  std::string_view workflow_id;
  std::string_view workflow_name;
  int workflow_version = 0;
  TimeMs workflow_started_at = 0;  // when the instance was created
  const HistoryEvent& event;
  std::string_view activity;  // the step's activity (its compensation's for compensation events); "" if none
  bool compensation = false;  // the event is about a compensation attempt
};

using CommittedEventFn = std::function<void(const CommittedEvent&)>;

// Where a plugin subscribes to committed events (PluginContext::events).
class CommittedEvents {
 public:
  virtual ~CommittedEvents() = default;
  // `fn` is called for every event of every commit this process makes, after
  // the commit is durable, in commit order, on the committing thread: keep
  // it quick, thread-safe and free of blocking I/O, and do not throw.
  // Subscribe during plugin init (before the engine starts). Only the
  // long-running engine (`steadfast serve`) delivers events; other commands
  // deliver none.
  virtual void Subscribe(CommittedEventFn fn) = 0;
};

}  // namespace steadfast

#endif  // STEADFAST_HISTORY_H_
