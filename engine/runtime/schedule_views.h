// JSON views of schedules and their ticks: what `steadfast schedules
// --json`, `steadfast schedule ...` and the /v1/schedules routes show, in
// one shape (docs/schedules.md, docs/openapi.yaml).
#ifndef STEADFAST_RUNTIME_SCHEDULE_VIEWS_H_
#define STEADFAST_RUNTIME_SCHEDULE_VIEWS_H_

#include "runtime/scheduler.h"
#include "steadfast/value.h"

namespace steadfast {

std::string_view OverlapPolicyName(OverlapPolicy p);  // "skip", "allow", "cancel_previous"
std::string_view CatchUpPolicyName(CatchUpPolicy p);  // "skip", "latest", "all"

// {name, workflow, rule, cron|every, time_zone, input, overlap, catch_up,
//  catch_up_limit, paused, paused_by, pause_reason, paused_at,
//  last_instance_id, cursor_at, next_tick_at}; times RFC 3339 or null.
Value ScheduleView(const ScheduleInfo& info);
// {tick_at, kind, outcome, reason, instance_id, ticks, principal, recorded_at}.
Value ScheduleTickView(const ScheduleTick& tick);

}  // namespace steadfast

#endif  // STEADFAST_RUNTIME_SCHEDULE_VIEWS_H_
