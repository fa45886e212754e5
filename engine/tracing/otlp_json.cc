// OTLP/JSON encoding of spans, written straight into one buffer.
//
// The exporter encodes every span the engine makes (thousands a second), so
// this writes the request text directly instead of building a JSON document
// first: the DOM cost one allocation per key and value and showed up as the
// largest part of tracing's cost (docs/PERFORMANCE.md, "Tracing"). It only
// writes JSON; nothing here parses any.
#include "tracing/otlp_json.h"

#include <cmath>

#include <fmt/format.h>

namespace steadfast::tracing {
namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 when the bytes
// there are not one (overlong forms, surrogates and code points above
// U+10FFFF included), following RFC 3629.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  size_t n = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (size_t k = 2; k < n; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return n;
}

// A JSON string literal; bytes that are not valid UTF-8 become U+FFFD, so
// user data in a span can never make the whole batch unencodable.
void AppendString(std::string& out, std::string_view s) {
  out += '"';
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
          if (c < 0x20) {
            fmt::format_to(std::back_inserter(out), "\\u{:04x}", c);
          } else {
            out += static_cast<char>(c);
          }
      }
      ++i;
      continue;
    }
    if (size_t n = Utf8SequenceLength(s, i); n > 0) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      out += "\xEF\xBF\xBD";  // U+FFFD for this byte
      ++i;
    }
  }
  out += '"';
}

// ,"key":"value" (or without the comma for the first member).
void AppendMember(std::string& out, std::string_view key, std::string_view value, bool first = false) {
  if (!first) out += ',';
  AppendString(out, key);
  out += ':';
  AppendString(out, value);
}

// "traceId" and "spanId": the start of a span and of a link.
void AppendIds(std::string& out, const std::string& trace_id, const std::string& span_id) {
  AppendMember(out, "traceId", trace_id, /*first=*/true);
  AppendMember(out, "spanId", span_id);
}

// OTLP's AnyValue for one attribute value.
void AppendAnyValue(std::string& out, const Value& value) {
  switch (value.type()) {
    case Value::Type::kString:
      out += "{\"stringValue\":";
      AppendString(out, value.AsString());
      out += '}';
      return;
    case Value::Type::kInt:
      // int64 does not survive a JSON number in every decoder: OTLP sends a string.
      fmt::format_to(std::back_inserter(out), "{{\"intValue\":\"{}\"}}", value.AsInt());
      return;
    case Value::Type::kBool:
      out += value.AsBool() ? "{\"boolValue\":true}" : "{\"boolValue\":false}";
      return;
    case Value::Type::kDouble: {
      const double d = value.AsDouble();
      if (std::isnan(d)) {
        out += "{\"doubleValue\":\"NaN\"}";
      } else if (std::isinf(d)) {
        out += d > 0 ? "{\"doubleValue\":\"Infinity\"}" : "{\"doubleValue\":\"-Infinity\"}";
      } else {
        // Shortest text that reads back as the same double.
        fmt::format_to(std::back_inserter(out), "{{\"doubleValue\":{}}}", d);
      }
      return;
    }
    case Value::Type::kNull:
    case Value::Type::kList:
    case Value::Type::kMap:
      break;
  }
  out += "{\"stringValue\":";
  AppendString(out, value.ToJson());
  out += '}';
}

template <class KeyValueRange>  // Value::Map or Attributes
void AppendKeyValues(std::string& out, const KeyValueRange& attributes) {
  out += '[';
  bool first = true;
  for (const auto& [key, value] : attributes) {
    if (!first) out += ',';
    first = false;
    out += "{\"key\":";
    AppendString(out, key);
    out += ",\"value\":";
    AppendAnyValue(out, value);
    out += '}';
  }
  out += ']';
}

void AppendResource(std::string& out, const Resource& resource) {
  Value::Map attributes = resource.attributes;
  attributes["service.name"] = resource.service_name.empty() ? "unknown_service" : resource.service_name;
  if (resource.service_version.empty()) {
    attributes.erase("service.version");
  } else {
    attributes["service.version"] = resource.service_version;
  }
  out += "{\"attributes\":";
  AppendKeyValues(out, attributes);
  out += '}';
}

void AppendSpan(std::string& out, const SpanData& span) {
  out += '{';
  AppendIds(out, span.trace_id, span.span_id);
  if (!span.parent_span_id.empty()) AppendMember(out, "parentSpanId", span.parent_span_id);
  AppendMember(out, "name", span.name);
  fmt::format_to(std::back_inserter(out), ",\"kind\":{},\"startTimeUnixNano\":\"{}\",\"endTimeUnixNano\":\"{}\"",
                 static_cast<int>(span.kind), span.start_unix_ns, span.end_unix_ns);
  if (!span.attributes.empty()) {
    out += ",\"attributes\":";
    AppendKeyValues(out, span.attributes);
  }
  if (!span.links.empty()) {
    out += ",\"links\":[";
    bool first = true;
    for (const SpanLink& link : span.links) {
      if (!first) out += ',';
      first = false;
      out += '{';
      AppendIds(out, link.trace_id, link.span_id);
      if (!link.attributes.empty()) {
        out += ",\"attributes\":";
        AppendKeyValues(out, link.attributes);
      }
      out += '}';
    }
    out += ']';
  }
  fmt::format_to(std::back_inserter(out), ",\"status\":{{\"code\":{}", static_cast<int>(span.status));
  if (!span.status_message.empty()) AppendMember(out, "message", span.status_message);
  out += "}}";
}

}  // namespace

std::string EncodeOtlpJson(const std::vector<SpanData>& spans, const Resource& resource) {
  std::string out;
  out.reserve(512 + spans.size() * 768);
  out += "{\"resourceSpans\":[{\"resource\":";
  AppendResource(out, resource);
  out += ",\"scopeSpans\":[{\"scope\":{\"name\":";
  AppendString(out, kScopeName);
  if (!resource.service_version.empty()) {
    out += ",\"version\":";
    AppendString(out, resource.service_version);
  }
  out += "},\"spans\":[";
  for (size_t i = 0; i < spans.size(); ++i) {
    if (i > 0) out += ',';
    AppendSpan(out, spans[i]);
  }
  out += "]}]}]}";
  return out;
}

}  // namespace steadfast::tracing
