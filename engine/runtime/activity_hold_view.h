// Activity holds as JSON, the same for `steadfast holds --json` and
// GET /v1/activity-holds (docs/http.md "Activity holds").
#ifndef STEADFAST_RUNTIME_ACTIVITY_HOLD_VIEW_H_
#define STEADFAST_RUNTIME_ACTIVITY_HOLD_VIEW_H_

#include "steadfast/value.h"
#include "store/store.h"

namespace steadfast {

// {activity, reason, held_by, held_at}
Value ActivityHoldView(const ActivityHold& hold);
// {activity, action: "hold"|"release", principal, reason, at}
Value ActivityHoldEventView(const ActivityHoldEvent& event);

}  // namespace steadfast

#endif  // STEADFAST_RUNTIME_ACTIVITY_HOLD_VIEW_H_
