// WorkflowService: what clients do to workflows (start, signal, approve or
// reject, cancel, resume), as atomic store commits.
//
// Used in-process by `steadfast run`/`serve` and the HTTP API, and directly
// on a database file by the CLI's --db mode (no engine running there: the
// serving engine notices the change through the store). Every call is safe
// against concurrent workers: a commit built on a stale read conflicts and
// is retried on fresh state.
#ifndef STEADFAST_RUNTIME_WORKFLOW_SERVICE_H_
#define STEADFAST_RUNTIME_WORKFLOW_SERVICE_H_

#include <atomic>
#include <functional>
#include <string>

#include "core/random.h"
#include "definition/input_check.h"
#include "runtime/activity_gate.h"
#include "runtime/transition.h"
#include "runtime/transition_commit.h"
#include "runtime/workflow_catalog.h"
#include "steadfast/clock.h"
#include "store/store.h"

namespace steadfast {

struct StartOptions {
  std::string workflow;          // catalog name
  int version = 0;               // 0 = latest
  Value input;
  std::string id;                // "" = generated
  std::string idempotency_key;   // "" = none
  std::string requested_by;      // the declared requester (four-eyes); "" = started_by
  std::string started_by;        // the authenticated principal making the call (four-eyes); "" = requested_by
  std::string traceparent;       // the caller's W3C trace context; "" or invalid = a new trace
  std::vector<std::string> links;  // ids of related instances (trace links); each must exist
  int priority = 0;              // 1 (first) .. 5 (last); 0 = the workflow's (core/priority.h)
  // A schedule's tick recorded in the same transaction as the start
  // (runtime/scheduler.h); its preconditions failing starts nothing.
  std::optional<ScheduleTickWrite> schedule_tick;
};

inline constexpr size_t kMaxInstanceLinks = 16;

struct SignalRequest {
  std::string instance_id;
  std::string name;
  Value payload;
  std::string idempotency_key;  // "" = none
  std::string principal;
};

// Called after each successful commit with the instance as written and the
// events appended (thread-safe observers only).
using CommitObserver = std::function<void(const InstanceRecord&, const std::vector<HistoryEvent>&)>;

class WorkflowService {
 public:
  WorkflowService(Store& store, WorkflowCatalog& catalog, const Clock& clock, Random& random)
      : store_(store), catalog_(catalog), clock_(clock), random_(random) {}

  // When set, immediately-due first tasks are created leased to this owner
  // and handed to `on_ready` (the in-process engine runs them at once).
  void SetLocalRunner(std::string owner, int64_t lease_ms, std::function<void(const TaskRecord&)> on_ready);
  // While false, tasks are created unleased for any process to claim: the
  // engine lost its node identity and runs nothing new until it holds it
  // again. Any thread.
  void SetLocalRuns(bool allowed) { local_runs_.store(allowed, std::memory_order_relaxed); }
  void SetObserver(CommitObserver observer) { observer_ = std::move(observer); }
  // The engine's holds and limits: a limited activity's first task is not
  // pre-leased, and a hold changed here is seen by this engine at once.
  void SetActivityGate(ActivityGate* gate) { gate_ = gate; }

  // Creates an instance, or returns the existing one for the same id or
  // idempotency key and equal input (outcome kExisting). InvalidArgument for
  // input that does not match the workflow's declared input; Conflict for a
  // reused id/key with different input; NotFound for an unknown workflow;
  // InvalidArgument for a link to an instance that does not exist.
  Result<StartResult> Start(const StartOptions& options);

  // Delivers a signal to a waiting signal step, or buffers it for later.
  // FailedPrecondition when the instance is finished.
  Result<SignalOutcome> Signal(const SignalRequest& request);

  // Records an approval decision. FailedPrecondition when the step does not
  // wait; Conflict (message names the first decision) when it was decided
  // already; PermissionDenied when one of the instance's requesters
  // decides (four-eyes: runtime/four_eyes.h) or a reviewer decides twice
  // on one step.
  Result<InstanceRecord> Decide(const DecisionRequest& request);

