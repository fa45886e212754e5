// PluginRouteRegistry: the HTTP routes plugins added (steadfast/routes.h),
// each under its plugin's prefix /v1/plugins/<plugin>. Filled while plugins
// load (each plugin gets its own PluginRoutes from ForPlugin), read-only
// afterwards, when the HTTP API adds them to its routing table
// (engine/http/api_handler.cc).
#ifndef STEADFAST_RUNTIME_PLUGIN_ROUTE_REGISTRY_H_
#define STEADFAST_RUNTIME_PLUGIN_ROUTE_REGISTRY_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "steadfast/routes.h"
#include "steadfast/storage.h"

namespace steadfast {

// One route as the engine serves it.
struct RegisteredPluginRoute {
  std::string plugin;     // "refund"
  std::string pattern;    // the full path pattern: "/v1/plugins/refund/claims/{id}"
  PluginRoute route;      // as the plugin gave it (route.path relative to the prefix)
  PluginStorage* storage = nullptr;  // handed to the handler in RouteRequest::storage
};

class PluginRouteRegistry {
 public:
  PluginRouteRegistry();
  ~PluginRouteRegistry();  // out of line: Scoped is complete only in the .cc
  PluginRouteRegistry(const PluginRouteRegistry&) = delete;
  PluginRouteRegistry& operator=(const PluginRouteRegistry&) = delete;

  // The PluginRoutes for plugin `plugin` (its PluginContext::routes), whose
  // handlers get `storage`. Owned by the registry; one per plugin name.
  PluginRoutes* ForPlugin(const std::string& plugin, PluginStorage* storage);

  // Every route added, in the order added.
  const std::vector<RegisteredPluginRoute>& routes() const { return routes_; }

 private:
  class Scoped;
  Status Add(const std::string& plugin, PluginStorage* storage, PluginRoute route);

  std::map<std::string, std::unique_ptr<Scoped>> scoped_;
  std::vector<RegisteredPluginRoute> routes_;
};

// "/v1/plugins/<plugin>".
std::string PluginRoutePrefix(const std::string& plugin);

}  // namespace steadfast

#endif  // STEADFAST_RUNTIME_PLUGIN_ROUTE_REGISTRY_H_
