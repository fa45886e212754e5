#include "tracing/workflow_tracer.h"

#include <optional>
#include <string>

#include "steadfast/history.h"
#include "core/trace_context.h"

namespace steadfast::tracing {
namespace {

constexpr int64_t kNanosPerMilli = 1'000'000;

struct InstanceTrace {
  std::string trace_id;
  std::string parent_of_workflow;  // the caller's span, "" when the workflow span is the root
  bool sampled = true;
};

InstanceTrace TraceOf(const InstanceRecord& rec) {
  InstanceTrace t;
  t.trace_id = InstanceTraceId(rec.traceparent, rec.id);
  if (std::optional<TraceContext> c = ParseTraceparent(rec.traceparent)) {
    t.sampled = c->sampled;
    if (c->span_id != WorkflowSpanId(rec.id)) t.parent_of_workflow = c->span_id;
  }
  return t;
}

// Room for the engine's attributes and a few of the activity's: one allocation.
constexpr size_t kTypicalAttributes = 16;

Attributes WorkflowAttributes(const InstanceRecord& rec) {
  Attributes a;
  a.reserve(kTypicalAttributes);
  a.Set("steadfast.workflow.name", rec.workflow_name);
  a.Set("steadfast.workflow.version", static_cast<int64_t>(rec.workflow_version));
  a.Set("steadfast.workflow.id", rec.id);
  return a;
}

// `context` is the attempt's own (trace_context.h, AttemptContext).
SpanData AttemptSpan(const InstanceRecord& rec, const TraceContext& context, const std::string& step, int attempt,
                     bool compensation, const std::string& activity) {
  SpanData s;
  s.trace_id = context.trace_id;
  s.span_id = context.span_id;
  s.parent_span_id = WorkflowSpanId(rec.id);
  s.name = (compensation ? "compensate " : "activity ") + activity;
  s.attributes = WorkflowAttributes(rec);
  s.attributes["steadfast.step"] = step;
  s.attributes["steadfast.activity"] = activity;
  s.attributes["steadfast.attempt"] = static_cast<int64_t>(attempt);
  if (compensation) s.attributes["steadfast.compensation"] = true;
  return s;
}

bool EndsWait(const HistoryEvent& e) {
  return !e.step_id.empty() && (e.type == history::kSignalReceived || e.type == history::kApprovalDecided ||
                                e.type == history::kWaitTimedOut || e.type == history::kSleepEnded);
}

// An approval needing several decisions keeps waiting after the first.
bool StillWaitingOn(const InstanceRecord& rec, const std::string& step) {
  return (rec.status == InstanceStatus::kWaitingApproval || rec.status == InstanceStatus::kWaitingSignal) &&
         rec.current_step == step;
}

bool EndsWorkflow(const std::string& type) {
  return type == history::kWorkflowCompleted || type == history::kWorkflowFailed ||
         type == history::kWorkflowCompensated || type == history::kWorkflowCancelled;
}

}  // namespace

void WorkflowTracer::OnAttempt(const AttemptReport& r) {
  // The context the activity ran in, so the span id is the one it sent on.
  std::optional<TraceContext> context = ParseTraceparent(r.traceparent);
  if (!context || !context->sampled) return;
  SpanData s = AttemptSpan(r.instance, *context, r.step_id, r.attempt, r.compensation, r.activity);
  s.start_unix_ns = r.started_at * kNanosPerMilli;
  s.end_unix_ns = r.ended_at * kNanosPerMilli;
  if (!r.idempotency_key.empty()) s.attributes["steadfast.idempotency_key"] = r.idempotency_key;
  for (const auto& [key, value] : r.attributes) s.attributes.Set(key, value);
  if (r.result.ok()) {
    s.status = SpanStatus::kOk;
    s.attributes["steadfast.outcome"] = "succeeded";
  } else {
    const ActivityError& e = r.result.error();
    s.status = SpanStatus::kError;
    s.status_message = e.code + ": " + e.message;
    s.attributes["error.type"] = e.code;
    s.attributes["steadfast.retryable"] = e.kind == ErrorKind::kRetryable;
    s.attributes["steadfast.outcome"] = e.code == "start_to_close_timeout" ? "timed_out" : "failed";
  }
  sink_.Export(std::move(s));
}

std::optional<HistoryEvent> WorkflowTracer::WaitStart(const InstanceRecord& rec,
                                                      const std::vector<HistoryEvent>& events,
                                                      size_t end_index) const {
  const std::string& step = events[end_index].step_id;
  const std::string start_type =
      events[end_index].type == history::kSleepEnded ? history::kSleepStarted : history::kWaitStarted;
  for (size_t i = end_index; i-- > 0;) {
    if (events[i].type == start_type && events[i].step_id == step) return events[i];
  }
  // A signal that had arrived before its step was consumed without waiting;
  // an older wait_started of the step (a loop) is not this wait's start.
  if (events[end_index].data.Get("buffered").BoolOr(false)) return std::nullopt;
  if (history_ == nullptr) return std::nullopt;
  // Waits end rarely (a signal, a decision): one history read each is cheap.
  Result<std::vector<HistoryEvent>> all = history_->GetHistory(rec.id, 0, 100000);
  if (!all.ok()) return std::nullopt;
  for (auto it = all->rbegin(); it != all->rend(); ++it) {
    if (it->type == start_type && it->step_id == step) return *it;
  }
  return std::nullopt;
}

void WorkflowTracer::OnCommit(const InstanceRecord& rec, const std::vector<HistoryEvent>& events) {
  std::optional<InstanceTrace> trace;
  for (size_t i = 0; i < events.size(); ++i) {
    const HistoryEvent& e = events[i];
    bool abandoned = e.type == history::kAttemptAbandoned;
    bool wait_ended = EndsWait(e) && !StillWaitingOn(rec, e.step_id);
    if (!abandoned && !wait_ended && !EndsWorkflow(e.type)) continue;
    if (!trace) trace = TraceOf(rec);
    if (!trace->sampled) return;
    if (wait_ended) {
      std::optional<HistoryEvent> start = WaitStart(rec, events, i);
      if (!start) continue;  // its start is unknown: no span rather than a wrong one
      const bool approval = start->data.Get("kind").StringOr("") == "approval";
      const bool sleep = e.type == history::kSleepEnded;
      const std::string signal = start->data.Get("signal").StringOr(e.step_id);
      SpanData s;
      s.trace_id = trace->trace_id;
      s.span_id = WaitSpanId(rec.id, e.step_id, start->at);
      s.parent_span_id = WorkflowSpanId(rec.id);
      s.name = sleep ? "sleep " + e.step_id : approval ? "wait approval " + e.step_id : "wait signal " + signal;
      s.start_unix_ns = start->at * kNanosPerMilli;
      s.end_unix_ns = e.at * kNanosPerMilli;
      s.attributes = WorkflowAttributes(rec);
      s.attributes["steadfast.step"] = e.step_id;
      s.attributes["steadfast.wait.kind"] = sleep ? "sleep" : approval ? "approval" : "signal";
      if (sleep) {
        s.status = SpanStatus::kOk;
        s.attributes["steadfast.outcome"] = "woke";
      } else if (e.type == history::kWaitTimedOut) {
        s.attributes["steadfast.outcome"] = "timed_out";
      } else {
        s.status = SpanStatus::kOk;
        s.attributes["steadfast.outcome"] = approval ? e.data.Get("decision").StringOr("decided") : "received";
        if (!approval) s.attributes["steadfast.signal"] = signal;
        if (std::string who = e.data.Get("principal").StringOr(""); !who.empty()) {
          s.attributes["steadfast.principal"] = who;
        }
      }
      sink_.Export(std::move(s));
      continue;
    }
    if (abandoned) {
      // The process running it died: its start is not recorded, its end is
      // when the loss was noticed. The activity name may not be known here.
      bool compensation = e.data.Get("compensation").BoolOr(false);
      SpanData s = AttemptSpan(rec, AttemptContext(rec.traceparent, rec.id, e.step_id, e.attempt, compensation),
                               e.step_id, e.attempt, compensation, e.data.Get("activity").StringOr(e.step_id));
      s.start_unix_ns = s.end_unix_ns = e.at * kNanosPerMilli;
      s.status = SpanStatus::kError;
      s.status_message = "abandoned: " + e.data.Get("reason").StringOr("the attempt's process stopped");
      s.attributes["steadfast.outcome"] = "abandoned";
      s.attributes["error.type"] = "attempt_abandoned";
      sink_.Export(std::move(s));
      continue;
    }
    SpanData s;
    s.trace_id = trace->trace_id;
    s.span_id = WorkflowSpanId(rec.id);
    s.parent_span_id = trace->parent_of_workflow;
    s.kind = SpanKind::kServer;
    s.name = "workflow " + rec.workflow_name;
    s.start_unix_ns = rec.created_at * kNanosPerMilli;
    s.end_unix_ns = e.at * kNanosPerMilli;
    s.attributes = WorkflowAttributes(rec);
    s.attributes["steadfast.status"] = std::string(InstanceStatusName(rec.status));
    if (!rec.requested_by.empty()) s.attributes["steadfast.requested_by"] = rec.requested_by;
    if (rec.status == InstanceStatus::kCompleted) {
      s.status = SpanStatus::kOk;
    } else {
      s.status = SpanStatus::kError;
      s.status_message = rec.error_code + ": " + rec.error_message;
      if (!rec.error_code.empty()) s.attributes["error.type"] = rec.error_code;
    }
    for (const InstanceLink& l : rec.links) {
      if (std::optional<TraceContext> c = ParseTraceparent(l.traceparent)) {
        s.links.push_back(SpanLink{c->trace_id, c->span_id, Attributes{{"steadfast.workflow.id", l.instance_id}}});
      }
    }
    sink_.Export(std::move(s));
  }
}

}  // namespace steadfast::tracing
