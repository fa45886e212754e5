// The role/action table.
#include "http/roles.h"

namespace steadfast::http {

std::string RoleSet::ToString() const {
  std::string out;
  for (Role r : {Role::kOperator, Role::kReviewer, Role::kAdmin}) {
    if (!Has(r)) continue;
    if (!out.empty()) out += ",";
    out += RoleName(r);
  }
  return out;
}

std::optional<Role> ParseRole(std::string_view name) {
  if (name == "operator") return Role::kOperator;
  if (name == "reviewer") return Role::kReviewer;
  if (name == "admin") return Role::kAdmin;
  return std::nullopt;
}

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kOperator: return "operator";
    case Role::kReviewer: return "reviewer";
    case Role::kAdmin: return "admin";
  }
  return "?";
}

std::string_view ActionName(Action action) {
  switch (action) {
    case Action::kStart: return "start workflows";
    case Action::kInspect: return "inspect workflows";
    case Action::kCancel: return "cancel workflows";
    case Action::kSignal: return "signal workflows";
    case Action::kResume: return "resume workflows";
    case Action::kDecide: return "approve or reject";
    case Action::kStartOnBehalf: return "start on behalf of another principal (requested_by)";
    case Action::kOperateSchedules: return "pause, resume or trigger schedules";
    case Action::kPause: return "pause workflows";
    case Action::kRetry: return "retry workflows";
    case Action::kBulk: return "run bulk operations";
    case Action::kHoldActivities: return "hold or release activities";
    case Action::kDeploy: return "deploy workflow definitions";
    case Action::kPluginAdmin: return "use this admin-only plugin route";
  }
  return "?";
}

bool Allows(const RoleSet& roles, Action action) {
  if (roles.Has(Role::kAdmin)) return true;
  switch (action) {
    case Action::kStart:
    case Action::kCancel:
    case Action::kSignal:
    case Action::kResume:
    case Action::kOperateSchedules:
    case Action::kPause:
    case Action::kRetry:
    case Action::kBulk:
    case Action::kHoldActivities:
    case Action::kDeploy: return roles.Has(Role::kOperator);
    case Action::kInspect: return roles.Has(Role::kOperator) || roles.Has(Role::kReviewer);
    case Action::kDecide: return roles.Has(Role::kReviewer);
    case Action::kStartOnBehalf:
    case Action::kPluginAdmin: return false;
  }
  return false;
}

}  // namespace steadfast::http
