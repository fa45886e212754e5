// Tracing set-up for the commands that run an engine (`serve`, `run`,
// `bench`; the composition root in tools/steadfast attaches the tracer to
// the engine): the exporter from config/steadfast.yaml's `tracing:` section,
// overridden by the standard OpenTelemetry environment variables:
//
//   OTEL_SDK_DISABLED=true                 no export at all
//   OTEL_EXPORTER_OTLP_TRACES_ENDPOINT     the receiver (wins over the next)
//   OTEL_EXPORTER_OTLP_ENDPOINT            the receiver's base URL
//   OTEL_EXPORTER_OTLP_HEADERS             "name=value,name2=value2" (e.g. an API key;
//   OTEL_EXPORTER_OTLP_TRACES_HEADERS      never in the config file, never logged)
//   OTEL_SERVICE_NAME                      service.name of the spans
#ifndef STEADFAST_TRACING_TRACING_SETUP_H_
#define STEADFAST_TRACING_TRACING_SETUP_H_

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "config/engine_config.h"
#include "metrics/registry.h"
#include "steadfast/logger.h"
#include "tracing/otlp_exporter.h"

namespace steadfast::tracing {

// Reads an environment variable; "" when unset. Injected for tests.
using EnvLookup = std::function<std::string(const char* name)>;
std::string ProcessEnv(const char* name);

// `config` with the OTEL_* variables applied.
TracingConfig ApplyOtelEnvironment(TracingConfig config, const EnvLookup& env);

// Parses OTEL_EXPORTER_OTLP_HEADERS ("k=v,k2=v2", values percent-decoded).
// InvalidArgument naming the variable (never the value) when malformed.
Result<std::vector<std::pair<std::string, std::string>>> ParseOtlpHeaders(const std::string& text,
                                                                           const std::string& variable);

// The exporter, or null when no endpoint is configured (tracing off: the
// engine then builds no spans at all).
Result<std::unique_ptr<OtlpExporter>> MakeSpanExporter(const TracingConfig& config, const std::string& node_name,
                                                       metrics::Registry* registry, Logger* logger,
                                                       const EnvLookup& env = ProcessEnv);

}  // namespace steadfast::tracing

#endif  // STEADFAST_TRACING_TRACING_SETUP_H_
