// Running leased tasks: an attempt (or compensation) and its checkpoint; a
// wait's timeout, a deadline or a stop as a checkpoint of their own. What
// each outcome does to the instance is Transition's to decide.
#include "runtime/task_executor.h"

#include <algorithm>

#include "core/crash_point.h"
#include "core/trace_context.h"
#include "definition/duration.h"

namespace steadfast {
namespace {

// Rebuilds of one checkpoint after optimistic-concurrency conflicts.
constexpr int kMaxConflictRounds = 20;

// Retries of one checkpoint the store refused for a transient reason (busy,
// unavailable), 10 ms doubling: 0.6 s of waits in all. Each try may also
// wait out SQLite's busy timeout (5 s by default), so the worst case, about
// 30 s, stays within half the default 60 s lease.
constexpr int kMaxTransientRetries = 6;

// A worker's checkpoint keeps its finished attempt through a busy store;
// the watchdog's timeout checkpoint only rebuilds after a conflict.
constexpr CommitPolicy kCheckpointPolicy{kMaxConflictRounds, kMaxTransientRetries};
constexpr CommitPolicy kTimeoutPolicy{kMaxConflictRounds, 0};

// The same for every attempt of a step; from the second run of an instance
// that continued as new on, the run's id takes the instance's place, so a
// step of the next run is never taken for the same step of the last one.
std::string IdempotencyKey(const LoadedInstance& inst, const std::string& step_id, bool compensation) {
  const std::string run = inst.state.run > 1 ? ArchivedRunId(inst.rec.id, inst.state.run) : inst.rec.id;
  return run + "/" + step_id + (compensation ? "/compensate" : "");
}

// The attempt's own span in the instance's trace (core/trace_context.h).
std::string AttemptTraceparent(const InstanceRecord& rec, const std::string& step_id, int attempt, bool compensation) {
  return tracing::FormatTraceparent(tracing::AttemptContext(rec.traceparent, rec.id, step_id, attempt, compensation));
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
        // Just committed: a parent going on with its new child's first step
        // parks itself for the child's end (AfterCommit).
        if (cached && cached->rec.id != task.instance_id && cached->rec.status == InstanceStatus::kWaitingChild) {
          parked_.Park(std::move(*cached));
          cached.reset();
        }
        if (env_.stopping && env_.stopping()) {
          ReturnUnstarted(task);
          return true;
        }
        continue;
      case Next::kStop: return true;
      case Next::kStopInSync:
        if (cached) parked_.Park(std::move(*cached));
        return true;
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

TaskExecutor::Next TaskExecutor::RunOne(TaskRecord& task, std::optional<LoadedInstance>& cached) {
  CrashPoint("after_claim", task.step_id);
  // A parent told of a child's end takes its turn before it is read, so that
  // the parent the turn's last holder parked is still current.
  std::unique_lock<std::mutex> turn;
  if (task.kind == TaskKind::kChildEnded) turn = std::unique_lock<std::mutex>(ParentLock(task.instance_id));
  if (!cached || cached->rec.id != task.instance_id) {
    cached = parked_.Take(task.instance_id, *env_.store);
  }
  if (!cached) {
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
  if (!TaskApplies(task, *cached)) {
    DropTask(task);
    return Next::kStop;
  }
  const WorkflowDef& def = *cached->def;
  // TaskApplies found the step (or, for child tasks, the parallel branch).
  const StepDef* found = task.step_id.empty() ? nullptr : def.FindStepOrBranch(task.step_id);

  if (cached->state.stop_pending && found != nullptr &&
      (task.kind == TaskKind::kRunStep || task.kind == TaskKind::kCompensate)) {
    // A cancel or the deadline waits for this task's attempt. If an earlier
    // claim may have started it, run it again (same idempotency key) to
    // learn and checkpoint its outcome; otherwise nothing ran: stop now.
    // So does a retry of a compensable step, whose failed attempt may have
    // had its effect (Transition::RequestStop): run it to learn the outcome.
    bool may_have_started = LeaseClaims(task.lease_token) > 1;
    bool outcome_open = task.kind == TaskKind::kRunStep && task.attempt > 1 && StopWaitsForRetries(def, *found);
    if (!((may_have_started || outcome_open) && found->kind == StepKind::kActivity)) {
      return CommitWith(task, cached, task.step_id, false,
                        [](LoadedInstance&, Transition& t) { return t.CarryOutPendingStop(); });
    }
  }

  switch (task.kind) {
    case TaskKind::kDeadline:
      return CommitWith(task, cached, "", true, [](LoadedInstance&, Transition& t) {
        return t.RequestStop(StopRequest{StopRequest::Kind::kDeadline, "system:deadline", ""});
      });
    case TaskKind::kWaitTimeout:
      return CommitWith(task, cached, task.step_id, false, [step_id = task.step_id](LoadedInstance&, Transition& t) {
        return t.WaitTimedOut(step_id);
      });
    case TaskKind::kRunStep: {
      const StepDef& step = *found;
      if (step.kind == StepKind::kActivity) return RunAttempt(task, *cached, step, false, cached);
      if (step.kind == StepKind::kForEach && cached->state.elements_total > 0) return CollectElements(task, cached);
      // Entering a wait step in a task of its own (after a buffered signal).
      return CommitWith(task, cached, step.id, false, [step_id = step.id](LoadedInstance&, Transition& t) {
        return t.EnterStep(step_id);
      });
    }
    case TaskKind::kCompensate:
      if (found->kind == StepKind::kChild || found->kind == StepKind::kForEach) return CompensateChild(task, cached);
      return RunAttempt(task, *cached, *found, true, cached);
    case TaskKind::kChildEnded:
      return ChildEnded(task, cached);
    case TaskKind::kStopChild:
      return StopChild(task, *cached);
  }
  return Next::kStop;
}

TaskExecutor::Next TaskExecutor::CollectElements(TaskRecord& task, std::optional<LoadedInstance>& cached) {
  const int64_t total = cached->state.elements_total;
  std::vector<Value> outputs;
  outputs.reserve(static_cast<size_t>(total));
  for (int64_t i = 0; i < total; ++i) {
    const std::string child_id = ChildInstanceId(task.instance_id, cached->state.run, ElementId(task.step_id, i));
    Result<std::optional<InstanceRecord>> child = env_.store->GetInstance(child_id);
    if (!child.ok()) {
      env_.logger->Error("cannot read element " + child_id + ": " + child.status().ToString());
      return Next::kStop;  // runs again when its lease expires
    }
    outputs.push_back(child->has_value() ? (*child)->output : Value());
  }
  return CommitWith(task, cached, task.step_id, false,
                    [step = task.step_id, outputs = std::move(outputs)](LoadedInstance&, Transition& t) {
                      return t.CollectElements(step, outputs);
                    });
}

std::mutex& TaskExecutor::ParentLock(const std::string& instance_id) {
  return parent_locks_[std::hash<std::string>{}(instance_id) % parent_locks_.size()];
}

TaskExecutor::Next TaskExecutor::ChildEnded(TaskRecord& task, std::optional<LoadedInstance>& cached) {
  // The caller holds the parent's turn (ParentLock).
  const std::string child_id = ChildInstanceId(task.instance_id, cached->state.run, task.step_id);
  Result<std::optional<InstanceRecord>> child = env_.store->GetInstance(child_id);
  if (!child.ok()) {
    env_.logger->Error("cannot read child workflow " + child_id + ": " + child.status().ToString());
    return Next::kStop;  // runs again when its lease expires
  }
  if (child->has_value() && !IsTerminal((*child)->status)) {
    DropTask(task);  // stale: the child's own end tells again
    return Next::kStop;
  }
  return CommitWith(task, cached, task.step_id, false,
                    [step = task.step_id, c = std::move(child).value()](LoadedInstance&, Transition& t) {
                      return t.ChildEnded(step, c);
                    });
}

TransitionCommitResult TaskExecutor::CommitOnChild(const std::string& child_id, bool reads_tasks, BuildFn build) {
  TransitionCommitRequest request;
  request.instance_id = child_id;
  request.build = std::move(build);
  request.reads_tasks = reads_tasks;
  request.apply = [this](Commit commit) { return Checkpoint(std::move(commit)); };
  std::optional<LoadedInstance> child;
  TransitionCommitResult r = CommitTransition(CommitEnv("", kCheckpointPolicy), request, child);
  if (r.end == TransitionCommitResult::End::kCommitted) {
    if (env_.observer) env_.observer(child->rec, r.events);
    for (const TaskRecord& created : r.committed.created_tasks) {
      if (env_.on_future_task) env_.on_future_task(created.due_at);
    }
  }
  return r;
}

TaskExecutor::Next TaskExecutor::StopChild(TaskRecord& task, const LoadedInstance& parent) {
  // The parent's stop goes on to the child; the parent acts once the child
  // ended (ChildEnded). A child that is finished, or being stopped, already
  // needs nothing more.
  const std::string child_id = ChildInstanceId(parent.rec.id, parent.state.run, task.step_id);
  const Value& stop = parent.state.stop;
  std::string why;
  if (stop.is_null()) {
    // A parallel branch or for_each element its step no longer needs.
    why = "parent workflow " + parent.rec.id + " no longer needs '" + task.step_id +
          "' (a sibling failed, or the join was reached)";
  } else {
    const std::string what = stop.Get("kind").StringOr("") == "deadline" ? "passed its deadline" : "is being cancelled";
    const std::string reason = stop.Get("reason").StringOr("");
    why = "parent workflow " + parent.rec.id + " " + what + (reason.empty() ? "" : ": " + reason);
  }
  TransitionCommitResult r = CommitOnChild(child_id, true, [&](LoadedInstance&, Transition& t) {
    return t.Cancel("workflow:" + parent.rec.id, why);
  });
  using End = TransitionCommitResult::End;
  const bool settled = r.end == End::kCommitted || r.end == End::kUnchanged ||
                       r.status.code() == StatusCode::kFailedPrecondition || r.status.code() == StatusCode::kNotFound;
  if (!settled) {
    env_.logger->Warn("cancel of child workflow " + child_id + ": " + r.status.ToString() +
                      "; tried again when the task's lease expires");
    return Next::kStop;
  }
  CrashPoint("after_child_stop", task.step_id);
  DropTask(task);
  return Next::kStop;
}

TaskExecutor::Next TaskExecutor::CompensateChild(TaskRecord& task, std::optional<LoadedInstance>& cached) {
  const std::string child_id = ChildInstanceId(task.instance_id, cached->state.run, task.step_id);
  const std::string why = "parent workflow " + task.instance_id + " is compensating (" +
                          cached->state.failure_code + ": " + cached->state.failure_message + ")";
  TransitionCommitResult r =
      CommitOnChild(child_id, false, [&](LoadedInstance&, Transition& t) { return t.CompensateForParent(why); });
  using End = TransitionCommitResult::End;
  if (r.end == End::kCommitted) {
    // The child compensates; its end tells this instance (kChildEnded).
    CrashPoint("after_child_compensation_started", task.step_id);
    DropTask(task);
    return Next::kStop;
  }
  const bool gone = r.status.code() == StatusCode::kNotFound;
  if (r.end != End::kUnchanged && !gone) {
    env_.logger->Warn("compensation of child workflow " + child_id + ": " + r.status.ToString() +
                      "; tried again when the task's lease expires");
    return Next::kStop;
  }
  // Nothing to undo, already compensating, or gone: ChildEnded decides.
  std::lock_guard<std::mutex> turn(ParentLock(task.instance_id));
  return ChildEnded(task, cached);
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
  int attempt = task.attempt + static_cast<int>(std::max<int64_t>(0, LeaseClaims(task.lease_token) - 1));
  const std::string activity_name = compensation ? step.compensate : step.activity;
  std::optional<ActivityError> early_error;
  Value input;
  Result<Value> evaluated = AttemptInput(inst, step, compensation);
  if (evaluated.ok()) {
    input = std::move(evaluated).value();
  } else {
    early_error = InputError(evaluated.status());
  }
  if (env_.gate != nullptr && !activity_name.empty() &&
      (env_.gate->IsHeld(activity_name) || (task.activity.empty() && env_.gate->IsLimited(activity_name)))) {
    // Held (the kill switch), or a limited activity's task that reached
    // this worker without a claim that counted it (a row stored before
    // tasks knew their activity): hand it back unstarted, naming its
    // activity, so claims keep it waiting while held and count it when
    // limited. Not an attempt: nothing is recorded, no retry is used.
    task.activity = activity_name;
    ReturnUnstarted(task);
    return Next::kStop;
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
    p.idempotency_key = IdempotencyKey(inst, step.id, compensation);
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
  AttemptEnd end;
  end.task = task;
  end.attempt = attempt;
  end.started_at = running->started_at;
  end.duration_ms = Now() - running->started_at;
  end.input = std::move(input);
  end.result = std::move(result);
  // Rebuilt on fresh state if a signal or decision committed meanwhile.
  return CommitWith(
      task, cached, task.step_id, false,
      [end = std::move(end), &writes](LoadedInstance&, Transition& t) {
        if (writes.refused.ok()) return t.AttemptEnded(end);
        // Its plugin writes refused, the attempt's outcome cannot stand as
        // it was: it is recorded as a retryable failure, without them.
        AttemptEnd failed = end;
        failed.result = ActivityError::Retryable("checkpoint_write_failed", writes.refused.message());
        return t.AttemptEnded(failed);
      },
      &writes);
}

TaskExecutor::Next TaskExecutor::CommitWith(TaskRecord& task, std::optional<LoadedInstance>& cached,
                                            const std::string& step_for_crash, bool reads_tasks, BuildFn build,
                                            CheckpointWrites* writes) {
  TransitionCommitRequest request;
  request.instance_id = task.instance_id;
  request.build = std::move(build);
  request.reads_tasks = reads_tasks;
  request.task_id = task.id;
  request.lease_token = task.lease_token;
  const TaskRecord claimed = task;
  request.still_applies = [&claimed](const LoadedInstance& fresh) { return TaskApplies(claimed, fresh); };
  request.apply = [this, writes](Commit commit) {
    if (writes != nullptr) commit.plugin_writes = writes->writes;  // kept for a rebuild after a conflict
    return Checkpoint(std::move(commit));
  };
  if (writes != nullptr && !writes->writes.empty()) {
    request.on_aborted = [this, writes, &task](const Status& refused) {
      if (writes->writes.empty()) return false;
      // A plugin write refused: nothing was written. Rebuild on fresh state
      // with the attempt failed and without its writes.
      env_.logger->Warn("checkpoint write of " + task.instance_id + " refused: " + refused.message());
      writes->refused = refused;
      writes->writes.clear();
      return true;
    };
  }
  TransitionCommitResult r = CommitTransition(CommitEnv(env_.owner, kCheckpointPolicy), request, cached);
  using End = TransitionCommitResult::End;
  switch (r.end) {
    case End::kCommitted: {
      ReportOtherInstances(r, env_.observer);
      Next next = AfterCommit(task, *cached, r.committed, std::move(r.events), step_for_crash);
      // The next run has another definition: the buffered signals were
      // read for the last one's signal steps, so the next task reads afresh.
      if (r.filed_run && r.filed_run->next_definition) cached.reset();
      return next;
    }
    case End::kUnchanged:
    case End::kLoadFailed:
      return Next::kStop;
    case End::kBuildFailed:
      // Nothing is checkpointed; the task runs again when its lease expires.
      env_.logger->Error("cannot advance " + task.instance_id + ": " + r.status.ToString());
      return Next::kStop;
    case End::kNoLongerApplies:
      DropTask(task);
      return Next::kStop;
    case End::kCommitFailed:
      if (r.status.code() == StatusCode::kConflict &&
          (task.kind == TaskKind::kChildEnded || task.kind == TaskKind::kStopChild)) {
        // It runs no activity: handed back, it is claimed again at once
        // rather than after its lease (another process kept the parent busy).
        ReturnUnstarted(task);
        return Next::kStop;
      }
      if (r.status.code() != StatusCode::kConflict && r.status.code() != StatusCode::kLeaseLost) {
        // Nothing of the attempt is recorded (a full disk refuses the lease
        // renewal too): say when it runs again, so an operator freeing space
        // knows what to expect.
        env_.logger->Error("checkpoint of " + task.instance_id + " failed: " + r.status.ToString() +
                           "; the attempt of step '" + task.step_id + "' runs again once its lease expires, in " +
                           FormatDurationMs(std::max<TimeMs>(0, task.lease_until - Now())));
      }
      return Next::kStop;
  }
  return Next::kStop;
}

Result<CommitResult> TaskExecutor::Checkpoint(Commit commit) { return env_.store->Apply(std::move(commit)); }

TransitionCommitEnv TaskExecutor::CommitEnv(std::string lease_owner, CommitPolicy policy) const {
  TransitionCommitEnv env;
  env.store = env_.store;
  env.catalog = env_.catalog;
  env.clock = env_.clock;
  env.random = env_.random;
  env.logger = env_.logger;
  env.lease_owner = std::move(lease_owner);
  env.lease_ms = env_.lease_ms;
  env.gate = env_.gate;
  env.policy = policy;
  env.sleep = env_.sleep;
  return env;
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
    const bool mine_now = created.lease_owner == env_.owner && !env_.owner.empty() && created.due_at <= now;
    if (!next && mine_now) {
      next = created;
      continue;
    }
    if (mine_now && env_.enqueue) {
      env_.enqueue(created);  // a child workflow's first step, or a parent told of its child
      continue;
    }
    if (created.kind == TaskKind::kRunStep || created.kind == TaskKind::kCompensate) retry_pending = true;
    if (env_.on_future_task) env_.on_future_task(created.due_at);
  }
  if (retry_pending) CrashPoint("retry_wait", step_for_crash);
  if (inst.rec.status == InstanceStatus::kWaitingSignal) CrashPoint("signal_wait", inst.rec.current_step);
  if (inst.rec.status == InstanceStatus::kWaitingApproval) CrashPoint("approval_wait", inst.rec.current_step);
  if (inst.rec.status == InstanceStatus::kSleeping) CrashPoint("sleep_wait", inst.rec.current_step);
  if (!next) return inst.rec.status == InstanceStatus::kWaitingChild ? Next::kStopInSync : Next::kStop;
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
                                    IdempotencyKey(running->inst, step.id, compensation),
                                    AttemptTraceparent(rec, step.id, running->attempt, compensation),
                                    running->started_at, Now(), result, kNoAttributes});
    }
  }
  // Not leased to this engine: the retry is picked up by the scheduler.
  TransitionCommitRequest request;
  request.instance_id = task.instance_id;
  request.build = [&](LoadedInstance&, Transition& t) {
    AttemptEnd end;
    end.task = task;
    end.attempt = running->attempt;
    end.started_at = running->started_at;
    end.duration_ms = Now() - running->started_at;
    end.result = timeout;
    return t.AttemptEnded(end);
  };
  request.task_id = task.id;
  request.lease_token = task.lease_token;
  // A cancel or a decision committed since the attempt started: record the
  // timeout on the fresh state, so a pending cancel goes ahead now rather
  // than after the lease.
  request.still_applies = [&task](const LoadedInstance& fresh) { return TaskApplies(task, fresh); };
  request.apply = [this](Commit commit) { return Checkpoint(std::move(commit)); };
  std::optional<LoadedInstance> inst = running->inst;
  TransitionCommitResult r = CommitTransition(CommitEnv("", kTimeoutPolicy), request, inst);
  if (r.end != TransitionCommitResult::End::kCommitted) {
    const Status& why = r.last_commit.ok() ? r.status : r.last_commit;
    env_.logger->Warn("timeout checkpoint of " + task.instance_id + ": " + why.ToString());
    return true;
  }
  ReportOtherInstances(r, env_.observer);
  if (env_.observer) env_.observer(inst->rec, r.events);
  for (const TaskRecord& created : r.committed.created_tasks) {
    if (env_.on_future_task) env_.on_future_task(created.due_at);
  }
  return true;
}

}  // namespace steadfast
