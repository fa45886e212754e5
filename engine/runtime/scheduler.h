// Scheduler: starts workflows on the ticks of the schedules their
// definitions declare (`schedules:`, docs/schedules.md), exactly once per
// tick.
//
// Once per tick, across restarts, kill -9 and processes sharing the
// database: a tick's instance has an id derived from (schedule, tick time),
// and it is started in the same transaction that records the tick and moves
// the schedule's cursor, with the cursor read as a precondition
// (store/schedule_records.h). A scheduler that loses that race (another
// process handled the tick; or this one crashed after the commit and reads
// the new cursor on restart) writes nothing and reads again.
//
// Ticks that passed while no scheduler ran (a restart, a pause) are "missed"
// and follow the schedule's catch-up policy; a tick is missed too when it
// is handled more than late_after after its time. A tick finding the
// previous instance still running follows the overlap policy. Every tick
// handled leaves a row: what started, or what was skipped and why.
//
// Time comes from the injected Clock: RunDue() does one pass and never
// sleeps, so tests drive it with a ManualClock; Start() runs passes on a
// thread for `serve`.
#ifndef STEADFAST_RUNTIME_SCHEDULER_H_
#define STEADFAST_RUNTIME_SCHEDULER_H_

#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "definition/workflow_def.h"
#include "runtime/workflow_service.h"
#include "schedule/tick_rule.h"
#include "steadfast/logger.h"
#include "store/schedule_records.h"

namespace steadfast {

struct SchedulerOptions {
  int64_t late_after_ms = 60'000;                       // a tick handled later than this counts as missed
  int64_t catch_up_window_ms = 7LL * 24 * 3600 * 1000;  // missed ticks older than this are dropped unseen
  int64_t poll_interval_ms = 1000;                      // Start(): longest wait between passes
};

// A schedule as operators see it: its declaration and its stored state.
struct ScheduleInfo {
  ScheduleDef def;
  std::string workflow;                // the workflow it starts (its highest version)
  std::string rule;                    // TickRule::Describe(): "cron '0 2 * * *' (Europe/Paris)"
  ScheduleState state;                 // as stored; cursor_at 0 before the first pass
  std::optional<TimeMs> next_tick_at;  // the next tick to handle; nullopt when paused or there is none
};

// Sees every tick row this scheduler records (metrics, logs).
using TickObserver = std::function<void(const ScheduleTick&)>;

class Scheduler {
 public:
  // service, clock and logger must outlive this.
  Scheduler(WorkflowService& service, const Clock& clock, Logger& logger, SchedulerOptions options = {});
  ~Scheduler();  // Stop()s
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  void SetTickObserver(TickObserver observer) { observer_ = std::move(observer); }

  // The schedules of the catalog's workflows (each workflow's highest
  // version), by name. InvalidArgument naming both files when two workflows
  // declare the same schedule name.
  Result<std::vector<ScheduleInfo>> List();
  // NotFound naming the known schedules.
  Result<ScheduleInfo> Show(const std::string& name);

  // One pass: handles every tick due by the clock's now. Returns the
  // earliest tick still to come among active schedules (nullopt: none).
  // Thread-safe, but one pass at a time per process.
  Result<std::optional<TimeMs>> RunDue();

  // Pause: no tick is handled until Resume; the ticks that pass meanwhile
  // are missed ones then (catch-up policy). NotFound for an unknown name.
  Status Pause(const std::string& name, const std::string& principal, const std::string& reason);
  Status Resume(const std::string& name, const std::string& principal);
  // Starts one instance now, paused or not and whatever the overlap policy
  // (an operator asked), recorded as a manual tick.
  Result<ScheduleTick> Trigger(const std::string& name, const std::string& principal);
  // The schedule's recent tick rows, newest first.
  Result<std::vector<ScheduleTick>> History(const std::string& name, int limit);

  // Runs RunDue() on a thread until Stop(): after each pass it waits for
  // the next tick, poll_interval_ms at most (pauses and resumes made by
  // other processes are seen by then). Call once.
  void Start();
  void Stop();
  // Makes the thread pass again now (after a pause, resume or trigger here).
  void Wake();

 private:
  struct Declared {
    ScheduleDef def;
    std::string workflow;
    std::string file;
  };
  Result<std::vector<Declared>> Declarations();
  Result<const Declared*> FindDeclared(const std::vector<Declared>& all, const std::string& name);
  Result<TickRule> RuleFor(const ScheduleDef& def);
  // Handles the due ticks of one schedule; returns its next tick.
  Result<std::optional<TimeMs>> RunSchedule(const Declared& d, ScheduleState state, TimeMs now);
  // Starts the instance of one tick (recording the tick with it), or records it skipped for overlap.
  // Returns false when another scheduler handled the tick first.
  Result<bool> HandleTick(const Declared& d, ScheduleState& state, TimeMs tick_at, bool missed);
  Status RecordSkip(const Declared& d, ScheduleState& state, TimeMs tick_at, int64_t ticks, std::string reason);
  Status EnsureStored(const std::vector<Declared>& all);
  void Observe(const ScheduleTick& tick);
  void Loop();

  WorkflowService& service_;
  const Clock& clock_;
  Logger& logger_;
  SchedulerOptions options_;
  TickObserver observer_;

  std::mutex pass_mu_;                       // one RunDue at a time
  std::map<std::string, TickRule> rules_;    // GUARDED_BY(pass_mu_): by schedule name + rule text
  std::vector<std::string> stored_;          // GUARDED_BY(pass_mu_): names known to have a store row

  std::mutex mu_;
  std::condition_variable cv_;
  bool wake_ = false;      // GUARDED_BY(mu_)
  bool stopping_ = false;  // GUARDED_BY(mu_)
  std::thread thread_;
};

// "sched:<name>:<tick as 20261203T020000Z>": the id of a scheduled tick's
// instance, the same wherever and however often the tick is handled.
std::string ScheduledInstanceId(const std::string& schedule, TimeMs tick_at);

}  // namespace steadfast

#endif  // STEADFAST_RUNTIME_SCHEDULER_H_
