// Plugin migrations on SQLite: applies each declared plugin schema's
// pending migrations and reports the versions a database is at.
//
// The engine table plugin_migrations (schema v4) holds one row per applied
// plugin migration. Each migration runs in its own IMMEDIATE transaction
// that re-reads the plugin's version first, so two processes opening a
// database at once apply it exactly once, and a failing migration leaves
// the plugin at the previous version. A database whose plugin version is
// newer than the schema this binary declares is refused before anything is
// written, naming the plugin, both versions and what to do.
#ifndef STEADFAST_STORE_SQLITE_PLUGIN_MIGRATIONS_H_
#define STEADFAST_STORE_SQLITE_PLUGIN_MIGRATIONS_H_

#include <string>
#include <vector>

#include "steadfast/clock.h"
#include "steadfast/storage.h"
#include "store/sqlite/connection.h"

namespace steadfast {

// A plugin's schema version as recorded in a database.
struct PluginSchemaVersion {
  std::string plugin;
  int version = 0;  // highest applied migration
};

// Every plugin with applied migrations, by name. Needs engine schema v4.
Result<std::vector<PluginSchemaVersion>> ReadPluginSchemaVersions(Connection& conn);

// Applies the pending migrations of every schema (validated first:
// InvalidArgument when malformed). FailedPrecondition when the database
// holds a newer version of a plugin's tables than its schema declares;
// a failing migration's SQL error names the plugin and the version.
Status MigratePluginSchemas(Connection& conn, const std::vector<PluginSchema>& schemas, TimeMs now);

}  // namespace steadfast

#endif  // STEADFAST_STORE_SQLITE_PLUGIN_MIGRATIONS_H_
