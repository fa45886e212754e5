// Collecting plugin verbs and running one with the CLI as its host.
#include "plugin_commands.h"

#include <dlfcn.h>

#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>

#include "cli_context.h"
#include "verbs.h"
#include "config/engine_config.h"
#include "config/database_url.h"
#include "net/curl_transport.h"
#include "plugin_host/builtin_plugins.h"
#include "steadfast/commands.h"
#include "store/owned_plugin_storage.h"
#include "store/postgres/pg_store.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store_workflow_reader.h"

namespace steadfast::cli {
namespace {

// A verb a plugin added: declared (spec + run) or parsing its own
// arguments (usage + raw).
struct PluginVerb {
  std::string plugin;
  std::optional<CommandSpec> spec;
  CommandRunFn run;
  std::string usage;
  CommandFn raw;
};

bool IsVerb(const std::string& verb) {
  if (verb.empty()) return false;
  for (char c : verb) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

class VerbCollector final : public CommandRegistry {
 public:
  VerbCollector(const std::set<std::string>& reserved, std::map<std::string, PluginVerb>& verbs)
      : reserved_(reserved), verbs_(verbs) {}
  void set_plugin(std::string plugin) { plugin_ = std::move(plugin); }

  Status Add(std::string verb, std::string usage, CommandFn fn) override {
    if (!fn) return Status::InvalidArgument("plugin verb '" + verb + "' has no function");
    return Insert(std::move(verb), PluginVerb{plugin_, std::nullopt, nullptr, std::move(usage), std::move(fn)});
  }

  Status AddVerb(CommandSpec spec, CommandRunFn run) override {
    if (!run) return Status::InvalidArgument("plugin verb '" + spec.verb() + "' has no function");
    std::string verb = spec.verb();
    return Insert(std::move(verb), PluginVerb{plugin_, std::move(spec), std::move(run), "", nullptr});
  }

 private:
  Status Insert(std::string verb, PluginVerb v) {
    if (!IsVerb(verb)) return Status::InvalidArgument("plugin verb '" + verb + "' is not one lower-case word");
    if (reserved_.count(verb) != 0) return Status::AlreadyExists("'" + verb + "' is a verb of the CLI itself");
    if (auto it = verbs_.find(verb); it != verbs_.end()) {
      return Status::AlreadyExists("verb '" + verb + "' is already added by plugin " + it->second.plugin);
    }
    verbs_.emplace(std::move(verb), std::move(v));
    return Status::Ok();
  }

  const std::set<std::string>& reserved_;
  std::map<std::string, PluginVerb>& verbs_;
  std::string plugin_;
};

// Each line of text indented by two spaces.
std::string Indented(const std::string& text) {
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    out += "  " + text.substr(start, end - start) + "\n";
    start = end + 1;
  }
  return out;
}

// The engine config a verb with these arguments would read: --config, else
// config/steadfast.yaml when it exists.
std::optional<std::string> ConfigPathIn(const std::vector<std::string>& args) {
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--config" && i + 1 < args.size()) return args[i + 1];
    if (args[i].rfind("--config=", 0) == 0) return args[i].substr(std::string("--config=").size());
  }
  if (std::filesystem::exists(kDefaultEngineConfigPath)) return std::string(kDefaultEngineConfigPath);
  return std::nullopt;
}

// The commands entry point of a .so plugin, or null when it has none. The
// library stays loaded (its verbs point into it).
Result<PluginCommandsFn> SharedObjectCommands(const std::string& path) {
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* err = dlerror();
    return Status::InvalidArgument("cannot load plugin " + path + ": " + (err != nullptr ? err : "unknown error"));
  }
  auto abi = reinterpret_cast<int (*)()>(dlsym(handle, "steadfast_plugin_abi_version"));
  if (abi == nullptr || abi() != kPluginAbiVersion) return nullptr;  // the engine's loader reports it when it runs
  auto commands = reinterpret_cast<PluginCommandsFn (*)()>(dlsym(handle, "steadfast_plugin_commands"));
  return commands != nullptr ? commands() : nullptr;
}

