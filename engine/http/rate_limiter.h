// RateLimiter: a token bucket per principal.
//
// Each principal's bucket holds up to `burst` tokens and refills at
// `per_s` tokens per second; a request takes one token or is refused with
// the time until the next token (the API answers 429 with Retry-After).
// Time comes from the injected Clock, so tests drive it with a ManualClock
// and never sleep. A clock that steps backwards refills nothing.
#ifndef STEADFAST_HTTP_RATE_LIMITER_H_
#define STEADFAST_HTTP_RATE_LIMITER_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "steadfast/clock.h"

namespace steadfast::http {

struct RateLimit {
  double per_s = 50;  // refill rate; <= 0 = no limit
  int burst = 100;    // bucket size (>= 1)
};

struct RateDecision {
  bool allowed = true;
  int64_t retry_after_ms = 0;  // when refused: until one token is back
};

class RateLimiter {
 public:
  // clock must outlive the limiter.
  RateLimiter(RateLimit limit, const Clock& clock);
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  // Takes a token from the principal's bucket (a new principal starts
  // full). Thread-safe.
  RateDecision Admit(std::string_view principal);

 private:
  struct Bucket {
    int64_t tokens = 0;  // micro-tokens (1'000'000 per request)
    TimeMs last = 0;
  };

  const RateLimit limit_;
  const Clock& clock_;
  std::mutex mu_;
  std::map<std::string, Bucket, std::less<>> buckets_;  // GUARDED_BY(mu_); one per configured principal
};

}  // namespace steadfast::http

#endif  // STEADFAST_HTTP_RATE_LIMITER_H_
