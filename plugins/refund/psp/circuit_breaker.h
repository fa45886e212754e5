// CircuitBreaker: stop hammering a remote service that keeps failing.
//
// Closed: calls go through; `failure_threshold` consecutive failures open it.
// Open: calls are refused at once (the caller fails fast with a retryable
// error and the remaining open time as a retry hint) for `open_duration_ms`.
// Half-open: after that time exactly one call, the probe, goes through; its
// success closes the breaker, its failure opens it again for another full
// duration. Results of calls admitted before the breaker opened do not move
// it, so a slow straggler cannot close a breaker that has since opened.
//
// Time comes from the injected steadfast::Clock, so tests drive it with a
// ManualClock and never sleep. Thread-safe.
#ifndef STEADFAST_PLUGINS_REFUND_PSP_CIRCUIT_BREAKER_H_
#define STEADFAST_PLUGINS_REFUND_PSP_CIRCUIT_BREAKER_H_

#include <cstdint>
#include <mutex>
#include <string_view>

#include "steadfast/clock.h"

namespace steadfast::refund {

enum class CircuitState : int { kClosed = 0, kOpen = 1, kHalfOpen = 2 };
// "closed", "open", "half_open".
std::string_view CircuitStateName(CircuitState state);

struct CircuitBreakerOptions {
  int failure_threshold = 5;        // consecutive failures that open the breaker (>= 1)
  int64_t open_duration_ms = 30'000; // how long it stays open before a probe (>= 0)
};

class CircuitBreaker {
 public:
  // Options out of range are clamped (threshold >= 1, duration >= 0).
  CircuitBreaker(CircuitBreakerOptions options, const Clock& clock);
  CircuitBreaker(const CircuitBreaker&) = delete;
  CircuitBreaker& operator=(const CircuitBreaker&) = delete;

  // The answer to "may I call now?". Pass it back to Record().
  struct Permit {
    bool allowed = false;
    bool probe = false;            // this call decides a half-open breaker
    uint64_t generation = 0;       // which closed/half-open period admitted it
    int64_t retry_after_ms = 0;    // when refused: how long until a probe may go
  };
  Permit Acquire();

  enum class Outcome : int { kSuccess = 0, kFailure = 1 };
  // Reports how an allowed call ended. Ignored for refused permits and for
  // calls admitted in an earlier period.
  void Record(const Permit& permit, Outcome outcome);

  // The current state (an open breaker whose time is up reports kHalfOpen).
  CircuitState state() const;
  int consecutive_failures() const;
  const CircuitBreakerOptions& options() const { return options_; }

 private:
  void TransitionTo(CircuitState next, TimeMs now);  // requires mu_
  CircuitState StateAt(TimeMs now) const;            // requires mu_

  const CircuitBreakerOptions options_;
  const Clock& clock_;
  mutable std::mutex mu_;
  CircuitState state_ = CircuitState::kClosed;  // guarded by mu_
  int consecutive_failures_ = 0;                // guarded by mu_
  TimeMs opened_at_ms_ = 0;                     // guarded by mu_
  bool probe_in_flight_ = false;                // guarded by mu_
  uint64_t generation_ = 0;                     // guarded by mu_; bumped on every transition
};

}  // namespace steadfast::refund

#endif  // STEADFAST_PLUGINS_REFUND_PSP_CIRCUIT_BREAKER_H_
