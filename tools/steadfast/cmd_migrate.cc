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
//
// A postgres:// or postgresql:// database (--db or the config's `database:`)
// is migrated with the PostgreSQL schema (store/postgres/pg_schema.h) and
// the plugins' migrations (store/postgres/pg_plugin_migrations.h), each
// reported with the version it was at before. The URL is printed with its
// password redacted. No server, a refused login or a URL libpq cannot
// parse: exit 3.
#include <cstdio>
#include <map>

#include "cli_context.h"
#include "commands.h"
#include "config/database_url.h"
#include "store/postgres/pg_connection.h"
#include "store/postgres/pg_plugin_migrations.h"
#include "store/postgres/pg_schema.h"
#include "store/postgres/pg_url.h"
#include "store/sqlite/sqlite_store.h"

namespace steadfast::cli {
namespace {

// What happened to a schema, for the text report.
std::string PgChange(int from, int to) {
  if (from == to) return "already at this version: nothing to do";
  if (from == 0) return "created";
  return "upgraded from version " + std::to_string(from);
}

int RunPgMigrate(const CliContext& ctx, bool json) {
  const std::string redacted = RedactConnectionString(ctx.config.database);
  PgConnectionOptions options;
  options.url = ctx.config.database;
  options.application_name = "steadfast migrate";
  // Every message below names the database redacted (PgConnection, pg_schema).
  Result<std::unique_ptr<PgConnection>> conn = PgConnection::Open(options);
  if (!conn.ok()) return Fail(kExitError, "cannot migrate: " + conn.status().message());
  Result<int> from = ReadPgSchemaVersion(**conn);
  if (!from.ok()) return Fail(kExitError, "cannot migrate: " + from.status().message());
  Status migrated = MigratePgSchema(**conn);
  if (!migrated.ok()) return Fail(kExitError, "cannot migrate: " + migrated.message());
  Result<int> to = ReadPgSchemaVersion(**conn);
  if (!to.ok()) return Fail(kExitError, "cannot migrate: " + to.status().message());
  const std::vector<PluginSchema> plugins = ctx.plugin_schemas.schemas();
  Result<std::vector<std::pair<std::string, int>>> plugins_from = ReadPgPluginSchemaVersions(**conn);
  if (!plugins_from.ok()) return Fail(kExitError, "cannot migrate: " + plugins_from.status().message());
  Status plugins_migrated = MigratePgPluginSchemas(**conn, plugins, SystemClock::Instance().NowMs());
  if (!plugins_migrated.ok()) return Fail(kExitError, "cannot migrate: " + plugins_migrated.message());
  Result<std::vector<std::pair<std::string, int>>> plugins_to = ReadPgPluginSchemaVersions(**conn);
  if (!plugins_to.ok()) return Fail(kExitError, "cannot migrate: " + plugins_to.status().message());

  std::map<std::string, int> known;  // plugin -> the version this binary declares
  for (const PluginSchema& s : plugins) known[s.plugin] = static_cast<int>(s.migrations.size());
  const std::map<std::string, int> before(plugins_from->begin(), plugins_from->end());
  auto was = [&before](const std::string& name) {
    auto it = before.find(name);
    return it == before.end() ? 0 : it->second;
  };
  if (json) {
    Value::List list;
    for (const auto& [name, version] : *plugins_to) {
      auto k = known.find(name);
      list.push_back(Value::Map{{"plugin", name},
                                {"version", version},
                                {"from", was(name)},
                                {"known", k == known.end() ? Value() : Value(k->second)},
                                {"loaded", k != known.end()}});
    }
    Value out = Value::Map{{"database", redacted},
                           {"backend", "postgresql"},
                           {"engine", Value::Map{{"version", *to}, {"known", kPgSchemaVersion}, {"from", *from}}},
                           {"plugins", std::move(list)}};
    std::printf("%s\n", out.ToPrettyJson().c_str());
    return kExitOk;
  }
  std::printf("database %s (PostgreSQL) is up to date\n", redacted.c_str());
  std::printf("  engine          schema version %d (%s)\n", *to, PgChange(*from, *to).c_str());
  for (const auto& [name, version] : *plugins_to) {
    if (known.count(name) != 0) {
      std::printf("  plugin %-8s schema version %d (%s)\n", name.c_str(), version, PgChange(was(name), version).c_str());
    } else {
      std::printf("  plugin %-8s schema version %d (plugin not loaded here: its migrations were not checked)\n",
                  name.c_str(), version);
    }
  }
  return kExitOk;
}

}  // namespace

void DeclareMigrate(CommandSpec& spec) {
  spec.Summary("applies the engine's and plugins' schema migrations; prints the versions")
      .StoreOptions()
      .Option("shards", "N", "SQLite: spread the instances over N files (1..16), moving them (docs/store.md \"Shards\")")
      .Json()
      .Details(
          "--db (or the config's database:) may be a postgres:// or postgresql:// URL: the engine's PostgreSQL "
          "schema and the plugins' tables are created or upgraded (--sync does not apply).\n"
          "Exit 0 up to date; 3 the database is newer than this binary (nothing written), or cannot be reached.");
}

int RunMigrate(const Flags& flags) {
  if (flags.Get("shards")) {
    auto shards = flags.GetInt("shards", 0);
    if (!shards.ok() || *shards < 1 || *shards > 16) return Fail(kExitUsage, "--shards takes an integer from 1 to 16");
  }
  ContextNeeds needs{true, false};
  needs.postgres_schema_only = true;
  auto ctx = OpenContext(flags, needs);
  if (!ctx.ok()) return Fail(kExitError, ctx.status().message());
  if (IsPostgresDatabase((*ctx)->config.database)) {
    if (flags.Has("sync")) {
      return Fail(kExitUsage, "--sync is SQLite's synchronous mode; it does not apply to a PostgreSQL database");
    }
    return RunPgMigrate(**ctx, flags.Has("json"));
  }
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
                           {"shards", sqlite->ShardCount()},
                           {"plugins", std::move(plugins)}};
    std::printf("%s\n", out.ToPrettyJson().c_str());
    return kExitOk;
  }
  std::printf("database %s is up to date\n", db.c_str());
  std::printf("  engine          schema version %d\n", versions->engine);
  if (sqlite->ShardCount() > 1) {
    std::printf("  shards          %d files (docs/store.md \"Shards\")\n", sqlite->ShardCount());
  }
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
