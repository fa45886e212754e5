// TransitionCommit: load -> build -> commit -> retry, written once.
//
// Every change to an instance (a worker's checkpoint, the watchdog's
// timeout, a client's signal, decision, cancel or resume) loads the
// instance with what its transition reads (LoadInstance), builds one
// Transition on it, and applies the Commit. A commit built on a stale read
// conflicts (kConflict: another writer committed first) and is rebuilt on
// fresh state; a worker's checkpoint also waits out a briefly busy store.
// How often each is retried is the caller's CommitPolicy.
#ifndef STEADFAST_RUNTIME_TRANSITION_COMMIT_H_
#define STEADFAST_RUNTIME_TRANSITION_COMMIT_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/random.h"
#include "runtime/transition.h"
#include "runtime/workflow_catalog.h"
#include "steadfast/clock.h"
#include "steadfast/logger.h"
#include "store/store.h"

namespace steadfast {

// Loads the instance, its definition and state, and the buffered signals
// its signal steps may consume. NotFound if the instance is unknown.
Result<LoadedInstance> LoadInstance(Store& store, WorkflowCatalog& catalog, const std::string& id);

struct CommitPolicy {
  // Rebuilds on fresh state after a kConflict (so at most this + 1 commits).
  int max_conflict_rounds = 20;
  // Commits refused for a transient reason (kBusy, kUnavailable) retried
  // after 10 ms doubling (capped at 1 s); 0: such a refusal ends the loop.
  int max_transient_retries = 0;
};

// Everything a commit loop needs besides the instance and the event.
struct TransitionCommitEnv {
  Store* store = nullptr;
  WorkflowCatalog* catalog = nullptr;
  const Clock* clock = nullptr;
  Random* random = nullptr;
  Logger* logger = nullptr;     // warns of transient retries; may be null when there are none
  std::string lease_owner;      // see TransitionEnv
  int64_t lease_ms = 60000;
  const ActivityGate* gate = nullptr;  // see TransitionEnv
  CommitPolicy policy;
  // Waits out the delay before a transient retry; empty: this thread
  // sleeps. The deterministic simulation passes simulated time here.
  std::function<void(int64_t ms)> sleep;
};

// One event to commit.
struct TransitionCommitRequest {
  std::string instance_id;
  // The event: calls one Transition event method. An error ends the loop
  // with nothing committed.
  std::function<Status(LoadedInstance&, Transition&)> build;
  // The event reads the instance's tasks (a stop, a resume).
  bool reads_tasks = false;
  // Fences the commit by this task's lease (0: no task).
  int64_t task_id = 0;
  int64_t lease_token = 0;
  // Checked on fresh state before each rebuild; false ends the loop
  // (kNoLongerApplies). Empty: always applies.
  std::function<bool(const LoadedInstance&)> still_applies;
  // Applies the built Commit; empty: store->Apply.
  std::function<Result<CommitResult>(Commit)> apply;
  // Called when the store refuses a commit with kAborted (a plugin write in
  // it failed, so nothing was written): true to rebuild on fresh state
  // (the caller has changed what the next build and apply do), false to
  // end. Empty: kAborted ends the loop.
  std::function<bool(const Status&)> on_aborted;
};

struct TransitionCommitResult {
  enum class End : int {
    kCommitted = 0,
    kUnchanged = 1,        // the event changed nothing: no commit was made
    kLoadFailed = 2,       // the instance (or what the event reads) could not be loaded
    kBuildFailed = 3,      // the event does not apply (its error in status)
    kCommitFailed = 4,     // the store refused and the policy gave up
    kNoLongerApplies = 5,  // after a conflict, still_applies said no
  };
  End end = End::kCommitted;
  Status status;                     // why it ended without a commit
  Status last_commit;                // the last commit's refusal (Ok if none was refused)
  CommitResult committed;            // when kCommitted
  std::vector<HistoryEvent> events;  // the events committed
  // continue_as_new: the run this commit filed and its events, its record
  // under the instance's id (not "<id>~<run>"): observers hear of them
  // first, as the instance's, so that traces and metrics keyed by the
  // instance go on across runs.
  std::optional<RunArchive> filed_run;
  // The child workflows this commit started (not those it found again),
  // with their first events: observers hear of their starts too.
  std::vector<std::pair<InstanceRecord, std::vector<HistoryEvent>>> started_children;
  bool ok() const { return end == End::kCommitted || end == End::kUnchanged; }
};

// Tells `observer` of the instances a committed transition wrote besides
// its own: the run it filed (as the instance's), then the children it started.
void ReportOtherInstances(const TransitionCommitResult& r,
                          const std::function<void(const InstanceRecord&, const std::vector<HistoryEvent>&)>& observer);

// Runs the loop. `inst` is the instance to build on first (empty: load
// it); on kCommitted and kUnchanged it holds the instance as committed (its
// new version, the consumed signal gone), otherwise it is reset.
TransitionCommitResult CommitTransition(const TransitionCommitEnv& env, const TransitionCommitRequest& request,
                                        std::optional<LoadedInstance>& inst);

}  // namespace steadfast

#endif  // STEADFAST_RUNTIME_TRANSITION_COMMIT_H_
