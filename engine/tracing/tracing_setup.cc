#include "tracing/tracing_setup.h"

#include <cstdlib>

#include <unistd.h>

namespace steadfast::tracing {
namespace {

std::string Trim(std::string s) {
  size_t b = s.find_first_not_of(" \t");
  size_t e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool PercentDecode(const std::string& in, std::string& out) {
  out.clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out += in[i];
      continue;
    }
    int hi = i + 1 < in.size() ? HexDigit(in[i + 1]) : -1;
    int lo = i + 2 < in.size() ? HexDigit(in[i + 2]) : -1;
    if (hi < 0 || lo < 0) return false;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return true;
}

std::string HostName() {
  char buf[256] = {0};
  if (gethostname(buf, sizeof(buf) - 1) != 0) return "";
  return buf;
}

}  // namespace

std::string ProcessEnv(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? "" : v;
}

TracingConfig ApplyOtelEnvironment(TracingConfig config, const EnvLookup& env) {
  if (std::string traces = env("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"); !traces.empty()) {
    config.otlp_endpoint = traces;
  } else if (std::string base = env("OTEL_EXPORTER_OTLP_ENDPOINT"); !base.empty()) {
    config.otlp_endpoint = base;
  }
  if (std::string name = env("OTEL_SERVICE_NAME"); !name.empty()) config.service_name = name;
  std::string disabled = env("OTEL_SDK_DISABLED");
  if (disabled == "true" || disabled == "TRUE" || disabled == "True") config.otlp_endpoint.clear();
  return config;
}

Result<std::vector<std::pair<std::string, std::string>>> ParseOtlpHeaders(const std::string& text,
                                                                           const std::string& variable) {
  std::vector<std::pair<std::string, std::string>> headers;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string item = Trim(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    start = comma == std::string::npos ? text.size() + 1 : comma + 1;
    if (item.empty()) continue;
    size_t eq = item.find('=');
    std::string name = eq == std::string::npos ? "" : Trim(item.substr(0, eq));
    std::string value;
    if (name.empty() || !PercentDecode(Trim(item.substr(eq + 1)), value)) {
      return Status::InvalidArgument(variable + " must be a list of name=value pairs separated by commas (entry " +
                                     std::to_string(headers.size() + 1) + " is not)");
    }
    headers.emplace_back(std::move(name), std::move(value));
  }
  return headers;
}

Result<std::unique_ptr<OtlpExporter>> MakeSpanExporter(const TracingConfig& configured, const std::string& node_name,
                                                       metrics::Registry* registry, Logger* logger,
                                                       const EnvLookup& env) {
  TracingConfig config = ApplyOtelEnvironment(configured, env);
  if (config.otlp_endpoint.empty()) return std::unique_ptr<OtlpExporter>();
  if (!IsHttpUrl(config.otlp_endpoint)) {
    return Status::InvalidArgument("tracing endpoint must be an http:// or https:// URL");
  }
  OtlpExporterOptions o;
  o.endpoint = config.otlp_endpoint;
  for (const char* variable : {"OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_TRACES_HEADERS"}) {
    SF_ASSIGN_OR_RETURN(auto headers, ParseOtlpHeaders(env(variable), variable));
    o.headers.insert(o.headers.end(), headers.begin(), headers.end());
  }
  o.resource.service_name = config.service_name;
  o.resource.attributes["service.instance.id"] = node_name;
  if (std::string host = HostName(); !host.empty()) o.resource.attributes["host.name"] = host;
  o.max_queue = static_cast<size_t>(config.queue_size);
  o.max_batch = static_cast<size_t>(config.batch_size);
  o.flush_interval_ms = config.flush_interval_ms;
  o.export_timeout_ms = config.export_timeout_ms;
  o.registry = registry;
  o.logger = logger;
  return std::make_unique<OtlpExporter>(std::move(o));
}

}  // namespace steadfast::tracing
