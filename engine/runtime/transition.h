// Transition: the workflow semantics, as the changes of one checkpoint
// built in memory.
//
// Every way an instance moves is an event applied to its loaded state:
// its start, an attempt's end (success, or a failure retried or final),
// a wait's timeout, a signal, an approval decision, a cancel or the
// deadline, a resume. Each event method decides what the event does (retry
// or give up, pause or compensate, which step comes next, when the instance
// ends) and records it as history events, the new status and state, and
// tasks to delete and to create; Build() turns that into one atomic store
// Commit. The executor and the service only load, call one event method,
// and commit (runtime/transition_commit.h).
//
// Building never reads the store: what an event needs besides the instance
// (its buffered signals, its tasks) is read beforehand into LoadedInstance,
// so the same state and event always give the same commit
// (tests/data/transition/ holds them as scenarios).
#ifndef STEADFAST_RUNTIME_TRANSITION_H_
#define STEADFAST_RUNTIME_TRANSITION_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/random.h"
#include "definition/workflow_def.h"
#include "runtime/activity_gate.h"
#include "runtime/instance_state.h"
#include "runtime/workflow_catalog.h"
#include "steadfast/activity.h"
#include "steadfast/clock.h"
#include "store/store.h"

namespace steadfast {

// Whether a stop (cancel, deadline) waits for `step`, retrying, to come to
// rest (success, a non-retryable failure, retries exhausted) rather than
// dropping its pending retry: true for an activity step with a
// compensation in a workflow that compensates on a stop. An earlier failed
// attempt of such a step may have had its effect, and only an outcome
// recorded as a success gets compensated (e.g. a refund posted to the
// ledger by refund.record_unfinished_refund).
bool StopWaitsForRetries(const WorkflowDef& def, const StepDef& step);

// An instance as a worker or service call holds it between checkpoints,
// with what its transitions read besides it.
struct LoadedInstance {
  InstanceRecord rec;
  DefPtr def;
  InstanceState state;
  // Unconsumed buffered signals by name, oldest first, for the name of
  // every signal step in def (read with the instance; a commit that
  // consumes one removes it here).
  std::map<std::string, std::vector<SignalRecord>> pending_signals;
  // The instance's tasks, read for the events that need them (a stop, a
  // resume); nullopt when not read, or stale after a commit.
  std::optional<std::vector<TaskRecord>> tasks;
};

// Why an instance is stopped before it finished.
struct StopRequest {
  enum class Kind : int { kCancel = 0, kDeadline = 1 };
  Kind kind = Kind::kCancel;
  std::string principal;  // who cancelled; "system:deadline" for the deadline
  std::string reason;
};

enum class Decision : int { kApprove = 0, kReject = 1 };

struct DecisionRequest {
  std::string instance_id;
  std::string step;
  Decision decision = Decision::kApprove;
  std::string principal;
  std::string comment;
};

// An operator's retry of a failed or paused instance.
struct RetryRequest {
  std::string from_step;  // "" = the step it failed or paused at
  std::string principal;
  std::string reason;
};

enum class SignalOutcome : int { kDelivered = 0, kBuffered = 1, kDuplicate = 2 };

// The end of one attempt of a step's activity or of its compensation.
struct AttemptEnd {
  TaskRecord task;        // the task that ran it: kind, step, first attempt, step_started_at
  int attempt = 0;        // the attempt that ran; task.attempt .. attempt-1 were lost with earlier claims
  TimeMs started_at = 0;
  int64_t duration_ms = 0;
  Value input;            // the evaluated input, kept when the step declares a compensation
  ActivityResult result = ActivityError::Retryable("not_run", "");
};

struct TransitionEnv {
  TimeMs now = 0;
  Random* random = nullptr;     // retry jitter; needed only by AttemptEnded
  std::string lease_owner;      // non-empty: immediately-due step tasks are created leased to it
  int64_t lease_ms = 60000;     //   (but not those of a limited activity: they wait for a claim)
  const ActivityGate* gate = nullptr;  // which activities are limited; null: none
  // Where a continue_as_new with `version:` finds the next run's
  // definition; null: such a step fails (continue_error).
  const WorkflowCatalog* catalog = nullptr;
};

class Transition {
 public:
  // inst is modified in place (status, state); when the Transition is not
  // committed the caller must reload it.
  Transition(LoadedInstance& inst, const TransitionEnv& env) : inst_(inst), env_(env) {}

