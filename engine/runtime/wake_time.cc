// Sleep steps' wake times (wake_time.h).
#include "runtime/wake_time.h"

#include <string>

#include "steadfast/time_text.h"

namespace steadfast {
namespace {

std::string Shown(const Value& v) { return v.is_string() ? "'" + v.AsString() + "'" : v.ToJson(); }

// "null", "bool true", "map {...}": what an expression gave instead.
std::string Described(const Value& v) {
  return v.is_null() ? "null" : std::string(Value::TypeName(v.type())) + " " + Shown(v);
}

Result<int64_t> SleepLength(const StepDef& step, const ExpressionScope& scope) {
  if (step.sleep_for.is_null()) return step.sleep_ms;
  SF_ASSIGN_OR_RETURN(Value v, step.sleep_for.Evaluate(scope));
  if (v.is_int()) {
    if (v.AsInt() < 0) return Status::InvalidArgument("sleep of " + Shown(v) + " ms is negative");
    return v.AsInt();
  }
  if (v.is_string()) {
    Result<int64_t> ms = ParseDurationMs(v.AsString());
    if (!ms.ok()) return Status::InvalidArgument("sleep: " + ms.status().message());
    return *ms;
  }
  return Status::InvalidArgument("sleep must give a duration such as '3d' or milliseconds, not " + Described(v));
}

Result<TimeMs> UntilTime(const StepDef& step, const ExpressionScope& scope) {
  SF_ASSIGN_OR_RETURN(Value v, step.until.Evaluate(scope));
  if (v.is_int()) return v.AsInt();
  if (v.is_string()) {
    Result<TimeMs> at = ParseRfc3339(v.AsString());
    if (!at.ok()) return Status::InvalidArgument("until: " + at.status().message());
    return *at;
  }
  return Status::InvalidArgument("until must give an RFC 3339 instant or epoch milliseconds, not " + Described(v));
}

}  // namespace

Result<TimeMs> WakeTime(const StepDef& step, const ExpressionScope& scope, TimeMs now) {
  const bool until = !step.until.is_null();
  TimeMs wake = 0;
  if (until) {
    SF_ASSIGN_OR_RETURN(wake, UntilTime(step, scope));
    if (wake > now && wake - now > kMaxSleepMs) {
      return Status::InvalidArgument("until " + FormatRfc3339Utc(wake) + " is more than " +
                                     FormatDurationMs(kMaxSleepMs) + " away");
    }
    return wake;
  }
  SF_ASSIGN_OR_RETURN(int64_t ms, SleepLength(step, scope));
  if (ms > kMaxSleepMs) {
    return Status::InvalidArgument("sleep of " + FormatDurationMs(ms) + " is longer than " +
                                   FormatDurationMs(kMaxSleepMs));
  }
  return now + ms;
}

}  // namespace steadfast
