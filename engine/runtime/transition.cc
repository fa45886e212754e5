// Workflow semantics: how each event moves an instance from one checkpoint
// to the next.
#include "runtime/transition.h"

#include <algorithm>

#include "definition/duration.h"
#include "definition/input_check.h"
#include "runtime/backoff.h"
#include "runtime/four_eyes.h"
#include "runtime/wake_time.h"
#include "steadfast/history.h"

namespace steadfast {
namespace {

// One checkpoint may enter at most this many steps. Only steps that neither
// run nor wait (skipped ones, approvals not needed, sleeps already due)
// follow each other within one; so many of them in a row is a jump loop
// that would spin forever, holding the instance, and the instance fails.
// A workflow's life is not limited: continue_as_new bounds its history.
constexpr int64_t kMaxStepsPerCheckpoint = 10000;

// Parked on a timer of the current step (a wait's timeout, a sleep's wake).
bool IsWaiting(InstanceStatus s) {
  return s == InstanceStatus::kWaitingSignal || s == InstanceStatus::kWaitingApproval ||
         s == InstanceStatus::kSleeping;
}

// Retry bookkeeping (failures, last attempt) is per step, and apart for its compensation.
std::string StateKey(const StepDef& step, bool compensation) {
  return compensation ? "compensate:" + step.id : step.id;
}

}  // namespace

Result<bool> ConditionHolds(const Expression& expr, const ExpressionScope& scope) {
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

ExpressionScope InstanceScope(const LoadedInstance& inst) {
  ExpressionScope scope;
  scope.Bind("input", &inst.rec.input);
  scope.Bind("steps", &inst.state.outputs);
  scope.Set("workflow", Value::Map{{"id", inst.rec.id},
                                   {"name", inst.rec.workflow_name},
                                   {"version", inst.rec.workflow_version},
                                   {"requested_by", inst.rec.requested_by},
                                   {"run", inst.state.run},
                                   {"steps_entered", inst.state.transitions}});
  return scope;
}

ExpressionScope Transition::Scope() const { return InstanceScope(inst_); }

Result<Value> AttemptInput(const LoadedInstance& inst, const StepDef& step, bool compensation) {
  if (!compensation) return step.with.Evaluate(InstanceScope(inst));
  if (!step.compensate_with.is_null()) return step.compensate_with.Evaluate(InstanceScope(inst));
  // By default a compensation sees what the step was given and what it returned.
  auto in = inst.state.inputs.find(step.id);
  auto out = inst.state.outputs.find(step.id);
  return Value(Value::Map{{"input", in == inst.state.inputs.end() ? Value() : in->second},
                          {"output", out == inst.state.outputs.end() ? Value() : out->second}});
}

bool TaskApplies(const TaskRecord& task, const LoadedInstance& inst) {
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
      return def.FindStepOrBranch(task.step_id) != nullptr && inst.rec.status == InstanceStatus::kCompensating &&
             !inst.state.compensation_queue.empty() && inst.state.compensation_queue.front() == task.step_id;
    case TaskKind::kChildEnded: {
      // Waiting for the child (or a parallel step for its branch), or for
      // the child's compensation.
      const StepDef* step = def.FindStepOrBranch(task.step_id);
      if (step == nullptr || (step->kind != StepKind::kChild && step->kind != StepKind::kForEach)) return false;
      const StepDef* parallel = def.ParallelOf(task.step_id);
      const std::string& waiting_step = parallel != nullptr ? parallel->id : step->id;
      if (inst.rec.status == InstanceStatus::kWaitingChild) return inst.rec.current_step == waiting_step;
      return inst.rec.status == InstanceStatus::kCompensating && !inst.state.compensation_queue.empty() &&
             inst.state.compensation_queue.front() == task.step_id;
    }
    case TaskKind::kStopChild: {
      if (inst.rec.status != InstanceStatus::kWaitingChild) return false;
      const StepDef* parallel = def.ParallelOf(task.step_id);
      const StepDef* step = def.FindStepOrBranch(task.step_id);
      if (parallel != nullptr || (step != nullptr && step->kind == StepKind::kForEach)) {
        // A branch or an element the step no longer needs.
        auto branch = inst.state.branches.find(task.step_id);
        return inst.rec.current_step == (parallel != nullptr ? parallel->id : step->id) &&
               branch != inst.state.branches.end() && branch->second == kBranchCancelling;
      }
      return idx >= 0 && inst.rec.current_step == task.step_id && inst.state.stop_pending;
    }
  }
  return false;
}

const StepDef* Transition::FindStep(const std::string& step_id) const {
  int idx = step_id.empty() ? -1 : inst_.def->StepIndex(step_id);
  return idx < 0 ? nullptr : &inst_.def->steps[idx];
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
    ++inst_.state.transitions;
    if (++entered_ > kMaxStepsPerCheckpoint) {
      FailWorkflow("step_loop", "the workflow entered " + std::to_string(kMaxStepsPerCheckpoint) +
                                    " steps in a row without running or waiting for anything (a jump loop?)");
      return Status::Ok();
    }
    if (i >= def.steps.size()) {
      CompleteWorkflow();
      return Status::Ok();
    }
    const StepDef& step = def.steps[i];
    if (PausePending()) {
      // An operator paused the instance while the previous attempt ran:
      // nothing further runs (not even this step's condition) until resumed.
      TakePause(step.id);
      return Status::Ok();
    }
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
        SF_RETURN_IF_ERROR(EnterSignal(step, &waiting));
        if (waiting) return Status::Ok();
        i = NextIndex(step);
        continue;
      }
      case StepKind::kSleep: {
        if (EnterSleep(step)) return Status::Ok();
        i = NextIndex(step);
        continue;
      }
      case StepKind::kContinueAsNew:
        return ContinueAsNew(step);
      case StepKind::kChild:
        return EnterChild(step);
      case StepKind::kParallel:
        return EnterParallel(step);
      case StepKind::kForEach:
        return EnterForEach(step);
    }
  }
}

