// Schedule and tick views.
#include "runtime/schedule_views.h"

#include "steadfast/time_text.h"

namespace steadfast {
namespace {

Value TimeOrNull(TimeMs t) { return t != 0 ? Value(FormatRfc3339Utc(t)) : Value(); }
Value TextOrNull(const std::string& s) { return s.empty() ? Value() : Value(s); }

}  // namespace

std::string_view OverlapPolicyName(OverlapPolicy p) {
  switch (p) {
    case OverlapPolicy::kSkip: return "skip";
    case OverlapPolicy::kAllow: return "allow";
    case OverlapPolicy::kCancelPrevious: return "cancel_previous";
  }
  return "?";
}

std::string_view CatchUpPolicyName(CatchUpPolicy p) {
  switch (p) {
    case CatchUpPolicy::kSkip: return "skip";
    case CatchUpPolicy::kLatest: return "latest";
    case CatchUpPolicy::kAll: return "all";
  }
  return "?";
}

Value ScheduleView(const ScheduleInfo& info) {
  const ScheduleDef& d = info.def;
  Value v = Value::Map{
      {"name", d.name},
      {"workflow", info.workflow},
      {"rule", info.rule},
      {"cron", TextOrNull(d.cron)},
      {"every", d.every_ms > 0 ? Value(FormatDurationMs(d.every_ms)) : Value()},
      {"time_zone", d.cron.empty() ? Value() : Value(d.time_zone)},
      {"input", d.input},
      {"overlap", std::string(OverlapPolicyName(d.overlap))},
      {"catch_up", std::string(CatchUpPolicyName(d.catch_up))},
      {"catch_up_limit", d.catch_up == CatchUpPolicy::kAll ? Value(d.catch_up_limit) : Value()},
      {"paused", info.state.paused},
      {"paused_by", TextOrNull(info.state.paused_by)},
      {"pause_reason", TextOrNull(info.state.pause_reason)},
      {"paused_at", TimeOrNull(info.state.paused_at)},
      {"last_instance_id", TextOrNull(info.state.last_instance_id)},
      {"cursor_at", TimeOrNull(info.state.cursor_at)},
      {"next_tick_at", info.next_tick_at ? Value(FormatRfc3339Utc(*info.next_tick_at)) : Value()},
  };
  return v;
}

Value ScheduleTickView(const ScheduleTick& t) {
  return Value::Map{
      {"tick_at", FormatRfc3339Utc(t.tick_at)},
      {"kind", std::string(TickKindName(t.kind))},
      {"outcome", std::string(TickOutcomeName(t.outcome))},
      {"reason", TextOrNull(t.reason)},
      {"instance_id", TextOrNull(t.instance_id)},
      {"ticks", t.ticks},
      {"principal", TextOrNull(t.principal)},
      {"recorded_at", TimeOrNull(t.recorded_at)},
  };
}

}  // namespace steadfast
