// Roles, actions and who may do what over the HTTP API.
//
//   operator: start, inspect, cancel, signal, pause, resume, retry; pause, resume, trigger schedules;
//             bulk actions; hold/release activities; deploy definitions
//   reviewer: inspect (schedules, bulk operations and activity holds too), approve / reject
//   admin:    everything, including starting on behalf of another principal
//             (`requested_by` in the start body) and the plugin routes for admins
//             only (e.g. executing a refund settlement transaction)
// Plugin routes (steadfast/routes.h) need kInspect (RouteAccess::kRead) or
// kPluginAdmin (RouteAccess::kAdmin).
// A principal holds one or more roles; an action is allowed when any role
// allows it. The four-eyes rule (the requester cannot decide on their own
// workflow) is not a role question: WorkflowService enforces it.
#ifndef STEADFAST_HTTP_ROLES_H_
#define STEADFAST_HTTP_ROLES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace steadfast::http {

enum class Role : uint8_t { kOperator = 1, kReviewer = 2, kAdmin = 4 };

enum class Action : int {
  kStart = 0,
  kInspect = 1,  // get, history, list
  kCancel = 2,
  kSignal = 3,
  kResume = 4,
  kDecide = 5,         // approve or reject a held step
  kStartOnBehalf = 6,  // start with an explicit requested_by
  kOperateSchedules = 7,  // pause, resume, trigger a schedule (reading them is kInspect)
  kPause = 8,
  kRetry = 9,             // run a failed or paused instance again from a step
  kBulk = 10,             // act on every instance a filter matches (bulk operations)
  kHoldActivities = 11,   // place or release an activity hold (the kill switch; reading them is kInspect)
  kDeploy = 12,           // register a workflow version on the running engine
  kPluginAdmin = 13,      // a plugin route for admins only (steadfast/routes.h RouteAccess::kAdmin),
                          // e.g. executing a settlement transaction (moving money)
};

class RoleSet {
 public:
  RoleSet() = default;
  void Add(Role r) { bits_ |= static_cast<uint8_t>(r); }
  bool Has(Role r) const { return (bits_ & static_cast<uint8_t>(r)) != 0; }
  bool empty() const { return bits_ == 0; }
  // "operator,reviewer" in a fixed order.
  std::string ToString() const;

 private:
  uint8_t bits_ = 0;
};

// "operator" | "reviewer" | "admin"; nullopt otherwise.
std::optional<Role> ParseRole(std::string_view name);
std::string_view RoleName(Role role);
std::string_view ActionName(Action action);

// True when a principal with these roles may perform the action.
bool Allows(const RoleSet& roles, Action action);

// An authenticated caller: the token's configured name and roles.
struct Principal {
  std::string name;
  RoleSet roles;
};

}  // namespace steadfast::http

#endif  // STEADFAST_HTTP_ROLES_H_
