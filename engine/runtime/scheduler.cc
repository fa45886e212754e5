// The scheduler's passes: due ticks per schedule, catch-up and overlap
// decisions, and the one transaction per tick that starts its instance.
#include "runtime/scheduler.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <set>

#include "steadfast/time_text.h"

namespace steadfast {
namespace {

// "20261203T020000Z", with milliseconds ("20261203T020000.123Z") when not whole.
std::string CompactUtc(TimeMs t) {
  std::string s = FormatRfc3339Utc(t);  // 2026-12-03T02:00:00Z / 2026-12-03T02:00:00.123Z
  s.erase(std::remove(s.begin(), s.end(), '-'), s.end());
  s.erase(std::remove(s.begin(), s.end(), ':'), s.end());
  return s;
}

std::string SchedulePrincipal(const std::string& name) { return "schedule:" + name; }

bool LostRace(const Status& s) {
  return s.code() == StatusCode::kConflict || s.code() == StatusCode::kAlreadyExists;
}

// Errors that starting again will not fix: recorded as a skipped tick
// rather than retried every pass.
bool Permanent(const Status& s) {
  return s.code() == StatusCode::kInvalidArgument || s.code() == StatusCode::kNotFound ||
         s.code() == StatusCode::kFailedPrecondition;
}

}  // namespace

std::string ScheduledInstanceId(const std::string& schedule, TimeMs tick_at) {
  return "sched:" + schedule + ":" + CompactUtc(tick_at);
}

Scheduler::Scheduler(WorkflowService& service, const Clock& clock, Logger& logger, SchedulerOptions options)
    : service_(service), clock_(clock), logger_(logger), options_(options) {}

Scheduler::~Scheduler() { Stop(); }

Result<std::vector<Scheduler::Declared>> Scheduler::Declarations() {
  std::vector<Declared> out;
  std::map<std::string, std::string> file_of;  // schedule name -> file that declares it
  std::set<std::string> seen_workflows;
  for (const auto& [workflow, version] : service_.catalog().List()) {
    if (!seen_workflows.insert(workflow).second) continue;
    SF_ASSIGN_OR_RETURN(DefPtr def, service_.catalog().Find(workflow));  // the highest version
    for (const ScheduleDef& s : def->schedules) {
      auto [it, inserted] = file_of.emplace(s.name, def->path);
      if (!inserted) {
        return Status::InvalidArgument(fmt::format("{}:{}:{}: schedule name '{}' is declared by {} too",
                                                   def->path, s.loc.line, s.loc.column, s.name, it->second));
      }
      out.push_back(Declared{s, def->name, def->path});
    }
  }
  std::sort(out.begin(), out.end(), [](const Declared& a, const Declared& b) { return a.def.name < b.def.name; });
  return out;
}

Result<const Scheduler::Declared*> Scheduler::FindDeclared(const std::vector<Declared>& all,
                                                           const std::string& name) {
  for (const Declared& d : all) {
    if (d.def.name == name) return &d;
  }
  std::string known;
  for (const Declared& d : all) known += (known.empty() ? "" : ", ") + d.def.name;
  return Status::NotFound(fmt::format("no schedule named '{}' (known: {})", name, known.empty() ? "none" : known));
}

Result<TickRule> Scheduler::RuleFor(const ScheduleDef& def) {
  const std::string key = fmt::format("{}\n{}\n{}\n{}", def.name, def.cron, def.every_ms, def.time_zone);
  auto it = rules_.find(key);
  if (it != rules_.end()) return it->second;
  SF_ASSIGN_OR_RETURN(TickRule rule, TickRule::FromDef(def));
  rules_.emplace(key, rule);
  return rule;
}

Status Scheduler::EnsureStored(const std::vector<Declared>& all) {
  std::vector<ScheduleState> missing;
  const TimeMs now = clock_.NowMs();
  for (const Declared& d : all) {
    if (std::find(stored_.begin(), stored_.end(), d.def.name) != stored_.end()) continue;
    ScheduleState s;
    s.name = d.def.name;
    s.workflow = d.workflow;
    s.cursor_at = now;  // a new schedule fires from now on, not for its past
    missing.push_back(std::move(s));
  }
  if (missing.empty()) return Status::Ok();
  SF_RETURN_IF_ERROR(service_.store().EnsureSchedules(missing));
  for (const ScheduleState& s : missing) stored_.push_back(s.name);
  return Status::Ok();
}

Result<std::vector<ScheduleInfo>> Scheduler::List() {
  SF_ASSIGN_OR_RETURN(std::vector<Declared> all, Declarations());
  SF_ASSIGN_OR_RETURN(std::vector<ScheduleState> states, service_.store().ListSchedules());
  std::vector<ScheduleInfo> out;
  std::lock_guard<std::mutex> lock(pass_mu_);
  for (const Declared& d : all) {
    ScheduleInfo info;
    info.def = d.def;
    info.workflow = d.workflow;
    SF_ASSIGN_OR_RETURN(TickRule rule, RuleFor(d.def));
    info.rule = rule.Describe();
    for (const ScheduleState& s : states) {
      if (s.name == d.def.name) info.state = s;
    }
    if (!info.state.paused) {
      const TimeMs from = info.state.cursor_at != 0 ? info.state.cursor_at : clock_.NowMs();
      info.next_tick_at = rule.Next(from);
    }
    out.push_back(std::move(info));
  }
  return out;
}

Result<ScheduleInfo> Scheduler::Show(const std::string& name) {
  SF_ASSIGN_OR_RETURN(std::vector<ScheduleInfo> all, List());
  for (ScheduleInfo& info : all) {
    if (info.def.name == name) return std::move(info);
  }
  std::string known;
  for (const ScheduleInfo& i : all) known += (known.empty() ? "" : ", ") + i.def.name;
  return Status::NotFound(fmt::format("no schedule named '{}' (known: {})", name, known.empty() ? "none" : known));
}

Result<std::optional<TimeMs>> Scheduler::RunDue() {
  std::lock_guard<std::mutex> lock(pass_mu_);
  SF_ASSIGN_OR_RETURN(std::vector<Declared> all, Declarations());
  if (all.empty()) return std::optional<TimeMs>();
  SF_RETURN_IF_ERROR(EnsureStored(all));
  SF_ASSIGN_OR_RETURN(std::vector<ScheduleState> states, service_.store().ListSchedules());
  const TimeMs now = clock_.NowMs();
  std::optional<TimeMs> earliest;
  Status first_error;
  for (const Declared& d : all) {
    auto state = std::find_if(states.begin(), states.end(), [&](const ScheduleState& s) { return s.name == d.def.name; });
    if (state == states.end()) continue;  // created by EnsureStored; seen next pass
    Result<std::optional<TimeMs>> next = RunSchedule(d, *state, now);
    if (!next.ok()) {
      // One schedule's trouble (a busy store) must not stop the others.
      logger_.Warn(fmt::format("scheduler: schedule {}: {}", d.def.name, next.status().ToString()));
      if (first_error.ok()) first_error = next.status();
      continue;
    }
    if (*next && (!earliest || **next < *earliest)) earliest = *next;
  }
  if (!first_error.ok() && !earliest) return first_error;
  return earliest;
}

Result<std::optional<TimeMs>> Scheduler::RunSchedule(const Declared& d, ScheduleState state, TimeMs now) {
  if (state.paused) return std::optional<TimeMs>();
  SF_ASSIGN_OR_RETURN(TickRule rule, RuleFor(d.def));
  const ScheduleDef& def = d.def;

  // Ticks older than the window are dropped unseen (counting a month of a
  // one-second schedule would stall the pass), with a warning in the log.
  const TimeMs window_start = now - options_.catch_up_window_ms;
  if (state.cursor_at < window_start) {
    SF_RETURN_IF_ERROR(RecordSkip(d, state, window_start, 0,
                                  fmt::format("catch_up_window: ticks before {} are older than the {} window",
                                              FormatRfc3339Utc(window_start),
                                              FormatDurationMs(options_.catch_up_window_ms))));
  }

  // The due ticks: how many, and the most recent ones (as many as a
  // catch-up may start, the newest, and the newest of those skipped).
  const int64_t max_catch_up = def.catch_up == CatchUpPolicy::kAll ? def.catch_up_limit : 1;
  const size_t keep = static_cast<size_t>(max_catch_up) + 2;
  std::deque<TimeMs> recent;
  int64_t due = 0;
  std::optional<TimeMs> next = rule.Next(state.cursor_at);
  while (next && *next <= now) {
    ++due;
    recent.push_back(*next);
    if (recent.size() > keep) recent.pop_front();
    next = rule.Next(*next);
  }
  if (due == 0) return next;

  // The newest due tick is on time unless handled late; the others are missed.
  const TimeMs newest = recent.back();
  const bool on_time = now - newest <= options_.late_after_ms;
  if (on_time) recent.pop_back();  // recent: the newest missed ticks
  const int64_t missed = due - (on_time ? 1 : 0);
  int64_t catch_up = 0;
  switch (def.catch_up) {
    case CatchUpPolicy::kSkip: break;
    case CatchUpPolicy::kLatest: catch_up = on_time ? 0 : std::min<int64_t>(missed, 1); break;
    case CatchUpPolicy::kAll: catch_up = std::min<int64_t>(missed, def.catch_up_limit); break;
  }
  const int64_t skipped = missed - catch_up;
  if (skipped > 0) {
    // The skipped ticks are the oldest: one row stands for them all, at the newest of them.
    const TimeMs last_skipped = recent[recent.size() - static_cast<size_t>(catch_up) - 1];
    const char* policy = def.catch_up == CatchUpPolicy::kSkip ? "skip" : "latest";
    std::string reason = def.catch_up == CatchUpPolicy::kAll
                             ? fmt::format("catch_up_limit: {} missed tick(s) beyond catch_up_limit {}", skipped,
                                           def.catch_up_limit)
                             : fmt::format("catch_up: {} missed tick(s) not started (catch_up: {})", skipped, policy);
    Status s = RecordSkip(d, state, last_skipped, skipped, std::move(reason));
    if (LostRace(s)) return std::optional<TimeMs>(now);  // another scheduler is on it: look again soon
    SF_RETURN_IF_ERROR(s);
  }
  std::vector<std::pair<TimeMs, bool>> to_start;  // (tick, missed), oldest first
  for (size_t i = recent.size() - static_cast<size_t>(catch_up); i < recent.size(); ++i) {
    to_start.emplace_back(recent[i], true);
  }
  if (on_time) to_start.emplace_back(newest, false);
  for (const auto& [tick, was_missed] : to_start) {
    SF_ASSIGN_OR_RETURN(bool handled, HandleTick(d, state, tick, was_missed));
    if (!handled) return std::optional<TimeMs>(now);
  }
  return next;
}

Status Scheduler::RecordSkip(const Declared& d, ScheduleState& state, TimeMs tick_at, int64_t ticks,
                             std::string reason) {
  ScheduleTickWrite w;
  w.schedule = d.def.name;
  w.expect_cursor_at = state.cursor_at;
  w.new_cursor_at = std::max(state.cursor_at, tick_at);
  if (ticks > 0) {
    ScheduleTick t;
    t.schedule = d.def.name;
    t.tick_at = tick_at;
    t.outcome = TickOutcome::kSkipped;
    t.reason = std::move(reason);
    t.ticks = ticks;
    t.recorded_at = clock_.NowMs();
    w.ticks.push_back(t);
  } else {
    logger_.Warn(fmt::format("scheduler: schedule {}: {}", d.def.name, reason));
  }
  SF_RETURN_IF_ERROR(service_.store().RecordScheduleTicks(w));
  state.cursor_at = *w.new_cursor_at;
  for (const ScheduleTick& t : w.ticks) Observe(t);
  return Status::Ok();
}

Result<bool> Scheduler::HandleTick(const Declared& d, ScheduleState& state, TimeMs tick_at, bool missed) {
  const ScheduleDef& def = d.def;
  std::string previous_running;
  if (!state.last_instance_id.empty() && def.overlap != OverlapPolicy::kAllow) {
    SF_ASSIGN_OR_RETURN(std::optional<InstanceRecord> previous, service_.store().GetInstance(state.last_instance_id));
    if (previous && !IsTerminal(previous->status)) previous_running = previous->id;
  }
  if (!previous_running.empty() && def.overlap == OverlapPolicy::kSkip) {
    Status s = RecordSkip(d, state, tick_at, 1,
                          fmt::format("overlap: {} is still running (overlap: skip)", previous_running));
    if (LostRace(s)) return false;
    SF_RETURN_IF_ERROR(s);
    return true;
  }

  ScheduleTick tick;
  tick.schedule = def.name;
  tick.tick_at = tick_at;
  tick.outcome = TickOutcome::kStarted;
  tick.reason = missed ? "catch_up" : "";
  tick.instance_id = ScheduledInstanceId(def.name, tick_at);
  tick.recorded_at = clock_.NowMs();
  if (!previous_running.empty()) tick.reason += (tick.reason.empty() ? "" : "; ") + ("cancel_previous: " + previous_running);

  StartOptions so;
  so.workflow = d.workflow;
  so.input = def.input;
  so.id = tick.instance_id;
  so.started_by = SchedulePrincipal(def.name);
  so.requested_by = so.started_by;
  so.schedule_tick = ScheduleTickWrite{def.name, state.cursor_at, tick_at, {tick}, ""};
  Result<StartResult> started = service_.Start(so);
  if (!started.ok()) {
    if (LostRace(started.status())) return false;
    if (!Permanent(started.status())) return started.status();
    // A start that cannot succeed (the workflow's input changed under a
    // deployed schedule...) is recorded, not retried forever.
    Status s = RecordSkip(d, state, tick_at, 1, "start_failed: " + started.status().message());
    if (LostRace(s)) return false;
    SF_RETURN_IF_ERROR(s);
    return true;
  }
  if (started->outcome == StartOutcome::kExisting) {
    // The tick's instance exists (started by id outside this tick's
    // transaction): it is this tick's one instance; record the tick.
    tick.reason += (tick.reason.empty() ? "" : "; ") + std::string("instance existed");
    ScheduleTickWrite w{def.name, state.cursor_at, tick_at, {tick}, ""};
    Status s = service_.store().RecordScheduleTicks(w);
    if (LostRace(s)) return false;
    SF_RETURN_IF_ERROR(s);
    state.cursor_at = tick_at;
    Observe(tick);
    return true;
  }
  state.cursor_at = tick_at;
  state.last_instance_id = tick.instance_id;
  Observe(tick);
  if (!previous_running.empty()) {
    Result<InstanceRecord> cancelled = service_.Cancel(
        previous_running, SchedulePrincipal(def.name),
        fmt::format("schedule {} started {} (overlap: cancel_previous)", def.name, tick.instance_id));
    if (!cancelled.ok()) {
      logger_.Warn(fmt::format("scheduler: schedule {}: cancelling {}: {}", def.name, previous_running,
                               cancelled.status().ToString()));
    }
  }
  return true;
}

Status Scheduler::Pause(const std::string& name, const std::string& principal, const std::string& reason) {
  std::lock_guard<std::mutex> lock(pass_mu_);
  SF_ASSIGN_OR_RETURN(std::vector<Declared> all, Declarations());
  SF_RETURN_IF_ERROR(FindDeclared(all, name).status());
  SF_RETURN_IF_ERROR(EnsureStored(all));
  return service_.store().SetSchedulePaused(name, true, principal, reason, clock_.NowMs());
}

Status Scheduler::Resume(const std::string& name, const std::string& principal) {
  {
    std::lock_guard<std::mutex> lock(pass_mu_);
    SF_ASSIGN_OR_RETURN(std::vector<Declared> all, Declarations());
    SF_RETURN_IF_ERROR(FindDeclared(all, name).status());
    SF_RETURN_IF_ERROR(EnsureStored(all));
    SF_RETURN_IF_ERROR(service_.store().SetSchedulePaused(name, false, principal, "", clock_.NowMs()));
  }
  Wake();
  return Status::Ok();
}

Result<ScheduleTick> Scheduler::Trigger(const std::string& name, const std::string& principal) {
  std::lock_guard<std::mutex> lock(pass_mu_);
  SF_ASSIGN_OR_RETURN(std::vector<Declared> all, Declarations());
  SF_ASSIGN_OR_RETURN(const Declared* d, FindDeclared(all, name));
  SF_RETURN_IF_ERROR(EnsureStored(all));
  const TimeMs now = clock_.NowMs();
  ScheduleTick tick;
  tick.schedule = name;
  tick.tick_at = now;
  tick.kind = TickKind::kManual;
  tick.outcome = TickOutcome::kStarted;
  tick.reason = "triggered by hand";
  tick.instance_id = "sched:" + name + ":manual:" + CompactUtc(now);
  tick.principal = principal;
  tick.recorded_at = now;
  StartOptions so;
  so.workflow = d->workflow;
  so.input = d->def.input;
  so.id = tick.instance_id;
  so.started_by = principal;
  so.requested_by = principal;
  so.schedule_tick = ScheduleTickWrite{name, std::nullopt, std::nullopt, {tick}, ""};
  Result<StartResult> started = service_.Start(so);
  if (!started.ok() && started.status().code() != StatusCode::kAlreadyExists) return started.status();
  if (!started.ok() || started->outcome == StartOutcome::kExisting) {
    return Status::Conflict(
        fmt::format("schedule {} was triggered at this very millisecond already: try again", name));
  }
  Observe(tick);
  return tick;
}

Result<std::vector<ScheduleTick>> Scheduler::History(const std::string& name, int limit) {
  SF_ASSIGN_OR_RETURN(std::vector<Declared> all, Declarations());
  SF_RETURN_IF_ERROR(FindDeclared(all, name).status());
  return service_.store().ListScheduleTicks(name, limit);
}

void Scheduler::Observe(const ScheduleTick& tick) {
  if (tick.outcome == TickOutcome::kSkipped) {
    logger_.Info(fmt::format("scheduler: schedule {} skipped {} tick(s) at {}: {}", tick.schedule, tick.ticks,
                             FormatRfc3339Utc(tick.tick_at), tick.reason));
  }
  if (observer_) observer_(tick);
}

void Scheduler::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void Scheduler::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Scheduler::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    wake_ = true;
  }
  cv_.notify_all();
}

void Scheduler::Loop() {
  while (true) {
    Result<std::optional<TimeMs>> next = RunDue();
    if (!next.ok()) logger_.Warn("scheduler: " + next.status().ToString());
    int64_t wait_ms = options_.poll_interval_ms;
    if (next.ok() && next->has_value()) {
      wait_ms = std::clamp<int64_t>(**next - clock_.NowMs(), 0, options_.poll_interval_ms);
    }
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, std::chrono::milliseconds(wait_ms), [this] { return stopping_ || wake_; });
    if (stopping_) return;
    wake_ = false;
  }
}

}  // namespace steadfast
