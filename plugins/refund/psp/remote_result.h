// RemoteResult<T>: a value from a remote service, or a classified ActivityError.
//
// The PSP adapter and the JSON HTTP client report failures already sorted
// the way the engine's retry policy needs them (retryable or not, a stable
// code, Retry-After), so an activity can hand the error straight back:
//
//   auto refund = psp.Refund(request);
//   if (!refund.ok()) return refund.error();
#ifndef STEADFAST_PLUGINS_REFUND_PSP_REMOTE_RESULT_H_
#define STEADFAST_PLUGINS_REFUND_PSP_REMOTE_RESULT_H_

#include <cassert>
#include <utility>
#include <variant>

#include "steadfast/activity.h"

namespace steadfast::refund {

template <class T>
class [[nodiscard]] RemoteResult {
 public:
  RemoteResult(T value) : v_(std::move(value)) {}               // NOLINT: implicit by design
  RemoteResult(ActivityError error) : v_(std::move(error)) {}   // NOLINT

  bool ok() const { return std::holds_alternative<T>(v_); }
  // Accessing the value of an error (or the error of a value) is a bug.
  T& value() & { assert(ok()); return std::get<T>(v_); }
  const T& value() const& { assert(ok()); return std::get<T>(v_); }
  T&& value() && { assert(ok()); return std::get<T>(std::move(v_)); }
  const ActivityError& error() const { assert(!ok()); return std::get<ActivityError>(v_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, ActivityError> v_;
};

}  // namespace steadfast::refund

#endif  // STEADFAST_PLUGINS_REFUND_PSP_REMOTE_RESULT_H_
