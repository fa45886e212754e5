// Loading external plugins: shared objects exporting STEADFAST_PLUGIN(...).
#ifndef STEADFAST_RUNTIME_PLUGIN_LOADER_H_
#define STEADFAST_RUNTIME_PLUGIN_LOADER_H_

#include <string>

#include "steadfast/registry.h"

namespace steadfast {

// dlopen()s path (RTLD_NOW: every symbol the plugin needs is resolved now,
// from the steadfast binary's exported API and the plugin's own libraries),
// checks its ABI version and runs its init with ctx. The library stays
// loaded for the life of the process. Each failure is a Status whose message
// names the file and the cause:
//  - no such file, or dlopen's error (not a shared object, wrong architecture);
//  - an undefined symbol, demangled;
//  - no STEADFAST_PLUGIN entry point (which symbol is missing);
//  - an ABI version other than kPluginAbiVersion (both versions);
//  - the plugin's init returning an error (its code and message, kept as the
//    Status code) or throwing (Internal, with what() when it is a std::exception).
Status LoadPlugin(const std::string& path, PluginContext& ctx, ActivityRegistry& registry);

}  // namespace steadfast

#endif  // STEADFAST_RUNTIME_PLUGIN_LOADER_H_
