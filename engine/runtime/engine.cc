// Engine threads: workers, scheduler, watchdog.
#include "runtime/engine.h"

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>

namespace steadfast {
namespace {

std::string MakeOwner(const std::string& node, Random& random) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%016" PRIx64, random.NextU64());
  return node + "/" + buf;
}

}  // namespace

Engine::Engine(EngineOptions options, Store& store, WorkflowCatalog& catalog, const ActivityRegistry& registry,
               const Clock& clock, Random& random, Logger& logger)
    : options_(std::move(options)),
      gate_(options_.activity_limits),
      store_(store),
      clock_(clock),
      logger_(logger),
      owner_(MakeOwner(options_.node_name, random)),
      service_(store, catalog, clock, random) {
  ExecutorEnv env;
  env.store = &store;
  env.catalog = &catalog;
  env.registry = &registry;
  env.clock = &clock;
  env.random = &random;
  env.logger = &logger;
  env.owner = owner_;
  env.lease_ms = options_.lease_ms;
  env.observer = [this](const InstanceRecord& r, const std::vector<HistoryEvent>& e) { Observe(r, e); };
  env.on_attempt = [this](const AttemptReport& r) {
    if (attempt_observer_) attempt_observer_(r);
  };
  env.on_future_task = [this](TimeMs due) { NoteDue(due); };
  env.enqueue = [this](const TaskRecord& t) { Enqueue(t); };
  env.watch = [this](const std::shared_ptr<RunningAttempt>& a) {
    std::lock_guard<std::mutex> lock(watch_mu_);
    running_.insert(a);
    // Wake the watchdog only if it would sleep past this deadline: waking it
    // for every attempt cost two context switches per checkpoint.
    if (a->deadline < watchdog_wakes_at_) watch_cv_.notify_one();
  };
  env.unwatch = [this](const std::shared_ptr<RunningAttempt>& a) {
    std::lock_guard<std::mutex> lock(watch_mu_);
    running_.erase(a);
  };
  env.stopping = [this] { return stopping_flag_.load(std::memory_order_relaxed); };
  env.gate = &gate_;
  executor_ = std::make_unique<TaskExecutor>(std::move(env));
  service_.SetLocalRunner(owner_, options_.lease_ms, [this](const TaskRecord& t) { Enqueue(t); });
  service_.SetObserver([this](const InstanceRecord& r, const std::vector<HistoryEvent>& e) { Observe(r, e); });
  service_.SetActivityGate(&gate_);
}

Engine::~Engine() { Stop(); }

void Engine::AddObserver(CommitObserver observer) {
  std::lock_guard<std::mutex> lock(observers_mu_);
  observers_.push_back(std::move(observer));
}

void Engine::Observe(const InstanceRecord& rec, const std::vector<HistoryEvent>& events) {
  std::lock_guard<std::mutex> lock(observers_mu_);
  for (const auto& o : observers_) o(rec, events);
}

