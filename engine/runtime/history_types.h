// The names of history events (the audit trail). Listed with their data in
// docs/history.md; renaming one breaks stored histories, so never do.
#ifndef STEADFAST_RUNTIME_HISTORY_TYPES_H_
#define STEADFAST_RUNTIME_HISTORY_TYPES_H_

namespace steadfast::history {

inline constexpr const char* kWorkflowStarted = "workflow_started";
inline constexpr const char* kWorkflowCompleted = "workflow_completed";
inline constexpr const char* kWorkflowFailed = "workflow_failed";
inline constexpr const char* kWorkflowPaused = "workflow_paused";
inline constexpr const char* kWorkflowResumed = "workflow_resumed";
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
inline constexpr const char* kCompensationStarted = "compensation_started";
inline constexpr const char* kCompensationSucceeded = "compensation_succeeded";
inline constexpr const char* kCompensationFailed = "compensation_failed";

}  // namespace steadfast::history

#endif  // STEADFAST_RUNTIME_HISTORY_TYPES_H_
