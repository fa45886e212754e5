// OTLP/JSON: finished spans as one ExportTraceServiceRequest in the JSON
// encoding of OTLP/HTTP (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding),
// the body the exporter POSTs to <endpoint>/v1/traces.
//
// The shape is resourceSpans[{resource, scopeSpans[{scope, spans}]}], with
// OTLP JSON's own rules: trace and span ids are hex strings (not base64 as
// in the generic protobuf JSON mapping), 64-bit integers (times, intValue)
// are decimal strings, enums (kind, status.code) are integers, and field
// names are lowerCamelCase. Empty optional fields are left out:
// parentSpanId of a root span, empty attributes and links, an empty status
// message.
//
// Attribute values: string, int, bool and double map to stringValue,
// intValue, boolValue and doubleValue (a NaN or infinite double is written
// "NaN", "Infinity" or "-Infinity", as protobuf JSON does); a list, map or
// null Value is sent as the stringValue of its JSON text. Strings that are
// not valid UTF-8 have the bad bytes replaced by U+FFFD rather than making
// the whole batch unencodable.
#ifndef STEADFAST_TRACING_OTLP_JSON_H_
#define STEADFAST_TRACING_OTLP_JSON_H_

#include <string>
#include <vector>

#include "steadfast/value.h"
#include "tracing/span.h"

namespace steadfast::tracing {

// The instrumentation scope name every span is reported under.
inline constexpr const char* kScopeName = "steadfast";

// What produced the spans: the OTel resource of the process.
struct Resource {
  std::string service_name = "steadfast";  // "" is sent as "unknown_service", as OTel SDKs do
  std::string service_version;             // also the scope's version; "" leaves both out
  Value::Map attributes;                   // more resource attributes (deployment.environment, host.name, ...)
};

// The request body for these spans. service.name and service.version come
// from the struct fields and win over the same keys in `attributes`.
std::string EncodeOtlpJson(const std::vector<SpanData>& spans, const Resource& resource);

}  // namespace steadfast::tracing

#endif  // STEADFAST_TRACING_OTLP_JSON_H_
