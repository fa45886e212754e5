// Transition: the changes of one checkpoint, built in memory.
//
// Every way an instance moves (start, an attempt's result, a signal, a
// decision, a timeout, a cancellation) is expressed as a Transition over the
// instance's loaded state: history events, the new status and state, tasks
// to delete and to create. Build() turns it into one atomic store Commit.
// This is where the workflow semantics live: `when` skips, jumps, waits,
// completion, failure handling (fail / pause / compensate).
#ifndef STEADFAST_RUNTIME_TRANSITION_H_
#define STEADFAST_RUNTIME_TRANSITION_H_

#include <string>
#include <vector>

#include "definition/workflow_def.h"
#include "runtime/instance_state.h"
#include "runtime/workflow_catalog.h"
#include "steadfast/clock.h"
#include "store/store.h"

namespace steadfast {

// An instance as a worker or service call holds it between checkpoints.
struct LoadedInstance {
  InstanceRecord rec;
  DefPtr def;
  InstanceState state;
};

// Loads instance, definition and state. NotFound if the instance is unknown.
Result<LoadedInstance> LoadInstance(Store& store, WorkflowCatalog& catalog, const std::string& id);

// Why an instance is stopped before it finished.
struct StopRequest {
  enum class Kind : int { kCancel = 0, kDeadline = 1 };
  Kind kind = Kind::kCancel;
  std::string principal;  // who cancelled; "system:deadline" for the deadline
  std::string reason;
};

struct TransitionEnv {
  TimeMs now = 0;
  Store* store = nullptr;       // for buffered-signal lookups while advancing
  std::string lease_owner;      // non-empty: immediately-due step tasks are created leased to it
  int64_t lease_ms = 60000;
};

class Transition {
 public:
  // inst is modified in place (status, state); on a failed Apply the caller
  // must reload it.
  Transition(LoadedInstance& inst, const TransitionEnv& env) : inst_(inst), env_(env) {}

  void AddEvent(std::string type, std::string step, int attempt, Value data);
  // {input, steps: {id: output}, workflow: {id, name, version}} for expressions.
  Value Scope() const;

  // Enters steps from index i onwards: skips those whose `when` is false,
  // passes approvals that are not needed and signals already buffered, and
  // stops at the first step that needs a task or a wait, or ends the workflow.
  Status AdvanceFrom(size_t i);
  // AdvanceFrom the step that follows `step` (its `next`, else the next in order).
  Status AdvanceAfter(const StepDef& step);
  // Goes to a jump target: a step id, "end", "fail" (fails `from` with code) or "continue".
  Status JumpTo(const std::string& target, const StepDef& from, const std::string& fail_code,
                const std::string& fail_message);

  // The step failed for good: applies its on_exhausted (fail | pause | compensate).
  void FailStep(const StepDef& step, const std::string& code, const std::string& message);
  void FailWorkflow(const std::string& code, const std::string& message);
  void CompleteWorkflow();
  // Schedules the next compensation, or ends `compensated` when none is left.
  void ContinueCompensation();
  // Stops the instance for a cancel or the deadline. When a worker is
  // running an attempt of it, only records the request (stop_pending): that
  // attempt's result is checkpointed first and its commit then calls
  // ActOnStop. Otherwise acts at once, with a commit precondition that no
  // attempt got leased meanwhile (a lost race is a kConflict to rebuild on).
  Status RequestStop(const StopRequest& stop);
  // Carries out the recorded stop: compensates completed steps (unless the
  // workflow says on_cancel: stop), then ends cancelled, or for the
  // deadline failed / compensated with workflow_deadline_exceeded.
  void ActOnStop();
  bool StopPending() const { return inst_.state.stop_pending; }

  void ScheduleTask(TaskKind kind, const std::string& step, int attempt, TimeMs due, TimeMs step_started_at);
  void ConsumeSignal(int64_t signal_id) { commit_.consume_signal_id = signal_id; }
  void AddSignal(SignalRecord s) { commit_.add_signal = std::move(s); }

  // The Commit: the instance row with the encoded state, preconditions on
  // the instance version and, if task_id != 0, on that task's lease.
  // InvalidArgument if the state cannot be encoded (a value too deep).
  Result<Commit> Build(int64_t task_id, int64_t lease_token);
  // The same changes as a StartRequest for a new instance.
  Result<StartRequest> BuildStart();

  const std::vector<HistoryEvent>& events() const { return commit_.events; }
  TimeMs now() const { return env_.now; }

 private:
  Status EnterSignal(const StepDef& step, size_t index, bool* waiting);
  void EnterApproval(const StepDef& step);
  size_t NextIndex(const StepDef& step) const;
  void SetTerminal(InstanceStatus status);
  // Completed steps that declare a compensation, most recent first.
  std::vector<std::string> CompensableSteps() const;
  void StartCompensation(const std::string& step, const std::string& code, const std::string& message);
  void EndCancelled();

  LoadedInstance& inst_;
  TransitionEnv env_;
  Commit commit_;
  bool consumed_signal_ = false;
};

// True for boolean true; false for false and null; an error for other types.
Result<bool> ConditionHolds(const Expression& expr, const Value& scope);

}  // namespace steadfast

#endif  // STEADFAST_RUNTIME_TRANSITION_H_
