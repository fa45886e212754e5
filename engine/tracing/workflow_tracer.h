// WorkflowTracer: turns what the engine does into OpenTelemetry spans.
//
// One trace per workflow instance (docs/observability.md, "Traces"):
//  - the workflow span "workflow <name>", id WorkflowSpanId(instance), child
//    of the caller's span when the instance was started with a traceparent,
//    emitted when the instance finishes (start = created_at), linked to the
//    workflow spans of the instances it was started with `links` to;
//  - a span per attempt "activity <name>" / "compensate <name>", child of the
//    workflow span, id AttemptSpanId(...), the same id the attempt's
//    ActivityContext::traceparent() carried to the PSP and other services;
//  - a span per attempt lost with a crashed process (attempt_abandoned),
//    under that same id, once the next process checkpoints the loss.
// The trace id is the one stored with the instance, so spans from before
// and after a crash belong to the same trace. An instance started with an
// unsampled traceparent (flags 00) produces no spans.
#ifndef STEADFAST_TRACING_WORKFLOW_TRACER_H_
#define STEADFAST_TRACING_WORKFLOW_TRACER_H_

#include <vector>

#include "runtime/attempt_report.h"
#include "store/store.h"
#include "tracing/span_sink.h"

namespace steadfast::tracing {

class WorkflowTracer {
 public:
  explicit WorkflowTracer(SpanSink& sink) : sink_(sink) {}

  // Engine::SetAttemptObserver.
  void OnAttempt(const AttemptReport& report);
  // Engine::AddObserver.
  void OnCommit(const InstanceRecord& instance, const std::vector<HistoryEvent>& events);

 private:
  SpanSink& sink_;
};

}  // namespace steadfast::tracing

#endif  // STEADFAST_TRACING_WORKFLOW_TRACER_H_
