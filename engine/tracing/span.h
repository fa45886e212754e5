// SpanData: one finished span, as handed to a SpanSink for export.
//
// Ids are lowercase hex (trace 32 digits, span 16), the form used by W3C
// traceparent and by OTLP's JSON encoding. Times are Unix nanoseconds.
// Attribute values are strings, integers, booleans or doubles (a Value of
// any other type is exported as its JSON text).
#ifndef STEADFAST_TRACING_SPAN_H_
#define STEADFAST_TRACING_SPAN_H_

#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "steadfast/value.h"

namespace steadfast::tracing {

// OTLP's SpanKind numbers.
enum class SpanKind : int { kInternal = 1, kServer = 2, kClient = 3, kProducer = 4, kConsumer = 5 };

// OTLP's StatusCode numbers.
enum class SpanStatus : int { kUnset = 0, kOk = 1, kError = 2 };

// A span's attributes: a flat list in insertion order with unique keys.
// Not a Value::Map: the engine builds one per attempt on its checkpoint
// path, and a map node per attribute was a measurable part of tracing's
// cost (docs/PERFORMANCE.md, "Tracing").
class Attributes {
 public:
  using Entry = std::pair<std::string, Value>;
  Attributes() = default;
  Attributes(std::initializer_list<Entry> entries) {
    for (const Entry& e : entries) Set(e.first, e.second);
  }
  Attributes(const Value::Map& map) {  // NOLINT: a map converts (tests, plugins)
    entries_.reserve(map.size());
    for (const auto& [key, value] : map) entries_.emplace_back(key, value);
  }

  // Adds the attribute, or replaces the value of an existing key.
  void Set(std::string_view key, Value value) { (*this)[key] = std::move(value); }
  Value& operator[](std::string_view key) {
    for (Entry& e : entries_) {
      if (e.first == key) return e.second;
    }
    return entries_.emplace_back(std::string(key), Value()).second;
  }
  const Value* Find(std::string_view key) const {
    for (const Entry& e : entries_) {
      if (e.first == key) return &e.second;
    }
    return nullptr;
  }
  const Value& at(std::string_view key) const {
    if (const Value* v = Find(key)) return *v;
    throw std::out_of_range("no span attribute '" + std::string(key) + "'");
  }

  void reserve(size_t n) { entries_.reserve(n); }
  void clear() { entries_.clear(); }
  bool empty() const { return entries_.empty(); }
  size_t size() const { return entries_.size(); }
  std::vector<Entry>::const_iterator begin() const { return entries_.begin(); }
  std::vector<Entry>::const_iterator end() const { return entries_.end(); }

 private:
  std::vector<Entry> entries_;
};

struct SpanLink {
  std::string trace_id;
  std::string span_id;
  Attributes attributes;
};

struct SpanData {
  std::string trace_id;
  std::string span_id;
  std::string parent_span_id;  // "" for a root span
  std::string name;
  SpanKind kind = SpanKind::kInternal;
  int64_t start_unix_ns = 0;
  int64_t end_unix_ns = 0;
  Attributes attributes;
  SpanStatus status = SpanStatus::kUnset;
  std::string status_message;  // only with kError
  std::vector<SpanLink> links;
};

}  // namespace steadfast::tracing

#endif  // STEADFAST_TRACING_SPAN_H_
