// steadfast migrate: brings a database's schemas up to date (the engine's
// and every loaded plugin's migrations) and reports the versions.
//
//   migrate [--config FILE | --db PATH] [--json]
//
// Opening the store applies whatever is pending, each migration in its own
// transaction (docs/store.md); `serve` and the other commands do the same
// when they open the store, so running this first is optional but lets an
// operator upgrade, and see the result, before starting the engine. A
// database newer than this binary (engine or plugin schema) is refused
// with a message naming the versions: exit 3, nothing written.
#include <cstdio>
#include <map>

#include "cli_context.h"
#include "commands.h"
#include "store/sqlite/sqlite_store.h"

namespace steadfast::cli {

void DeclareMigrate(CommandSpec& spec) {
  spec.Summary("applies the engine's and plugins' schema migrations; prints the versions")
      .StoreOptions()
      .Json()
      .Details("Exit 0 up to date; 3 the database is newer than this binary (nothing written).");
}

int RunMigrate(const Flags& flags) {
  auto ctx = OpenContext(flags, ContextNeeds{true, false});
  if (!ctx.ok()) return Fail(kExitError, ctx.status().message());
  auto* sqlite = dynamic_cast<SqliteStore*>((*ctx)->store.get());
  if (sqlite == nullptr) return Fail(kExitError, "this store cannot report its schema versions");
  Result<StoreSchemaVersions> versions = sqlite->SchemaVersions();
  if (!versions.ok()) return Fail(kExitError, versions.status().message());

  std::map<std::string, int> known;  // plugin -> the version this binary declares
  for (const PluginSchema& s : (*ctx)->plugin_schemas.schemas()) known[s.plugin] = static_cast<int>(s.migrations.size());
  std::map<std::string, int> recorded(versions->plugins.begin(), versions->plugins.end());
  const std::string& db = (*ctx)->config.database;
  if (flags.Has("json")) {
    Value::List plugins;
    for (const auto& [name, version] : recorded) {
      auto k = known.find(name);
      plugins.push_back(Value::Map{{"plugin", name},
                                   {"version", version},
                                   {"known", k == known.end() ? Value() : Value(k->second)},
                                   {"loaded", k != known.end()}});
    }
    Value out = Value::Map{{"database", db},
                           {"engine", Value::Map{{"version", versions->engine}, {"known", versions->engine_known}}},
                           {"plugins", std::move(plugins)}};
    std::printf("%s\n", out.ToPrettyJson().c_str());
    return kExitOk;
  }
  std::printf("database %s is up to date\n", db.c_str());
  std::printf("  engine          schema version %d\n", versions->engine);
  for (const auto& [name, version] : recorded) {
    if (known.count(name) != 0) {
      std::printf("  plugin %-8s schema version %d\n", name.c_str(), version);
    } else {
      std::printf("  plugin %-8s schema version %d (plugin not loaded here: its migrations were not checked)\n",
                  name.c_str(), version);
    }
  }
  return kExitOk;
}

}  // namespace steadfast::cli