bool Transition::EnterSleep(const StepDef& step) {
  // A sleep an operator paused keeps its wake time when resumed; any other
  // entry (the first, a loop back, a retry) starts a new sleep.
  Value& out = inst_.state.outputs[step.id];
  TimeMs wake = 0;
  const bool resumed = out.Get("wake_at").is_int() && out.Find("woke_at") == nullptr;
  if (resumed) {
    wake = out.Get("wake_at").AsInt();
  } else {
    Result<TimeMs> at = WakeTime(step, Scope(), env_.now);
    if (!at.ok()) {
      inst_.state.outputs.erase(step.id);
      FailStep(step, "invalid_sleep", at.status().message());
      return true;
    }
    wake = *at;
    out = Value::Map{{"wake_at", wake}};
    AddEvent(history::kSleepStarted, step.id, 0, Value::Map{{"wake_at", wake}, {"sleep_ms", wake - env_.now}});
  }
  if (wake <= env_.now) {
    WakeUp(step);
    return false;
  }
  inst_.rec.status = InstanceStatus::kSleeping;
  inst_.rec.current_step = step.id;
  ScheduleTask(TaskKind::kWaitTimeout, step.id, 0, wake, env_.now);
  return true;
}

Status Transition::ContinueAsNew(const StepDef& step) {
  if (starting_ || commit_.continue_as_new.has_value()) {
    // A run ends in a checkpoint of an instance that exists, and at most
    // one per checkpoint: a run that reaches its end at once (the first
    // one, while the instance is being started, or the one just begun)
    // ends in a task of its own.
    EnterInATaskOfItsOwn(step);
    return Status::Ok();
  }
  Value next_input = inst_.rec.input;
  if (!step.next_input.is_null()) {
    Result<Value> in = step.next_input.Evaluate(Scope());
    if (!in.ok()) {
      FailStep(step, "continue_error", in.status().message());
      return Status::Ok();
    }
    next_input = std::move(in).value();
  }
  DefPtr next_def = inst_.def;
  if (step.next_version >= 0) {
    Result<DefPtr> found = env_.catalog != nullptr
                               ? env_.catalog->Find(inst_.def->name, step.next_version)
                               : Result<DefPtr>(Status::Unavailable("no workflow catalog at hand"));
    if (!found.ok()) {
      FailStep(step, "continue_error", "the next run's definition: " + found.status().message());
      return Status::Ok();
    }
    next_def = std::move(found).value();
  }
  Status valid = ValidateInput(*next_def, next_input);
  if (valid.ok()) valid = CheckValueDepth(next_input, "the next run's input");
  if (!valid.ok()) {
    FailStep(step, "invalid_input", "the next run's input: " + valid.message());
    return Status::Ok();
  }
  const int64_t run = inst_.state.run;
  const std::string run_id = ArchivedRunId(inst_.rec.id, run);
  AddEvent(history::kWorkflowContinuedAsNew, step.id, 0,
           Value::Map{{"continued_as", inst_.rec.id},
                      {"next_run", run + 1},
                      {"input", next_input},
                      {"version", next_def->version}});

  // The run that ends, filed under its own id with the history so far and
  // this checkpoint's events up to here.
  RunArchive archive;
  InstanceRecord& done = archive.run;
  done = inst_.rec;
  done.id = run_id;
  done.status = InstanceStatus::kContinued;
  done.current_step.clear();
  done.output = Value::Map{{"continued_as", inst_.rec.id}, {"next_run", run + 1}};
  done.error_code.clear();
  done.error_message.clear();
  InstanceState last = inst_.state;
  last.pause_request = Value();
  SF_ASSIGN_OR_RETURN(done.state, last.Encode());
  done.idempotency_key.clear();  // the instance keeps its key, and its search keys
  done.search_keys.clear();
  done.links = {InstanceLink{inst_.rec.id, inst_.rec.traceparent}};
  done.parent_id.clear();  // the parent waits for the instance, not for one of its runs
  done.parent_step.clear();
  done.created_at = inst_.state.run_started_at != 0 ? inst_.state.run_started_at : inst_.rec.created_at;
  done.updated_at = env_.now;
  done.deadline_at = 0;
  archive.events = std::move(commit_.events);
  commit_.events.clear();
  archive.next_input = next_input;
  if (next_def->hash != inst_.def->hash) {
    archive.next_definition = DefinitionRecord{next_def->hash, next_def->name, next_def->version, next_def->source,
                                               env_.now};
  }
  commit_.continue_as_new = std::move(archive);

  // The next run: the same instance from its first step, with nothing of
  // the last run but what its input carries over.
  InstanceState fresh;
  fresh.run = run + 1;
  fresh.run_started_at = env_.now;
  inst_.state = std::move(fresh);
  if (next_def->hash != inst_.def->hash) {
    retired_def_ = inst_.def;  // `step` and callers' references point into it
    inst_.def = next_def;
    inst_.rec.workflow_version = next_def->version;
    inst_.rec.definition_hash = next_def->hash;
    signals_unread_ = true;
  }
  // The store files every signal consumed so far, this commit's included,
  // with the run that ends: the next run takes its first buffered signal
  // in a checkpoint of its own.
  consumed_signal_ = true;
  inst_.rec.input = next_input;
  inst_.rec.output = Value();
  inst_.rec.error_code.clear();
  inst_.rec.error_message.clear();
  commit_.delete_other_tasks = true;
  commit_.new_tasks.clear();
  inst_.rec.deadline_at = inst_.def->deadline_ms > 0 ? env_.now + inst_.def->deadline_ms : 0;
  if (inst_.rec.deadline_at > 0) ScheduleTask(TaskKind::kDeadline, "", 0, inst_.rec.deadline_at, env_.now);
  AddEvent(history::kRunStarted, "", 0,
           Value::Map{{"run", run + 1},
                      {"previous_run", run_id},
                      {"input", next_input},
                      {"version", inst_.def->version},
                      {"definition_hash", inst_.def->hash}});
  return AdvanceFrom(0);
}

