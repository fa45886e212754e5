// Activity registry, activity context helpers and the null logger.
#include "steadfast/registry.h"

#include <climits>

namespace steadfast {
namespace {

class FunctionActivity final : public Activity {
 public:
  explicit FunctionActivity(ActivityFn fn) : fn_(std::move(fn)) {}
  ActivityResult Run(ActivityContext& ctx) override { return fn_(ctx); }

 private:
  ActivityFn fn_;
};

bool IsValidActivityName(std::string_view name) {
  size_t dot = name.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == name.size()) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
              c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

Status ActivityRegistry::Register(std::string name, std::unique_ptr<Activity> activity,
                                  std::string description) {
  if (!IsValidActivityName(name)) {
    return Status::InvalidArgument("activity name '" + name + "' must look like 'plugin.verb'");
  }
  if (activity == nullptr) return Status::InvalidArgument("activity '" + name + "' is null");
  if (entries_.count(name) != 0) return Status::AlreadyExists("activity '" + name + "' is already registered");
  Entry e{ActivityInfo{name, std::move(description)}, std::move(activity)};
  entries_.emplace(std::move(name), std::move(e));
  return Status::Ok();
}

Status ActivityRegistry::Register(std::string name, ActivityFn fn, std::string description) {
  if (!fn) return Status::InvalidArgument("activity '" + name + "' has no function");
  return Register(std::move(name), std::make_unique<FunctionActivity>(std::move(fn)), std::move(description));
}

Activity* ActivityRegistry::Find(std::string_view name) const {
  auto it = entries_.find(name);
  return it == entries_.end() ? nullptr : it->second.activity.get();
}

bool ActivityRegistry::HasPlugin(std::string_view plugin) const {
  const std::string prefix = std::string(plugin) + ".";
  auto it = entries_.lower_bound(prefix);  // names are sorted: the plugin's come first from here
  return it != entries_.end() && it->first.compare(0, prefix.size(), prefix) == 0;
}

std::vector<ActivityInfo> ActivityRegistry::List() const {
  std::vector<ActivityInfo> out;
  out.reserve(entries_.size());
  for (const auto& [name, e] : entries_) out.push_back(e.info);
  return out;
}

int64_t ActivityContext::remaining_ms() const {
  if (p_.deadline_ms == 0) return INT64_MAX;
  return p_.deadline_ms - clock_.NowMs();
}

NullLogger& NullLogger::Instance() {
  static NullLogger logger;
  return logger;
}

}  // namespace steadfast
