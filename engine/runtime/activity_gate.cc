// The holds cache and the limited-activity lookup; see activity_gate.h.
#include "runtime/activity_gate.h"

namespace steadfast {

ActivityGate::ActivityGate(std::vector<ActivityLimit> limits) : limits_(std::move(limits)) {
  for (const ActivityLimit& l : limits_) limited_[l.activity] = &l;
}

bool ActivityGate::IsHeld(const std::string& activity) const {
  if (activity.empty()) return false;
  std::lock_guard<std::mutex> lock(mu_);
  for (const ActivityHold& h : holds_) {
    if (h.activity == activity || h.activity == kAllActivities) return true;
  }
  return false;
}

std::vector<ActivityHold> ActivityGate::holds() const {
  std::lock_guard<std::mutex> lock(mu_);
  return holds_;
}

Status ActivityGate::Refresh(Store& store) {
  SF_ASSIGN_OR_RETURN(std::vector<ActivityHold> holds, store.ListActivityHolds());
  std::lock_guard<std::mutex> lock(mu_);
  holds_ = std::move(holds);
  return Status::Ok();
}

}  // namespace steadfast