void Transition::WakeUp(const StepDef& step) {
  Value& out = inst_.state.outputs[step.id];
  const TimeMs wake = out.Get("wake_at").IntOr(env_.now);
  out["woke_at"] = env_.now;
  AddEvent(history::kSleepEnded, step.id, 0, Value::Map{{"wake_at", wake}, {"late_ms", env_.now - wake}});
}

void Transition::EnterInATaskOfItsOwn(const StepDef& step) {
  inst_.rec.status = InstanceStatus::kRunning;
  inst_.rec.current_step = step.id;
  ScheduleTask(TaskKind::kRunStep, step.id, 0, env_.now, env_.now);
}

Status Transition::EnterSignal(const StepDef& step, bool* waiting) {
  // A signal that arrived before the instance got here was buffered. One
  // commit consumes at most one, and after a continue_as_new onto another
  // definition the instance was read for other signal names: either way
  // the step looks for its signal in a task of its own.
  auto buffered = inst_.pending_signals.find(step.signal);
  const bool has_buffered = buffered != inst_.pending_signals.end() && !buffered->second.empty();
  if (signals_unread_ || (has_buffered && consumed_signal_)) {
    EnterInATaskOfItsOwn(step);
    *waiting = true;
    return Status::Ok();
  }
  if (has_buffered) {
    const SignalRecord& s = buffered->second.front();
    consumed_signal_ = true;
    commit_.consume_signal_id = s.id;
    inst_.state.outputs[step.id] = s.payload;
    AddEvent(history::kSignalReceived, step.id, 0,
             Value::Map{{"signal", s.name}, {"payload", s.payload}, {"principal", s.principal}, {"buffered", true}});
    *waiting = false;
    return Status::Ok();
  }
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
  st.pause_request = Value();  // the step's on_exhausted decides now
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
    const StepDef* step = inst_.def->FindStepOrBranch(*it);
    if (step == nullptr || !Compensable(*step)) continue;
    if (step->kind == StepKind::kForEach) {
      // Its elements, the last started first.
      auto started = st.inputs.find(*it);
      for (int64_t i = started == st.inputs.end() ? 0 : started->second.IntOr(0); i > 0; --i) {
        steps.push_back(ElementId(*it, i - 1));
      }
      continue;
    }
    steps.push_back(*it);
  }
  return steps;
}