// Every built-in plugin's verbs, then those of the .so plugins of the
// engine config the arguments point at. A plugin whose commands entry
// point fails is reported and its verbs left out; the others still work.
std::map<std::string, PluginVerb> CollectVerbs(const std::set<std::string>& reserved,
                                               const std::vector<std::string>& args) {
  std::map<std::string, PluginVerb> verbs;
  VerbCollector collector(reserved, verbs);
  auto add = [&collector](const std::string& name, PluginCommandsFn commands) {
    collector.set_plugin(name);
    Status s = commands(collector);
    if (!s.ok()) std::fprintf(stderr, "steadfast: plugin %s: %s\n", name.c_str(), s.message().c_str());
  };
  for (const BuiltinPlugin& plugin : BuiltinPlugins()) {
    if (plugin.commands != nullptr) add(plugin.name, plugin.commands);
  }
  std::optional<std::string> config_path = ConfigPathIn(args);
  if (!config_path) return verbs;
  Result<EngineConfig> config = LoadEngineConfig(*config_path);
  if (!config.ok()) return verbs;  // the verb itself reports a config it cannot read
  for (const std::string& path : config->plugins) {
    Result<PluginCommandsFn> commands = SharedObjectCommands(path);
    if (!commands.ok()) {
      std::fprintf(stderr, "steadfast: %s\n", commands.status().message().c_str());
    } else if (*commands != nullptr) {
      add(PluginNameOf(path), *commands);
    }
  }
  return verbs;
}

// The engine's store for a plugin verb: an existing SQLite file, or a
// PostgreSQL database (a verb runs a few statements: two connections).
Result<std::unique_ptr<Store>> OpenEngineStore(const std::string& database, std::vector<PluginSchema> schemas) {
  if (!IsPostgresDatabase(database)) return OpenExistingStore(database, std::move(schemas));
  PgStoreOptions options;
  options.url = database;
  options.max_connections = 2;
  options.plugin_schemas = std::move(schemas);
  return OpenPgStore(options);
}

class CliCommandHost final : public CommandHost {
 public:
  explicit CliCommandHost(std::string plugin) : plugin_(std::move(plugin)) {}

  Result<PluginContext> LoadPluginContext(const std::string& config_path) override {
    EngineConfig config;
    std::string config_dir;
    if (!config_path.empty()) {
      SF_ASSIGN_OR_RETURN(config, LoadEngineConfig(config_path));
      config_dir = std::filesystem::path(config_path).parent_path().string();
    }
    PluginContext pc = PluginContextFor(plugin_, config, config_dir);
    pc.logger = &logger_;
    return pc;
  }

  Result<std::string> EngineDatabase(const std::string& config_path) override {
    SF_ASSIGN_OR_RETURN(EngineConfig config, LoadEngineConfig(config_path));
    return config.database;
  }

  Result<std::unique_ptr<WorkflowReader>> OpenWorkflows(const std::string& database_path) override {
    SF_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, OpenEngineStore(database_path, {}));
    return std::unique_ptr<WorkflowReader>(std::make_unique<StoreWorkflowReader>(std::move(store)));
  }

  Result<std::unique_ptr<PluginStorage>> OpenPluginStorage(const std::string& database_path,
                                                           const PluginSchema& schema) override {
    SF_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, OpenEngineStore(database_path, {schema}));
    return OwnedPluginStorage::Wrap(std::move(store));
  }

  HttpTransport& http() override { return net::CurlTransport::Instance(); }
  const Clock& clock() override { return SystemClock::Instance(); }
  std::string principal() override { return CliUser(); }

 private:
  std::string plugin_;
  StderrLogger logger_{LogLevel::kWarn};
};

}  // namespace

std::optional<int> RunPluginCommand(const std::string& verb, const std::vector<std::string>& args,
                                    const std::set<std::string>& reserved) {
  std::map<std::string, PluginVerb> verbs = CollectVerbs(reserved, args);
  auto it = verbs.find(verb);
  if (it == verbs.end()) return std::nullopt;
  const PluginVerb& v = it->second;
  CliCommandHost host(v.plugin);
  if (v.spec) return RunDeclaredVerb(*v.spec, args, [&](const Flags& flags) { return v.run(flags, host); });
  // A verb that parses its own arguments: --help before any "--" shows its usage lines.
  for (const std::string& arg : args) {
    if (arg == "--") break;
    if (arg == "--help" || arg == "-h") {
      std::fputs(("usage:\n" + Indented(v.usage)).c_str(), stdout);
      return kExitOk;
    }
  }
  return v.raw(args, host);
}

std::string PluginCommandsHelp(const std::set<std::string>& reserved, const std::vector<std::string>& args) {
  std::map<std::string, std::vector<const PluginVerb*>> by_plugin;
  std::map<std::string, PluginVerb> verbs = CollectVerbs(reserved, args);
  for (const auto& [verb, v] : verbs) by_plugin[v.plugin].push_back(&v);
  std::string out;
  for (const auto& [plugin, list] : by_plugin) {
    out += "\nFrom the " + plugin + " plugin\n";
    for (const PluginVerb* v : list) {
      if (v->spec) {
        char line[512];
        std::snprintf(line, sizeof line, "  %-12s %s\n", v->spec->verb().c_str(), v->spec->summary().c_str());
        out += line;
      } else {
        out += Indented(v->usage);
      }
    }
  }
  return out;
}

}  // namespace steadfast::cli