Status Engine::Start() {
  if (started_) return Status::FailedPrecondition("engine already started");
  // Freeing "<node>/..." leases below is only safe while no other live
  // process runs as this node: take the name first, for the engine's life.
  Result<std::unique_ptr<NodeLock>> node = store_.LockNode(options_.node_name);
  if (node.ok()) {
    node_lock_ = std::move(node).value();
  } else if (node.status().code() == StatusCode::kAlreadyExists) {
    return Status::AlreadyExists(node.status().message() +
                                 "; every engine on a database needs its own node_name: set another one "
                                 "(config node_name) or stop the running engine first");
  } else {
    logger_.Warn("node '" + options_.node_name + "' could not be held (" + node.status().message() +
                 "); leases of a previous run are left to expire");
  }
  started_ = true;
  if (Status holds = gate_.Refresh(store_); !holds.ok()) {
    logger_.Warn("activity holds could not be read (" + holds.message() + "); the store's claims still honour them");
  }
  if (options_.reclaim_own_leases_at_start && node_lock_) {
    Result<int64_t> released = store_.ReleaseLeases(options_.node_name + "/", owner_);
    if (!released.ok()) {
      logger_.Warn("leases of a previous run were not released (" + released.status().message() +
                   "); its tasks resume when their leases expire");
    } else if (*released > 0) {
      logger_.Info("resuming " + std::to_string(*released) + " task(s) left by a previous run");
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  for (int i = 0; i < options_.workers; ++i) {
    ++live_workers_;
    threads_.emplace_back([this] { WorkerLoop(); });
  }
  scheduler_ = std::thread([this] { SchedulerLoop(); });
  watchdog_ = std::thread([this] { WatchdogLoop(); });
  // Work other processes commit wakes the scheduler (PostgreSQL's NOTIFY).
  store_.SetExternalWriteCallback([this] { Wake(); });
  return Status::Ok();
}

void Engine::Stop(int64_t grace_ms) {
  std::vector<std::thread> workers;
  std::deque<TaskRecord> unstarted;
  bool idle = false;
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (!started_ || stopping_) return;
    stopping_ = true;
  }
  store_.SetExternalWriteCallback(nullptr);
  {
    std::unique_lock<std::mutex> lock(mu_);
    stopping_flag_.store(true, std::memory_order_relaxed);
    unstarted.swap(ready_);
    for (auto& [at, task] : paced_) unstarted.push_back(std::move(task));
    paced_.clear();
    work_cv_.notify_all();
    sched_cv_.notify_all();
  }
  // Claimed but never started: handed back, so nothing counts them as
  // attempts that may have run.
  for (const TaskRecord& task : unstarted) executor_->ReturnUnstarted(task);
  {
    std::unique_lock<std::mutex> lock(mu_);
    idle = idle_cv_.wait_for(lock, std::chrono::milliseconds(grace_ms), [this] { return live_workers_ == 0; });
    workers = std::move(threads_);
  }
  watch_cv_.notify_all();
  if (scheduler_.joinable()) scheduler_.join();
  if (watchdog_.joinable()) watchdog_.join();
  for (std::thread& t : workers) {
    // A worker still inside an activity after the grace period is left to
    // the process exit; its task is released at the next start.
    if (idle) t.join();
    else t.detach();
  }
}

void Engine::Wake() {
  std::lock_guard<std::mutex> lock(mu_);
  wake_ = true;
  sched_cv_.notify_one();
}

void Engine::Enqueue(const TaskRecord& task) {
  std::unique_lock<std::mutex> lock(mu_);
  if (stopping_) {
    lock.unlock();
    executor_->ReturnUnstarted(task);
    return;
  }
  if (task.start_at > clock_.NowMs()) {
    // Claimed ahead of its reserved start: the scheduler hands it to a
    // worker at that time.
    if (queued_ids_.insert(task.id).second) paced_.emplace(task.start_at, task);
    sched_cv_.notify_one();
    return;
  }
  if (!queued_ids_.insert(task.id).second) {
    // Re-claimed while still queued (its lease expired): run it with the new token.
    for (TaskRecord& queued : ready_) {
      if (queued.id == task.id) queued = task;
    }
    return;
  }
  ready_.push_back(task);
  work_cv_.notify_one();
}

Engine::ReadyQueueStats Engine::ready_queue_stats() {
  std::lock_guard<std::mutex> lock(mu_);
  ReadyQueueStats stats;
  stats.depth = static_cast<int64_t>(ready_.size());
  for (const TaskRecord& t : ready_) {
    if (stats.oldest_due_at == 0 || t.due_at < stats.oldest_due_at) stats.oldest_due_at = t.due_at;
  }
  return stats;
}

TimeMs Engine::ReleasePacedLocked(TimeMs now) {
  while (!paced_.empty() && paced_.begin()->first <= now) {
    ready_.push_back(std::move(paced_.begin()->second));
    paced_.erase(paced_.begin());
    work_cv_.notify_one();
  }
  return paced_.empty() ? 0 : paced_.begin()->first;
}

void Engine::NoteDue(TimeMs due) {
  std::lock_guard<std::mutex> lock(mu_);
  if (next_due_ == 0 || due < next_due_) {
    next_due_ = due;
    sched_cv_.notify_one();
  }
}

void Engine::SpawnWorker() {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_) return;
  ++live_workers_;
  threads_.emplace_back([this] { WorkerLoop(); });
}

