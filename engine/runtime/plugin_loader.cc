// dlopen-based plugin loading. Every failure names the file and says what to
// do about it: the person reading it is often not the plugin's author.
#include "runtime/plugin_loader.h"

#include <cxxabi.h>
#include <dlfcn.h>

#include <cstdlib>
#include <exception>
#include <filesystem>
#include <memory>
#include <regex>

namespace steadfast {
namespace {

constexpr char kAbiSymbol[] = "steadfast_plugin_abi_version";
constexpr char kInitSymbol[] = "steadfast_plugin_init";

// "_ZN9steadfast3FooEv" -> "steadfast::Foo()"; anything else as it is.
std::string Demangle(const std::string& symbol) {
  int status = 0;
  std::unique_ptr<char, decltype(&std::free)> name(abi::__cxa_demangle(symbol.c_str(), nullptr, nullptr, &status),
                                                   &std::free);
  return status == 0 && name ? std::string(name.get()) : symbol;
}

// Explains a dlopen() failure. The undefined-symbol case is the one people
// meet when a plugin was built against other headers than the engine's, or
// needs a library it was not linked with.
std::string DescribeOpenError(const std::string& path, const std::string& file, const std::string& dl_error) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return "cannot load plugin " + path + ": no such file";
  static const std::regex kUndefined("undefined symbol: ([^ ,]+)");
  std::smatch m;
  if (std::regex_search(dl_error, m, kUndefined)) {
    return "cannot load plugin " + path + ": it needs the symbol " + Demangle(m[1].str()) +
           ", which neither this steadfast binary nor the libraries the plugin was linked with provide (built "
           "against another Steadfast version's headers, or missing a library on its link line?)";
  }
  // dlerror() starts with the file name, which the message already gave.
  std::string reason = dl_error;
  for (const std::string& prefix : {path + ": ", file + ": "}) {
    if (reason.rfind(prefix, 0) == 0) {
      reason = reason.substr(prefix.size());
      break;
    }
  }
  return "cannot load plugin " + path + ": " + reason;
}

// Runs the plugin's init; an exception escaping it becomes a Status instead
// of ending the process.
Status RunInit(PluginInitFn init, PluginContext& ctx, ActivityRegistry& registry, std::string* thrown) {
  try {
    return init(ctx, registry);
  } catch (const std::exception& e) {
    *thrown = e.what();
  } catch (...) {
    *thrown = "an exception that is not a std::exception";
  }
  return Status::Internal(*thrown);
}

}  // namespace

Status LoadPlugin(const std::string& path, PluginContext& ctx, ActivityRegistry& registry) {
  // dlopen() searches the library path for a name without a slash; a
  // configured plugin is always a file, so make the name one.
  const std::string file = path.find('/') == std::string::npos ? "./" + path : path;
  dlerror();
  void* handle = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* err = dlerror();
    return Status::InvalidArgument(DescribeOpenError(path, file, err != nullptr ? err : "unknown dlopen error"));
  }
  using AbiFn = int (*)();
  using InitGetter = PluginInitFn (*)();
  auto abi = reinterpret_cast<AbiFn>(dlsym(handle, kAbiSymbol));
  auto init = reinterpret_cast<InitGetter>(dlsym(handle, kInitSymbol));
  if (abi == nullptr || init == nullptr) {
    dlclose(handle);
    const std::string missing = abi == nullptr && init == nullptr ? std::string(kAbiSymbol) + " and " + kInitSymbol
                                : abi == nullptr                  ? kAbiSymbol
                                                                  : kInitSymbol;
    return Status::InvalidArgument("plugin " + path + " is not a Steadfast plugin: it does not export " + missing +
                                   " (define the entry point with STEADFAST_PLUGIN(ctx, registry) from "
                                   "steadfast/registry.h in one of its source files)");
  }
  if (int got = abi(); got != kPluginAbiVersion) {
    dlclose(handle);
    return Status::InvalidArgument("plugin " + path + " was built for plugin ABI version " + std::to_string(got) +
                                   ", but this steadfast binary speaks version " + std::to_string(kPluginAbiVersion) +
                                   ": rebuild the plugin against this Steadfast's headers (pkg-config "
                                   "steadfast-plugin)");
  }
  std::string thrown;
  Status s = RunInit(init(), ctx, registry, &thrown);
  // Never dlclose after init ran: activities it registered point into the library.
  if (!thrown.empty()) return Status::Internal("plugin " + path + ": its init threw: " + thrown);
  if (!s.ok()) {
    return Status(s.code(), "plugin " + path + ": its init failed: " + std::string(StatusCodeName(s.code())) + ": " +
                                s.message());
  }
  return Status::Ok();
}

}  // namespace steadfast
