// Activity: the unit of work a plugin supplies.
//
// An activity receives an ActivityContext (its input Value, a stable
// idempotency key, the attempt number, a deadline, a cancellation flag and a
// logger) and returns an ActivityResult: an output Value or an ActivityError.
//
// Contract for plugin authors:
//  - The engine runs an activity at least once. Anything it does to the
//    outside world must be keyed by ctx.idempotency_key() (identical across
//    attempts and restarts: "<workflow id>/<step id>", or
//    "<workflow id>/<step id>/compensate" for compensations; from the
//    second run of a workflow that continued as new, "<workflow id>~<run>/
//    <step id>") so that a repeat returns the first result instead of
//    repeating the effect.
//  - Errors are values. Throwing is tolerated (the engine records it as a
//    retryable "uncaught_exception") but is not the way to report failure.
//  - Long work should poll ctx.cancelled() and return early when set: the
//    attempt was abandoned (it passed its start-to-close timeout) and its
//    result will be discarded. Cancelling the workflow does not set it: the
//    attempt's result is checkpointed before the cancel acts, so an effect
//    that was started (a refund) should be carried through and reported.
//  - Activities run concurrently on worker threads; shared state needs locks.
#ifndef STEADFAST_ACTIVITY_H_
#define STEADFAST_ACTIVITY_H_

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "steadfast/clock.h"
#include "steadfast/logger.h"
#include "steadfast/storage.h"
#include "steadfast/value.h"

namespace steadfast {

// How the engine's retry policy treats an error (cf. absl's Unavailable vs
// FailedPrecondition): retryable errors are retried with backoff until the
// policy is exhausted; non-retryable ones end the step at once.
enum class ErrorKind : int { kRetryable = 0, kNonRetryable = 1 };

struct ActivityError {
  ErrorKind kind = ErrorKind::kRetryable;
  std::string code;     // stable, machine-readable, e.g. "psp_unavailable", "invalid_charge"
  std::string message;  // for humans; never secrets or card data
  std::optional<int64_t> retry_after_ms;  // a server-requested minimum delay (e.g. HTTP Retry-After)
  Value details;        // optional structured data kept in history

  static ActivityError Retryable(std::string code, std::string message) {
    return {ErrorKind::kRetryable, std::move(code), std::move(message), std::nullopt, {}};
  }
  static ActivityError NonRetryable(std::string code, std::string message) {
    return {ErrorKind::kNonRetryable, std::move(code), std::move(message), std::nullopt, {}};
  }
};

// An output Value or an ActivityError.
class ActivityResult {
 public:
  ActivityResult(Value output) : v_(std::move(output)) {}        // NOLINT: implicit by design
  ActivityResult(ActivityError error) : v_(std::move(error)) {}  // NOLINT

  bool ok() const { return std::holds_alternative<Value>(v_); }
  const Value& output() const { return std::get<Value>(v_); }
  Value& output() { return std::get<Value>(v_); }
  const ActivityError& error() const { return std::get<ActivityError>(v_); }

 private:
  std::variant<Value, ActivityError> v_;
};

// Everything an activity may know about its invocation. Built by the engine
// (or by steadfast/testing.h in tests); activities read it, and may add
// attributes to the attempt's trace span.
class ActivityContext {
 public:
  struct Params {
    Value input;
    std::string idempotency_key;
    std::string workflow_id;
    std::string workflow_name;
    std::string step_id;
    std::string activity;
    int attempt = 1;            // 1-based, counts across restarts
    TimeMs deadline_ms = 0;     // absolute; 0 = none
    // W3C trace context whose span is this attempt: send it as the
    // `traceparent` header on calls to other services so their spans join
    // the workflow's trace. May be empty (e.g. in unit tests).
    std::string traceparent;
    // The engine's store for the plugin's tables (steadfast/storage.h);
    // null where there is none (a unit test that gives none).
    PluginStorage* storage = nullptr;
  };

  ActivityContext(Params params, const Clock& clock, Logger& logger, const std::atomic<bool>* cancelled)
      : p_(std::move(params)), clock_(clock), logger_(logger), cancelled_(cancelled) {}

  const Value& input() const { return p_.input; }
  const std::string& idempotency_key() const { return p_.idempotency_key; }
  const std::string& workflow_id() const { return p_.workflow_id; }
  const std::string& workflow_name() const { return p_.workflow_name; }
  const std::string& step_id() const { return p_.step_id; }
  const std::string& activity() const { return p_.activity; }
  int attempt() const { return p_.attempt; }
  TimeMs deadline_ms() const { return p_.deadline_ms; }
  const std::string& traceparent() const { return p_.traceparent; }
  // Milliseconds left before the attempt deadline (INT64_MAX without one; may be negative).
  int64_t remaining_ms() const;
  bool cancelled() const { return cancelled_ != nullptr && cancelled_->load(std::memory_order_relaxed); }
  const Clock& clock() const { return clock_; }
  Logger& logger() const { return logger_; }

  // Adds an attribute to this attempt's trace span (docs/observability.md),
  // e.g. SetTraceAttribute("refund.currency", "EUR"). Keep values small and
  // never put secrets, card data or personal data in them. Cheap; ignored
  // when tracing is off.
  void SetTraceAttribute(std::string key, Value value) { trace_attributes_[std::move(key)] = std::move(value); }
  const Value::Map& trace_attributes() const { return trace_attributes_; }

  // The plugin tables' storage for reads and plugin-only transactions;
  // null when the engine gives none (then plugin state is unavailable).
  PluginStorage* storage() const { return p_.storage; }

  // Registers a write to run inside the store transaction that checkpoints
  // this attempt (a local transaction step): it commits exactly when the
  // attempt's outcome (its output or its error) is recorded, together with
  // the history event, and never otherwise. Writes run in registration
  // order after the checkpoint's own preconditions passed. If one returns
  // an error, nothing of the checkpoint commits and the engine records the
  // attempt as failed with the retryable code "checkpoint_write_failed"
  // instead (so a re-run reads the state that made it fail, e.g. another
  // writer's row). Writes of an attempt the engine abandoned (past its
  // start-to-close timeout) are dropped with its result. Must not block on
  // anything but the transaction; never keep the PluginTransaction.
  void AtCheckpoint(PluginWrite write) { checkpoint_writes_.push_back(std::move(write)); }
  // For the engine (and steadfast/testing.h): the registered writes, in order.
  std::vector<PluginWrite> TakeCheckpointWrites() { return std::move(checkpoint_writes_); }

 private:
  Params p_;
  Value::Map trace_attributes_;
  std::vector<PluginWrite> checkpoint_writes_;
  const Clock& clock_;
  Logger& logger_;
  const std::atomic<bool>* cancelled_;
};

// Implement this for activities with state; stateless ones can be plain functions
// (see ActivityRegistry::Register).
class Activity {
 public:
  virtual ~Activity() = default;
  // Called concurrently from worker threads. Must be thread-safe.
  virtual ActivityResult Run(ActivityContext& ctx) = 0;
};

}  // namespace steadfast

#endif  // STEADFAST_ACTIVITY_H_
