#include "core/trace_context.h"

#include <cstdint>

#include <fmt/format.h>

namespace steadfast::tracing {
namespace {

bool IsLowerHex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool IsAllZero(std::string_view s) { return s.find_first_not_of('0') == std::string_view::npos; }

// FNV-1a, 64 bits: stable across builds and platforms (std::hash is not).
uint64_t Fnv1a(std::string_view data, uint64_t h = 14695981039346656037ULL) {
  for (unsigned char c : data) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

std::string SpanIdOf(std::string_view kind, std::string_view key) {
  uint64_t h = Fnv1a(key, Fnv1a(kind));
  if (h == 0) h = 1;  // an all-zero span id is invalid
  return fmt::format("{:016x}", h);
}

}  // namespace

std::optional<TraceContext> ParseTraceparent(std::string_view h) {
  // version "-" trace-id "-" parent-id "-" flags: 2+1+32+1+16+1+2 = 55.
  if (h.size() < 55 || h[2] != '-' || h[35] != '-' || h[52] != '-') return std::nullopt;
  std::string_view version = h.substr(0, 2), trace = h.substr(3, 32), span = h.substr(36, 16),
                   flags = h.substr(53, 2);
  if (!IsLowerHex(version) || version == "ff" || !IsLowerHex(trace) || !IsLowerHex(span) || !IsLowerHex(flags)) {
    return std::nullopt;
  }
  if (version == "00" && h.size() != 55) return std::nullopt;
  if (version != "00" && h.size() > 55 && h[55] != '-') return std::nullopt;
  if (IsAllZero(trace) || IsAllZero(span)) return std::nullopt;
  int flag_bits = std::stoi(std::string(flags), nullptr, 16);
  return TraceContext{std::string(trace), std::string(span), (flag_bits & 1) != 0};
}

std::string FormatTraceparent(const TraceContext& c) {
  return fmt::format("00-{}-{}-{}", c.trace_id, c.span_id, c.sampled ? "01" : "00");
}

std::string NewTraceId(Random& random) {
  uint64_t hi = random.NextU64(), lo = random.NextU64();
  if (hi == 0 && lo == 0) lo = 1;
  return fmt::format("{:016x}{:016x}", hi, lo);
}

std::string WorkflowSpanId(std::string_view instance_id) { return SpanIdOf("workflow\n", instance_id); }

std::string AttemptSpanId(std::string_view instance_id, std::string_view step_id, int attempt, bool compensation) {
  return SpanIdOf(compensation ? "compensation\n" : "attempt\n",
                  fmt::format("{}\n{}\n{}", instance_id, step_id, attempt));
}

TraceContext AttemptContext(std::string_view stored_traceparent, std::string_view instance_id,
                            std::string_view step_id, int attempt, bool compensation) {
  std::optional<TraceContext> context = ParseTraceparent(stored_traceparent);
  if (!context) context = TraceContext{InstanceTraceId(stored_traceparent, instance_id), "", true};
  context->span_id = AttemptSpanId(instance_id, step_id, attempt, compensation);
  return *context;
}

std::string WaitSpanId(std::string_view instance_id, std::string_view step_id, int64_t started_at_ms) {
  return SpanIdOf("wait\n", fmt::format("{}\n{}\n{}", instance_id, step_id, started_at_ms));
}

std::string InstanceTraceparent(std::string_view incoming, std::string_view instance_id, Random& random) {
  if (std::optional<TraceContext> parent = ParseTraceparent(incoming)) return FormatTraceparent(*parent);
  return FormatTraceparent(TraceContext{NewTraceId(random), WorkflowSpanId(instance_id), true});
}

std::string InstanceTraceId(std::string_view stored_traceparent, std::string_view instance_id) {
  if (std::optional<TraceContext> c = ParseTraceparent(stored_traceparent)) return c->trace_id;
  return SpanIdOf("trace-high\n", instance_id) + SpanIdOf("trace-low\n", instance_id);
}

std::string WorkflowSpanTraceparent(std::string_view stored_traceparent, std::string_view instance_id) {
  return FormatTraceparent(
      TraceContext{InstanceTraceId(stored_traceparent, instance_id), WorkflowSpanId(instance_id), true});
}

}  // namespace steadfast::tracing
