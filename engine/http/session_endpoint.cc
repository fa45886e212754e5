// The signed-in principal and its allowed actions (session_endpoint.h).
#include "http/session_endpoint.h"

#include <utility>

namespace steadfast::http {
namespace {

// Stable ids for the page: they name the actions of roles.h.
constexpr std::pair<const char*, Action> kSessionActions[] = {
    {"start", Action::kStart},
    {"start_on_behalf", Action::kStartOnBehalf},
    {"inspect", Action::kInspect},
    {"decide", Action::kDecide},
    {"signal", Action::kSignal},
    {"cancel", Action::kCancel},
    {"pause", Action::kPause},
    {"resume", Action::kResume},
    {"retry", Action::kRetry},
    {"bulk", Action::kBulk},
    {"hold_activities", Action::kHoldActivities},
    {"operate_schedules", Action::kOperateSchedules},
    {"deploy", Action::kDeploy},
    {"plugin_admin", Action::kPluginAdmin},
};

}  // namespace

HttpResponse SessionResponse(const ApiCall& call) {
  Value::List roles;
  for (Role r : {Role::kOperator, Role::kReviewer, Role::kAdmin}) {
    if (call.principal.roles.Has(r)) roles.emplace_back(std::string(RoleName(r)));
  }
  Value::List may;
  for (const auto& [id, action] : kSessionActions) {
    if (Allows(call.principal.roles, action)) may.emplace_back(std::string(id));
  }
  return JsonResponse(200, Value::Map{{"principal", call.principal.name},
                                      {"roles", Value(std::move(roles))},
                                      {"may", Value(std::move(may))}});
}

}  // namespace steadfast::http