void Engine::WorkerLoop() {
  while (true) {
    TaskRecord task;
    {
      std::unique_lock<std::mutex> lock(mu_);
      work_cv_.wait(lock, [this] { return stopping_ || !ready_.empty(); });
      if (stopping_) break;
      task = std::move(ready_.front());
      ready_.pop_front();
      ++busy_workers_;
    }
    bool keep = executor_->Run(task);
    {
      std::lock_guard<std::mutex> lock(mu_);
      --busy_workers_;
      queued_ids_.erase(task.id);
      if (scheduler_starved_) sched_cv_.notify_one();  // capacity it was waiting for
      if (gate_.IsLimited(task.activity)) {
        wake_ = true;  // a slot of its max_in_flight is free again
        sched_cv_.notify_one();
      }
    }
    if (!keep) break;  // abandoned by the watchdog, which started a replacement
  }
  std::lock_guard<std::mutex> lock(mu_);
  --live_workers_;
  idle_cv_.notify_all();
}

void Engine::SchedulerLoop() {
  while (true) {
    int capacity = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
      wake_ = false;
      scheduler_starved_ = false;
      ReleasePacedLocked(clock_.NowMs());
      capacity = 2 * options_.workers - static_cast<int>(ready_.size()) - static_cast<int>(paced_.size()) -
                 busy_workers_;
      if (next_due_ != 0 && next_due_ <= clock_.NowMs()) next_due_ = 0;
      if (next_rate_slot_ != 0 && next_rate_slot_ <= clock_.NowMs()) next_rate_slot_ = 0;
    }
    TimeMs now = clock_.NowMs();
    store_.ChangedExternally();  // keeps the data_version baseline current
    if (now - holds_read_at_ >= options_.poll_interval_ms) {
      // Holds placed by other processes reach this engine's workers within
      // a poll interval; the claim below reads them itself.
      holds_read_at_ = now;
      if (Status s = gate_.Refresh(store_); !s.ok()) SchedulerStoreFailed("reading activity holds", s);
    }
    // No identity, no claims: another process may run under this name now.
    // A poll interval later it is checked (and re-taken) again.
    Result<std::optional<TimeMs>> due =
        NodeHeld() ? store_.NextDueAt(now) : Result<std::optional<TimeMs>>(std::optional<TimeMs>());
    if (!due.ok()) {
      SchedulerStoreFailed("reading the next due task", due.status());
    } else if (!due->has_value() || **due > now) {
      SchedulerStoreWorked();  // nothing due yet
    } else if (capacity <= 0) {
      SchedulerStoreWorked();
      std::lock_guard<std::mutex> lock(mu_);
      scheduler_starved_ = true;  // a worker finishing a task wakes us
    } else {
      ClaimRequest request;
      request.owner = owner_;
      request.now = now;
      request.lease_until = now + options_.lease_ms;
      request.limit = capacity;
      request.limits = gate_.limits();
      request.rate_lookahead_ms = options_.rate_lookahead_ms;
      request.priority_step_ms = options_.priority_step_ms;
      Result<ClaimResult> claimed = store_.ClaimDueTasks(request);
      if (!claimed.ok()) {
        SchedulerStoreFailed("claiming tasks", claimed.status());
      } else {
        SchedulerStoreWorked();
        {
          std::lock_guard<std::mutex> lock(mu_);
          next_rate_slot_ = claimed->next_rate_slot_at;
        }
        for (const TaskRecord& t : claimed->tasks) Enqueue(t);
        if (!claimed->tasks.empty()) continue;  // there may be more due
      }
    }
    std::unique_lock<std::mutex> lock(mu_);
    if (stopping_) return;
    TimeMs wait = options_.poll_interval_ms;
    now = clock_.NowMs();
    if (due.ok() && due->has_value() && **due > now) wait = std::min<TimeMs>(wait, **due - now);
    if (next_due_ != 0) wait = std::min<TimeMs>(wait, std::max<TimeMs>(0, next_due_ - now));
    if (next_rate_slot_ != 0) wait = std::min<TimeMs>(wait, std::max<TimeMs>(0, next_rate_slot_ - now));
    if (TimeMs paced = ReleasePacedLocked(now); paced != 0) wait = std::min<TimeMs>(wait, std::max<TimeMs>(0, paced - now));
    if (wait > 0 && !wake_) {
      sched_cv_.wait_for(lock, std::chrono::milliseconds(wait), [this] { return stopping_ || wake_; });
    }
  }
}

