// Client operations on workflow instances.
#include "runtime/workflow_service.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>

#include <fmt/format.h>

#include "core/trace_context.h"
#include "runtime/search_keys.h"

namespace steadfast {
namespace {

// Attempts at a client commit that lost an optimistic-concurrency race.
constexpr int kMaxConflictRetries = 20;

}  // namespace

void WorkflowService::SetLocalRunner(std::string owner, int64_t lease_ms,
                                     std::function<void(const TaskRecord&)> on_ready) {
  local_owner_ = std::move(owner);
  lease_ms_ = lease_ms;
  on_ready_ = std::move(on_ready);
}

std::string WorkflowService::LocalOwner() const {
  return local_runs_.load(std::memory_order_relaxed) ? local_owner_ : std::string();
}

TransitionEnv WorkflowService::Env() const {
  TransitionEnv env;
  env.now = clock_.NowMs();
  env.random = &random_;
  env.lease_owner = LocalOwner();
  env.lease_ms = lease_ms_;
  env.gate = gate_;
  env.catalog = &catalog_;
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
  if (options.id.find(kRunSeparator) != std::string::npos) {
    return Status::InvalidArgument(fmt::format("instance id '{}' has a '{}': it is kept for the runs of an instance "
                                               "that continued as new (\"<id>{}<run>\")",
                                               options.id, kRunSeparator, kRunSeparator));
  }
  if (options.priority != 0 && !IsValidPriority(options.priority)) {
    return Status::InvalidArgument(fmt::format("priority must be {} (first) to {} (last), got {}", kHighestPriority,
                                               kLowestPriority, options.priority));
  }
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
  r.priority = options.priority != 0 ? options.priority : def->priority;
  SF_ASSIGN_OR_RETURN(r.search_keys, EvaluateSearchKeys(*def, InstanceScope(inst)));

  // A new instance has no buffered signals and no tasks yet.
  Transition t(inst, env);
  SF_RETURN_IF_ERROR(t.Start());
  SF_ASSIGN_OR_RETURN(StartRequest req, t.BuildStart());
  req.schedule_tick = options.schedule_tick;
  std::vector<HistoryEvent> events = req.events;
  SF_ASSIGN_OR_RETURN(StartResult result, store_.StartInstance(std::move(req)));
  if (result.outcome == StartOutcome::kCreated) Notify(result.instance, events, result.created_tasks);
  return result;
}

Result<InstanceRecord> WorkflowService::Mutate(const std::string& id, bool reads_tasks,
                                               std::function<Status(LoadedInstance&, Transition&)> build) {
  TransitionCommitEnv env;
  env.store = &store_;
  env.catalog = &catalog_;
  env.clock = &clock_;
  env.random = &random_;
  env.lease_owner = LocalOwner();
  env.lease_ms = lease_ms_;
  env.gate = gate_;
  env.policy.max_conflict_rounds = kMaxConflictRetries;
  TransitionCommitRequest request;
  request.instance_id = id;
  request.build = std::move(build);
  request.reads_tasks = reads_tasks;
  std::optional<LoadedInstance> inst;
  TransitionCommitResult r = CommitTransition(env, request, inst);
  if (!r.ok()) return r.status;
  if (r.end == TransitionCommitResult::End::kCommitted) {
    ReportOtherInstances(r, observer_);
    Notify(inst->rec, r.events, r.committed.created_tasks);
  }
  return inst->rec;
}

Result<SignalOutcome> WorkflowService::Signal(const SignalRequest& request) {
  if (request.name.empty()) return Status::InvalidArgument("signal name is empty");
  SF_RETURN_IF_ERROR(CheckValueDepth(request.payload, "the signal payload"));
  std::optional<SignalRecord> same_key;
  if (!request.idempotency_key.empty()) {
    SF_ASSIGN_OR_RETURN(same_key, store_.FindSignalByKey(request.instance_id, request.idempotency_key));
  }
  SignalOutcome outcome = SignalOutcome::kBuffered;
  auto result = Mutate(request.instance_id, false, [&](LoadedInstance&, Transition& t) -> Status {
    SignalRecord signal;
    signal.name = request.name;
    signal.payload = request.payload;
    signal.idempotency_key = request.idempotency_key;
    signal.principal = request.principal;
    SF_ASSIGN_OR_RETURN(outcome, t.ReceiveSignal(std::move(signal), same_key));
    return Status::Ok();
  });
  if (!result.ok()) return result.status();
  return outcome;
}

Result<InstanceRecord> WorkflowService::Decide(const DecisionRequest& request) {
  return Mutate(request.instance_id, false,
                [&](LoadedInstance&, Transition& t) { return t.Decide(request); });
}

Result<InstanceRecord> WorkflowService::Cancel(const std::string& id, const std::string& principal,
                                               const std::string& reason) {
  return Mutate(id, true, [&](LoadedInstance&, Transition& t) { return t.Cancel(principal, reason); });
}

Result<InstanceRecord> WorkflowService::Resume(const std::string& id, const std::string& principal,
                                               const std::string& reason) {
  return Mutate(id, true, [&](LoadedInstance&, Transition& t) { return t.Resume(principal, reason); });
}

Result<InstanceRecord> WorkflowService::Pause(const std::string& id, const std::string& principal,
                                              const std::string& reason) {
  return Mutate(id, true, [&](LoadedInstance&, Transition& t) { return t.Pause(principal, reason); });
}

Result<InstanceRecord> WorkflowService::Retry(const std::string& id, const std::string& from_step,
                                              const std::string& principal, const std::string& reason) {
  RetryRequest request{from_step, principal, reason};
  return Mutate(id, true, [&](LoadedInstance&, Transition& t) { return t.Retry(request); });
}

namespace {

// Activity names are dotted identifiers ("refund.psp_refund"); "*" is all.
bool IsValidActivityName(std::string_view name) {
  if (name == kAllActivities) return true;
  if (name.empty() || name.size() > 128) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
              c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

Status WorkflowService::HoldActivity(const std::string& activity, const std::string& principal,
                                     const std::string& reason) {
  if (!IsValidActivityName(activity)) {
    return Status::InvalidArgument("activity must be an activity name (letters, digits, _ . -) or * for all, got '" +
                                   activity + "'");
  }
  if (reason.empty()) return Status::InvalidArgument("a hold needs a reason (it is kept in the hold log)");
  ActivityHold hold;
  hold.activity = activity;
  hold.reason = reason;
  hold.held_by = principal;
  hold.held_at = clock_.NowMs();
  SF_RETURN_IF_ERROR(store_.HoldActivity(hold));
  if (gate_ != nullptr) (void)gate_->Refresh(store_);  // the scheduler refreshes again if this failed
  return Status::Ok();
}

Status WorkflowService::ReleaseActivity(const std::string& activity, const std::string& principal,
                                        const std::string& reason) {
  SF_ASSIGN_OR_RETURN(bool released, store_.ReleaseActivity(activity, principal, reason));
  if (!released) return Status::NotFound("activity '" + activity + "' is not held");
  if (gate_ != nullptr) (void)gate_->Refresh(store_);
  return Status::Ok();
}

}  // namespace steadfast
