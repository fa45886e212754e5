// TaskExecutor: runs one leased task to its checkpoint.
//
// For a step task it evaluates the step's input, runs the activity (crash
// points around it), and commits the attempt's end as one Transition event
// (Transition::AttemptEnded decides the history and the next task) in one
// store transaction fenced by the task's lease token. When that
// commit creates the instance's next task already leased to this engine,
// the same thread continues with it without going back to the queue.
//
// A hung attempt is handled by the Watchdog: past its start-to-close
// deadline the attempt is abandoned (its result will be discarded), the
// timeout is checkpointed as a retryable failure, and the worker is replaced.
#ifndef STEADFAST_RUNTIME_TASK_EXECUTOR_H_
#define STEADFAST_RUNTIME_TASK_EXECUTOR_H_

#include <array>
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "runtime/activity_gate.h"
#include "runtime/attempt_report.h"
#include "core/random.h"
#include "runtime/instance_cache.h"
#include "runtime/transition.h"
#include "runtime/transition_commit.h"
#include "runtime/workflow_catalog.h"
#include "runtime/workflow_service.h"
#include "steadfast/clock.h"
#include "steadfast/logger.h"
#include "steadfast/registry.h"
#include "steadfast/storage.h"
#include "store/store.h"

namespace steadfast {

// An attempt in flight, shared between its worker and the watchdog. Whoever
// sets `resolved` first owns the attempt's outcome.
struct RunningAttempt {
  std::atomic<bool> resolved{false};
  std::atomic<bool> cancelled{false};  // seen by the activity as ctx.cancelled()
  TimeMs deadline = 0;
  std::string instance_id;
  LoadedInstance inst;                 // as loaded before the attempt
  TaskRecord task;
  int attempt = 0;
  TimeMs started_at = 0;
};

struct ExecutorEnv {
  Store* store = nullptr;
  WorkflowCatalog* catalog = nullptr;
  const ActivityRegistry* registry = nullptr;
  const Clock* clock = nullptr;
  Random* random = nullptr;
  Logger* logger = nullptr;
  std::string owner;        // lease owner name of this engine
  int64_t lease_ms = 60000;
  CommitObserver observer;  // may be empty
  AttemptObserver on_attempt;  // may be empty
  // Informs the scheduler of a task due later (retry timers, wait timeouts).
  std::function<void(TimeMs due_at)> on_future_task;
  // Runs a task a commit created leased to this engine, other than the one
  // the worker goes on with (a child workflow's first step); may be empty.
  std::function<void(const TaskRecord&)> enqueue;
  // Registers/unregisters an attempt with the watchdog; may be empty.
  std::function<void(const std::shared_ptr<RunningAttempt>&)> watch;
  std::function<void(const std::shared_ptr<RunningAttempt>&)> unwatch;
  // True once the engine is stopping: no follow-up task is started.
  std::function<bool()> stopping;
  // Holds and limits (runtime/activity_gate.h); null: none.
  const ActivityGate* gate = nullptr;
  // Waits before retrying a checkpoint the store refused for a transient
  // reason; empty: the worker thread sleeps (TransitionCommitEnv::sleep).
  std::function<void(int64_t ms)> sleep;
};

class TaskExecutor {
 public:
  explicit TaskExecutor(ExecutorEnv env) : env_(std::move(env)) {}

  // Runs the task and any immediately-due follow-up tasks of the same
  // instance leased to this engine. Returns false when this thread's attempt
  // was abandoned by the watchdog (the caller's thread should retire).
  bool Run(TaskRecord task);

  // Hands a claimed task that was never started back to the store (an
  // engine stopping with tasks in hand).
  void ReturnUnstarted(const TaskRecord& task);

  // Watchdog entry: checkpoints an abandoned attempt as a timeout failure.
  // Returns false when the worker had already finished the attempt.
  bool AbandonAttempt(const std::shared_ptr<RunningAttempt>& attempt);

 private:
  // kStopInSync: stopped right after a commit of a parent waiting for its
  // children, which is then exactly what the store holds (parked_).
  enum class Next : int { kStop, kContinue, kAbandoned, kStopInSync };
  Next RunOne(TaskRecord& task, std::optional<LoadedInstance>& cached);
  // One attempt of a step's activity, or of its compensation.
  Next RunAttempt(TaskRecord& task, LoadedInstance& inst, const StepDef& step, bool compensation,
                  std::optional<LoadedInstance>& cached);
  ActivityResult Invoke(Activity* activity, ActivityContext& ctx);
  using BuildFn = std::function<Status(LoadedInstance&, Transition&)>;
  // An attempt's plugin checkpoint writes (ActivityContext::AtCheckpoint)
  // and, once the store refused them, why.
  struct CheckpointWrites {
    std::vector<PluginWrite> writes;
    Status refused;
  };
  // Commits the event `build` applies (one Transition event method) on the
  // cached instance, fenced by the task's lease; on a version conflict or
  // a busy store reloads and rebuilds while the task still applies
  // (runtime/transition_commit.h). On success points `task` at the
  // follow-up task to run now. With `writes`, they go into each commit
  // built; when the store refuses them (kAborted), writes->refused is set,
  // they are dropped, and the commit is rebuilt (build must then record the
  // attempt as failed).
  Next CommitWith(TaskRecord& task, std::optional<LoadedInstance>& cached, const std::string& step_for_crash,
                  bool reads_tasks, BuildFn build, CheckpointWrites* writes = nullptr);
  // Applies a task's checkpoint Commit, built and fenced by its lease.
  Result<CommitResult> Checkpoint(Commit commit);
  // The commit loop's environment: this engine's store, clock and random,
  // leasing immediately-due follow-up tasks to `lease_owner` ("" = none).
  TransitionCommitEnv CommitEnv(std::string lease_owner, CommitPolicy policy) const;
  Next AfterCommit(TaskRecord& task, LoadedInstance& inst, const CommitResult& r, std::vector<HistoryEvent> events,
                   const std::string& step_for_crash);
  void DropTask(const TaskRecord& task);
  // Child workflow steps (runtime/transition_child.cc): the child ended;
  // cancel it for a stopping parent; compensate it for a compensating one.
  Next ChildEnded(TaskRecord& task, std::optional<LoadedInstance>& cached);
  Next StopChild(TaskRecord& task, const LoadedInstance& parent);
  Next CompensateChild(TaskRecord& task, std::optional<LoadedInstance>& cached);
  // Every element of a for_each step completed: reads their outputs from
  // the children, in order, and commits them as the step's output.
  Next CollectElements(TaskRecord& task, std::optional<LoadedInstance>& cached);
  // Commits `build` on the child `child_id` (not fenced by a task; tasks
  // it creates are left to the scheduler).
  TransitionCommitResult CommitOnChild(const std::string& child_id, bool reads_tasks, BuildFn build);
  TimeMs Now() const { return env_.clock->NowMs(); }

  // A parent with many children (a fan-out) is told of their ends by many
  // workers at once; they take turns per instance here rather than racing
  // each other's commits into a long run of conflicts.
  std::mutex& ParentLock(const std::string& instance_id);
  std::array<std::mutex, 64> parent_locks_;
  // Parents waiting for their children, kept loaded between their tasks.
  static constexpr size_t kParkedParents = 64;
  InstanceCache parked_{kParkedParents};

  ExecutorEnv env_;
};

}  // namespace steadfast

#endif  // STEADFAST_RUNTIME_TASK_EXECUTOR_H_
