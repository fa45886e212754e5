// The plugins linked into the steadfast binary. Each is ordinary plugin code
// (STEADFAST_PLUGIN and, optionally, STEADFAST_PLUGIN_COMMANDS) compiled
// with STEADFAST_BUILTIN_PLUGIN=<name>; plugins/meson.build generates the
// list from the plugins it builds in, so the CLI names none of them.
#ifndef STEADFAST_PLUGIN_HOST_BUILTIN_PLUGINS_H_
#define STEADFAST_PLUGIN_HOST_BUILTIN_PLUGINS_H_

#include <vector>

#include "steadfast/commands.h"
#include "steadfast/registry.h"

namespace steadfast {

struct BuiltinPlugin {
  const char* name;           // its plugin_config key and activity prefix
  PluginInitFn init;          // what STEADFAST_PLUGIN defines
  PluginCommandsFn commands;  // what STEADFAST_PLUGIN_COMMANDS defines; null when it has none
};

// In link order. Defined by the generated builtin_plugins.cc.
const std::vector<BuiltinPlugin>& BuiltinPlugins();

}  // namespace steadfast

#endif  // STEADFAST_PLUGIN_HOST_BUILTIN_PLUGINS_H_
