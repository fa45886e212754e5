// The per-principal token bucket, driven by a ManualClock: no sleeping.
#include "http/rate_limiter.h"

#include <gtest/gtest.h>

namespace steadfast::http {
namespace {

TEST(RateLimiterTest, BurstThenRefusedWithRetryAfter) {
  ManualClock clock;
  RateLimiter limiter(RateLimit{2, 3}, clock);  // 2 per second, bucket of 3
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.Admit("alice").allowed) << i;
  RateDecision d = limiter.Admit("alice");
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_ms, 500);  // one token at 2/s
}

TEST(RateLimiterTest, RefillsWithTimeUpToTheBurst) {
  ManualClock clock;
  RateLimiter limiter(RateLimit{2, 3}, clock);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(limiter.Admit("a").allowed);
  ASSERT_FALSE(limiter.Admit("a").allowed);
  clock.Advance(499);
  RateDecision d = limiter.Admit("a");
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_ms, 1);
  clock.Advance(1);
  EXPECT_TRUE(limiter.Admit("a").allowed);
  EXPECT_FALSE(limiter.Admit("a").allowed);
  clock.Advance(60'000);  // a long pause refills only up to the burst
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.Admit("a").allowed) << i;
  EXPECT_FALSE(limiter.Admit("a").allowed);
}

TEST(RateLimiterTest, PrincipalsHaveSeparateBuckets) {
  ManualClock clock;
  RateLimiter limiter(RateLimit{1, 1}, clock);
  EXPECT_TRUE(limiter.Admit("alice").allowed);
  EXPECT_FALSE(limiter.Admit("alice").allowed);
  EXPECT_TRUE(limiter.Admit("bob").allowed);
  EXPECT_FALSE(limiter.Admit("bob").allowed);
}

TEST(RateLimiterTest, ZeroRateMeansUnlimited) {
  ManualClock clock;
  RateLimiter limiter(RateLimit{0, 1}, clock);
  for (int i = 0; i < 10'000; ++i) ASSERT_TRUE(limiter.Admit("x").allowed);
}

TEST(RateLimiterTest, ClockGoingBackwardsRefillsNothing) {
  ManualClock clock;
  RateLimiter limiter(RateLimit{1, 1}, clock);
  ASSERT_TRUE(limiter.Admit("x").allowed);
  clock.Advance(-10'000);
  EXPECT_FALSE(limiter.Admit("x").allowed);
  clock.Advance(10'000);
  EXPECT_FALSE(limiter.Admit("x").allowed);  // back where it was: still no time has passed
  clock.Advance(1'000);
  EXPECT_TRUE(limiter.Admit("x").allowed);
}

TEST(RateLimiterTest, FractionalRates) {
  ManualClock clock;
  RateLimiter limiter(RateLimit{0.5, 1}, clock);  // one every two seconds
  ASSERT_TRUE(limiter.Admit("x").allowed);
  RateDecision d = limiter.Admit("x");
  ASSERT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_ms, 2000);
  clock.Advance(2000);
  EXPECT_TRUE(limiter.Admit("x").allowed);
}

}  // namespace
}  // namespace steadfast::http
