// dlopen-based plugin loading.
#include "runtime/plugin_loader.h"

#include <dlfcn.h>

namespace steadfast {

Status LoadPlugin(const std::string& path, PluginContext& ctx, ActivityRegistry& registry) {
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* err = dlerror();
    return Status::InvalidArgument("cannot load plugin " + path + ": " + (err ? err : "unknown error"));
  }
  using AbiFn = int (*)();
  using InitGetter = PluginInitFn (*)();
  auto abi = reinterpret_cast<AbiFn>(dlsym(handle, "steadfast_plugin_abi_version"));
  auto init = reinterpret_cast<InitGetter>(dlsym(handle, "steadfast_plugin_init"));
  if (abi == nullptr || init == nullptr) {
    dlclose(handle);
    return Status::InvalidArgument("plugin " + path + " has no STEADFAST_PLUGIN entry point");
  }
  if (abi() != kPluginAbiVersion) {
    int got = abi();
    dlclose(handle);
    return Status::InvalidArgument("plugin " + path + " was built for plugin ABI " + std::to_string(got) +
                                   ", this engine speaks " + std::to_string(kPluginAbiVersion));
  }
  Status s = init()(ctx, registry);
  if (!s.ok()) return Status(s.code(), "plugin " + path + ": " + s.message());
  // Never dlclose: registered activities point into the library.
  return Status::Ok();
}

}  // namespace steadfast
