// Retry delay and retry/exhaustion decision.
#include "runtime/backoff.h"

#include <algorithm>
#include <cmath>

namespace steadfast {

int64_t RetryDelayMs(const RetryPolicy& policy, int failures, double random_unit) {
  double delay = static_cast<double>(policy.initial_interval_ms);
  for (int i = 1; i < failures && delay < static_cast<double>(policy.max_interval_ms); ++i) delay *= policy.backoff;
  delay = std::min(delay, static_cast<double>(policy.max_interval_ms));
  double jitter = std::clamp(policy.jitter, 0.0, 1.0);
  double u = std::clamp(random_unit, 0.0, 1.0);
  delay *= 1.0 + jitter * (2.0 * u - 1.0);
  return std::max<int64_t>(0, std::llround(delay));
}

RetryDecision DecideRetry(const RetryPolicy& policy, const ActivityError& error, const FailureContext& fc,
                          double random_unit) {
  RetryDecision d;
  bool listed = std::find(policy.non_retryable.begin(), policy.non_retryable.end(), error.code) !=
                policy.non_retryable.end();
  if (error.kind == ErrorKind::kNonRetryable || listed) {
    d.reason = "non_retryable";
    return d;
  }
  if (fc.failures >= policy.max_attempts) {
    d.reason = "max_attempts";
    return d;
  }
  int64_t delay = RetryDelayMs(policy, fc.failures, random_unit);
  bool server_asked = false;
  if (error.retry_after_ms && *error.retry_after_ms > delay) {
    delay = std::min(*error.retry_after_ms, kMaxRetryAfterMs);
    server_asked = true;
  }
  if (fc.schedule_to_close_ms > 0 && fc.now + delay >= fc.step_started_at + fc.schedule_to_close_ms) {
    d.reason = server_asked ? "retry_after_beyond_schedule_to_close" : "schedule_to_close";
    d.delay_ms = delay;
    return d;
  }
  d.retry = true;
  d.delay_ms = delay;
  return d;
}

}  // namespace steadfast
