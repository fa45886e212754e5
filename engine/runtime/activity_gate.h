// ActivityGate: what an engine knows of the activity holds (the operator's
// kill switch) and the declared activity limits.
//
// Holds and limits are enforced where tasks are claimed: the store's claim
// (Store::ClaimDueTasks(ClaimRequest)) leaves held activities' tasks alone
// and claims a limited activity's tasks only within its limits, across
// every engine on the database. The gate covers the paths that do not go
// through a claim: a commit's follow-up task of a limited activity is not
// pre-leased to the committing engine (Transition asks IsLimited), and an
// attempt about to start checks IsHeld against a cached copy of the holds,
// refreshed by the scheduler every poll interval and at once when this
// process changes a hold; a held attempt hands its task back unstarted.
// Thread-safe.
#ifndef STEADFAST_RUNTIME_ACTIVITY_GATE_H_
#define STEADFAST_RUNTIME_ACTIVITY_GATE_H_

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "store/store.h"

namespace steadfast {

class ActivityGate {
 public:
  explicit ActivityGate(std::vector<ActivityLimit> limits = {});

  // The declared limits (fixed at construction).
  const std::vector<ActivityLimit>& limits() const { return limits_; }
  bool IsLimited(const std::string& activity) const { return limited_.count(activity) != 0; }

  // True while `activity` or every activity ("*") is held, as last read.
  bool IsHeld(const std::string& activity) const;
  // The holds as last read.
  std::vector<ActivityHold> holds() const;
  // Reads the holds from the store; on failure the last copy stays.
  Status Refresh(Store& store);

 private:
  const std::vector<ActivityLimit> limits_;
  std::map<std::string, const ActivityLimit*> limited_;

  mutable std::mutex mu_;
  std::vector<ActivityHold> holds_;  // GUARDED_BY(mu_)
};

}  // namespace steadfast

#endif  // STEADFAST_RUNTIME_ACTIVITY_GATE_H_
