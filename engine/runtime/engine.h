// Engine: the running durable-execution engine of one process.
//
// Owns N worker threads, a scheduler thread and a watchdog thread:
//  - the scheduler leases due tasks from the store (new work from other
//    processes, retry timers, wait timeouts, deadlines, tasks whose lease
//    expired) and queues them for the workers; it sleeps until the earliest
//    known due time, a local wake-up, or a short poll interval that notices
//    other processes' writes;
//  - workers run tasks through the TaskExecutor; a task whose commit creates
//    the instance's next task runs on the same worker at once;
//  - the watchdog abandons attempts past their start-to-close timeout,
//    checkpoints the timeout, and replaces the stuck worker.
// Waiting instances cost nothing in memory: only due tasks are loaded.
#ifndef STEADFAST_RUNTIME_ENGINE_H_
#define STEADFAST_RUNTIME_ENGINE_H_

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "runtime/activity_gate.h"
#include "runtime/task_executor.h"
#include "runtime/workflow_service.h"

namespace steadfast {

struct EngineOptions {
  int workers = 8;
  std::string node_name = "steadfast";  // lease owner prefix; stable across restarts of this node, held
                                        // exclusively while the engine lives (Store::LockNode)
  int64_t lease_ms = 60000;             // a task's lease; a crashed engine's tasks free up after it
  int64_t poll_interval_ms = 200;       // the longest the scheduler sleeps without checking the store
  int64_t rate_lookahead_ms = 250;      // claims reserve rate-limited starts this far ahead (ClaimRequest)
  int64_t priority_step_ms = 60000;     // how far each priority level moves a due task (ClaimRequest)
  bool reclaim_own_leases_at_start = true;  // free tasks leased by this node's previous incarnation
  std::vector<ActivityLimit> activity_limits;  // concurrency and rate limits (docs/workflows.md)
};

class Engine {
 public:
  Engine(EngineOptions options, Store& store, WorkflowCatalog& catalog, const ActivityRegistry& registry,
         const Clock& clock, Random& random, Logger& logger);
  ~Engine();  // Stop()s
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Takes the node identity (Store::LockNode), frees the leases its
  // previous incarnation left, and starts the threads. Call once.
  // kAlreadyExists, saying to choose another node_name, while another live
  // engine holds the name; nothing was started then.
  Status Start();
  // Stops claiming, lets running attempts finish (up to grace_ms, then
  // leaves them: their tasks are reclaimed after restart), joins threads.
  void Stop(int64_t grace_ms = 30000);
  // True from the moment Stop() begins: no new task is started.
  bool stopping() const { return stopping_flag_.load(std::memory_order_relaxed); }

  // Start/signal/decide/cancel; immediately-due work runs on this engine.
  WorkflowService& service() { return service_; }
  // Observers see every commit this process makes (workers and service).
  void AddObserver(CommitObserver observer);
  // Sees every attempt this process runs (runtime/attempt_report.h). Set it
  // before Start(); one at a time.
  void SetAttemptObserver(AttemptObserver observer) { attempt_observer_ = std::move(observer); }
  // Wakes the scheduler (e.g. after an external write is known).
  void Wake();
  const std::string& owner() const { return owner_; }
  // The ready queue right now, for metrics: tasks waiting for a worker and
  // the earliest due time among them (0 when empty). Takes the queue lock.
  struct ReadyQueueStats {
    int64_t depth = 0;
    TimeMs oldest_due_at = 0;
  };
  ReadyQueueStats ready_queue_stats();
  // Activity holds as this engine last read them, and the declared limits.
  const ActivityGate& gate() const { return gate_; }

 private:
  void WorkerLoop();
  void SchedulerLoop();
  void WatchdogLoop();
  void Enqueue(const TaskRecord& task);
  // Moves the paced tasks whose start time has come to the ready queue;
  // returns the next start time still ahead (0: none). Holds mu_.
  TimeMs ReleasePacedLocked(TimeMs now);
  void NoteDue(TimeMs due);
  // Whether this process still holds its node identity (re-taking it after
  // a lost database session); logs when that changes. Scheduler thread.
  bool NodeHeld();
  // The scheduler's store errors: the first of a run is logged, the rest
  // counted until a read or claim works again (a database outage would
  // otherwise log once per poll). Scheduler thread.
  void SchedulerStoreFailed(const std::string& what, const Status& status);
  void SchedulerStoreWorked();
  void SpawnWorker();
  void Observe(const InstanceRecord& rec, const std::vector<HistoryEvent>& events);

  EngineOptions options_;
  ActivityGate gate_;
  TimeMs holds_read_at_ = 0;               // scheduler thread only: when gate_ last read the holds
  AttemptObserver attempt_observer_;
  Store& store_;
  const Clock& clock_;
  Logger& logger_;
  std::string owner_;
  WorkflowService service_;
  std::unique_ptr<TaskExecutor> executor_;

  std::mutex mu_;
  std::condition_variable work_cv_;        // workers wait for ready_
  std::condition_variable sched_cv_;       // scheduler waits for wake-ups
  std::deque<TaskRecord> ready_;           // GUARDED_BY(mu_)
  std::multimap<TimeMs, TaskRecord> paced_;  // GUARDED_BY(mu_): claimed for a reserved start (start_at), by time
  std::set<int64_t> queued_ids_;           // GUARDED_BY(mu_): tasks in ready_ or running
  TimeMs next_due_ = 0;                    // GUARDED_BY(mu_): earliest known future due time (0 none)
  bool wake_ = false;                      // GUARDED_BY(mu_)
  TimeMs next_rate_slot_ = 0;              // GUARDED_BY(mu_): when a rate-limited activity may start again (0 none)
  bool stopping_ = false;                  // GUARDED_BY(mu_)
  std::atomic<bool> stopping_flag_{false};  // stopping_, readable without mu_ on the hot path
  bool scheduler_starved_ = false;         // GUARDED_BY(mu_): due tasks left unclaimed for lack of capacity
  int busy_workers_ = 0;                   // GUARDED_BY(mu_)
  int live_workers_ = 0;                   // GUARDED_BY(mu_)
  std::vector<std::thread> threads_;       // GUARDED_BY(mu_): workers
  std::thread scheduler_;
  std::thread watchdog_;
  std::condition_variable idle_cv_;        // signalled when a worker exits

  std::mutex watch_mu_;
  std::condition_variable watch_cv_;
  std::set<std::shared_ptr<RunningAttempt>> running_;  // GUARDED_BY(watch_mu_)
  TimeMs watchdog_wakes_at_ = 0;  // GUARDED_BY(watch_mu_): when the sleeping watchdog wakes by itself (0 = awake)

  std::unique_ptr<NodeLock> node_lock_;   // held from Start() until destruction; null if the store cannot lock
  bool node_lost_ = false;                // scheduler thread only: the last Check() failed
  int scheduler_store_failures_ = 0;      // scheduler thread only: store errors since the last success

  std::mutex observers_mu_;
  std::vector<CommitObserver> observers_;  // GUARDED_BY(observers_mu_)
  bool started_ = false;
};

}  // namespace steadfast

#endif  // STEADFAST_RUNTIME_ENGINE_H_
