// Running leased tasks: attempts, retries, waits' timeouts, compensations.
#include "runtime/task_executor.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "core/crash_point.h"
#include "definition/duration.h"
#include "runtime/backoff.h"
#include "runtime/history_types.h"
#include "tracing/trace_context.h"

namespace steadfast {
namespace {

bool IsWaiting(InstanceStatus s) {
  return s == InstanceStatus::kWaitingSignal || s == InstanceStatus::kWaitingApproval;
}

// Rebuilds of one checkpoint after optimistic-concurrency conflicts.
constexpr int kMaxConflictRounds = 20;

// Retries of one checkpoint the store refused for a transient reason (busy,
// unavailable), 10 ms doubling: 0.6 s of waits in all. Each try may also
// wait out SQLite's busy timeout (5 s by default), so the worst case, about
// 30 s, stays within half the default 60 s lease.
constexpr int kMaxTransientRetries = 6;

bool IsTransientStoreError(StatusCode c) { return c == StatusCode::kBusy || c == StatusCode::kUnavailable; }

int64_t TransientRetryDelayMs(int failures) { return std::min<int64_t>(1000, int64_t{10} << std::min(failures, 7)); }

std::string IdempotencyKey(const std::string& instance_id, const std::string& step_id, bool compensation) {
  return instance_id + "/" + step_id + (compensation ? "/compensate" : "");
}

// The attempt's own span in the instance's trace (tracing/trace_context.h).
std::string AttemptTraceparent(const InstanceRecord& rec, const std::string& step_id, int attempt, bool compensation) {
  return tracing::FormatTraceparent(tracing::AttemptContext(rec.traceparent, rec.id, step_id, attempt, compensation));
}

std::string StateKey(const StepDef& step, bool compensation) {
  return compensation ? "compensate:" + step.id : step.id;
}

// The step error code of a value nested deeper than kMaxValueDepth (docs/workflows.md).
constexpr const char* kValueTooDeepCode = "value_too_deep";

// A step input that cannot be evaluated fails the attempt for good: the
// same state evaluates the same way next time.
ActivityError InputError(const Status& status) {
  if (IsValueTooDeep(status)) {
    return ActivityError::NonRetryable(kValueTooDeepCode, std::string(ValueTooDeepMessage(status)));
  }
  return ActivityError::NonRetryable("input_error", status.message());
}

}  // namespace

bool TaskExecutor::Run(TaskRecord task) {
  std::optional<LoadedInstance> cached;
  while (true) {
    switch (RunOne(task, cached)) {
      case Next::kContinue:
        if (env_.stopping && env_.stopping()) {
          ReturnUnstarted(task);
          return true;
        }
        continue;
      case Next::kStop: return true;
      case Next::kAbandoned: return false;
    }
  }
}

void TaskExecutor::ReturnUnstarted(const TaskRecord& task) {
  // Not handed back, it would stay leased until a restart released it as
  // "may have started", and a cancel meanwhile would run it to find out.
  Status s = env_.store->ReturnUnstartedTask(task);
  if (!s.ok() && s.code() != StatusCode::kLeaseLost) {
    env_.logger->Warn("task of " + task.instance_id + " stays leased until its lease expires: " + s.ToString());
  }
}

void TaskExecutor::DropTask(const TaskRecord& task) {
  Commit c;
  c.instance_id = task.instance_id;
  c.task_id = task.id;
  c.lease_token = task.lease_token;
  Result<CommitResult> r = env_.store->Apply(std::move(c));
  if (!r.ok() && r.status().code() != StatusCode::kLeaseLost && r.status().code() != StatusCode::kNotFound) {
    env_.logger->Warn("dropping stale task of " + task.instance_id + ": " + r.status().ToString());
  }
}

bool TaskExecutor::TaskStillApplies(const TaskRecord& task, const LoadedInstance& inst) {
  const WorkflowDef& def = *inst.def;
  int idx = task.step_id.empty() ? -1 : def.StepIndex(task.step_id);
  switch (task.kind) {
    case TaskKind::kDeadline:
      // Compensations under way finish; a stop already under way wins.
      return !IsTerminal(inst.rec.status) && inst.rec.status != InstanceStatus::kCompensating &&
             inst.state.stop.is_null();
    case TaskKind::kWaitTimeout:
      return idx >= 0 && IsWaiting(inst.rec.status) && inst.rec.current_step == task.step_id;
    case TaskKind::kRunStep:
      return idx >= 0 && inst.rec.status == InstanceStatus::kRunning && inst.rec.current_step == task.step_id;
    case TaskKind::kCompensate:
      return idx >= 0 && inst.rec.status == InstanceStatus::kCompensating &&
             !inst.state.compensation_queue.empty() && inst.state.compensation_queue.front() == task.step_id;
  }
  return false;
}

TaskExecutor::Next TaskExecutor::RunOne(TaskRecord& task, std::optional<LoadedInstance>& cached) {
  CrashPoint("after_claim", task.step_id);
  if (!cached || cached->rec.id != task.instance_id) {
    cached.reset();
    Result<LoadedInstance> loaded = LoadInstance(*env_.store, *env_.catalog, task.instance_id);
    if (!loaded.ok()) {
      if (loaded.status().code() == StatusCode::kNotFound) {
        DropTask(task);
      } else {
        // Left leased: it is claimed again when the lease expires.
        env_.logger->Error("cannot load " + task.instance_id + ": " + loaded.status().ToString());
      }
      return Next::kStop;
    }
    cached = std::move(loaded).value();
  }
  if (!TaskStillApplies(task, *cached)) {
    DropTask(task);
    return Next::kStop;
  }
  const WorkflowDef& def = *cached->def;
  int idx = task.step_id.empty() ? -1 : def.StepIndex(task.step_id);

  if (cached->state.stop_pending && (task.kind == TaskKind::kRunStep || task.kind == TaskKind::kCompensate)) {
    // A cancel or the deadline waits for this task's attempt. If an earlier
    // claim may have started it, run it again (same idempotency key) to
    // learn and checkpoint its outcome; otherwise nothing ran: stop now.
    bool may_have_started = task.lease_token > 1;
    if (!(may_have_started && def.steps[idx].kind == StepKind::kActivity)) {
      return CommitWith(task, cached, task.step_id, [](LoadedInstance&, Transition& t) -> Status {
        if (!t.StopPending()) return Status::FailedPrecondition("the stop this task waited for is gone");
        t.ActOnStop();
        return Status::Ok();
      });
    }
  }

  switch (task.kind) {
    case TaskKind::kDeadline:
      return CommitWith(task, cached, "", [](LoadedInstance&, Transition& t) {
        return t.RequestStop(StopRequest{StopRequest::Kind::kDeadline, "system:deadline", ""});
      });
    case TaskKind::kWaitTimeout:
      return CommitWith(task, cached, task.step_id, [idx](LoadedInstance& inst, Transition& t) -> Status {
        const StepDef& step = inst.def->steps[idx];
        t.AddEvent(history::kWaitTimedOut, step.id, 0, Value::Map{{"timeout_ms", step.wait_timeout_ms}});
        if (step.kind == StepKind::kSignal) {
          return t.JumpTo(step.on_timeout.empty() ? kTargetFail : step.on_timeout, step, "signal_timeout",
                          "no '" + step.signal + "' signal within " + FormatDurationMs(step.wait_timeout_ms));
        }
        std::string target = step.on_timeout.empty() ? "reject" : step.on_timeout;
        std::string why = "no decision within " + FormatDurationMs(step.wait_timeout_ms);
        if (target != "approve" && target != "reject") return t.JumpTo(target, step, "approval_timeout", why);
        Value context = inst.state.outputs[step.id].Get("context");
        inst.state.outputs[step.id] = Value::Map{{"held", true},
                                                 {"decision", target},
                                                 {"principal", "system:timeout"},
                                                 {"comment", why},
                                                 {"context", context}};
        t.AddEvent(history::kApprovalDecided, step.id, 0,
                   Value::Map{{"principal", "system:timeout"}, {"decision", target}, {"comment", why}});
        if (target == "approve") return t.AdvanceAfter(step);
        return t.JumpTo(step.on_reject.empty() ? kTargetFail : step.on_reject, step, "approval_timeout", why);
      });
    case TaskKind::kRunStep: {
      const StepDef& step = def.steps[idx];
      if (step.kind == StepKind::kActivity) return RunAttempt(task, *cached, step, false, cached);
      // Entering a wait step in a task of its own (after a buffered signal).
      return CommitWith(task, cached, step.id, [idx](LoadedInstance&, Transition& t) {
        return t.AdvanceFrom(static_cast<size_t>(idx));
      });
    }
    case TaskKind::kCompensate:
      return RunAttempt(task, *cached, def.steps[idx], true, cached);
  }
  return Next::kStop;
}

ActivityResult TaskExecutor::Invoke(Activity* activity, ActivityContext& ctx) {
  try {
    ActivityResult result = activity->Run(ctx);
    // An output that could never be stored and read back fails the attempt
    // here, before anything is checkpointed; running it again gives the same.
    if (result.ok()) {
      Status depth = CheckValueDepth(result.output(), "the activity's output");
      if (!depth.ok()) return ActivityError::NonRetryable(kValueTooDeepCode, std::string(ValueTooDeepMessage(depth)));
    }
    return result;
  } catch (const std::exception& e) {
    return ActivityError::Retryable("uncaught_exception", e.what());
  } catch (...) {
    return ActivityError::Retryable("uncaught_exception", "the activity threw a non-standard exception");
  }
}

TaskExecutor::Next TaskExecutor::RunAttempt(TaskRecord& task, LoadedInstance& inst, const StepDef& step,
                                            bool compensation, std::optional<LoadedInstance>& cached) {
  // Each earlier claim of this task may have started the attempt and died.
  int attempt = task.attempt + static_cast<int>(std::max<int64_t>(0, task.lease_token - 1));
  const std::string activity_name = compensation ? step.compensate : step.activity;
  Transition probe(inst, TransitionEnv{Now(), nullptr, "", 0});

  std::optional<ActivityError> early_error;
  Value input;
  if (compensation) {
    if (step.compensate_with.is_null()) {
      auto in = inst.state.inputs.find(step.id);
      auto out = inst.state.outputs.find(step.id);
      input = Value::Map{{"input", in == inst.state.inputs.end() ? Value() : in->second},
                         {"output", out == inst.state.outputs.end() ? Value() : out->second}};
    } else {
      Result<Value> r = step.compensate_with.Evaluate(probe.Scope());
      if (r.ok()) input = std::move(r).value();
      else early_error = InputError(r.status());
    }
  } else {
    Result<Value> r = step.with.Evaluate(probe.Scope());
    if (r.ok()) input = std::move(r).value();
    else early_error = InputError(r.status());
  }
  Activity* activity = env_.registry->Find(activity_name);
  if (!early_error && activity == nullptr) {
    // Retryable: the plugin may be missing from this process only.
    early_error = ActivityError::Retryable("unknown_activity", "activity '" + activity_name + "' is not registered");
  }

  auto running = std::make_shared<RunningAttempt>();
  running->instance_id = inst.rec.id;
  running->task = task;
  running->attempt = attempt;
  running->started_at = Now();
  running->deadline = running->started_at + step.timeout_ms;

  ActivityResult result = ActivityError::Retryable("not_run", "");
  CheckpointWrites writes;  // the attempt's AtCheckpoint writes, committed with its outcome
  if (early_error) {
    // Refused before it ran (bad input, unknown activity): still an attempt.
    result = *early_error;
    if (env_.on_attempt) {
      static const Value::Map kNoAttributes;
      const std::string traceparent = AttemptTraceparent(inst.rec, step.id, attempt, compensation);
      env_.on_attempt(AttemptReport{inst.rec, step.id, activity_name, attempt, compensation, "", traceparent,
                                    running->started_at, running->started_at, result, kNoAttributes});
    }
  } else {
    running->inst = inst;
    if (running->deadline + env_.lease_ms / 4 > task.lease_until) {
      // A long attempt must not outlive its lease, or another worker could
      // claim it. The margin leaves the watchdog time to checkpoint a
      // timeout; it is small enough that attempts with the default timeout
      // (half the lease) need no extra durable write to renew.
      TimeMs until = running->deadline + env_.lease_ms;
      if (env_.store->RenewLease(task.id, task.lease_token, until).ok()) task.lease_until = until;
    }
    if (env_.watch) env_.watch(running);
    CrashPoint("before_activity", step.id);
    ActivityContext::Params p;
    p.input = input;
    p.idempotency_key = IdempotencyKey(inst.rec.id, step.id, compensation);
    p.workflow_id = inst.rec.id;
    p.workflow_name = inst.rec.workflow_name;
    p.step_id = step.id;
    p.activity = activity_name;
    p.attempt = attempt;
    p.deadline_ms = running->deadline;
    p.traceparent = AttemptTraceparent(inst.rec, step.id, attempt, compensation);
    p.storage = env_.store->plugin_storage();
    FieldLogger attempt_logger(*env_.logger, LogFields{inst.rec.id, step.id, attempt, TraceIdOf(p.traceparent)});
    ActivityContext ctx(std::move(p), *env_.clock, attempt_logger, &running->cancelled);
    result = Invoke(activity, ctx);
    writes.writes = ctx.TakeCheckpointWrites();
    if (env_.unwatch) env_.unwatch(running);
    if (running->resolved.exchange(true)) {
      cached.reset();  // the watchdog checkpointed a timeout instead
      return Next::kAbandoned;
    }
    if (env_.on_attempt) {
      env_.on_attempt(AttemptReport{inst.rec, step.id, activity_name, attempt, compensation, ctx.idempotency_key(),
                                    ctx.traceparent(), running->started_at, Now(), result, ctx.trace_attributes()});
    }
    CrashPoint("after_activity", step.id);
  }
  int64_t duration_ms = Now() - running->started_at;

  TimeMs started_at = running->started_at;
  const std::string step_id = step.id;
  int step_index = inst.def->StepIndex(step.id);
  // Rebuilt on fresh state if a signal or decision committed meanwhile.
  return CommitWith(task, cached, step_id, [&, step_index](LoadedInstance& fresh, Transition& t) -> Status {
    const StepDef& s = fresh.def->steps[step_index];
    if (!writes.refused.ok()) {
      // Its plugin writes refused, the attempt's outcome cannot stand as it
      // was: it is recorded as a retryable failure, without them.
      result = ActivityError::Retryable("checkpoint_write_failed", writes.refused.message());
    }
    RecordAbandoned(t, task, s, attempt);
    if (!result.ok()) {
      HandleAttemptFailure(t, fresh, s, task, attempt, result.error(), duration_ms, compensation);
      return Status::Ok();
    }
    fresh.state.last_attempt[StateKey(s, compensation)] = attempt;
    if (compensation) {
      t.AddEvent(history::kCompensationSucceeded, s.id, attempt,
                 Value::Map{{"activity", activity_name}, {"output", result.output()}, {"duration_ms", duration_ms}});
      fresh.state.compensation_queue.erase(fresh.state.compensation_queue.begin());
      t.ContinueCompensation();
      return Status::Ok();
    }
    t.AddEvent(history::kAttemptSucceeded, s.id, attempt,
               Value::Map{{"output", result.output()}, {"duration_ms", duration_ms}, {"started_at", started_at}});
    fresh.state.outputs[s.id] = result.output();
    if (!s.compensate.empty()) fresh.state.inputs[s.id] = input;
    fresh.state.completed.push_back(s.id);
    if (t.StopPending()) {
      // Cancelled (or past the deadline) while this attempt ran: its result
      // is recorded above, and the stop compensates it with the others.
      t.ActOnStop();
      return Status::Ok();
    }
    return t.AdvanceAfter(s);
  }, &writes);
}

void TaskExecutor::RecordAbandoned(Transition& t, const TaskRecord& task, const StepDef& step, int attempt) {
  bool compensation = task.kind == TaskKind::kCompensate;
  for (int a = task.attempt; a < attempt; ++a) {
    Value data = Value::Map{{"reason", "the task's lease expired before the attempt reported (engine stopped or crashed)"},
                            {"activity", compensation ? step.compensate : step.activity}};
    if (compensation) data["compensation"] = true;
    t.AddEvent(history::kAttemptAbandoned, step.id, a, std::move(data));
  }
}

void TaskExecutor::HandleAttemptFailure(Transition& t, LoadedInstance& inst, const StepDef& step,
                                        const TaskRecord& task, int attempt, const ActivityError& error,
                                        int64_t duration_ms, bool compensation) {
  std::string key = StateKey(step, compensation);
  int failures = ++inst.state.failures[key];
  inst.state.last_attempt[key] = attempt;
  bool retryable = error.kind == ErrorKind::kRetryable;
  Value data = Value::Map{{"code", error.code},
                          {"message", error.message},
                          {"retryable", retryable},
                          {"duration_ms", duration_ms},
                          {"activity", compensation ? step.compensate : step.activity}};
  if (!error.details.is_null()) data["details"] = error.details;
  if (compensation) data["compensation"] = true;
  t.AddEvent(history::kAttemptFailed, step.id, attempt, std::move(data));
  if (t.StopPending() && !compensation) {
    t.ActOnStop();  // no retry: the instance is being cancelled
    return;
  }

  FailureContext fc{failures, t.now(), task.step_started_at, step.schedule_to_close_ms};
  RetryDecision d = DecideRetry(step.retry, error, fc, env_.random->NextUnit());
  if (d.retry) {
    TimeMs due = t.now() + d.delay_ms;
    t.AddEvent(history::kRetryScheduled, step.id, attempt + 1,
               Value::Map{{"delay_ms", d.delay_ms}, {"due_at", due}, {"failures", failures}});
    t.ScheduleTask(task.kind, step.id, attempt + 1, due, task.step_started_at);
    return;
  }
  std::string why;
  if (d.reason == "max_attempts") {
    why = " (gave up after " + std::to_string(failures) + " attempts)";
  } else if (d.reason == "schedule_to_close") {
    why = " (schedule-to-close timeout " + FormatDurationMs(step.schedule_to_close_ms) + " reached)";
  } else if (d.reason == "retry_after_beyond_schedule_to_close") {
    TimeMs left = std::max<TimeMs>(0, task.step_started_at + step.schedule_to_close_ms - t.now());
    why = " (the service asked to retry after " + FormatDurationMs(d.delay_ms) + ", past the step's " +
          FormatDurationMs(step.schedule_to_close_ms) + " schedule-to-close timeout with " + FormatDurationMs(left) +
          " left)";
  }
  if (compensation) {
    t.AddEvent(history::kCompensationFailed, step.id, attempt,
               Value::Map{{"code", error.code}, {"message", error.message + why}});
    t.FailWorkflow("compensation_failed",
                   "compensation of step '" + step.id + "' failed: " + error.code + ": " + error.message + why);
    return;
  }
  bool out_of_time = d.reason == "schedule_to_close" || d.reason == "retry_after_beyond_schedule_to_close";
  t.FailStep(step, out_of_time ? "schedule_to_close_timeout" : error.code, error.message + why);
}

TaskExecutor::Next TaskExecutor::CommitWith(TaskRecord& task, std::optional<LoadedInstance>& cached,
                                            const std::string& step_for_crash, const BuildFn& build,
                                            CheckpointWrites* writes) {
  int transient_failures = 0;
  for (int round = 0;; ++round) {
    LoadedInstance& inst = *cached;
    TransitionEnv env{Now(), env_.store, env_.owner, env_.lease_ms};
    Transition t(inst, env);
    Status built = build(inst, t);
    if (!built.ok()) {
      // Nothing is checkpointed; the task runs again when its lease expires.
      env_.logger->Error("cannot advance " + inst.rec.id + ": " + built.ToString());
      cached.reset();
      return Next::kStop;
    }
    std::vector<HistoryEvent> events = t.events();
    Result<CommitResult> r = Checkpoint(t, task, writes);
    if (r.ok()) return AfterCommit(task, inst, *r, std::move(events), step_for_crash);
    StatusCode c = r.status().code();
    cached.reset();
    if (c == StatusCode::kAborted && writes != nullptr && !writes->writes.empty() && round < kMaxConflictRounds) {
      // A plugin write refused: nothing was written. Rebuild on fresh state
      // with the attempt failed and without its writes.
      env_.logger->Warn("checkpoint write of " + task.instance_id + " refused: " + r.status().message());
      writes->refused = r.status();
      writes->writes.clear();
      c = StatusCode::kConflict;
    }
    // A finished attempt is worth keeping: a locked or briefly unavailable
    // store is waited out (bounded) rather than letting the attempt wait a
    // whole lease and run again.
    bool transient = IsTransientStoreError(c) && transient_failures < kMaxTransientRetries;
    if (transient) {
      int64_t delay = TransientRetryDelayMs(transient_failures++);
      env_.logger->Warn("checkpoint of " + task.instance_id + " failed (" + r.status().ToString() + "); retrying in " +
                        std::to_string(delay) + "ms");
      std::this_thread::sleep_for(std::chrono::milliseconds(delay));
    }
    if ((c == StatusCode::kConflict && round < kMaxConflictRounds) || transient) {
      // A client (signal, decision, cancel) committed since we loaded, or
      // the store refused the write: if this task still applies to the
      // fresh state, rebuild on it.
      Result<LoadedInstance> fresh = LoadInstance(*env_.store, *env_.catalog, task.instance_id);
      if (!fresh.ok()) return Next::kStop;
      if (!TaskStillApplies(task, *fresh)) {
        DropTask(task);
        return Next::kStop;
      }
      cached = std::move(fresh).value();
      continue;
    }
    if (c != StatusCode::kConflict && c != StatusCode::kLeaseLost) {
      env_.logger->Error("checkpoint of " + task.instance_id + " failed: " + r.status().ToString());
    }
    return Next::kStop;
  }
}

Result<CommitResult> TaskExecutor::Checkpoint(Transition& t, const TaskRecord& task, const CheckpointWrites* writes) {
  SF_ASSIGN_OR_RETURN(Commit commit, t.Build(task.id, task.lease_token));
  if (writes != nullptr) commit.plugin_writes = writes->writes;  // kept for a rebuild after a conflict
  return env_.store->Apply(std::move(commit));
}

TaskExecutor::Next TaskExecutor::AfterCommit(TaskRecord& task, LoadedInstance& inst, const CommitResult& r,
                                             std::vector<HistoryEvent> events, const std::string& step_for_crash) {
  CrashPoint("after_checkpoint", step_for_crash);
  inst.rec.version = r.instance_version;
  if (env_.observer) env_.observer(inst.rec, events);

  std::optional<TaskRecord> next;
  TimeMs now = Now();
  bool retry_pending = false;
  for (const TaskRecord& created : r.created_tasks) {
    if (!next && created.lease_owner == env_.owner && !env_.owner.empty() && created.due_at <= now) {
      next = created;
      continue;
    }
    if (created.kind == TaskKind::kRunStep || created.kind == TaskKind::kCompensate) retry_pending = true;
    if (env_.on_future_task) env_.on_future_task(created.due_at);
  }
  if (retry_pending) CrashPoint("retry_wait", step_for_crash);
  if (inst.rec.status == InstanceStatus::kWaitingSignal) CrashPoint("signal_wait", inst.rec.current_step);
  if (inst.rec.status == InstanceStatus::kWaitingApproval) CrashPoint("approval_wait", inst.rec.current_step);
  if (!next) return Next::kStop;
  task = *next;
  return Next::kContinue;
}

bool TaskExecutor::AbandonAttempt(const std::shared_ptr<RunningAttempt>& running) {
  if (running->resolved.exchange(true)) return false;  // the worker finished first
  running->cancelled.store(true);
  const TaskRecord& task = running->task;
  bool compensation = task.kind == TaskKind::kCompensate;
  ActivityError timeout = ActivityError::Retryable("start_to_close_timeout", "");
  {
    const WorkflowDef& def = *running->inst.def;
    int idx = def.StepIndex(task.step_id);
    if (idx < 0) return true;
    const StepDef& step = def.steps[idx];
    timeout.message = "the attempt did not finish within " + FormatDurationMs(step.timeout_ms);
    if (env_.on_attempt) {
      static const Value::Map kNoAttributes;  // the activity may still be writing its own
      const std::string& activity = compensation ? step.compensate : step.activity;
      ActivityResult result = timeout;
      const InstanceRecord& rec = running->inst.rec;
      env_.on_attempt(AttemptReport{rec, step.id, activity, running->attempt, compensation,
                                    IdempotencyKey(rec.id, step.id, compensation),
                                    AttemptTraceparent(rec, step.id, running->attempt, compensation),
                                    running->started_at, Now(), result, kNoAttributes});
    }
  }
  LoadedInstance inst = running->inst;
  for (int round = 0;; ++round) {
    const StepDef& step = inst.def->steps[inst.def->StepIndex(task.step_id)];
    // Not leased to this engine: the retry is picked up by the scheduler.
    TransitionEnv env{Now(), env_.store, "", env_.lease_ms};
    Transition t(inst, env);
    RecordAbandoned(t, task, step, running->attempt);
    HandleAttemptFailure(t, inst, step, task, running->attempt, timeout, Now() - running->started_at, compensation);
    std::vector<HistoryEvent> events = t.events();
    Result<CommitResult> r = Checkpoint(t, task);
    if (r.ok()) {
      inst.rec.version = r->instance_version;
      if (env_.observer) env_.observer(inst.rec, events);
      for (const TaskRecord& created : r->created_tasks) {
        if (env_.on_future_task) env_.on_future_task(created.due_at);
      }
      return true;
    }
    // A cancel or a decision committed since the attempt started: record the
    // timeout on the fresh state, so a pending cancel goes ahead now rather
    // than after the lease.
    bool retry = r.status().code() == StatusCode::kConflict && round < kMaxConflictRounds;
    Result<LoadedInstance> fresh =
        retry ? LoadInstance(*env_.store, *env_.catalog, task.instance_id) : Result<LoadedInstance>(r.status());
    if (!fresh.ok() || !TaskStillApplies(task, *fresh)) {
      env_.logger->Warn("timeout checkpoint of " + task.instance_id + ": " + r.status().ToString());
      return true;
    }
    inst = std::move(fresh).value();
  }
}

}  // namespace steadfast
