// TraceContext: W3C trace context (traceparent) and the span ids the engine
// gives to workflows and attempts.
//
// Span ids of an instance's workflow span and of each attempt are derived
// from durable facts (instance id, step, attempt number), not drawn at
// random: a process that restarts after a crash knows the id of a span that
// an activity of the dead process already announced to a PSP in its
// traceparent header, and reports that attempt under the same id.
#ifndef STEADFAST_CORE_TRACE_CONTEXT_H_
#define STEADFAST_CORE_TRACE_CONTEXT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/random.h"

namespace steadfast::tracing {

struct TraceContext {
  std::string trace_id;  // 32 lowercase hex digits, not all zero
  std::string span_id;   // 16 lowercase hex digits, not all zero
  bool sampled = true;
};

// "00-<trace id>-<span id>-<flags>" as W3C Trace Context level 1 defines
// it; nullopt for anything else (wrong version 00 layout, uppercase, zero ids).
// Versions above 00 are read by their first four fields, as the spec asks.
std::optional<TraceContext> ParseTraceparent(std::string_view header);
std::string FormatTraceparent(const TraceContext& context);

std::string NewTraceId(Random& random);

// The span of the whole instance.
std::string WorkflowSpanId(std::string_view instance_id);
// The span of one attempt of a step (or of its compensation).
std::string AttemptSpanId(std::string_view instance_id, std::string_view step_id, int attempt, bool compensation);

// The context an attempt runs in and sends to other services: the
// instance's trace (and sampling) with the attempt's own span id.
TraceContext AttemptContext(std::string_view stored_traceparent, std::string_view instance_id,
                            std::string_view step_id, int attempt, bool compensation);

// The span of one wait (signal or approval step), by when it started.
std::string WaitSpanId(std::string_view instance_id, std::string_view step_id, int64_t started_at_ms);

// The traceparent stored with a new instance: the caller's context when it
// sent a valid one (the workflow span becomes its child), else a new trace
// whose span id is the workflow span itself (the workflow span is a root).
std::string InstanceTraceparent(std::string_view incoming, std::string_view instance_id, Random& random);

// The trace of an instance: its stored traceparent's, or for an instance
// stored without one (schema v1) a trace id derived from its id.
std::string InstanceTraceId(std::string_view stored_traceparent, std::string_view instance_id);

// The context of an instance's workflow span, as other instances link to it.
std::string WorkflowSpanTraceparent(std::string_view stored_traceparent, std::string_view instance_id);

}  // namespace steadfast::tracing

#endif  // STEADFAST_CORE_TRACE_CONTEXT_H_
