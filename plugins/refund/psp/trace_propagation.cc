#include "trace_propagation.h"

#include <strings.h>

#include <utility>

namespace steadfast::refund {
namespace {

thread_local std::string current_traceparent;

}  // namespace

const std::string& CurrentTraceparent() { return current_traceparent; }

ScopedTraceparent::ScopedTraceparent(std::string traceparent)
    : previous_(std::exchange(current_traceparent, std::move(traceparent))) {}

ScopedTraceparent::~ScopedTraceparent() { current_traceparent = std::move(previous_); }

ActivityFn WithTracePropagation(ActivityFn fn) {
  return [fn = std::move(fn)](ActivityContext& ctx) -> ActivityResult {
    ScopedTraceparent scope(ctx.traceparent());
    return fn(ctx);
  };
}

TransportResult TracePropagatingTransport::Send(const HttpRequest& request) {
  const std::string& traceparent = CurrentTraceparent();
  if (traceparent.empty()) return inner_.Send(request);
  for (const auto& [name, value] : request.headers) {
    if (strcasecmp(name.c_str(), "traceparent") == 0) return inner_.Send(request);
  }
  HttpRequest traced = request;
  traced.headers.emplace_back("traceparent", traceparent);
  return inner_.Send(traced);
}

}  // namespace steadfast::refund
