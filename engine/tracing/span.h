// SpanData: one finished span, as handed to a SpanSink for export.
//
// Ids are lowercase hex (trace 32 digits, span 16), the form used by W3C
// traceparent and by OTLP's JSON encoding. Times are Unix nanoseconds.
// Attribute values are strings, integers, booleans or doubles (a Value of
// any other type is exported as its JSON text).
#ifndef STEADFAST_TRACING_SPAN_H_
#define STEADFAST_TRACING_SPAN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "steadfast/value.h"

namespace steadfast::tracing {

// OTLP's SpanKind numbers.
enum class SpanKind : int { kInternal = 1, kServer = 2, kClient = 3, kProducer = 4, kConsumer = 5 };

// OTLP's StatusCode numbers.
enum class SpanStatus : int { kUnset = 0, kOk = 1, kError = 2 };

struct SpanLink {
  std::string trace_id;
  std::string span_id;
  Value::Map attributes;
};

struct SpanData {
  std::string trace_id;
  std::string span_id;
  std::string parent_span_id;  // "" for a root span
  std::string name;
  SpanKind kind = SpanKind::kInternal;
  int64_t start_unix_ns = 0;
  int64_t end_unix_ns = 0;
  Value::Map attributes;
  SpanStatus status = SpanStatus::kUnset;
  std::string status_message;  // only with kError
  std::vector<SpanLink> links;
};

}  // namespace steadfast::tracing

#endif  // STEADFAST_TRACING_SPAN_H_
