// ActivityGate: an activity that holds each attempt until the test opens
// the gate, like a slow PSP call, so a test can act (cancel, stop the
// engine, start a rival process) while an attempt is known to be running.
#ifndef STEADFAST_TESTS_SUPPORT_ACTIVITY_GATE_H_
#define STEADFAST_TESTS_SUPPORT_ACTIVITY_GATE_H_

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>

#include "steadfast/activity.h"
#include "steadfast/registry.h"

namespace steadfast::testing {

class ActivityGate {
 public:
  // Counts the attempt under its idempotency key, waits until Open() (at
  // most `hold`), then returns {refund_id: "re_<workflow id>"}, or the
  // retryable error gate_failed after Open(/*fail=*/true).
  ActivityFn Activity(std::chrono::milliseconds hold = std::chrono::seconds(10)) {
    return [this, hold](ActivityContext& ctx) -> ActivityResult {
      std::unique_lock<std::mutex> lock(mu_);
      ++calls_[ctx.idempotency_key()];
      ++inside_;
      cv_.notify_all();
      cv_.wait_for(lock, hold, [this] { return open_; });
      --inside_;
      if (fail_) return ActivityError::Retryable("gate_failed", "the call failed");
      return Value(Value::Map{{"refund_id", "re_" + ctx.workflow_id()}});
    };
  }

  // True once an attempt is inside the gate, false after `timeout`.
  bool WaitEntered(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [this] { return inside_ > 0; });
  }

  // Lets every attempt through, now and later.
  void Open(bool fail = false) {
    std::lock_guard<std::mutex> lock(mu_);
    fail_ = fail;
    open_ = true;
    cv_.notify_all();
  }

  int Calls(const std::string& idempotency_key) {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_[idempotency_key];
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, int> calls_;  // GUARDED_BY(mu_)
  int inside_ = 0;                    // GUARDED_BY(mu_)
  bool open_ = false;                 // GUARDED_BY(mu_)
  bool fail_ = false;                 // GUARDED_BY(mu_)
};

}  // namespace steadfast::testing

#endif  // STEADFAST_TESTS_SUPPORT_ACTIVITY_GATE_H_