  // Events. Call one per Transition; each returns an error (nothing to
  // commit) when the event does not apply to the instance as loaded.

  // A new instance (rec filled in by the caller): workflow_started, its
  // deadline timer, then the first steps.
  Status Start();
  // An attempt finished (or the watchdog gave up on it): records attempts
  // lost before it, then its success (the next step, or the next
  // compensation) or its failure (a retry with backoff, or the step's
  // on_exhausted). A stop waiting for this attempt is carried out after it.
  Status AttemptEnded(const AttemptEnd& end);
  // A wait's timer fired: a signal step takes its on_timeout (default:
  // fail), an approval its on_timeout decision or jump (default: reject),
  // a sleep step wakes and goes on.
  Status WaitTimedOut(const std::string& step_id);
  // A signal arrived: delivered to the step waiting for it, else buffered.
  // `same_key` is the signal already received with its idempotency key
  // (read beforehand): kDuplicate, or Conflict for a different signal.
  // FailedPrecondition when the instance is finished.
  Result<SignalOutcome> ReceiveSignal(SignalRecord signal, const std::optional<SignalRecord>& same_key);
  // An approval decision (errors as WorkflowService::Decide).
  Status Decide(const DecisionRequest& request);
  // A cancel: FailedPrecondition when finished or compensating a failure;
  // Unchanged() when a stop is already under way; else RequestStop.
  Status Cancel(const std::string& principal, const std::string& reason);
  // Stops the instance for a cancel or the deadline (needs inst.tasks).
  // When an attempt task was ever claimed (its attempt may have started),
  // or a compensable step waits to retry a failed attempt (which may have
  // had its effect: a refund whose answer was lost, or pending at the PSP;
  // StopWaitsForRetries), only records the request (stop_pending): that
  // step's outcome is checkpointed first, and its AttemptEnded carries the
  // stop out.
  // Otherwise acts at once, with a commit precondition that no attempt got
  // claimed meanwhile (a lost race is a kConflict to rebuild on).
  Status RequestStop(const StopRequest& stop);
  // Carries out a recorded stop whose attempt never ran; FailedPrecondition
  // when no stop is pending any more.
  Status CarryOutPendingStop();
  // Resumes a paused instance at the step it paused at (a failed step, or
  // where an operator paused it) with a fresh retry budget (needs
  // inst.tasks, to give back a deadline timer an older engine dropped). A
  // pause still waiting for its attempt is withdrawn instead.
  Status Resume(const std::string& principal, const std::string& reason);
  // An operator's pause (needs inst.tasks). A running or waiting instance
  // pauses at once, its step tasks dropped (the deadline timer stays),
  // with a commit precondition that no attempt got claimed meanwhile; when
  // an attempt is in flight, the pause is recorded (pause_request) and
  // taken at the next step the instance would run, once that attempt's
  // outcome is checkpointed. Unchanged() when paused or pausing already;
  // FailedPrecondition when finished, compensating or being stopped.
  Status Pause(const std::string& principal, const std::string& reason);
  // Retries a failed or paused instance from the step it stopped at or an
  // earlier one (needs inst.tasks): the results of that step and the steps
  // after it (in definition order) leave the live state (history keeps
  // them) and the steps run again as a new attempt series with the same
  // idempotency keys. FailedPrecondition for other statuses and for an
  // instance whose compensations ran, whose stop (cancel, deadline) ended
  // it, or whose deadline passed; InvalidArgument for an unknown step or
  // one after the step it stopped at.
  Status Retry(const RetryRequest& request);
  // Enters a wait step in a task of its own (after a buffered signal was
  // consumed by the same commit that reached it).
  Status EnterStep(const std::string& step_id);
  // The child workflow of `step_id` finished (as read just before; nullopt:
  // it is gone). Waiting for it: its output becomes the step's and the
  // workflow goes on, or the step fails (child_failed, child_compensated,
  // child_cancelled) unless a stop waits for it. Compensating it: its
  // compensation is done (compensated, or completed with nothing to
  // undo), or failed. Unchanged() when the child has not finished.
  Status ChildEnded(const std::string& step_id, const std::optional<InstanceRecord>& child);
  // On a child workflow: its parent compensates, so this completed child
  // compensates its completed steps too and ends compensated. Unchanged()
  // when it is not completed or has nothing to compensate.
  Status CompensateForParent(const std::string& reason);
  // Every element of the for_each step `step_id` completed: `outputs` are
  // their outputs in order (read from the children); they become the
  // step's output and the workflow goes on.
  Status CollectElements(const std::string& step_id, std::vector<Value> outputs);

