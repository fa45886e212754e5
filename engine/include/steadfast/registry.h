// ActivityRegistry, PluginContext and the plugin entry point.
//
// Every plugin has the same entry point, STEADFAST_PLUGIN(ctx, registry):
// external plugins are shared objects listed under `plugins:` in the engine
// config; built-in plugins are the same code linked into the steadfast
// binary (compiled with STEADFAST_BUILTIN_PLUGIN=<name>, which names the
// entry point instead of exporting it). See docs/plugins.md.
//
//   STEADFAST_PLUGIN(ctx, registry) {
//     return registry.Register("hello.greet", [](steadfast::ActivityContext& c) -> steadfast::ActivityResult {
//       return steadfast::Value(steadfast::Value::Map{{"greeting", "hello " + c.input().Get("name").StringOr("you")}});
//     });
//   }
#ifndef STEADFAST_REGISTRY_H_
#define STEADFAST_REGISTRY_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "steadfast/activity.h"
#include "steadfast/clock.h"
#include "steadfast/history.h"
#include "steadfast/http_transport.h"
#include "steadfast/logger.h"
#include "steadfast/metrics.h"
#include "steadfast/status.h"
#include "steadfast/storage.h"
#include "steadfast/value.h"

namespace steadfast {

class WorkflowReader;  // steadfast/commands.h

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
  // Whether any activity "<plugin>.*" is registered: the plugin is loaded.
  bool HasPlugin(std::string_view plugin) const;
  std::vector<ActivityInfo> List() const;

 private:
  struct Entry {
    ActivityInfo info;
    std::unique_ptr<Activity> activity;
  };
  std::map<std::string, Entry, std::less<>> entries_;
};

// What a plugin is given at start-up. The pointers are the engine's and
// outlive the plugin; keep them, not the PluginContext itself.
class BatchPreviews;  // steadfast/batch_preview.h
class PluginRoutes;   // steadfast/routes.h

struct PluginContext {
  Value config;               // the plugin's section of the engine config (may be null)
  Logger* logger = nullptr;   // never null when called by the engine
  std::string config_dir;     // directory of the engine config: resolve relative paths against it
  // Since ABI 2:
  std::string name;                   // the plugin's name: its plugin_config key and activity prefix
  MetricsSink* metrics = nullptr;     // its metrics, shown at /metrics (steadfast/metrics.h)
  CommittedEvents* events = nullptr;  // subscribe to committed history events (steadfast/history.h)
  HttpTransport* http = nullptr;      // the engine's HTTP client transport (steadfast/http_transport.h)
  const Clock* clock = nullptr;       // the engine's clock
  // Plugin state (steadfast/storage.h). Declare the plugin's tables in
  // `schemas` during init; the engine migrates them when it opens its store.
  // `storage` reaches those tables for as long as the plugin is loaded; its
  // calls fail with kFailedPrecondition until the engine has opened its
  // store, and always in a process that opens none (`steadfast validate`).
  // Both null when the host keeps no plugin state (a unit test).
  PluginSchemas* schemas = nullptr;
  PluginStorage* storage = nullptr;
  // Appended in ABI 2 (a plugin built before never reads it): the engine's
  // workflow instances, read-only (steadfast/commands.h), e.g. for a
  // reconciliation that must tell finished workflows from ones in flight.
  // Thread-safe; lives as long as the plugin is loaded; its calls fail with
  // kFailedPrecondition until the engine has opened its store. Null when the
  // host has none (a unit test, `steadfast validate`).
  WorkflowReader* workflows = nullptr;
  // Appended after `workflows` (same rule): batch previews
  // (steadfast/batch_preview.h), what a file of workflow starts would do,
  // said before it runs. Null when the host offers none.
  BatchPreviews* batch_previews = nullptr;
  // Appended after `batch_previews` (same rule): the plugin's HTTP routes
  // (steadfast/routes.h), served under /v1/plugins/<name> by `steadfast
  // serve` (other verbs take them and serve nothing). Add them during init.
  // Null when the host has none (a unit test).
  PluginRoutes* routes = nullptr;
};

// ABI version of the plugin entry point; bumped on incompatible changes.
// 2: PluginContext gained name, metrics, events, http, clock, schemas and
//    storage, and lost database_path (plugin state is kept by the engine).
inline constexpr int kPluginAbiVersion = 2;

using PluginInitFn = Status (*)(PluginContext& ctx, ActivityRegistry& registry);

}  // namespace steadfast

#define STEADFAST_PLUGIN_CAT2_(a, b) a##b
#define STEADFAST_PLUGIN_CAT_(a, b) STEADFAST_PLUGIN_CAT2_(a, b)

#if defined(STEADFAST_BUILTIN_PLUGIN)
// Linked into the steadfast binary: the entry point is named after the
// plugin (steadfast_builtin_init_<name>) for the built-in plugin list the
// CLI iterates, instead of being exported.
#define STEADFAST_PLUGIN(ctx_name, registry_name)                                                    \
  static ::steadfast::Status SteadfastPluginInit(::steadfast::PluginContext&,                       \
                                                 ::steadfast::ActivityRegistry&);                    \
  ::steadfast::PluginInitFn STEADFAST_PLUGIN_CAT_(steadfast_builtin_init_, STEADFAST_BUILTIN_PLUGIN)() { \
    return &SteadfastPluginInit;                                                                     \
  }                                                                                                  \
  static ::steadfast::Status SteadfastPluginInit(::steadfast::PluginContext& ctx_name,              \
                                                 ::steadfast::ActivityRegistry& registry_name)
#else
// Defines the exported entry point of an external plugin (.so).
#define STEADFAST_PLUGIN(ctx_name, registry_name)                                                    \
  static ::steadfast::Status SteadfastPluginInit(::steadfast::PluginContext&,                       \
                                                 ::steadfast::ActivityRegistry&);                    \
  extern "C" int steadfast_plugin_abi_version() { return ::steadfast::kPluginAbiVersion; }          \
  extern "C" ::steadfast::PluginInitFn steadfast_plugin_init() { return &SteadfastPluginInit; }     \
  static ::steadfast::Status SteadfastPluginInit(::steadfast::PluginContext& ctx_name,              \
                                                 ::steadfast::ActivityRegistry& registry_name)
#endif

#endif  // STEADFAST_REGISTRY_H_