void Transition::StartCompensation(const std::string& step, const std::string& code, const std::string& message) {
  InstanceState& st = inst_.state;
  st.compensation_queue = CompensableSteps();
  st.pause_request = Value();  // compensations run to the end
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

bool StopWaitsForRetries(const WorkflowDef& def, const StepDef& step) {
  return step.kind == StepKind::kActivity && !step.compensate.empty() && def.on_cancel == CancelAction::kCompensate;
}

Status Transition::RequestStop(const StopRequest& stop) {
  if (!inst_.tasks) return Status::Internal("a stop needs the instance's tasks, and they were not read");
  InstanceState& st = inst_.state;
  const bool cancel = stop.kind == StopRequest::Kind::kCancel;
  st.stop = Value::Map{{"kind", cancel ? "cancel" : "deadline"},
                       {"principal", stop.principal},
                       {"reason", stop.reason},
                       {"requested_at", env_.now}};
  // An attempt task that was ever claimed may have started its activity
  // (here or in a process that died): its result must be checkpointed
  // before the stop, or an effect such as a refund would go unrecorded.
  // So must the outcome of a compensable step waiting to retry: its failed
  // attempt may have had the effect all the same.
  if (inst_.rec.status == InstanceStatus::kWaitingChild) {
    // A child runs like an attempt in flight: it is cancelled (a task of
    // its own, so the cancel survives a crash), and the stop acts once it
    // ended; a parallel step's branches all the same.
    st.stop_pending = true;
    Value data = cancel ? Value::Map{{"principal", stop.principal}, {"reason", stop.reason}}
                        : Value::Map{{"deadline_at", inst_.rec.deadline_at}};
    data["pending"] = true;
    const StepDef* waiting = FindStep(inst_.rec.current_step);
    if (waiting != nullptr && (waiting->kind == StepKind::kParallel || waiting->kind == StepKind::kForEach)) {
      Value::List children;
      for (const auto& [branch, status] : st.branches) {
        if (BranchInFlight(status)) {
          children.emplace_back(ChildInstanceId(inst_.rec.id, st.run, branch));
        }
      }
      data["waits_for"] = Value::Map{{"step", inst_.rec.current_step}, {"children", Value(std::move(children))}};
      AddEvent(cancel ? history::kCancelRequested : history::kDeadlineExceeded, inst_.rec.current_step, 0,
               std::move(data));
      CancelRunningBranches("stop");
      return Status::Ok();
    }
    const std::string child = ChildInstanceId(inst_.rec.id, st.run, inst_.rec.current_step);
    data["waits_for"] = Value::Map{{"step", inst_.rec.current_step}, {"child", child}};
    AddEvent(cancel ? history::kCancelRequested : history::kDeadlineExceeded, inst_.rec.current_step, 0,
             std::move(data));
    ScheduleTask(TaskKind::kStopChild, inst_.rec.current_step, 0, env_.now, env_.now);
    return Status::Ok();
  }
  std::optional<TaskRecord> in_flight;
  for (const TaskRecord& task : *inst_.tasks) {
    bool attempt = task.kind == TaskKind::kRunStep || task.kind == TaskKind::kCompensate;
    const StepDef* step = task.kind == TaskKind::kRunStep && task.attempt > 1 ? FindStep(task.step_id) : nullptr;
    bool retry_of_open_outcome = step != nullptr && StopWaitsForRetries(*inst_.def, *step);
    if (attempt && (LeaseClaims(task.lease_token) > 0 || retry_of_open_outcome)) in_flight = task;
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
  st.pause_request = Value();  // the stop wins over a pause
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

Status Transition::Start() {
  starting_ = true;
  const InstanceRecord& r = inst_.rec;
  AddEvent(history::kWorkflowStarted, "", 0,
           Value::Map{{"workflow", inst_.def->name},
                      {"version", inst_.def->version},
                      {"definition_hash", inst_.def->hash},
                      {"input", r.input},
                      {"requested_by", r.requested_by},
                      {"started_by", r.started_by},
                      {"idempotency_key", r.idempotency_key}});
  if (r.deadline_at > 0) ScheduleTask(TaskKind::kDeadline, "", 0, r.deadline_at, env_.now);
  return AdvanceFrom(0);
}

Status Transition::AttemptEnded(const AttemptEnd& end) {
  const StepDef* step = FindStep(end.task.step_id);
  if (step == nullptr) return Status::Internal("an attempt of unknown step '" + end.task.step_id + "' ended");
  RecordLostAttempts(end, *step);
  if (end.result.ok()) return AttemptSucceeded(end, *step);
  if (env_.random == nullptr) return Status::Internal("a failed attempt needs a random source for its retry");
  AttemptFailed(end, *step);
  return Status::Ok();
}

void Transition::RecordLostAttempts(const AttemptEnd& end, const StepDef& step) {
  // Each earlier claim of the task may have started its attempt and died.
  bool compensation = end.task.kind == TaskKind::kCompensate;
  for (int a = end.task.attempt; a < end.attempt; ++a) {
    Value data = Value::Map{{"reason", "the task's lease expired before the attempt reported (engine stopped or crashed)"},
                            {"activity", compensation ? step.compensate : step.activity}};
    if (compensation) data["compensation"] = true;
    AddEvent(history::kAttemptAbandoned, step.id, a, std::move(data));
  }
}

Status Transition::AttemptSucceeded(const AttemptEnd& end, const StepDef& step) {
  InstanceState& st = inst_.state;
  const bool compensation = end.task.kind == TaskKind::kCompensate;
  const Value& output = end.result.output();
  st.last_attempt[StateKey(step, compensation)] = end.attempt;
  if (compensation) {
    AddEvent(history::kCompensationSucceeded, step.id, end.attempt,
             Value::Map{{"activity", step.compensate}, {"output", output}, {"duration_ms", end.duration_ms}});
    st.compensation_queue.erase(st.compensation_queue.begin());
    ContinueCompensation();
    return Status::Ok();
  }
  AddEvent(history::kAttemptSucceeded, step.id, end.attempt,
           Value::Map{{"output", output}, {"duration_ms", end.duration_ms}, {"started_at", end.started_at}});
  st.outputs[step.id] = output;
  if (!step.compensate.empty()) st.inputs[step.id] = end.input;
  st.completed.push_back(step.id);
  if (StopPending()) {
    // Cancelled (or past the deadline) while this attempt ran: its result
    // is recorded above, and the stop compensates it with the others.
    ActOnStop();
    return Status::Ok();
  }
  return AdvanceAfter(step);
}

void Transition::AttemptFailed(const AttemptEnd& end, const StepDef& step) {
  const TaskRecord& task = end.task;
  const ActivityError& error = end.result.error();
  const bool compensation = task.kind == TaskKind::kCompensate;
  std::string key = StateKey(step, compensation);
  int failures = ++inst_.state.failures[key];
  inst_.state.last_attempt[key] = end.attempt;
  bool retryable = error.kind == ErrorKind::kRetryable;
  Value data = Value::Map{{"code", error.code},
                          {"message", error.message},
                          {"retryable", retryable},
                          {"duration_ms", end.duration_ms},
                          {"activity", compensation ? step.compensate : step.activity}};
  if (!error.details.is_null()) data["details"] = error.details;
  if (compensation) data["compensation"] = true;
  AddEvent(history::kAttemptFailed, step.id, end.attempt, std::move(data));
  // A stop waits for a compensable step to come to rest; otherwise no
  // retry: the instance is being stopped.
  const bool stopping = StopPending() && !compensation;
  if (stopping && !(retryable && StopWaitsForRetries(*inst_.def, step))) {
    ActOnStop();
    return;
  }

  FailureContext fc{failures, env_.now, task.step_started_at, step.schedule_to_close_ms};
  RetryDecision d = DecideRetry(step.retry, error, fc, env_.random->NextUnit());
  if (stopping && !d.retry) {
    // Retries used up: the outcome stays unknown (reconcile finds any money
    // that moved), and the stop goes ahead.
    ActOnStop();
    return;
  }
  if (d.retry && PausePending() && !compensation) {
    // Paused while this attempt ran: its retry waits for the resume (with
    // a fresh retry budget, and the same idempotency key).
    TakePause(step.id);
    return;
  }
  if (d.retry) {
    TimeMs due = env_.now + d.delay_ms;
    AddEvent(history::kRetryScheduled, step.id, end.attempt + 1,
             Value::Map{{"delay_ms", d.delay_ms}, {"due_at", due}, {"failures", failures}});
    ScheduleTask(task.kind, step.id, end.attempt + 1, due, task.step_started_at);
    return;
  }
  std::string why;
  if (d.reason == "max_attempts") {
    why = " (gave up after " + std::to_string(failures) + " attempts)";
  } else if (d.reason == "schedule_to_close") {
    why = " (schedule-to-close timeout " + FormatDurationMs(step.schedule_to_close_ms) + " reached)";
  } else if (d.reason == "retry_after_beyond_schedule_to_close") {
    TimeMs left = std::max<TimeMs>(0, task.step_started_at + step.schedule_to_close_ms - env_.now);
    why = " (the service asked to retry after " + FormatDurationMs(d.delay_ms) + ", past the step's " +
          FormatDurationMs(step.schedule_to_close_ms) + " schedule-to-close timeout with " + FormatDurationMs(left) +
          " left)";
  }
  if (compensation) {
    AddEvent(history::kCompensationFailed, step.id, end.attempt,
             Value::Map{{"code", error.code}, {"message", error.message + why}});
    FailWorkflow("compensation_failed",
                 "compensation of step '" + step.id + "' failed: " + error.code + ": " + error.message + why);
    return;
  }
  bool out_of_time = d.reason == "schedule_to_close" || d.reason == "retry_after_beyond_schedule_to_close";
  FailStep(step, out_of_time ? "schedule_to_close_timeout" : error.code, error.message + why);
}

Status Transition::WaitTimedOut(const std::string& step_id) {
  const StepDef* found = FindStep(step_id);
  if (found == nullptr) return Status::Internal("the wait of unknown step '" + step_id + "' timed out");
  const StepDef& step = *found;
  if (step.kind == StepKind::kSleep) {
    WakeUp(step);
    return AdvanceAfter(step);
  }
  AddEvent(history::kWaitTimedOut, step.id, 0, Value::Map{{"timeout_ms", step.wait_timeout_ms}});
  if (step.kind == StepKind::kSignal) {
    return JumpTo(step.on_timeout.empty() ? kTargetFail : step.on_timeout, step, "signal_timeout",
                  "no '" + step.signal + "' signal within " + FormatDurationMs(step.wait_timeout_ms));
  }
  std::string target = step.on_timeout.empty() ? "reject" : step.on_timeout;
  std::string why = "no decision within " + FormatDurationMs(step.wait_timeout_ms);
  if (target != "approve" && target != "reject") return JumpTo(target, step, "approval_timeout", why);
  Value context = inst_.state.outputs[step.id].Get("context");
  inst_.state.outputs[step.id] = Value::Map{{"held", true},
                                            {"decision", target},
                                            {"principal", "system:timeout"},
                                            {"comment", why},
                                            {"context", context}};
  AddEvent(history::kApprovalDecided, step.id, 0,
           Value::Map{{"principal", "system:timeout"}, {"decision", target}, {"comment", why}});
  if (target == "approve") return AdvanceAfter(step);
  return JumpTo(step.on_reject.empty() ? kTargetFail : step.on_reject, step, "approval_timeout", why);
}

Result<SignalOutcome> Transition::ReceiveSignal(SignalRecord signal, const std::optional<SignalRecord>& same_key) {
  if (same_key) {
    if (same_key->name != signal.name || !(same_key->payload == signal.payload)) {
      return Status::Conflict("idempotency key '" + signal.idempotency_key +
                              "' was already used for a different signal");
    }
    unchanged_ = true;
    return SignalOutcome::kDuplicate;
  }
  if (IsTerminal(inst_.rec.status)) {
    return Status::FailedPrecondition("workflow '" + inst_.rec.id + "' is " +
                                      std::string(InstanceStatusName(inst_.rec.status)) +
                                      "; signals are not accepted");
  }
  signal.instance_id = inst_.rec.id;
  signal.received_at = env_.now;
  const std::string name = signal.name;
  const Value payload = signal.payload;
  const std::string principal = signal.principal;
  const StepDef* step = FindStep(inst_.rec.current_step);
  bool waits_for_it = inst_.rec.status == InstanceStatus::kWaitingSignal && step != nullptr && step->signal == name;
  if (!waits_for_it) {
    signal.consumed = false;
    commit_.add_signal = std::move(signal);
    AddEvent(history::kSignalBuffered, "", 0, Value::Map{{"signal", name}, {"payload", payload}, {"principal", principal}});
    return SignalOutcome::kBuffered;
  }
  signal.consumed = true;
  commit_.add_signal = std::move(signal);
  inst_.state.outputs[step->id] = payload;
  AddEvent(history::kSignalReceived, step->id, 0,
           Value::Map{{"signal", name}, {"payload", payload}, {"principal", principal}});
  SF_RETURN_IF_ERROR(AdvanceAfter(*step));
  return SignalOutcome::kDelivered;
}

Status Transition::Decide(const DecisionRequest& request) {
  const StepDef* found = FindStep(request.step);
  if (found == nullptr || found->kind != StepKind::kApproval) {
    return Status::NotFound("workflow '" + inst_.rec.id + "' has no approval step '" + request.step + "'");
  }
  const StepDef& step = *found;
  bool waiting = inst_.rec.status == InstanceStatus::kWaitingApproval && inst_.rec.current_step == step.id;
  if (!waiting) {
    const Value& out = inst_.state.outputs.count(step.id) ? inst_.state.outputs.at(step.id) : Value();
    if (out.Get("decision").is_string()) {
      return Status::Conflict("step '" + step.id + "' was already decided: " + out.ToJson());
    }
    return Status::FailedPrecondition("step '" + step.id + "' is not waiting for approval (workflow is " +
                                      std::string(InstanceStatusName(inst_.rec.status)) + ")");
  }
  SF_RETURN_IF_ERROR(CheckFourEyes(inst_.rec, request.principal));
  Value& approvals = inst_.state.approvals[step.id];
  for (const Value& a : approvals.MutableList()) {
    if (a.Get("principal").StringOr("") == request.principal) {
      return Status::PermissionDenied("four_eyes: '" + request.principal + "' has already approved step '" + step.id +
                                      "'; another reviewer must decide");
    }
  }
  std::string decision = request.decision == Decision::kApprove ? "approve" : "reject";
  Value entry = Value::Map{
      {"principal", request.principal}, {"decision", decision}, {"comment", request.comment}, {"at", env_.now}};
  approvals.MutableList().push_back(entry);
  int approvals_so_far = static_cast<int>(approvals.AsList().size());
  AddEvent(history::kApprovalDecided, step.id, 0,
           Value::Map{{"principal", request.principal},
                      {"decision", decision},
                      {"comment", request.comment},
                      {"approvals", approvals_so_far},
                      {"required_approvals", step.required_approvals}});
  Value context = inst_.state.outputs[step.id].Get("context");
  if (request.decision == Decision::kApprove && approvals_so_far < step.required_approvals) {
    return Status::Ok();  // still waiting for another reviewer
  }
  inst_.state.outputs[step.id] = Value::Map{{"held", true},
                                            {"decision", decision},
                                            {"principal", request.principal},
                                            {"comment", request.comment},
                                            {"approvals", approvals},
                                            {"context", context}};
  if (request.decision == Decision::kApprove) return AdvanceAfter(step);
  return JumpTo(step.on_reject.empty() ? kTargetFail : step.on_reject, step, "approval_rejected",
                "rejected by " + request.principal + (request.comment.empty() ? "" : ": " + request.comment));
}

Status Transition::Cancel(const std::string& principal, const std::string& reason) {
  const std::string& id = inst_.rec.id;
  if (IsTerminal(inst_.rec.status)) {
    return Status::FailedPrecondition("workflow '" + id + "' is already " +
                                      std::string(InstanceStatusName(inst_.rec.status)));
  }
  if (!inst_.state.stop.is_null()) {
    // A cancel (or the deadline) is already under way: nothing to add.
    unchanged_ = true;
    return Status::Ok();
  }
  if (inst_.rec.status == InstanceStatus::kCompensating) {
    return Status::FailedPrecondition("workflow '" + id +
                                      "' is compensating a failed step; it ends compensated once the "
                                      "compensations finish");
  }
  return RequestStop(StopRequest{StopRequest::Kind::kCancel, principal, reason});
}

Status Transition::CarryOutPendingStop() {
  if (!StopPending()) return Status::FailedPrecondition("the stop this task waited for is gone");
  ActOnStop();
  return Status::Ok();
}

namespace {

// The attempt task of the instance that was ever claimed (its attempt may
// have started, here or in a process that died), if any.
std::optional<TaskRecord> ClaimedAttempt(const std::vector<TaskRecord>& tasks) {
  for (const TaskRecord& task : tasks) {
    bool attempt = task.kind == TaskKind::kRunStep || task.kind == TaskKind::kCompensate;
    if (attempt && LeaseClaims(task.lease_token) > 0) return task;
  }
  return std::nullopt;
}

}  // namespace

void Transition::GiveBackDeadline() {
  // Pausing used to delete the deadline task with the step's tasks, and an
  // instance that ended has none: give it back (due at once if it has
  // passed, so it fires as it would have).
  if (inst_.rec.deadline_at > 0 &&
      std::none_of(inst_.tasks->begin(), inst_.tasks->end(),
                   [](const TaskRecord& task) { return task.kind == TaskKind::kDeadline; })) {
    ScheduleTask(TaskKind::kDeadline, "", 0, inst_.rec.deadline_at, env_.now);
  }
}

Status Transition::Resume(const std::string& principal, const std::string& reason) {
  const std::string& id = inst_.rec.id;
  if (!inst_.state.pause_request.is_null() && inst_.rec.status != InstanceStatus::kPaused) {
    // The pause never took effect: withdraw it, and the instance goes on.
    inst_.state.pause_request = Value();
    AddEvent(history::kWorkflowResumed, inst_.rec.current_step, 0,
             Value::Map{{"principal", principal}, {"reason", reason}, {"pause_withdrawn", true}});
    return Status::Ok();
  }
  if (inst_.rec.status != InstanceStatus::kPaused) {
    return Status::FailedPrecondition("workflow '" + id + "' is " + std::string(InstanceStatusName(inst_.rec.status)) +
                                      ", not paused");
  }
  int idx = inst_.def->StepIndex(inst_.rec.current_step);
  if (idx < 0) return Status::Internal("paused at unknown step '" + inst_.rec.current_step + "'");
  if (!inst_.tasks) return Status::Internal("a resume needs the instance's tasks, and they were not read");
  const std::string step = inst_.rec.current_step;
  inst_.rec.error_code.clear();
  inst_.rec.error_message.clear();
  AddEvent(history::kWorkflowResumed, step, 0, Value::Map{{"principal", principal}, {"reason", reason}});
  GiveBackDeadline();
  // An approval paused while it waited keeps the approvals it had.
  auto approvals = inst_.state.approvals.find(step);
  std::optional<Value> kept_approvals;
  if (approvals != inst_.state.approvals.end()) kept_approvals = approvals->second;
  // Re-enter the step: a fresh retry budget, attempts keep counting.
  SF_RETURN_IF_ERROR(AdvanceFrom(static_cast<size_t>(idx)));
  if (kept_approvals && inst_.rec.status == InstanceStatus::kWaitingApproval && inst_.rec.current_step == step) {
    inst_.state.approvals[step] = *kept_approvals;
  }
  return Status::Ok();
}

Status Transition::Pause(const std::string& principal, const std::string& reason) {
  const std::string& id = inst_.rec.id;
  const InstanceStatus status = inst_.rec.status;
  if (IsTerminal(status)) {
    return Status::FailedPrecondition("workflow '" + id + "' is already " + std::string(InstanceStatusName(status)) +
                                      "; only a running or waiting instance can be paused");
  }
  if (status == InstanceStatus::kPaused || !inst_.state.pause_request.is_null()) {
    unchanged_ = true;  // paused, or pausing, already
    return Status::Ok();
  }
  if (status == InstanceStatus::kCompensating) {
    return Status::FailedPrecondition("workflow '" + id +
                                      "' is compensating a failed step; compensations run to the end and cannot "
                                      "be paused");
  }
  if (!inst_.state.stop.is_null()) {
    return Status::FailedPrecondition("workflow '" + id + "' is being stopped (" +
                                      inst_.state.stop.Get("kind").StringOr("cancel") + "); it cannot be paused");
  }
  if (!inst_.tasks) return Status::Internal("a pause needs the instance's tasks, and they were not read");
  inst_.state.pause_request =
      Value::Map{{"principal", principal}, {"reason", reason}, {"requested_at", env_.now}};
  if (std::optional<TaskRecord> in_flight = ClaimedAttempt(*inst_.tasks)) {
    // Its outcome (a refund made, say) is checkpointed first; the instance
    // pauses at the step it would run next.
    AddEvent(history::kPauseRequested, inst_.rec.current_step, 0,
             Value::Map{{"principal", principal},
                        {"reason", reason},
                        {"pending", true},
                        {"waits_for", Value::Map{{"step", in_flight->step_id}, {"attempt", in_flight->attempt}}}});
    return Status::Ok();
  }
  commit_.require_no_claimed_attempt = true;
  TakePause(inst_.rec.current_step);
  return Status::Ok();
}

void Transition::TakePause(const std::string& step) {
  InstanceState& st = inst_.state;
  const std::string principal = st.pause_request.Get("principal").StringOr("");
  const std::string reason = st.pause_request.Get("reason").StringOr("");
  st.pause_request = Value();
  inst_.rec.status = InstanceStatus::kPaused;
  inst_.rec.current_step = step;
  inst_.rec.error_code = "paused_by_operator";
  inst_.rec.error_message = "paused by " + principal + (reason.empty() ? "" : ": " + reason);
  // Step tasks go (a retry due, a wait's timeout); the deadline is the
  // instance's and keeps its due time.
  commit_.delete_step_tasks = true;
  commit_.new_tasks.erase(std::remove_if(commit_.new_tasks.begin(), commit_.new_tasks.end(),
                                         [](const NewTask& t) { return t.kind != TaskKind::kDeadline; }),
                          commit_.new_tasks.end());
  AddEvent(history::kWorkflowPaused, step, 0,
           Value::Map{{"principal", principal}, {"reason", reason}, {"code", "paused_by_operator"}});
}

Status Transition::Retry(const RetryRequest& request) {
  const std::string& id = inst_.rec.id;
  InstanceState& st = inst_.state;
  const InstanceStatus status = inst_.rec.status;
  const std::string status_name(InstanceStatusName(status));
  if (status != InstanceStatus::kFailed && status != InstanceStatus::kCompensated &&
      status != InstanceStatus::kPaused) {
    return Status::FailedPrecondition("workflow '" + id + "' is " + status_name +
                                      "; only a failed, compensated or paused instance can be retried");
  }
  if (status == InstanceStatus::kCompensated || !st.compensation_queue.empty()) {
    // Its compensations undid completed steps (a refund recorded as
    // unfinished in the ledger, a claim released): re-running those steps
    // with the same idempotency keys would return the results the
    // compensations undid, and the steps after them would book the money a
    // second time. Nothing is changed; a new instance starts clean (its
    // eligibility check sees a refund that already moved money).
    std::vector<std::string> undone = CompensableSteps();
    std::string steps;
    for (const std::string& s : undone) steps += (steps.empty() ? "" : ", ") + s;
    return Status::FailedPrecondition("workflow '" + id + "' is " + status_name +
                                      ": its compensations undid step(s) " + steps +
                                      ", so re-running it could move or book money twice; start a new "
                                      "instance instead");
  }
  if (!st.stop.is_null()) {
    return Status::FailedPrecondition("workflow '" + id + "' was stopped (" + st.stop.Get("kind").StringOr("cancel") +
                                      "); it cannot be retried");
  }
  if (inst_.rec.deadline_at > 0 && inst_.rec.deadline_at <= env_.now) {
    return Status::FailedPrecondition("workflow '" + id + "' is past its deadline; it cannot be retried");
  }
  const std::string stopped_at = status == InstanceStatus::kPaused ? inst_.rec.current_step : st.failed_step;
  const std::string from = request.from_step.empty() ? stopped_at : request.from_step;
  if (from.empty()) {
    return Status::InvalidArgument("workflow '" + id + "' failed outside any step (" + inst_.rec.error_code +
                                   "); name the step to retry from");
  }
  int from_idx = inst_.def->StepIndex(from);
  if (from_idx < 0) return Status::InvalidArgument("workflow '" + id + "' has no step '" + from + "'");
  int stopped_idx = stopped_at.empty() ? -1 : inst_.def->StepIndex(stopped_at);
  if (stopped_idx >= 0 && from_idx > stopped_idx) {
    return Status::InvalidArgument("step '" + from + "' comes after step '" + stopped_at + "', where workflow '" +
                                   id + "' stopped; retry from that step or an earlier one");
  }
  if (!inst_.tasks) return Status::Internal("a retry needs the instance's tasks, and they were not read");

  // Later results leave the live state (the history keeps them): the steps
  // run again, and their activities get the same idempotency keys, so an
  // effect that happened (a refund) is returned, not repeated.
  Value::List discarded;
  std::vector<std::string> ids;  // the steps from `from` on, with their parallel branches
  for (size_t i = static_cast<size_t>(from_idx); i < inst_.def->steps.size(); ++i) {
    const StepDef& step = inst_.def->steps[i];
    ids.push_back(step.id);
    for (const StepDef& b : step.branches) ids.push_back(b.id);
    if (step.kind == StepKind::kForEach) ForgetElements(step);  // its elements run again, found again
  }
  for (const std::string& s : ids) {
    bool had = st.outputs.erase(s) > 0;
    had = st.inputs.erase(s) > 0 || had;
    had = st.approvals.erase(s) > 0 || had;
    auto done = std::find(st.completed.begin(), st.completed.end(), s);
    if (done != st.completed.end()) {
      st.completed.erase(done);
      had = true;
    }
    if (had) discarded.emplace_back(s);
  }
  st.failed_step.clear();
  st.failure_code.clear();
  st.failure_message.clear();
  st.pause_request = Value();
  st.branches.clear();
  inst_.rec.error_code.clear();
  inst_.rec.error_message.clear();
  inst_.rec.output = Value();
  AddEvent(history::kWorkflowRetried, from, 0,
           Value::Map{{"principal", request.principal},
                      {"reason", request.reason},
                      {"from_step", from},
                      {"previous_status", status_name},
                      {"discarded", Value(std::move(discarded))}});
  GiveBackDeadline();
  return AdvanceFrom(static_cast<size_t>(from_idx));
}

Status Transition::EnterStep(const std::string& step_id) {
  int idx = step_id.empty() ? -1 : inst_.def->StepIndex(step_id);
  if (idx < 0) return Status::Internal("no step '" + step_id + "' to enter");
  return AdvanceFrom(static_cast<size_t>(idx));
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
  inst_.state.pause_request = Value();
  inst_.rec.status = status;
  inst_.rec.current_step.clear();
  commit_.delete_other_tasks = true;
  commit_.new_tasks.clear();
  // A child that finishes at its start is the store's to announce (ChildStart::if_finished).
  if (!starting_ && !inst_.rec.parent_id.empty()) TellParent();
}

void Transition::ScheduleTask(TaskKind kind, const std::string& step, int attempt, TimeMs due,
                              TimeMs step_started_at) {
  NewTask t;
  t.kind = kind;
  t.step_id = step;
  t.attempt = attempt;
  t.due_at = due;
  t.step_started_at = step_started_at;
  if (int idx = inst_.def->StepIndex(step); idx >= 0 && (kind == TaskKind::kRunStep || kind == TaskKind::kCompensate)) {
    const StepDef& def = inst_.def->steps[static_cast<size_t>(idx)];
    if (def.kind == StepKind::kActivity) t.activity = kind == TaskKind::kCompensate ? def.compensate : def.activity;
  }
  // A child's cancel goes to this engine at once too (a cancel through the
  // API reaches the children without waiting for the scheduler's next pass).
  bool runs_now = due <= env_.now && (kind == TaskKind::kRunStep || kind == TaskKind::kCompensate ||
                                      kind == TaskKind::kStopChild);
  // A limited activity's attempt starts only through a claim, which counts it.
  bool limited = env_.gate != nullptr && env_.gate->IsLimited(t.activity);
  if (runs_now && !limited && !env_.lease_owner.empty()) {
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
  // The input is fixed for a run and the store never rewrites it: not
  // copied into every checkpoint (a for_each's input holds all its items).
  // A continue_as_new's commit carries the next run's.
  if (c.continue_as_new.has_value()) {
    c.instance = inst_.rec;
  } else {
    Value input = std::move(inst_.rec.input);
    c.instance = inst_.rec;
    inst_.rec.input = std::move(input);
  }
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
