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

struct RetryDecision {
  bool retry = false;
  int64_t delay_ms = 0;   // when retry
  std::string reason;     // when not: "non_retryable", "max_attempts", "schedule_to_close"
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