  // Cancels a running, waiting or paused instance; FailedPrecondition if
  // finished or compensating a failure. When an attempt is in flight the
  // cancel is recorded and carried out once that attempt's result is
  // checkpointed (the returned instance is still running); compensations of
  // completed steps run first unless the workflow says on_cancel: stop. A
  // second cancel while one is under way returns the instance unchanged.
  Result<InstanceRecord> Cancel(const std::string& id, const std::string& principal, const std::string& reason);
  // Resumes a paused instance where it paused (its failed step, or the
  // step an operator paused it at) with a fresh retry budget; withdraws a
  // pause still waiting for its attempt. FailedPrecondition otherwise.
  Result<InstanceRecord> Resume(const std::string& id, const std::string& principal, const std::string& reason = "");
  // An operator's pause of a running or waiting instance: nothing further
  // is scheduled until Resume or Retry (the deadline keeps its due time).
  // With an attempt in flight, the pause is recorded and taken once that
  // attempt is checkpointed (the returned instance is still running).
  // Pausing a paused or pausing instance returns it unchanged;
  // FailedPrecondition when finished, compensating or being cancelled.
  Result<InstanceRecord> Pause(const std::string& id, const std::string& principal, const std::string& reason);
  // Runs a failed or paused instance again from `from_step` ("" = the step
  // it failed or paused at), discarding the live results of that step and
  // the later ones (history keeps them); the activities get the same
  // idempotency keys, so money moves at most once. FailedPrecondition for
  // other statuses, for a compensated instance (or one whose compensations
  // ran) and past the deadline; InvalidArgument for an unknown step or one
  // after where it stopped (Transition::Retry).
  Result<InstanceRecord> Retry(const std::string& id, const std::string& from_step, const std::string& principal,
                               const std::string& reason);

  // The kill switch: holds `activity` ("*": every activity) so that no
  // attempt of it starts until released; tasks wait, nothing fails, no
  // retry is used. Placing a hold again updates its reason. Recorded with
  // principal and reason in the hold log. InvalidArgument for an empty or
  // malformed activity name or an empty reason.
  Status HoldActivity(const std::string& activity, const std::string& principal, const std::string& reason);
  // Releases a hold; NotFound when the activity is not held.
  Status ReleaseActivity(const std::string& activity, const std::string& principal, const std::string& reason);

  Store& store() { return store_; }
  WorkflowCatalog& catalog() { return catalog_; }

 private:
  // Commits the event `build` applies on freshly loaded state, rebuilt
  // after a version conflict (runtime/transition_commit.h). build returns
  // the Status to give up with, or Ok. The instance as committed (or as
  // loaded, when the event changed nothing).
  Result<InstanceRecord> Mutate(const std::string& id, bool reads_tasks,
                                std::function<Status(LoadedInstance&, Transition&)> build);
  TransitionEnv Env() const;
  // The owner new tasks are leased to: local_owner_, or "" while local runs are off.
  std::string LocalOwner() const;
  std::string NewInstanceId();
  Result<std::vector<InstanceLink>> ResolveLinks(const std::vector<std::string>& ids);
  void Notify(const InstanceRecord& rec, const std::vector<HistoryEvent>& events,
              const std::vector<TaskRecord>& created);

  Store& store_;
  WorkflowCatalog& catalog_;
  const Clock& clock_;
  Random& random_;
  std::string local_owner_;
  std::atomic<bool> local_runs_{true};
  int64_t lease_ms_ = 60000;
  std::function<void(const TaskRecord&)> on_ready_;
  CommitObserver observer_;
  ActivityGate* gate_ = nullptr;
  std::mutex pinned_mu_;
  std::vector<std::string> pinned_;  // GUARDED_BY(pinned_mu_): definition hashes already stored
};

}  // namespace steadfast

#endif  // STEADFAST_RUNTIME_WORKFLOW_SERVICE_H_
