// OTLP/JSON encoding of spans, built with nlohmann::json.
#include "tracing/otlp_json.h"

#include <cmath>

#include <nlohmann/json.hpp>

namespace steadfast::tracing {
namespace {

using json = nlohmann::json;

// OTLP's AnyValue for one attribute value.
json AnyValue(const Value& value) {
  switch (value.type()) {
    case Value::Type::kString:
      return {{"stringValue", value.AsString()}};
    case Value::Type::kInt:
      // int64 does not survive a JSON number in every decoder: OTLP sends a string.
      return {{"intValue", std::to_string(value.AsInt())}};
    case Value::Type::kBool:
      return {{"boolValue", value.AsBool()}};
    case Value::Type::kDouble: {
      const double d = value.AsDouble();
      if (std::isnan(d)) return {{"doubleValue", "NaN"}};
      if (std::isinf(d)) return {{"doubleValue", d > 0 ? "Infinity" : "-Infinity"}};
      return {{"doubleValue", d}};
    }
    case Value::Type::kNull:
    case Value::Type::kList:
    case Value::Type::kMap:
      break;
  }
  return {{"stringValue", value.ToJson()}};
}

json KeyValues(const Value::Map& attributes) {
  json out = json::array();
  for (const auto& [key, value] : attributes) out.push_back({{"key", key}, {"value", AnyValue(value)}});
  return out;
}

json ResourceJson(const Resource& resource) {
  Value::Map attributes = resource.attributes;
  attributes["service.name"] = resource.service_name.empty() ? "unknown_service" : resource.service_name;
  if (resource.service_version.empty()) {
    attributes.erase("service.version");
  } else {
    attributes["service.version"] = resource.service_version;
  }
  return {{"attributes", KeyValues(attributes)}};
}

json SpanJson(const SpanData& span) {
  json out = {
      {"traceId", span.trace_id},
      {"spanId", span.span_id},
      {"name", span.name},
      {"kind", static_cast<int>(span.kind)},
      {"startTimeUnixNano", std::to_string(span.start_unix_ns)},
      {"endTimeUnixNano", std::to_string(span.end_unix_ns)},
  };
  if (!span.parent_span_id.empty()) out["parentSpanId"] = span.parent_span_id;
  if (!span.attributes.empty()) out["attributes"] = KeyValues(span.attributes);
  if (!span.links.empty()) {
    json links = json::array();
    for (const SpanLink& link : span.links) {
      json l = {{"traceId", link.trace_id}, {"spanId", link.span_id}};
      if (!link.attributes.empty()) l["attributes"] = KeyValues(link.attributes);
      links.push_back(std::move(l));
    }
    out["links"] = std::move(links);
  }
  json status = {{"code", static_cast<int>(span.status)}};
  if (!span.status_message.empty()) status["message"] = span.status_message;
  out["status"] = std::move(status);
  return out;
}

}  // namespace

std::string EncodeOtlpJson(const std::vector<SpanData>& spans, const Resource& resource) {
  json span_list = json::array();
  for (const SpanData& span : spans) span_list.push_back(SpanJson(span));
  json scope = {{"name", kScopeName}};
  if (!resource.service_version.empty()) scope["version"] = resource.service_version;
  json scope_spans = {{"scope", std::move(scope)}, {"spans", std::move(span_list)}};
  json resource_spans = {{"resource", ResourceJson(resource)}, {"scopeSpans", json::array({std::move(scope_spans)})}};
  json request = {{"resourceSpans", json::array({std::move(resource_spans)})}};
  // A span name or attribute from user data may hold invalid UTF-8: replace
  // those bytes instead of throwing and losing the batch.
  return request.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace steadfast::tracing
