// The PostgreSQL store: the Store contract (store/store.h) on a PostgreSQL
// database that any number of processes, on any number of hosts, share.
//
// Every write is a READ COMMITTED transaction on a connection of the
// store's pool, and returns once PostgreSQL has committed it (durable by
// the server's synchronous_commit). Checkpoints are group-committed: many
// in one pipelined transaction, one round trip and one commit
// (store/postgres/pg_checkpoint_committer.h); other writes commit side by
// side and share the server's WAL flushes. How writers of several processes are
// kept apart is in store/postgres/pg_write_ops.h; reads are single
// statements on pooled connections. The schema is migrated at open, under
// an advisory lock (store/postgres/pg_schema.h). Node identities are
// session advisory locks, dropped by the server with the session of a
// process that dies (store/postgres/pg_node_lock.h).
//
// Plugins' tables live beside the engine's (plugin_storage(); their SQL
// on PostgreSQL: store/postgres/pg_plugin_transaction.h) and checkpoint
// writes commit in the checkpoint's transaction. Schedules, bulk
// operations and deployed definitions (DeployedDefinitionStore) are kept
// as on SQLite (store/postgres/pg_catalog_ops.h).
#ifndef STEADFAST_STORE_POSTGRES_PG_STORE_H_
#define STEADFAST_STORE_POSTGRES_PG_STORE_H_

#include <memory>
#include <string>
#include <vector>

#include "steadfast/clock.h"
#include "steadfast/logger.h"
#include "steadfast/status.h"
#include "steadfast/storage.h"
#include "store/postgres/pg_checkpoint_committer.h"
#include "store/store.h"

namespace steadfast {

struct PgStoreOptions {
  std::string url;               // libpq connection string (may hold a password; never logged as is)
  int max_connections = 8;       // the pool's size: writes and reads in flight at once
  PgGroupCommitOptions group_commit;  // checkpoints per pipeline, pipelines in flight (within the pool)
  int statement_timeout_ms = 0;  // > 0: SET statement_timeout on each connection
  const Clock* clock = nullptr;  // created_at/updated_at defaults; null = system clock; must outlive the store
  Logger* logger = nullptr;      // warnings about damaged rows met by lists; null = none
  std::vector<PluginSchema> plugin_schemas;  // plugins' tables: migrated at open, after the engine's own
};

// Connects, migrates the schema to the version this binary knows, and
// returns the store. Unavailable when the server cannot be reached,
// FailedPrecondition for a database newer than this binary or not a
// steadfast store; messages name the database with its password redacted.
Result<std::unique_ptr<Store>> OpenPgStore(const PgStoreOptions& options);

}  // namespace steadfast

#endif  // STEADFAST_STORE_POSTGRES_PG_STORE_H_