  // True when the event changed nothing and there is nothing to commit.
  bool Unchanged() const { return unchanged_; }
  bool StopPending() const { return inst_.state.stop_pending; }
  // An operator's pause waits to be taken at the next step (and no stop overrides it).
  bool PausePending() const { return !inst_.state.pause_request.is_null() && !StopPending(); }

  // The Commit: the instance row with the encoded state, preconditions on
  // the instance version and, if task_id != 0, on that task's lease.
  // InvalidArgument if the state cannot be encoded (a value too deep).
  Result<Commit> Build(int64_t task_id, int64_t lease_token);
  // The same changes as a StartRequest for a new instance.
  Result<StartRequest> BuildStart();

  const std::vector<HistoryEvent>& events() const { return commit_.events; }
  TimeMs now() const { return env_.now; }

 private:
  void AddEvent(std::string type, std::string step, int attempt, Value data);
  ExpressionScope Scope() const;
  // Enters steps from index i onwards: skips those whose `when` is false,
  // passes approvals that are not needed and signals already buffered, and
  // stops at the first step that needs a task or a wait, or ends the workflow.
  Status AdvanceFrom(size_t i);
  // AdvanceFrom the step that follows `step` (its `next`, else the next in order).
  Status AdvanceAfter(const StepDef& step);
  // Goes to a jump target: a step id, "end", "fail" (fails `from` with code) or "continue".
  Status JumpTo(const std::string& target, const StepDef& from, const std::string& fail_code,
                const std::string& fail_message);
  Status EnterSignal(const StepDef& step, bool* waiting);
  void EnterApproval(const StepDef& step);
  // Starts (or, after a pause, resumes) a sleep step; false when it is
  // already due and control goes on to the next step, true when the
  // instance now sleeps (or the step failed).
  bool EnterSleep(const StepDef& step);
  // The sleep of `step` is over: its output gets woke_at.
  void WakeUp(const StepDef& step);
  // Ends the run at a continue_as_new step: files it (Commit::
  // continue_as_new) and starts the next run from the first step, with a
  // fresh state and deadline. A bad next input fails the step instead.
  Status ContinueAsNew(const StepDef& step);
  // Leaves `step` to a run-step task of its own, which enters it on a fresh
  // read of the instance (a wait step, or a continue_as_new).
  void EnterInATaskOfItsOwn(const StepDef& step);
  // Starts the child workflow of `step` (or finds it again) and waits for it.
  Status EnterChild(const StepDef& step);
  // The child a child workflow step, parallel branch or for_each element
  // starts (`child_step`: its id, ChildInstanceId's step; `scope`: what its
  // input reads, `item` bound for an element; `index`: the element's, or
  // -1), with its child_started event; an error (and *code: child_error,
  // invalid_input) when it cannot start.
  Result<ChildStart> ChildFor(const StepDef& step, const std::string& child_step, const ExpressionScope& scope,
                              int64_t index, std::string* code);
  // A for_each step's list (an error unless a list of at most
  // kMaxForEachElements): where it is in scope when the expression is a
  // plain path, else evaluated into *evaluated.
  Result<const Value*> ForEachItems(const StepDef& step, const ExpressionScope& scope, Value* evaluated);
  Status EnterForEach(const StepDef& step);
  // After an element ended (or at entry): starts the next elements up to
  // the concurrency limit, or after a failure or during a stop cancels
  // those running; once none runs, the step's output is the list of the
  // elements' outputs in order, or it fails (element_failed), or the stop
  // acts. `items`: the list if at hand (else evaluated again).
  Status SettleForEach(const StepDef& step, const Value* items = nullptr);
  // Drops what the state holds of a for_each step's elements.
  void ForgetElements(const StepDef& step);
  // A for_each step that ended: when elements completed, the step enters
  // `completed` once (its compensation compensates them, the last started
  // first) with how many were started in `inputs`; the counters go.
  void FinishElements(const StepDef& step);
  // Starts a child per branch (none unless all can) and waits for them.
  Status EnterParallel(const StepDef& step);
  // Asks every branch still running to stop (kStopChild tasks).
  void CancelRunningBranches(const std::string& why);
  // After a branch ended: cancels the branches the join no longer needs,
  // and once none runs, joins (the step's output: {branch: output}), fails
  // the step (branch_failed) or carries out a pending stop.
  Status SettleParallel(const StepDef& step);
  // A child workflow that finished tells its parent (a kChildEnded task).
  void TellParent();
  size_t NextIndex(const StepDef& step) const;
  const StepDef* FindStep(const std::string& step_id) const;

