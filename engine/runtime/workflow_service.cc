// Client operations on workflow instances.
#include "runtime/workflow_service.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>

#include <fmt/format.h>

#include "runtime/four_eyes.h"
#include "runtime/history_types.h"
#include "core/trace_context.h"

namespace steadfast {
namespace {

// Attempts at a client commit that lost an optimistic-concurrency race.
constexpr int kMaxConflictRetries = 20;

bool TypeMatches(InputType type, const Value& v) {
  switch (type) {
    case InputType::kAny: return true;
    case InputType::kString: return v.is_string();
    case InputType::kInt: return v.is_int();
    case InputType::kNumber: return v.is_number();
    case InputType::kBool: return v.is_bool();
    case InputType::kMap: return v.is_map();
    case InputType::kList: return v.is_list();
  }
  return false;
}

std::string_view InputTypeName(InputType type) {
  switch (type) {
    case InputType::kAny: return "any";
    case InputType::kString: return "string";
    case InputType::kInt: return "int";
    case InputType::kNumber: return "number";
    case InputType::kBool: return "bool";
    case InputType::kMap: return "map";
    case InputType::kList: return "list";
  }
  return "?";
}

}  // namespace

Status ValidateInput(const WorkflowDef& def, const Value& input) {
  if (!input.is_map()) {
    return Status::InvalidArgument("input must be a JSON object, not " + std::string(Value::TypeName(input.type())));
  }
  for (const InputField& f : def.input) {
    const Value* v = input.Find(f.name);
    if (v == nullptr || v->is_null()) {
      if (f.required) return Status::InvalidArgument("input: missing required field '" + f.name + "'");
      continue;
    }
    if (!TypeMatches(f.type, *v)) {
      return Status::InvalidArgument("input: field '" + f.name + "' must be " + std::string(InputTypeName(f.type)) +
                                     ", got " + std::string(Value::TypeName(v->type())));
    }
  }
  return Status::Ok();
}

void WorkflowService::SetLocalRunner(std::string owner, int64_t lease_ms,
                                     std::function<void(const TaskRecord&)> on_ready) {
  local_owner_ = std::move(owner);
  lease_ms_ = lease_ms;
  on_ready_ = std::move(on_ready);
}

TransitionEnv WorkflowService::Env() const {
  TransitionEnv env;
  env.now = clock_.NowMs();
  env.store = &store_;
  env.lease_owner = local_owner_;
  env.lease_ms = lease_ms_;
  return env;
}

std::string WorkflowService::NewInstanceId() {
  // Time-ordered and unique: "wf-" + ms since epoch (hex) + 64 random bits.
  char buf[48];
  std::snprintf(buf, sizeof(buf), "wf-%011" PRIx64 "-%016" PRIx64, static_cast<uint64_t>(clock_.NowMs()),
                random_.NextU64());
  return buf;
}

void WorkflowService::Notify(const InstanceRecord& rec, const std::vector<HistoryEvent>& events,
                             const std::vector<TaskRecord>& created) {
  if (observer_) observer_(rec, events);
  if (!on_ready_) return;
  for (const TaskRecord& t : created) {
    if (!local_owner_.empty() && t.lease_owner == local_owner_) on_ready_(t);
  }
}

Result<std::vector<InstanceLink>> WorkflowService::ResolveLinks(const std::vector<std::string>& ids) {
  if (ids.size() > kMaxInstanceLinks) {
    return Status::InvalidArgument(fmt::format("at most {} links, got {}", kMaxInstanceLinks, ids.size()));
  }
  std::vector<InstanceLink> links;
  for (const std::string& id : ids) {
    if (std::any_of(links.begin(), links.end(), [&](const InstanceLink& l) { return l.instance_id == id; })) continue;
    SF_ASSIGN_OR_RETURN(std::optional<InstanceRecord> linked, store_.GetInstance(id));
    if (!linked) return Status::InvalidArgument("linked workflow instance '" + id + "' does not exist");
    links.push_back(InstanceLink{id, tracing::WorkflowSpanTraceparent(linked->traceparent, id)});
  }
  return links;
}

Result<StartResult> WorkflowService::Start(const StartOptions& options) {
  SF_RETURN_IF_ERROR(CheckValueDepth(options.input, "the workflow input"));
  SF_ASSIGN_OR_RETURN(DefPtr def, catalog_.Find(options.workflow, options.version));
  SF_RETURN_IF_ERROR(ValidateInput(*def, options.input));
  bool pinned = false;
  {
    std::lock_guard<std::mutex> lock(pinned_mu_);
    pinned = std::find(pinned_.begin(), pinned_.end(), def->hash) != pinned_.end();
  }
  if (!pinned) {
    DefinitionRecord rec{def->hash, def->name, def->version, def->source, clock_.NowMs()};
    SF_RETURN_IF_ERROR(store_.PutDefinition(rec));
    std::lock_guard<std::mutex> lock(pinned_mu_);
    pinned_.push_back(def->hash);
  }

  TransitionEnv env = Env();
  LoadedInstance inst;
  inst.def = def;
  InstanceRecord& r = inst.rec;
  r.id = options.id.empty() ? NewInstanceId() : options.id;
  r.workflow_name = def->name;
  r.workflow_version = def->version;
  r.definition_hash = def->hash;
  r.status = InstanceStatus::kRunning;
  r.input = options.input;
  r.idempotency_key = options.idempotency_key;
  // Both principals are kept: four-eyes refuses a decision by either.
  r.requested_by = options.requested_by.empty() ? options.started_by : options.requested_by;
  r.started_by = options.started_by.empty() ? r.requested_by : options.started_by;
  r.traceparent = tracing::InstanceTraceparent(options.traceparent, r.id, random_);
  SF_ASSIGN_OR_RETURN(r.links, ResolveLinks(options.links));
  r.created_at = env.now;
  r.deadline_at = def->deadline_ms > 0 ? env.now + def->deadline_ms : 0;

  // New instances have no buffered signals: don't look them up.
  env.store = nullptr;
  Transition t(inst, env);
  t.AddEvent(history::kWorkflowStarted, "", 0,
             Value::Map{{"workflow", def->name},
                        {"version", def->version},
                        {"definition_hash", def->hash},
                        {"input", options.input},
                        {"requested_by", r.requested_by},
                        {"started_by", r.started_by},
                        {"idempotency_key", options.idempotency_key}});
  if (r.deadline_at > 0) t.ScheduleTask(TaskKind::kDeadline, "", 0, r.deadline_at, env.now);
  SF_RETURN_IF_ERROR(t.AdvanceFrom(0));
  SF_ASSIGN_OR_RETURN(StartRequest req, t.BuildStart());
  std::vector<HistoryEvent> events = req.events;
  SF_ASSIGN_OR_RETURN(StartResult result, store_.StartInstance(std::move(req)));
  if (result.outcome == StartOutcome::kCreated) Notify(result.instance, events, result.created_tasks);
  return result;
}

Result<InstanceRecord> WorkflowService::Mutate(const std::string& id,
                                               const std::function<Status(LoadedInstance&, Transition&)>& build) {
  for (int attempt = 0;; ++attempt) {
    SF_ASSIGN_OR_RETURN(LoadedInstance inst, LoadInstance(store_, catalog_, id));
    TransitionEnv env = Env();
    Transition t(inst, env);
    SF_RETURN_IF_ERROR(build(inst, t));
    std::vector<HistoryEvent> events = t.events();
    SF_ASSIGN_OR_RETURN(Commit commit, t.Build(0, 0));
    Result<CommitResult> r = store_.Apply(std::move(commit));
    if (r.ok()) {
      inst.rec.version = r->instance_version;
      Notify(inst.rec, events, r->created_tasks);
      return inst.rec;
    }
    if (r.status().code() != StatusCode::kConflict || attempt >= kMaxConflictRetries) return r.status();
  }
}

Result<SignalOutcome> WorkflowService::Signal(const SignalRequest& request) {
  if (request.name.empty()) return Status::InvalidArgument("signal name is empty");
  SF_RETURN_IF_ERROR(CheckValueDepth(request.payload, "the signal payload"));
  if (!request.idempotency_key.empty()) {
    SF_ASSIGN_OR_RETURN(std::optional<SignalRecord> seen,
                        store_.FindSignalByKey(request.instance_id, request.idempotency_key));
    if (seen) {
      if (seen->name != request.name || !(seen->payload == request.payload)) {
        return Status::Conflict("idempotency key '" + request.idempotency_key +
                                "' was already used for a different signal");
      }
      return SignalOutcome::kDuplicate;
    }
  }
  SignalOutcome outcome = SignalOutcome::kBuffered;
  auto result = Mutate(request.instance_id, [&](LoadedInstance& inst, Transition& t) -> Status {
    if (IsTerminal(inst.rec.status)) {
      return Status::FailedPrecondition("workflow '" + inst.rec.id + "' is " +
                                        std::string(InstanceStatusName(inst.rec.status)) + "; signals are not accepted");
    }
    SignalRecord rec;
    rec.instance_id = inst.rec.id;
    rec.name = request.name;
    rec.payload = request.payload;
    rec.idempotency_key = request.idempotency_key;
    rec.principal = request.principal;
    rec.received_at = t.now();
    int idx = inst.def->StepIndex(inst.rec.current_step);
    bool waits_for_it = inst.rec.status == InstanceStatus::kWaitingSignal && idx >= 0 &&
                        inst.def->steps[idx].signal == request.name;
    if (!waits_for_it) {
      outcome = SignalOutcome::kBuffered;
      t.AddSignal(std::move(rec));
      t.AddEvent(history::kSignalBuffered, "", 0,
                 Value::Map{{"signal", request.name}, {"payload", request.payload}, {"principal", request.principal}});
      return Status::Ok();
    }
    outcome = SignalOutcome::kDelivered;
    const StepDef& step = inst.def->steps[idx];
    rec.consumed = true;
    t.AddSignal(std::move(rec));
    inst.state.outputs[step.id] = request.payload;
    t.AddEvent(history::kSignalReceived, step.id, 0,
               Value::Map{{"signal", request.name}, {"payload", request.payload}, {"principal", request.principal}});
    return t.AdvanceAfter(step);
  });
  if (!result.ok()) return result.status();
  return outcome;
}

Result<InstanceRecord> WorkflowService::Decide(const DecisionRequest& request) {
  return Mutate(request.instance_id, [&](LoadedInstance& inst, Transition& t) -> Status {
    int idx = inst.def->StepIndex(request.step);
    if (idx < 0 || inst.def->steps[idx].kind != StepKind::kApproval) {
      return Status::NotFound("workflow '" + inst.rec.id + "' has no approval step '" + request.step + "'");
    }
    const StepDef& step = inst.def->steps[idx];
    bool waiting = inst.rec.status == InstanceStatus::kWaitingApproval && inst.rec.current_step == step.id;
    if (!waiting) {
      const Value& out = inst.state.outputs.count(step.id) ? inst.state.outputs.at(step.id) : Value();
      if (out.Get("decision").is_string()) {
        return Status::Conflict("step '" + step.id + "' was already decided: " + out.ToJson());
      }
      return Status::FailedPrecondition("step '" + step.id + "' is not waiting for approval (workflow is " +
                                        std::string(InstanceStatusName(inst.rec.status)) + ")");
    }
    SF_RETURN_IF_ERROR(CheckFourEyes(inst.rec, request.principal));
    Value& approvals = inst.state.approvals[step.id];
    for (const Value& a : approvals.MutableList()) {
      if (a.Get("principal").StringOr("") == request.principal) {
        return Status::PermissionDenied("four_eyes: '" + request.principal + "' has already approved step '" +
                                        step.id + "'; another reviewer must decide");
      }
    }
    std::string decision = request.decision == Decision::kApprove ? "approve" : "reject";
    Value entry = Value::Map{{"principal", request.principal},
                             {"decision", decision},
                             {"comment", request.comment},
                             {"at", t.now()}};
    approvals.MutableList().push_back(entry);
    int approvals_so_far = static_cast<int>(approvals.AsList().size());
    t.AddEvent(history::kApprovalDecided, step.id, 0,
               Value::Map{{"principal", request.principal},
                          {"decision", decision},
                          {"comment", request.comment},
                          {"approvals", approvals_so_far},
                          {"required_approvals", step.required_approvals}});
    Value context = inst.state.outputs[step.id].Get("context");
    if (request.decision == Decision::kApprove && approvals_so_far < step.required_approvals) {
      return Status::Ok();  // still waiting for another reviewer
    }
    inst.state.outputs[step.id] = Value::Map{{"held", true},
                                             {"decision", decision},
                                             {"principal", request.principal},
                                             {"comment", request.comment},
                                             {"approvals", approvals},
                                             {"context", context}};
    if (request.decision == Decision::kApprove) return t.AdvanceAfter(step);
    return t.JumpTo(step.on_reject.empty() ? kTargetFail : step.on_reject, step, "approval_rejected",
                    "rejected by " + request.principal + (request.comment.empty() ? "" : ": " + request.comment));
  });
}

Result<InstanceRecord> WorkflowService::Cancel(const std::string& id, const std::string& principal,
                                               const std::string& reason) {
  std::optional<InstanceRecord> already_stopping;  // the instance, as loaded
  Result<InstanceRecord> r = Mutate(id, [&](LoadedInstance& inst, Transition& t) -> Status {
    if (IsTerminal(inst.rec.status)) {
      return Status::FailedPrecondition("workflow '" + id + "' is already " +
                                        std::string(InstanceStatusName(inst.rec.status)));
    }
    if (!inst.state.stop.is_null()) {
      // A cancel (or the deadline) is already under way: nothing to add.
      already_stopping = inst.rec;
      return Status::AlreadyExists("stopping");
    }
    if (inst.rec.status == InstanceStatus::kCompensating) {
      return Status::FailedPrecondition("workflow '" + id +
                                        "' is compensating a failed step; it ends compensated once the "
                                        "compensations finish");
    }
    return t.RequestStop(StopRequest{StopRequest::Kind::kCancel, principal, reason});
  });
  if (r.ok() || !already_stopping) return r;
  return *std::move(already_stopping);
}

Status WorkflowService::RestoreDeadline(const LoadedInstance& inst, Transition& t) {
  // Pausing used to delete the deadline task with the step's tasks: give an
  // instance paused by an older engine its deadline back (due at once if it
  // has passed, so it fires as it would have).
  if (inst.rec.deadline_at <= 0) return Status::Ok();
  SF_ASSIGN_OR_RETURN(std::vector<TaskRecord> tasks, store_.GetTasks(inst.rec.id));
  for (const TaskRecord& task : tasks) {
    if (task.kind == TaskKind::kDeadline) return Status::Ok();
  }
  t.ScheduleTask(TaskKind::kDeadline, "", 0, inst.rec.deadline_at, t.now());
  return Status::Ok();
}

Result<InstanceRecord> WorkflowService::Resume(const std::string& id, const std::string& principal) {
  return Mutate(id, [&](LoadedInstance& inst, Transition& t) -> Status {
    if (inst.rec.status != InstanceStatus::kPaused) {
      return Status::FailedPrecondition("workflow '" + id + "' is " +
                                        std::string(InstanceStatusName(inst.rec.status)) + ", not paused");
    }
    int idx = inst.def->StepIndex(inst.rec.current_step);
    if (idx < 0) return Status::Internal("paused at unknown step '" + inst.rec.current_step + "'");
    inst.rec.error_code.clear();
    inst.rec.error_message.clear();
    t.AddEvent(history::kWorkflowResumed, inst.rec.current_step, 0, Value::Map{{"principal", principal}});
    SF_RETURN_IF_ERROR(RestoreDeadline(inst, t));
    // Re-enter the step: a fresh retry budget, attempts keep counting.
    return t.AdvanceFrom(static_cast<size_t>(idx));
  });
}

}  // namespace steadfast
