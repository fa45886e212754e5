// CircuitBreaker: the closed / open / half-open state machine.
#include "circuit_breaker.h"

#include <algorithm>
#include <cassert>

namespace steadfast::refund {

namespace {

CircuitBreakerOptions Clamp(CircuitBreakerOptions options) {
  options.failure_threshold = std::max(1, options.failure_threshold);
  options.open_duration_ms = std::max<int64_t>(0, options.open_duration_ms);
  return options;
}

// How long a caller refused during a half-open probe should wait.
constexpr int64_t kProbeWaitMs = 1000;

}  // namespace

std::string_view CircuitStateName(CircuitState state) {
  switch (state) {
    case CircuitState::kClosed: return "closed";
    case CircuitState::kOpen: return "open";
    case CircuitState::kHalfOpen: return "half_open";
  }
  return "closed";
}

CircuitBreaker::CircuitBreaker(CircuitBreakerOptions options, const Clock& clock)
    : options_(Clamp(options)), clock_(clock) {}

void CircuitBreaker::TransitionTo(CircuitState next, TimeMs now) {
  // The only legal moves: closed->open, open->half_open, half_open->closed, half_open->open.
  assert((state_ == CircuitState::kClosed && next == CircuitState::kOpen) ||
         (state_ == CircuitState::kOpen && next == CircuitState::kHalfOpen) ||
         (state_ == CircuitState::kHalfOpen && next != CircuitState::kHalfOpen));
  state_ = next;
  ++generation_;
  probe_in_flight_ = false;
  if (next == CircuitState::kOpen) opened_at_ms_ = now;
  if (next == CircuitState::kClosed) consecutive_failures_ = 0;
}

CircuitState CircuitBreaker::StateAt(TimeMs now) const {
  if (state_ == CircuitState::kOpen && now - opened_at_ms_ >= options_.open_duration_ms) {
    return CircuitState::kHalfOpen;
  }
  return state_;
}

CircuitBreaker::Permit CircuitBreaker::Acquire() {
  std::lock_guard lock(mu_);
  const TimeMs now = clock_.NowMs();
  Permit permit;
  if (state_ == CircuitState::kOpen) {
    const int64_t remaining = opened_at_ms_ + options_.open_duration_ms - now;
    if (remaining > 0) {
      permit.retry_after_ms = remaining;
      return permit;
    }
    TransitionTo(CircuitState::kHalfOpen, now);
  }
  if (state_ == CircuitState::kHalfOpen) {
    if (probe_in_flight_) {
      permit.retry_after_ms = std::min(kProbeWaitMs, std::max<int64_t>(1, options_.open_duration_ms));
      return permit;
    }
    probe_in_flight_ = true;
    permit.probe = true;
  }
  permit.allowed = true;
  permit.generation = generation_;
  return permit;
}

void CircuitBreaker::Record(const Permit& permit, Outcome outcome) {
  if (!permit.allowed) return;
  std::lock_guard lock(mu_);
  if (permit.generation != generation_) return;  // admitted in an earlier period
  const TimeMs now = clock_.NowMs();
  if (state_ == CircuitState::kHalfOpen) {
    if (!permit.probe) return;
    TransitionTo(outcome == Outcome::kSuccess ? CircuitState::kClosed : CircuitState::kOpen, now);
    return;
  }
  if (state_ != CircuitState::kClosed) return;
  if (outcome == Outcome::kSuccess) {
    consecutive_failures_ = 0;
    return;
  }
  if (++consecutive_failures_ >= options_.failure_threshold) TransitionTo(CircuitState::kOpen, now);
}

CircuitState CircuitBreaker::state() const {
  std::lock_guard lock(mu_);
  return StateAt(clock_.NowMs());
}

int CircuitBreaker::consecutive_failures() const {
  std::lock_guard lock(mu_);
  return consecutive_failures_;
}

}  // namespace steadfast::refund
