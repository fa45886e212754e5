// Small helpers shared by the refund activities' .cc files (not public API).
#ifndef STEADFAST_PLUGINS_REFUND_ACTIVITY_SUPPORT_H_
#define STEADFAST_PLUGINS_REFUND_ACTIVITY_SUPPORT_H_

#include <chrono>
#include <string>
#include <thread>

#include "refund/money.h"
#include "steadfast/time_text.h"
#include "steadfast/activity.h"
#include "steadfast/value.h"

namespace steadfast::refund {

inline ActivityError InvalidInput(std::string message) {
  return ActivityError::NonRetryable("invalid_input", std::move(message));
}

// A string or integer id ("r-1", 42 -> "42"); "" when absent.
inline std::string IdString(const Value& v) {
  if (v.is_string()) return v.AsString();
  if (v.is_int()) return std::to_string(v.AsInt());
  return "";
}

// An instant given as RFC 3339 text or epoch milliseconds; `fallback` when null.
inline Result<TimeMs> InstantOr(const Value& v, TimeMs fallback) {
  if (v.is_null()) return fallback;
  if (v.is_int()) return v.AsInt();
  if (v.is_string()) return ParseRfc3339(v.AsString());
  return Status::InvalidArgument("expected an RFC 3339 timestamp or epoch milliseconds");
}

// The activity key of another step of this workflow run: the keys of a
// run's steps share the prefix of this step's key ("<workflow id>[~<run>]/<step id>").
inline std::string SiblingStepKey(const ActivityContext& ctx, const std::string& step) {
  const std::string& own = ctx.idempotency_key();
  const std::string suffix = "/" + ctx.step_id();
  std::string prefix = ctx.workflow_id();
  if (!ctx.step_id().empty() && own.size() > suffix.size() &&
      own.compare(own.size() - suffix.size(), suffix.size(), suffix) == 0) {
    prefix = own.substr(0, own.size() - suffix.size());
  }
  return prefix + "/" + step;
}

// Sleeps up to ms, waking early when the attempt is cancelled. False if cancelled.
inline bool SleepUnlessCancelled(const ActivityContext& ctx, int64_t ms) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (std::chrono::steady_clock::now() < until) {
    if (ctx.cancelled()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min<int64_t>(ms, 20)));
  }
  return !ctx.cancelled();
}

}  // namespace steadfast::refund

#endif  // STEADFAST_PLUGINS_REFUND_ACTIVITY_SUPPORT_H_