bool Engine::NodeHeld() {
  if (!node_lock_) return true;
  Result<NodeLock::Held> held = node_lock_->Check();
  if (held.ok()) {
    if (node_lost_) {
      logger_.Warn("node '" + options_.node_name + "' is held again; claiming work");
      service_.SetLocalRuns(true);
    } else if (*held == NodeLock::Held::kRetaken) {
      // Lost and free again between two checks: nothing to wait for, but
      // leases freed meanwhile by another holder fence their attempts.
      logger_.Warn("node '" + options_.node_name + "' lost its database session and took its name again");
    }
    node_lost_ = false;
    return true;
  }
  service_.SetLocalRuns(false);  // what the API starts meanwhile is left to the fleet
  if (!node_lost_) {
    const Status& why = held.status();
    logger_.Error(why.code() == StatusCode::kAlreadyExists
                      ? "node '" + options_.node_name + "' was taken by another process (" + why.message() +
                            "); claiming no work while it runs: every engine needs its own node_name"
                      : "node '" + options_.node_name + "' lost its hold on the database (" + why.message() +
                            "); claiming no work until it is held again");
  }
  node_lost_ = true;
  return false;
}

void Engine::SchedulerStoreFailed(const std::string& what, const Status& status) {
  if (scheduler_store_failures_++ == 0) {
    logger_.Error("scheduler: " + what + ": " + status.ToString() + " (retried every poll; logged again once it works)");
  }
}

void Engine::SchedulerStoreWorked() {
  if (scheduler_store_failures_ > 0) {
    logger_.Info("scheduler: the store answers again after " + std::to_string(scheduler_store_failures_) +
                 " failed read(s) or claim(s)");
  }
  scheduler_store_failures_ = 0;
}

void Engine::WatchdogLoop() {
  while (true) {
    std::vector<std::shared_ptr<RunningAttempt>> expired;
    {
      std::unique_lock<std::mutex> lock(watch_mu_);
      {
        std::lock_guard<std::mutex> l2(mu_);
        if (stopping_) return;
      }
      TimeMs now = clock_.NowMs();
      TimeMs earliest = 0;
      for (const auto& a : running_) {
        if (a->deadline <= now) expired.push_back(a);
        else if (earliest == 0 || a->deadline < earliest) earliest = a->deadline;
      }
      for (const auto& a : expired) running_.erase(a);
      if (expired.empty()) {
        TimeMs wait = earliest == 0 ? 100 : std::clamp<TimeMs>(earliest - now, 1, 100);
        watchdog_wakes_at_ = now + wait;
        watch_cv_.wait_for(lock, std::chrono::milliseconds(wait));
        watchdog_wakes_at_ = 0;  // awake: attempts added now are seen by this pass
        continue;
      }
    }
    for (const auto& a : expired) {
      if (executor_->AbandonAttempt(a)) {
        logger_.Warn("abandoned attempt " + std::to_string(a->attempt) + " of " + a->instance_id + "/" +
                     a->task.step_id + " after its start-to-close timeout");
        SpawnWorker();
        Wake();
      }
    }
  }
}

}  // namespace steadfast
