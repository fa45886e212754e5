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
//    under that same id, once the next process checkpoints the loss;
//  - a span per wait "wait approval <step>" / "wait signal <name>", from
//    wait_started to the decision, signal or timeout that ended it (how
//    long a refund sat with a reviewer), child of the workflow span; and
//    "sleep <step>" from sleep_started to sleep_ended.
// The trace id is the one stored with the instance, so spans from before
// and after a crash belong to the same trace. An instance started with an
// unsampled traceparent (flags 00) produces no spans.
#ifndef STEADFAST_TRACING_WORKFLOW_TRACER_H_
#define STEADFAST_TRACING_WORKFLOW_TRACER_H_

#include <optional>
#include <vector>

#include "runtime/attempt_report.h"
#include "store/store.h"
#include "tracing/span_sink.h"

namespace steadfast::tracing {

class WorkflowTracer {
 public:
  // `history` finds when a wait started that ended in a later commit; with
  // none, only waits that start and end in one commit get a span.
  explicit WorkflowTracer(SpanSink& sink, Store* history = nullptr) : sink_(sink), history_(history) {}

  // Engine::SetAttemptObserver.
  void OnAttempt(const AttemptReport& report);
  // Engine::AddObserver.
  void OnCommit(const InstanceRecord& instance, const std::vector<HistoryEvent>& events);

 private:
  // The wait_started event of `step` that `end` (at index `end_index` of
  // `events`) closes: in this commit, else the latest one in the history.
  std::optional<HistoryEvent> WaitStart(const InstanceRecord& rec, const std::vector<HistoryEvent>& events,
                                        size_t end_index) const;

  SpanSink& sink_;
  Store* history_;
};

}  // namespace steadfast::tracing

#endif  // STEADFAST_TRACING_WORKFLOW_TRACER_H_
