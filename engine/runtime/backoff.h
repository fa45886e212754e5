// Retry decisions: whether a failed attempt is retried, and after how long.
//
// Pure functions of the policy, the failure, the time and a random unit, so
// the delay sequence, jitter bounds and exhaustion are unit-tested exactly.
#ifndef STEADFAST_RUNTIME_BACKOFF_H_
#define STEADFAST_RUNTIME_BACKOFF_H_

#include <cstdint>
#include <string>

#include "definition/workflow_def.h"
#include "steadfast/activity.h"
#include "steadfast/clock.h"

namespace steadfast {

// Delay before retrying after the failures-th consecutive failure (1-based):
// initial * backoff^(failures-1), capped at max_interval, then scaled by
// (1 + jitter * (2u - 1)) for u in [0, 1), never below 0.
int64_t RetryDelayMs(const RetryPolicy& policy, int failures, double random_unit);

// The longest wait a server's Retry-After (ActivityError::retry_after_ms)
// may impose: a hostile or broken service cannot park a step for longer.
inline constexpr int64_t kMaxRetryAfterMs = 24LL * 60 * 60 * 1000;

struct RetryDecision {
  bool retry = false;
  int64_t delay_ms = 0;   // when retry; for "retry_after_beyond_schedule_to_close" the wait asked for
  // When not: "non_retryable", "max_attempts", "schedule_to_close", or
  // "retry_after_beyond_schedule_to_close" (the server's Retry-After, capped
  // at kMaxRetryAfterMs, would end past the step's schedule-to-close).
  std::string reason;
};

struct FailureContext {
  int failures = 1;                  // failures of this step so far, including this one
  TimeMs now = 0;
  TimeMs step_started_at = 0;        // first schedule of the step
  int64_t schedule_to_close_ms = 0;  // 0 = none
};

RetryDecision DecideRetry(const RetryPolicy& policy, const ActivityError& error, const FailureContext& fc,
                          double random_unit);

}  // namespace steadfast

#endif  // STEADFAST_RUNTIME_BACKOFF_H_
