// Workflow semantics: how an instance moves from one checkpoint to the next.
#include "runtime/transition.h"

#include <algorithm>

#include "definition/duration.h"
#include "runtime/history_types.h"

namespace steadfast {
namespace {

// A workflow may enter at most this many steps (jumps can loop); past it
// the instance fails rather than spinning forever inside one checkpoint.
constexpr int64_t kMaxTransitions = 100000;

}  // namespace

Result<LoadedInstance> LoadInstance(Store& store, WorkflowCatalog& catalog, const std::string& id) {
  SF_ASSIGN_OR_RETURN(std::optional<InstanceRecord> rec, store.GetInstance(id));
  if (!rec) return Status::NotFound("no workflow instance '" + id + "'");
  SF_ASSIGN_OR_RETURN(DefPtr def, catalog.ByHash(rec->definition_hash, store));
  SF_ASSIGN_OR_RETURN(InstanceState state, InstanceState::Decode(rec->state));
  return LoadedInstance{std::move(*rec), std::move(def), std::move(state)};
}

Result<bool> ConditionHolds(const Expression& expr, const Value& scope) {
  SF_ASSIGN_OR_RETURN(Value v, expr.Evaluate(scope));
  if (v.is_bool()) return v.AsBool();
  if (v.is_null()) return false;
  return Status::InvalidArgument("condition '" + expr.text() + "' is a " +
                                 std::string(Value::TypeName(v.type())) + ", not a bool");
}

void Transition::AddEvent(std::string type, std::string step, int attempt, Value data) {
  HistoryEvent e;
  e.instance_id = inst_.rec.id;
  e.at = env_.now;
  e.type = std::move(type);
  e.step_id = std::move(step);
  e.attempt = attempt;
  e.data = std::move(data);
  commit_.events.push_back(std::move(e));
}

Value Transition::Scope() const {
  return Value::Map{
      {"input", inst_.rec.input},
      {"steps", Value(inst_.state.outputs)},
      {"workflow", Value::Map{{"id", inst_.rec.id},
                              {"name", inst_.rec.workflow_name},
                              {"version", inst_.rec.workflow_version},
                              {"requested_by", inst_.rec.requested_by}}},
  };
}

size_t Transition::NextIndex(const StepDef& step) const {
  const WorkflowDef& def = *inst_.def;
  if (step.next.empty()) return static_cast<size_t>(def.StepIndex(step.id)) + 1;
  if (step.next == kTargetEnd) return def.steps.size();
  int i = def.StepIndex(step.next);
  return i < 0 ? def.steps.size() : static_cast<size_t>(i);
}

Status Transition::AdvanceAfter(const StepDef& step) { return AdvanceFrom(NextIndex(step)); }

Status Transition::JumpTo(const std::string& target, const StepDef& from, const std::string& fail_code,
                          const std::string& fail_message) {
  if (target.empty() || target == kTargetFail) {
    FailStep(from, fail_code, fail_message);
    return Status::Ok();
  }
  if (target == kTargetEnd) {
    CompleteWorkflow();
    return Status::Ok();
  }
  if (target == kTargetContinue) return AdvanceFrom(static_cast<size_t>(inst_.def->StepIndex(from.id)) + 1);
  int i = inst_.def->StepIndex(target);
  if (i < 0) {
    FailWorkflow("definition_error", "jump target '" + target + "' is not a step");
    return Status::Ok();
  }
  return AdvanceFrom(static_cast<size_t>(i));
}

Status Transition::AdvanceFrom(size_t i) {
  const WorkflowDef& def = *inst_.def;
  while (true) {
    if (++inst_.state.transitions > kMaxTransitions) {
      FailWorkflow("transition_limit", "the workflow entered more than 100000 steps (a jump loop?)");
      return Status::Ok();
    }
    if (i >= def.steps.size()) {
      CompleteWorkflow();
      return Status::Ok();
    }
    const StepDef& step = def.steps[i];
    if (step.kind != StepKind::kApproval && step.when) {
      Result<bool> holds = ConditionHolds(*step.when, Scope());
      if (!holds.ok()) {
        FailStep(step, "condition_error", holds.status().message());
        return Status::Ok();
      }
      if (!*holds) {
        AddEvent(history::kStepSkipped, step.id, 0, Value::Map{{"when", step.when->text()}});
        inst_.state.outputs.erase(step.id);
        ++i;
        continue;
      }
    }
    switch (step.kind) {
      case StepKind::kActivity: {
        int attempt = inst_.state.last_attempt[step.id] + 1;
        inst_.state.failures[step.id] = 0;
        inst_.rec.status = InstanceStatus::kRunning;
        inst_.rec.current_step = step.id;
        AddEvent(history::kStepScheduled, step.id, attempt, Value::Map{{"activity", step.activity}});
        ScheduleTask(TaskKind::kRunStep, step.id, attempt, env_.now, env_.now);
        return Status::Ok();
      }
      case StepKind::kApproval: {
        bool held = true;
        if (step.when) {
          Result<bool> holds = ConditionHolds(*step.when, Scope());
          if (!holds.ok()) {
            FailStep(step, "condition_error", holds.status().message());
            return Status::Ok();
          }
          held = *holds;
        }
        if (!held) {
          inst_.state.outputs[step.id] = Value::Map{{"held", false}, {"decision", "approve"}};
          AddEvent(history::kApprovalNotRequired, step.id, 0, Value::Map{{"when", step.when->text()}});
          i = NextIndex(step);
          continue;
        }
        EnterApproval(step);
        return Status::Ok();
      }
      case StepKind::kSignal: {
        bool waiting = false;
        SF_RETURN_IF_ERROR(EnterSignal(step, i, &waiting));
        if (waiting) return Status::Ok();
        i = NextIndex(step);
        continue;
      }
    }
  }
}

Status Transition::EnterSignal(const StepDef& step, size_t index, bool* waiting) {
  // A signal that arrived before the instance got here was buffered.
  if (env_.store != nullptr) {
    SF_ASSIGN_OR_RETURN(std::vector<SignalRecord> pending, env_.store->GetPendingSignals(inst_.rec.id, step.signal));
    if (!pending.empty()) {
      if (consumed_signal_) {
        // One commit consumes at most one buffered signal: continue in a new task.
        inst_.rec.status = InstanceStatus::kRunning;
        inst_.rec.current_step = step.id;
        ScheduleTask(TaskKind::kRunStep, step.id, 0, env_.now, env_.now);
        *waiting = true;
        return Status::Ok();
      }
      const SignalRecord& s = pending.front();
      consumed_signal_ = true;
      ConsumeSignal(s.id);
      inst_.state.outputs[step.id] = s.payload;
      AddEvent(history::kSignalReceived, step.id, 0,
               Value::Map{{"signal", s.name}, {"payload", s.payload}, {"principal", s.principal},
                          {"buffered", true}});
      *waiting = false;
      return Status::Ok();
    }
  }
  (void)index;
  inst_.rec.status = InstanceStatus::kWaitingSignal;
  inst_.rec.current_step = step.id;
  Value data = Value::Map{{"kind", "signal"}, {"signal", step.signal}};
  if (step.wait_timeout_ms > 0) {
    data["timeout_at"] = env_.now + step.wait_timeout_ms;
    ScheduleTask(TaskKind::kWaitTimeout, step.id, 0, env_.now + step.wait_timeout_ms, env_.now);
  }
  AddEvent(history::kWaitStarted, step.id, 0, std::move(data));
  *waiting = true;
  return Status::Ok();
}

void Transition::EnterApproval(const StepDef& step) {
  inst_.rec.status = InstanceStatus::kWaitingApproval;
  inst_.rec.current_step = step.id;
  inst_.state.approvals.erase(step.id);
  Value context;
  if (!step.context.is_null()) {
    Result<Value> c = step.context.Evaluate(Scope());
    context = c.ok() ? std::move(c).value() : Value::Map{{"error", c.status().message()}};
  }
  Value data = Value::Map{{"kind", "approval"}, {"context", context}, {"required_approvals", step.required_approvals}};
  if (step.wait_timeout_ms > 0) {
    data["timeout_at"] = env_.now + step.wait_timeout_ms;
    ScheduleTask(TaskKind::kWaitTimeout, step.id, 0, env_.now + step.wait_timeout_ms, env_.now);
  }
  // Reviewers see the context while the step waits.
  inst_.state.outputs[step.id] = Value::Map{{"held", true}, {"decision", Value()}, {"context", context}};
  AddEvent(history::kWaitStarted, step.id, 0, std::move(data));
}

void Transition::FailStep(const StepDef& step, const std::string& code, const std::string& message) {
  InstanceState& st = inst_.state;
  st.failed_step = step.id;
  st.failure_code = code;
  st.failure_message = message;
  AddEvent(history::kStepFailed, step.id, 0, Value::Map{{"code", code}, {"message", message}});
  switch (step.retry.on_exhausted) {
    case ExhaustedAction::kPause:
      inst_.rec.status = InstanceStatus::kPaused;
      inst_.rec.current_step = step.id;
      inst_.rec.error_code = code;
      inst_.rec.error_message = message;
      // The deadline is the instance's, not the step's: it keeps running.
      commit_.delete_step_tasks = true;
      AddEvent(history::kWorkflowPaused, step.id, 0, Value::Map{{"code", code}, {"message", message}});
      return;
    case ExhaustedAction::kCompensate:
      if (CompensableSteps().empty()) break;
      inst_.rec.error_code = code;
      inst_.rec.error_message = message;
      StartCompensation(step.id, code, message);
      return;
    case ExhaustedAction::kFail:
      break;
  }
  FailWorkflow(code, message);
}

std::vector<std::string> Transition::CompensableSteps() const {
  std::vector<std::string> steps;
  const InstanceState& st = inst_.state;
  for (auto it = st.completed.rbegin(); it != st.completed.rend(); ++it) {
    int idx = inst_.def->StepIndex(*it);
    if (idx >= 0 && !inst_.def->steps[idx].compensate.empty()) steps.push_back(*it);
  }
  return steps;
}

void Transition::StartCompensation(const std::string& step, const std::string& code, const std::string& message) {
  InstanceState& st = inst_.state;
  st.compensation_queue = CompensableSteps();
  inst_.rec.status = InstanceStatus::kCompensating;
  commit_.delete_other_tasks = true;
  Value::List steps;
  for (const auto& s : st.compensation_queue) steps.emplace_back(s);
  AddEvent(history::kCompensationStarted, step, 0,
           Value::Map{{"steps", Value(std::move(steps))}, {"code", code}, {"message", message}});
  ContinueCompensation();
}

void Transition::ContinueCompensation() {
  InstanceState& st = inst_.state;
  if (st.compensation_queue.empty()) {
    if (st.stop.Get("kind").StringOr("") == "cancel") {
      EndCancelled();
      return;
    }
    SetTerminal(InstanceStatus::kCompensated);
    inst_.rec.error_code = st.failure_code;
    inst_.rec.error_message = st.failure_message;
    AddEvent(history::kWorkflowCompensated, st.failed_step, 0,
             Value::Map{{"code", st.failure_code}, {"message", st.failure_message}});
    return;
  }
  const std::string& step = st.compensation_queue.front();
  inst_.rec.current_step = step;
  std::string key = "compensate:" + step;
  int attempt = st.last_attempt[key] + 1;
  st.failures[key] = 0;
  ScheduleTask(TaskKind::kCompensate, step, attempt, env_.now, env_.now);
}

void Transition::FailWorkflow(const std::string& code, const std::string& message) {
  SetTerminal(InstanceStatus::kFailed);
  inst_.rec.error_code = code;
  inst_.rec.error_message = message;
  AddEvent(history::kWorkflowFailed, "", 0, Value::Map{{"code", code}, {"message", message}});
}

void Transition::CompleteWorkflow() {
  Value output;
  if (inst_.def->output.is_null()) {
    output = Value(inst_.state.outputs);
  } else {
    Result<Value> r = inst_.def->output.Evaluate(Scope());
    if (!r.ok()) {
      FailWorkflow("output_error", r.status().message());
      return;
    }
    output = std::move(r).value();
  }
  SetTerminal(InstanceStatus::kCompleted);
  inst_.rec.output = output;
  AddEvent(history::kWorkflowCompleted, "", 0, Value::Map{{"output", std::move(output)}});
}

Status Transition::RequestStop(const StopRequest& stop) {
  InstanceState& st = inst_.state;
  const bool cancel = stop.kind == StopRequest::Kind::kCancel;
  st.stop = Value::Map{{"kind", cancel ? "cancel" : "deadline"},
                       {"principal", stop.principal},
                       {"reason", stop.reason},
                       {"requested_at", env_.now}};
  // An attempt task that was ever claimed may have started its activity
  // (here or in a process that died): its result must be checkpointed
  // before the stop, or an effect such as a refund would go unrecorded.
  std::optional<TaskRecord> in_flight;
  if (env_.store != nullptr) {
    SF_ASSIGN_OR_RETURN(std::vector<TaskRecord> tasks, env_.store->GetTasks(inst_.rec.id));
    for (const TaskRecord& task : tasks) {
      bool attempt = task.kind == TaskKind::kRunStep || task.kind == TaskKind::kCompensate;
      if (attempt && task.lease_token > 0) in_flight = task;
    }
  }
  Value data = Value::Map{{"principal", stop.principal}, {"reason", stop.reason}};
  if (!cancel) data = Value::Map{{"deadline_at", inst_.rec.deadline_at}};
  if (in_flight) {
    st.stop_pending = true;
    data["pending"] = true;
    data["waits_for"] = Value::Map{{"step", in_flight->step_id}, {"attempt", in_flight->attempt}};
    AddEvent(cancel ? history::kCancelRequested : history::kDeadlineExceeded, inst_.rec.current_step, 0,
             std::move(data));
    return Status::Ok();
  }
  if (!cancel) AddEvent(history::kDeadlineExceeded, inst_.rec.current_step, 0, std::move(data));
  commit_.require_no_claimed_attempt = true;
  ActOnStop();
  return Status::Ok();
}

void Transition::ActOnStop() {
  InstanceState& st = inst_.state;
  st.stop_pending = false;
  const bool cancel = st.stop.Get("kind").StringOr("") == "cancel";
  std::string code = cancel ? "cancelled" : "workflow_deadline_exceeded";
  std::string message;
  if (cancel) {
    const std::string reason = st.stop.Get("reason").StringOr("");
    message = reason.empty() ? "cancelled by " + st.stop.Get("principal").StringOr("") : reason;
  } else {
    message = "the workflow did not finish within " + FormatDurationMs(inst_.def->deadline_ms);
  }
  st.failed_step = inst_.rec.current_step;
  st.failure_code = code;
  st.failure_message = message;
  if (inst_.def->on_cancel == CancelAction::kCompensate && !CompensableSteps().empty()) {
    inst_.rec.error_code = code;
    inst_.rec.error_message = message;
    StartCompensation(inst_.rec.current_step, code, message);
    return;
  }
  if (cancel) {
    EndCancelled();
  } else {
    FailWorkflow(code, message);
  }
}

void Transition::EndCancelled() {
  const InstanceState& st = inst_.state;
  SetTerminal(InstanceStatus::kCancelled);
  inst_.rec.error_code = st.failure_code;
  inst_.rec.error_message = st.failure_message;
  AddEvent(history::kWorkflowCancelled, "", 0,
           Value::Map{{"principal", st.stop.Get("principal")}, {"reason", st.stop.Get("reason")}});
}

void Transition::SetTerminal(InstanceStatus status) {
  inst_.rec.status = status;
  inst_.rec.current_step.clear();
  commit_.delete_other_tasks = true;
  commit_.new_tasks.clear();
}

void Transition::ScheduleTask(TaskKind kind, const std::string& step, int attempt, TimeMs due,
                              TimeMs step_started_at) {
  NewTask t;
  t.kind = kind;
  t.step_id = step;
  t.attempt = attempt;
  t.due_at = due;
  t.step_started_at = step_started_at;
  bool runs_now = due <= env_.now && (kind == TaskKind::kRunStep || kind == TaskKind::kCompensate);
  if (runs_now && !env_.lease_owner.empty()) {
    t.lease_owner = env_.lease_owner;
    t.lease_until = env_.now + env_.lease_ms;
  }
  commit_.new_tasks.push_back(std::move(t));
}

Result<Commit> Transition::Build(int64_t task_id, int64_t lease_token) {
  inst_.rec.updated_at = env_.now;
  SF_ASSIGN_OR_RETURN(inst_.rec.state, inst_.state.Encode());
  Commit c = std::move(commit_);
  c.instance_id = inst_.rec.id;
  c.expect_version = inst_.rec.version;
  c.task_id = task_id;
  c.lease_token = lease_token;
  c.instance = inst_.rec;
  commit_ = Commit();
  return c;
}

Result<StartRequest> Transition::BuildStart() {
  inst_.rec.updated_at = env_.now;
  SF_ASSIGN_OR_RETURN(inst_.rec.state, inst_.state.Encode());
  StartRequest req;
  req.instance = inst_.rec;
  req.events = std::move(commit_.events);
  req.tasks = std::move(commit_.new_tasks);
  commit_ = Commit();
  return req;
}

}  // namespace steadfast
