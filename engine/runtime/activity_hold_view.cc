#include "runtime/activity_hold_view.h"

#include "steadfast/time_text.h"

namespace steadfast {

Value ActivityHoldView(const ActivityHold& hold) {
  return Value::Map{{"activity", hold.activity},
                    {"reason", hold.reason},
                    {"held_by", hold.held_by},
                    {"held_at", FormatRfc3339Utc(hold.held_at)}};
}

Value ActivityHoldEventView(const ActivityHoldEvent& event) {
  return Value::Map{{"activity", event.activity},
                    {"action", event.action},
                    {"principal", event.principal},
                    {"reason", event.reason},
                    {"at", FormatRfc3339Utc(event.at)}};
}

}  // namespace steadfast
