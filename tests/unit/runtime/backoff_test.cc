// Retry delays and decisions, with fixed random units: exact and instant.
#include "runtime/backoff.h"

#include <gtest/gtest.h>

namespace steadfast {
namespace {

RetryPolicy Policy() {
  RetryPolicy p;
  p.max_attempts = 6;
  p.initial_interval_ms = 1000;
  p.backoff = 2.0;
  p.max_interval_ms = 10000;
  p.jitter = 0.0;
  return p;
}

TEST(BackoffTest, ExponentialSequenceCappedAtMax) {
  RetryPolicy p = Policy();
  EXPECT_EQ(RetryDelayMs(p, 1, 0.5), 1000);
  EXPECT_EQ(RetryDelayMs(p, 2, 0.5), 2000);
  EXPECT_EQ(RetryDelayMs(p, 3, 0.5), 4000);
  EXPECT_EQ(RetryDelayMs(p, 4, 0.5), 8000);
  EXPECT_EQ(RetryDelayMs(p, 5, 0.5), 10000);
  EXPECT_EQ(RetryDelayMs(p, 50, 0.5), 10000);  // no overflow far out
}

TEST(BackoffTest, JitterStaysWithinBounds) {
  RetryPolicy p = Policy();
  p.jitter = 0.2;
  EXPECT_EQ(RetryDelayMs(p, 2, 0.0), 1600);   // 2000 * (1 - 0.2)
  EXPECT_EQ(RetryDelayMs(p, 2, 0.5), 2000);   // the middle
  EXPECT_EQ(RetryDelayMs(p, 2, 1.0), 2400);   // 2000 * (1 + 0.2)
  for (int i = 0; i <= 100; ++i) {
    int64_t d = RetryDelayMs(p, 3, i / 100.0);
    EXPECT_GE(d, 3200);
    EXPECT_LE(d, 4800);
  }
}

TEST(BackoffTest, NonRetryableErrorsStopAtOnce) {
  RetryPolicy p = Policy();
  p.non_retryable = {"invalid_charge"};
  FailureContext fc{1, 0, 0, 0};
  EXPECT_FALSE(DecideRetry(p, ActivityError::NonRetryable("x", ""), fc, 0.5).retry);
  RetryDecision listed = DecideRetry(p, ActivityError::Retryable("invalid_charge", ""), fc, 0.5);
  EXPECT_FALSE(listed.retry);
  EXPECT_EQ(listed.reason, "non_retryable");
  EXPECT_TRUE(DecideRetry(p, ActivityError::Retryable("psp_unavailable", ""), fc, 0.5).retry);
}

TEST(BackoffTest, ExhaustionAfterMaxAttempts) {
  RetryPolicy p = Policy();
  ActivityError e = ActivityError::Retryable("boom", "");
  for (int failures = 1; failures < p.max_attempts; ++failures) {
    EXPECT_TRUE(DecideRetry(p, e, FailureContext{failures, 0, 0, 0}, 0.5).retry) << failures;
  }
  RetryDecision d = DecideRetry(p, e, FailureContext{p.max_attempts, 0, 0, 0}, 0.5);
  EXPECT_FALSE(d.retry);
  EXPECT_EQ(d.reason, "max_attempts");
}

TEST(BackoffTest, ScheduleToCloseEndsRetries) {
  RetryPolicy p = Policy();
  ActivityError e = ActivityError::Retryable("boom", "");
  // Started at 0, 5s budget: at t=3s a 4s delay would overrun it.
  RetryDecision d = DecideRetry(p, e, FailureContext{3, 3000, 0, 5000}, 0.5);
  EXPECT_FALSE(d.retry);
  EXPECT_EQ(d.reason, "schedule_to_close");
  EXPECT_TRUE(DecideRetry(p, e, FailureContext{1, 1000, 0, 5000}, 0.5).retry);
}

TEST(BackoffTest, RetryAfterIsAMinimum) {
  RetryPolicy p = Policy();
  ActivityError e = ActivityError::Retryable("rate_limited", "");
  e.retry_after_ms = 7000;
  EXPECT_EQ(DecideRetry(p, e, FailureContext{1, 0, 0, 0}, 0.5).delay_ms, 7000);
  e.retry_after_ms = 10;
  EXPECT_EQ(DecideRetry(p, e, FailureContext{1, 0, 0, 0}, 0.5).delay_ms, 1000);
}

TEST(BackoffTest, RetryAfterIsCapped) {
  RetryPolicy p = Policy();
  ActivityError e = ActivityError::Retryable("rate_limited", "");
  e.retry_after_ms = 400LL * 24 * 60 * 60 * 1000;  // a year and more
  EXPECT_EQ(DecideRetry(p, e, FailureContext{1, 0, 0, 0}, 0.5).delay_ms, kMaxRetryAfterMs);
}

TEST(BackoffTest, RetryAfterPastScheduleToCloseSaysSo) {
  RetryPolicy p = Policy();
  ActivityError e = ActivityError::Retryable("rate_limited", "");
  e.retry_after_ms = 60000;  // the server asks for a minute; 4 s of the 5 s budget are left
  RetryDecision d = DecideRetry(p, e, FailureContext{1, 1000, 0, 5000}, 0.5);
  EXPECT_FALSE(d.retry);
  EXPECT_EQ(d.reason, "retry_after_beyond_schedule_to_close");
  EXPECT_EQ(d.delay_ms, 60000);
}

}  // namespace
}  // namespace steadfast
