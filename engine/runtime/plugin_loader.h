// Loading external plugins: shared objects exporting STEADFAST_PLUGIN(...).
#ifndef STEADFAST_RUNTIME_PLUGIN_LOADER_H_
#define STEADFAST_RUNTIME_PLUGIN_LOADER_H_

#include <string>

#include "steadfast/registry.h"

namespace steadfast {

// dlopen()s path, checks its ABI version and runs its init with ctx. The
// library stays loaded for the life of the process. Errors name the file
// and the cause (dlerror text, missing entry point, ABI mismatch, or the
// plugin's own Status).
Status LoadPlugin(const std::string& path, PluginContext& ctx, ActivityRegistry& registry);

}  // namespace steadfast

#endif  // STEADFAST_RUNTIME_PLUGIN_LOADER_H_
