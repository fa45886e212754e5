// When a sleep step (`sleep:` / `until:`) wakes.
//
// A pure function of the step, the instance's data and the time the step
// starts, so every form and every bad value is unit-tested without waiting.
#ifndef STEADFAST_RUNTIME_WAKE_TIME_H_
#define STEADFAST_RUNTIME_WAKE_TIME_H_

#include "definition/workflow_def.h"
#include "steadfast/clock.h"
#include "steadfast/status.h"
#include "steadfast/value.h"

namespace steadfast {

// The wake time of `step` entered at `now` with `scope` (input, steps,
// workflow):
//   sleep: 3d           now + 3d
//   sleep: "${...}"     now + the value: a duration text ("90m") or
//                       non-negative milliseconds
//   until: "${...}"     the value: an RFC 3339 instant with an offset, or
//                       epoch milliseconds; a time already past is
//                       returned as is (the step wakes at once)
// InvalidArgument, naming the step's field and the value, for anything
// else, a negative sleep, or a wake time more than kMaxSleepMs away.
Result<TimeMs> WakeTime(const StepDef& step, const ExpressionScope& scope, TimeMs now);

}  // namespace steadfast

#endif  // STEADFAST_RUNTIME_WAKE_TIME_H_
