// Plugin migrations on PostgreSQL: the same bookkeeping as on SQLite
// (store/sqlite/plugin_migrations.h) in the engine table plugin_migrations.
//
// Each migration runs in its own transaction, queued on an advisory lock
// of its plugin and re-reading the plugin's version under it, so processes
// starting together apply it exactly once; a failing migration leaves the
// plugin at the previous version (PostgreSQL's DDL is transactional). The
// SQL is the migration's postgres_sql when it has one, else its portable
// sql with SQLite's type names mapped (store/postgres/pg_plugin_sql.h).
#ifndef STEADFAST_STORE_POSTGRES_PG_PLUGIN_MIGRATIONS_H_
#define STEADFAST_STORE_POSTGRES_PG_PLUGIN_MIGRATIONS_H_

#include <string>
#include <utility>
#include <vector>

#include "steadfast/clock.h"
#include "steadfast/storage.h"
#include "store/postgres/pg_connection.h"

namespace steadfast {

// Every plugin with applied migrations and its version, by name.
Result<std::vector<std::pair<std::string, int>>> ReadPgPluginSchemaVersions(PgConnection& conn);

// Applies the pending migrations of every schema (validated first).
// FailedPrecondition, before anything is written, when the database holds
// a newer version of a plugin's tables than its schema declares.
Status MigratePgPluginSchemas(PgConnection& conn, const std::vector<PluginSchema>& schemas, TimeMs now);

}  // namespace steadfast

#endif  // STEADFAST_STORE_POSTGRES_PG_PLUGIN_MIGRATIONS_H_
