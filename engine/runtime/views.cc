// Instance and history views.
#include "runtime/views.h"

#include <ctime>

#include "runtime/instance_state.h"
#include "runtime/step_progress.h"
#include "core/trace_context.h"

namespace steadfast {

std::string FormatTime(TimeMs t) {
  if (t <= 0) return "";
  std::time_t secs = static_cast<std::time_t>(t / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof(out), "%s.%03dZ", buf, static_cast<int>(t % 1000));
  return out;
}

Value StopUnderWay(const InstanceRecord& rec) {
  if (IsTerminal(rec.status)) return Value();
  Result<InstanceState> state = InstanceState::Decode(rec.state);
  if (!state.ok() || state->stop.is_null()) return Value();
  const Value& stop = state->stop;
  return Value::Map{{"kind", stop.Get("kind")},
                    {"principal", stop.Get("principal")},
                    {"reason", stop.Get("reason")},
                    {"requested_at", FormatTime(stop.Get("requested_at").IntOr(0))},
                    {"state", !state->stop_pending                              ? "compensating"
                              : rec.status == InstanceStatus::kWaitingChild ? "waiting_for_child"
                                                                            : "waiting_for_attempt"}};
}

// An operator's pause waiting for the attempt in flight; null when none.
Value PauseUnderWay(const InstanceRecord& rec) {
  if (rec.status != InstanceStatus::kRunning) return Value();
  Result<InstanceState> state = InstanceState::Decode(rec.state);
  if (!state.ok() || state->pause_request.is_null()) return Value();
  const Value& pause = state->pause_request;
  return Value::Map{{"principal", pause.Get("principal")},
                    {"reason", pause.Get("reason")},
                    {"requested_at", FormatTime(pause.Get("requested_at").IntOr(0))}};
}

// Which run of a workflow that continued as new the record holds: null for
// the first run of an instance that never did.
Value RunView(const InstanceRecord& rec) {
  Result<InstanceState> state = InstanceState::Decode(rec.state);
  if (!state.ok() || state->run <= 1) return Value();
  const std::string base = rec.status == InstanceStatus::kContinued ? rec.id.substr(0, rec.id.rfind(kRunSeparator))
                                                                       : rec.id;
  return Value::Map{{"number", state->run},
                    {"started_at", FormatTime(state->run_started_at)},
                    {"previous", ArchivedRunId(base, state->run - 1)}};
}

Value InstanceView(const InstanceRecord& rec) {
  Value v = Value::Map{
      {"id", rec.id},
      {"workflow", rec.workflow_name},
      {"version", rec.workflow_version},
      {"definition_hash", rec.definition_hash},
      {"status", std::string(InstanceStatusName(rec.status))},
      {"current_step", rec.current_step.empty() ? Value() : Value(rec.current_step)},
      {"input", rec.input},
      {"output", rec.output},
      {"requested_by", rec.requested_by.empty() ? Value() : Value(rec.requested_by)},
      {"started_by", rec.started_by.empty() ? Value() : Value(rec.started_by)},
      {"idempotency_key", rec.idempotency_key.empty() ? Value() : Value(rec.idempotency_key)},
      {"priority", rec.priority},
      {"created_at", FormatTime(rec.created_at)},
      {"updated_at", FormatTime(rec.updated_at)},
  };
  if (!rec.error_code.empty()) v["error"] = Value::Map{{"code", rec.error_code}, {"message", rec.error_message}};
  if (!rec.decode_error.empty()) v["decode_error"] = rec.decode_error;  // listed, input and output unreadable
  if (Value stop = StopUnderWay(rec); !stop.is_null()) v["cancellation"] = std::move(stop);
  if (Value pause = PauseUnderWay(rec); !pause.is_null()) v["pausing"] = std::move(pause);
  if (Value run = RunView(rec); !run.is_null()) v["run"] = std::move(run);
  if (rec.deadline_at > 0) v["deadline_at"] = FormatTime(rec.deadline_at);
  if (!rec.traceparent.empty()) v["traceparent"] = rec.traceparent;
  v["trace_id"] = tracing::InstanceTraceId(rec.traceparent, rec.id);
  if (!rec.search_keys.empty()) {
    Value::Map keys;
    for (const SearchKey& k : rec.search_keys) keys[k.name] = k.value;
    v["search"] = std::move(keys);
  }
  if (!rec.parent_id.empty()) v["parent"] = Value::Map{{"id", rec.parent_id}, {"step", rec.parent_step}};
  if (!rec.links.empty()) {
    Value::List links;
    for (const InstanceLink& l : rec.links) links.emplace_back(l.instance_id);
    v["links"] = std::move(links);
  }
  return v;
}

std::string CancelOutcomeLine(const Value& view) {
  const std::string id = view.Get("id").StringOr("");
  const std::string status = view.Get("status").StringOr("");
  if (status == "cancelled") return id + " cancelled";
  const std::string state = view.Get("cancellation").Get("state").StringOr("");
  if (state == "waiting_for_attempt") {
    return id + " cancelling: the attempt of step '" + view.Get("current_step").StringOr("") +
           "' in flight is checkpointed first, then the instance is cancelled";
  }
  if (state == "waiting_for_child") {
    return id + " cancelling: its child workflow " + view.Get("waiting_for").Get("child").StringOr("") +
           " is cancelled first, then the instance is cancelled";
  }
  if (status == "compensating") return id + " cancelling: compensating completed steps, then cancelled";
  return id + " is " + status;
}

bool Waits(const InstanceRecord& rec) {
  bool waiting = rec.status == InstanceStatus::kWaitingApproval || rec.status == InstanceStatus::kWaitingSignal ||
                 rec.status == InstanceStatus::kSleeping || rec.status == InstanceStatus::kWaitingChild;
  return waiting && !rec.current_step.empty();
}

Value WaitingForView(const InstanceRecord& rec, const WorkflowDef* def, const std::vector<TaskRecord>& tasks) {
  if (!Waits(rec)) return Value();
  if (rec.status == InstanceStatus::kSleeping) {
    Value w = Value::Map{{"kind", "sleep"}, {"step", rec.current_step}};
    for (const TaskRecord& t : tasks) {
      if (t.kind == TaskKind::kWaitTimeout && t.step_id == rec.current_step) w["wake_at"] = FormatTime(t.due_at);
    }
    return w;
  }
  if (rec.status == InstanceStatus::kWaitingChild) {
    Result<InstanceState> state = InstanceState::Decode(rec.state);
    const int64_t run = state.ok() ? state->run : 1;
    const StepDef* step = def != nullptr ? def->FindStep(rec.current_step) : nullptr;
    if (step != nullptr && step->kind == StepKind::kForEach && state.ok()) {
      int64_t running = 0, failed = 0;
      const int64_t completed = state->elements_completed;
      for (const auto& [element, status] : state->branches) {
        if (BranchInFlight(status)) {
          ++running;
        } else {
          ++failed;
        }
      }
      return Value::Map{{"kind", "elements"},          {"step", rec.current_step},
                        {"workflow", step->child_workflow}, {"total", state->elements_total},
                        {"started", state->elements_started}, {"running", running},
                        {"completed", completed},         {"failed", failed},
                        {"concurrency", step->concurrency}};
    }
    if (step != nullptr && step->kind == StepKind::kParallel) {
      // Each branch's child and where it stands.
      Value::List branches;
      for (const StepDef& b : step->branches) {
        std::string status = kBranchRunning;
        if (state.ok()) {
          auto it = state->branches.find(b.id);
          if (it != state->branches.end()) status = it->second;
        }
        branches.emplace_back(Value::Map{{"branch", b.id},
                                         {"child", ChildInstanceId(rec.id, run, b.id)},
                                         {"workflow", b.child_workflow},
                                         {"status", status}});
      }
      return Value::Map{{"kind", "children"},
                        {"step", rec.current_step},
                        {"join", step->join == 0 ? Value("all") : Value(step->join)},
                        {"branches", Value(std::move(branches))}};
    }
    Value w = Value::Map{{"kind", "child"}, {"step", rec.current_step},
                         {"child", ChildInstanceId(rec.id, run, rec.current_step)}};
    if (step != nullptr) w["workflow"] = step->child_workflow;
    return w;
  }
  bool approval = rec.status == InstanceStatus::kWaitingApproval;
  Value w = Value::Map{{"kind", approval ? "approval" : "signal"}, {"step", rec.current_step}};
  if (def != nullptr) {
    int idx = def->StepIndex(rec.current_step);
    if (idx >= 0) {
      const StepDef& step = def->steps[idx];
      if (approval) {
        w["required_approvals"] = step.required_approvals;
      } else {
        w["signal"] = step.signal;
      }
    }
  }
  Result<InstanceState> state = InstanceState::Decode(rec.state);
  if (state.ok()) {
    auto out = state->outputs.find(rec.current_step);
    if (out != state->outputs.end() && out->second.Find("context") != nullptr) {
      w["context"] = out->second.Get("context");
    }
    if (approval) {
      auto a = state->approvals.find(rec.current_step);
      w["approvals"] = a != state->approvals.end() && a->second.is_list() ? a->second : Value(Value::List{});
    }
  }
  for (const TaskRecord& t : tasks) {
    if (t.kind == TaskKind::kWaitTimeout && t.step_id == rec.current_step) w["timeout_at"] = FormatTime(t.due_at);
  }
  return w;
}

Value DecisionView(const InstanceRecord& rec, const std::string& step) {
  Result<InstanceState> state = InstanceState::Decode(rec.state);
  if (!state.ok()) return Value();
  auto out = state->outputs.find(step);
  if (out == state->outputs.end()) return Value();
  const Value& o = out->second;
  Value d = Value::Map{{"decision", o.Get("decision")}, {"principal", o.Get("principal")}, {"comment", o.Get("comment")}};
  if (o.Get("approvals").is_list()) {
    for (const Value& a : o.Get("approvals").AsList()) {
      if (a.Get("principal") == o.Get("principal") && a.Get("at").is_int()) d["at"] = FormatTime(a.Get("at").AsInt());
    }
    d["approvals"] = o.Get("approvals");
  }
  return d;
}

Value StepProgressView(const std::vector<HistoryEvent>& events) {
  Value steps = Value::Map{};
  for (const auto& [step, p] : StepProgressFromHistory(events)) {
    steps[step] = Value::Map{
        {"state", std::string(StepStateName(p.state))}, {"detail", p.detail}, {"attempts", p.attempts}};
  }
  return steps;
}

Value HistoryEventView(const HistoryEvent& e) {
  return Value::Map{{"seq", e.seq},
                    {"at", FormatTime(e.at)},
                    {"type", e.type},
                    {"step", e.step_id.empty() ? Value() : Value(e.step_id)},
                    {"attempt", e.attempt == 0 ? Value() : Value(e.attempt)},
                    {"data", e.data}};
}

std::string HistoryEventLine(const HistoryEvent& e) {
  std::string time = FormatTime(e.at);
  std::string where = e.step_id;
  if (e.attempt > 0) where += " #" + std::to_string(e.attempt);
  std::string detail;
  const Value& d = e.data;
  if (d.Find("principal") && d.Find("reason")) {
    // A person's action on the instance (cancel, pause, resume, retry): who and why.
    detail = "by " + d.Get("principal").StringOr("?");
    if (d.Get("from_step").is_string()) detail += " from step " + d.Get("from_step").AsString();
    if (!d.Get("reason").StringOr("").empty()) detail += ": " + d.Get("reason").AsString();
  } else if (d.Find("code") && d.Get("code").is_string()) {
    detail = d.Get("code").AsString() + ": " + d.Get("message").StringOr("");
  } else if (d.Find("decision")) {
    detail = d.Get("decision").StringOr("") + " by " + d.Get("principal").StringOr("?");
    if (!d.Get("comment").StringOr("").empty()) detail += " (" + d.Get("comment").AsString() + ")";
  } else if (d.Find("signal")) {
    detail = d.Get("signal").StringOr("");
    if (d.Find("payload")) detail += " " + d.Get("payload").ToJson();
  } else if (d.Find("delay_ms")) {
    detail = "in " + std::to_string(d.Get("delay_ms").IntOr(0)) + "ms";
  } else if (d.Find("duration_ms")) {
    detail = std::to_string(d.Get("duration_ms").IntOr(0)) + "ms";
  } else if (d.Find("output")) {
    detail = d.Get("output").ToJson();
  } else if (d.Find("activity")) {
    detail = d.Get("activity").StringOr("");
  }
  if (detail.size() > 160) detail = detail.substr(0, 157) + "...";
  if (d.Find("duration_ms") && e.attempt > 0) {
    // An attempt's start is not a row of its own (docs/history.md): say it here.
    TimeMs started = d.Get("started_at").IntOr(e.at - d.Get("duration_ms").IntOr(0));
    detail = "started " + FormatTime(started) + "  " + detail;
  }
  char buf[96];
  std::snprintf(buf, sizeof(buf), "%4lld  %s  %-22s %-18s ", static_cast<long long>(e.seq), time.c_str(),
                e.type.c_str(), where.c_str());
  return buf + detail;
}

}  // namespace steadfast
