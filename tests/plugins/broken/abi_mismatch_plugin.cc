// A plugin that declares a plugin ABI version no engine speaks (versions
// start at 1 and only grow), written out by hand instead of with
// STEADFAST_PLUGIN. Loading it must name both versions and must not run its
// init, whose activity would otherwise appear in the registry.
#include "steadfast/registry.h"

namespace {

steadfast::Status Init(steadfast::PluginContext&, steadfast::ActivityRegistry& registry) {
  return registry.Register("abi_mismatch.never", [](steadfast::ActivityContext&) -> steadfast::ActivityResult {
    return steadfast::Value();
  });
}

}  // namespace

extern "C" int steadfast_plugin_abi_version() { return -1; }
extern "C" steadfast::PluginInitFn steadfast_plugin_init() { return &Init; }
