// SpanSink: where finished spans go. The engine calls Export() on its
// checkpoint path, so an implementation must never block on I/O there.
#ifndef STEADFAST_TRACING_SPAN_SINK_H_
#define STEADFAST_TRACING_SPAN_SINK_H_

#include "tracing/span.h"

namespace steadfast::tracing {

class SpanSink {
 public:
  virtual ~SpanSink() = default;
  // Takes the span for export. Thread-safe; returns at once (a full queue
  // drops the span and counts it, it never waits).
  virtual void Export(SpanData span) = 0;
};

}  // namespace steadfast::tracing

#endif  // STEADFAST_TRACING_SPAN_SINK_H_
