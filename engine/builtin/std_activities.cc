// The std.* activities.
#include "builtin/std_activities.h"

#include <algorithm>
#include <chrono>
#include <thread>

namespace steadfast {

Status RegisterStdActivities(ActivityRegistry& registry) {
  SF_RETURN_IF_ERROR(registry.Register(
      "std.noop", [](ActivityContext&) -> ActivityResult { return Value(Value::Map{}); }, "does nothing"));
  SF_RETURN_IF_ERROR(registry.Register(
      "std.echo", [](ActivityContext& ctx) -> ActivityResult { return ctx.input(); }, "returns its input"));
  SF_RETURN_IF_ERROR(registry.Register(
      "std.sleep",
      [](ActivityContext& ctx) -> ActivityResult {
        int64_t ms = ctx.input().Get("ms").IntOr(0);
        if (ms < 0) return ActivityError::NonRetryable("invalid_input", "ms must be >= 0");
        auto start = std::chrono::steady_clock::now();
        auto end = start + std::chrono::milliseconds(ms);
        while (std::chrono::steady_clock::now() < end && !ctx.cancelled()) {
          auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
          std::this_thread::sleep_for(std::min(left, std::chrono::milliseconds(10)));
        }
        int64_t slept = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
        if (ctx.cancelled()) return ActivityError::Retryable("cancelled", "sleep interrupted");
        return Value(Value::Map{{"slept_ms", slept}});
      },
      "sleeps {ms} milliseconds"));
  SF_RETURN_IF_ERROR(registry.Register(
      "std.fail",
      [](ActivityContext& ctx) -> ActivityResult {
        int64_t times = ctx.input().Get("times").IntOr(1);
        if (ctx.attempt() <= times) {
          std::string code = ctx.input().Get("code").StringOr("injected_failure");
          std::string msg = "failing attempt " + std::to_string(ctx.attempt()) + " of " + std::to_string(times);
          return ctx.input().Get("retryable").BoolOr(true) ? ActivityError::Retryable(code, msg)
                                                          : ActivityError::NonRetryable(code, msg);
        }
        return Value(Value::Map{{"attempts", ctx.attempt()}});
      },
      "fails its first {times} attempts with {code}"));
  return Status::Ok();
}

}  // namespace steadfast
