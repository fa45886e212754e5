// Token buckets.
#include "http/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace steadfast::http {

RateLimiter::RateLimiter(RateLimit limit, const Clock& clock) : limit_(limit), clock_(clock) {}

RateDecision RateLimiter::Admit(std::string_view principal) {
  if (limit_.per_s <= 0) return {};
  // Integer micro-tokens keep refills and waits exact (no float drift).
  constexpr int64_t kUnit = 1'000'000;
  const int64_t capacity = static_cast<int64_t>(std::max(1, limit_.burst)) * kUnit;
  const double per_ms = limit_.per_s * kUnit / 1000.0;  // micro-tokens per millisecond
  TimeMs now = clock_.NowMs();
  std::lock_guard<std::mutex> lock(mu_);
  auto it = buckets_.find(principal);
  if (it == buckets_.end()) it = buckets_.emplace(std::string(principal), Bucket{capacity, now}).first;
  Bucket& b = it->second;
  if (now > b.last) {
    double refill = static_cast<double>(now - b.last) * per_ms;
    b.tokens = refill >= static_cast<double>(capacity - b.tokens) ? capacity : b.tokens + std::llround(refill);
    b.last = now;
  }
  if (b.tokens >= kUnit) {
    b.tokens -= kUnit;
    return {};
  }
  double wait_ms = static_cast<double>(kUnit - b.tokens) / per_ms;
  return {false, std::max<int64_t>(1, static_cast<int64_t>(std::ceil(wait_ms - 1e-9)))};
}

}  // namespace steadfast::http