  void RecordLostAttempts(const AttemptEnd& end, const StepDef& step);
  Status AttemptSucceeded(const AttemptEnd& end, const StepDef& step);
  void AttemptFailed(const AttemptEnd& end, const StepDef& step);

  // The step failed for good: applies its on_exhausted (fail | pause | compensate).
  void FailStep(const StepDef& step, const std::string& code, const std::string& message);
  void FailWorkflow(const std::string& code, const std::string& message);
  void CompleteWorkflow();
  // Completed steps that declare a compensation, most recent first.
  std::vector<std::string> CompensableSteps() const;
  void StartCompensation(const std::string& step, const std::string& code, const std::string& message);
  // Schedules the next compensation, or ends `compensated` (or cancelled) when none is left.
  void ContinueCompensation();
  // Carries out the recorded stop: compensates completed steps (unless the
  // workflow says on_cancel: stop), then ends cancelled, or for the
  // deadline failed / compensated with workflow_deadline_exceeded.
  void ActOnStop();
  void EndCancelled();
  // Parks the instance paused at `step` for the recorded pause request.
  void TakePause(const std::string& step);
  // Schedules the deadline timer again when the instance has none (needs inst.tasks).
  void GiveBackDeadline();
  void SetTerminal(InstanceStatus status);
  void ScheduleTask(TaskKind kind, const std::string& step, int attempt, TimeMs due, TimeMs step_started_at);

  LoadedInstance& inst_;
  TransitionEnv env_;
  Commit commit_;
  bool consumed_signal_ = false;
  int64_t entered_ = 0;  // steps entered by this Transition (kMaxStepsPerCheckpoint)
  bool starting_ = false;  // Start(): the instance is not stored yet
  // continue_as_new moved the instance to another definition: the signals
  // its steps wait for were not read with the instance.
  bool signals_unread_ = false;
  DefPtr retired_def_;  // the definition a continue_as_new left, kept alive for references into it
  bool unchanged_ = false;
};

// True for boolean true; false for false and null; an error for other types.
Result<bool> ConditionHolds(const Expression& expr, const ExpressionScope& scope);

// {input, steps: {id: output}, workflow: {id, name, version, requested_by}}
// for expressions, bound to inst's fields (not copied): inst must outlive
// the scope and not change while it is read.
ExpressionScope InstanceScope(const LoadedInstance& inst);

// The input of an attempt of `step` (or of its compensation) in the
// instance's current state. An error when it cannot be evaluated.
Result<Value> AttemptInput(const LoadedInstance& inst, const StepDef& step, bool compensation);

// Whether the instance is still in the state `task` was made for (a task
// that no longer applies is dropped unrun).
bool TaskApplies(const TaskRecord& task, const LoadedInstance& inst);

}  // namespace steadfast

#endif  // STEADFAST_RUNTIME_TRANSITION_H_
