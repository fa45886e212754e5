// ActivityRegistry and the plugin entry point.
//
// Built-in plugins register their activities when the engine starts;
// external plugins are shared objects listed in the engine config, each
// exporting STEADFAST_PLUGIN(...) (see docs/plugins.md).
//
//   STEADFAST_PLUGIN(ctx, registry) {
//     registry.Register("hello.greet", [](steadfast::ActivityContext& c) -> steadfast::ActivityResult {
//       return steadfast::Value::Map{{"greeting", "hello " + c.input().Get("name").StringOr("you")}};
//     });
//     return steadfast::Status::Ok();
//   }
#ifndef STEADFAST_REGISTRY_H_
#define STEADFAST_REGISTRY_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "steadfast/activity.h"
#include "steadfast/logger.h"
#include "steadfast/status.h"
#include "steadfast/storage.h"
#include "steadfast/value.h"

namespace steadfast {

using ActivityFn = std::function<ActivityResult(ActivityContext&)>;

struct ActivityInfo {
  std::string name;         // "<plugin>.<verb>", e.g. "refund.psp_refund"
  std::string description;  // one line, shown by `steadfast activities`
};

// Name -> activity. Registration happens before the engine starts; lookups
// afterwards are thread-safe (the registry is not modified while running).
class ActivityRegistry {
 public:
  ActivityRegistry() = default;
  ActivityRegistry(const ActivityRegistry&) = delete;
  ActivityRegistry& operator=(const ActivityRegistry&) = delete;

  // AlreadyExists if the name is taken; InvalidArgument if the name is empty
  // or not of the form "plugin.verb".
  Status Register(std::string name, std::unique_ptr<Activity> activity, std::string description = "");
  Status Register(std::string name, ActivityFn fn, std::string description = "");

  // nullptr when unknown. The pointer lives as long as the registry.
  Activity* Find(std::string_view name) const;
  bool Contains(std::string_view name) const { return Find(name) != nullptr; }
  std::vector<ActivityInfo> List() const;

 private:
  struct Entry {
    ActivityInfo info;
    std::unique_ptr<Activity> activity;
  };
  std::map<std::string, Entry, std::less<>> entries_;
};

// What a plugin is given at start-up.
struct PluginContext {
  Value config;               // the plugin's section of the engine config (may be null)
  Logger* logger = nullptr;   // never null when called by the engine
  std::string config_dir;     // directory of the engine config: resolve relative paths against it
  // Plugin state (steadfast/storage.h). Declare the plugin's tables in
  // `schemas` during init; the engine migrates them when it opens its store.
  // `storage` reaches those tables for as long as the plugin is loaded; its
  // calls fail with kFailedPrecondition until the engine has opened its
  // store, and always in a process that opens none (`steadfast validate`).
  // Both null when the host keeps no plugin state (a unit test).
  PluginSchemas* schemas = nullptr;
  PluginStorage* storage = nullptr;
};

// ABI version of the plugin entry point; bumped on incompatible changes.
inline constexpr int kPluginAbiVersion = 1;

using PluginInitFn = Status (*)(PluginContext& ctx, ActivityRegistry& registry);

}  // namespace steadfast

// Defines the exported entry point of an external plugin (.so).
#define STEADFAST_PLUGIN(ctx_name, registry_name)                                                    \
  static ::steadfast::Status SteadfastPluginInit(::steadfast::PluginContext&,                       \
                                                 ::steadfast::ActivityRegistry&);                    \
  extern "C" int steadfast_plugin_abi_version() { return ::steadfast::kPluginAbiVersion; }          \
  extern "C" ::steadfast::PluginInitFn steadfast_plugin_init() { return &SteadfastPluginInit; }     \
  static ::steadfast::Status SteadfastPluginInit(::steadfast::PluginContext& ctx_name,              \
                                                 ::steadfast::ActivityRegistry& registry_name)

#endif  // STEADFAST_REGISTRY_H_
