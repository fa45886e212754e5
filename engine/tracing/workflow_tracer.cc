#include "tracing/workflow_tracer.h"

#include <optional>
#include <string>

#include "runtime/history_types.h"
#include "tracing/trace_context.h"

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

SpanData AttemptSpan(const InstanceRecord& rec, const InstanceTrace& trace, const std::string& step, int attempt,
                     bool compensation, const std::string& activity) {
  SpanData s;
  s.trace_id = trace.trace_id;
  s.span_id = AttemptSpanId(rec.id, step, attempt, compensation);
  s.parent_span_id = WorkflowSpanId(rec.id);
  s.name = (compensation ? "compensate " : "activity ") + activity;
  s.attributes = WorkflowAttributes(rec);
  s.attributes["steadfast.step"] = step;
  s.attributes["steadfast.activity"] = activity;
  s.attributes["steadfast.attempt"] = static_cast<int64_t>(attempt);
  if (compensation) s.attributes["steadfast.compensation"] = true;
  return s;
}

bool EndsWorkflow(const std::string& type) {
  return type == history::kWorkflowCompleted || type == history::kWorkflowFailed ||
         type == history::kWorkflowCompensated || type == history::kWorkflowCancelled;
}

}  // namespace

void WorkflowTracer::OnAttempt(const AttemptReport& r) {
  InstanceTrace trace = TraceOf(r.instance);
  if (!trace.sampled) return;
  SpanData s = AttemptSpan(r.instance, trace, r.step_id, r.attempt, r.compensation, r.activity);
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

void WorkflowTracer::OnCommit(const InstanceRecord& rec, const std::vector<HistoryEvent>& events) {
  std::optional<InstanceTrace> trace;
  for (const HistoryEvent& e : events) {
    bool abandoned = e.type == history::kAttemptAbandoned;
    if (!abandoned && !EndsWorkflow(e.type)) continue;
    if (!trace) trace = TraceOf(rec);
    if (!trace->sampled) return;
    if (abandoned) {
      // The process running it died: its start is not recorded, its end is
      // when the loss was noticed. The activity name may not be known here.
      bool compensation = e.data.Get("compensation").BoolOr(false);
      SpanData s = AttemptSpan(rec, *trace, e.step_id, e.attempt, compensation,
                               e.data.Get("activity").StringOr(e.step_id));
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
