// The embedded SQLite store (WAL, group commit).
//
// One write connection, used by one caller at a time: Apply/StartInstance/
// Claim calls enqueue a request; the first caller to find no commit in
// progress becomes the leader, drains the queue, applies every request
// inside one transaction (each in its own SAVEPOINT, so one failed
// precondition does not undo the others), commits once (one fsync with
// synchronous=FULL) and only then completes the waiting callers.
// Reads lease a connection of their own from a pool (WAL readers do not
// block the writer, nor wait for it). Several processes may open the same
// file: other processes' writes wait on SQLite's busy timeout.
//
// docs/store.md describes the schema, the durability guarantees and how
// SQLite errors map to Status codes.
#ifndef STEADFAST_STORE_SQLITE_SQLITE_STORE_H_
#define STEADFAST_STORE_SQLITE_SQLITE_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "steadfast/clock.h"
#include "steadfast/logger.h"
#include "steadfast/storage.h"
#include "store/store.h"

namespace steadfast {

enum class SyncMode : int { kFull = 0, kNormal = 1, kOff = 2 };

struct SqliteStoreOptions {
  std::string path;                 // database file; created if missing
  SyncMode sync = SyncMode::kFull;  // PRAGMA synchronous
  // FULL only: the writer's WAL frames reach the file system as one write
  // per commit, not two per frame (coalescing_vfs.h). false = SQLite's own
  // writes, to measure the difference (`steadfast bench --uncoalesced-wal`).
  bool coalesce_wal_writes = true;
  int busy_timeout_ms = 5000;       // waiting for another process's lock
  int max_batch = 512;              // most requests carried by one transaction
  const Clock* clock = nullptr;     // for created_at/updated_at defaults; null = system clock;
                                    //   must outlive the store
  int64_t max_page_count = 0;       // > 0: cap the file at this many pages (PRAGMA max_page_count), a quota;
                                    //   writes beyond it fail with kResourceExhausted like a full disk
  std::string vfs;                  // "" = SQLite's default; tests name a fault-injecting VFS here
  Logger* logger = nullptr;         // warnings about damaged rows met by lists; null = none; must outlive the store
  std::vector<PluginSchema> plugin_schemas;  // plugins' tables: migrated at open, after the engine's own
  bool must_exist = false;          // true: NotFound "no database at <path>" instead of creating the file
  // Files the instances are spread over (shard_layout.h), 1..kMaxShards;
  // 0 = as many as the database has (1 for a new one). A database laid out
  // for another number is re-spread when opened (docs/store.md "Shards").
  int shards = 0;
};

// The schema versions of a database: the engine's and each plugin's.
struct StoreSchemaVersions {
  int engine = 0;                                  // schema_version
  int engine_known = 0;                            // what this binary writes (kSqliteSchemaVersion)
  std::vector<std::pair<std::string, int>> plugins;  // plugin -> version, by name, as recorded
};

// Counters since the store was opened.
struct SqliteStoreStats {
  int64_t transactions = 0;         // write transactions (one COMMIT each)
  int64_t requests = 0;             // write requests they carried; requests / transactions = batching
  int64_t failed_transactions = 0;  // batches that failed as a whole (BEGIN/COMMIT/IO errors)
  int64_t largest_batch = 0;        // most requests committed by one transaction
  int64_t pages_written = 0;        // database pages those transactions wrote (WAL frames of page_size)
};

// The Store returned by OpenSqliteStore, for callers that want its stats
// (dynamic_cast<SqliteStore*>(store.get())).
class SqliteStore : public Store {
 public:
  virtual SqliteStoreStats Stats() const = 0;
  // Sees the request count of every committed write transaction (the
  // checkpoints-per-commit histogram); empty = none. Thread-safe.
  virtual void SetCommitBatchObserver(std::function<void(int64_t requests)> observer) = 0;
  // The versions this database is at now (`steadfast migrate` reports them).
  virtual Result<StoreSchemaVersions> SchemaVersions() = 0;
  // How many files the instances are spread over (shard_layout.h).
  virtual int ShardCount() const = 0;
};

// Opens (creating and migrating the schema if needed: the engine's, then
// each of options.plugin_schemas'); the Store's destructor waits until
// every queued write is answered. Its plugin_storage() reaches the plugins'
// tables. Errors name the file and the cause: kCorruption (not a database,
// corrupt), kBusy (locked), kFailedPrecondition (cannot open or write the
// file, an engine or plugin schema newer than this binary knows, not a
// steadfast database, WAL unavailable), kInvalidArgument (empty or
// ":memory:" path, max_batch < 1, a malformed plugin schema), kNotFound
// (must_exist and no file).
Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteStoreOptions& options);

// The store of an existing database for a tool that works on plugin tables
// outside `serve` (`steadfast reconcile`, `steadfast refund ledger`):
// opened as OpenSqliteStore does with default options and these plugin
// schemas (so their tables are migrated first); NotFound "no database at
// <path>" when the file does not exist. Reach the tables through
// plugin_storage().
Result<std::unique_ptr<Store>> OpenExistingStore(const std::string& path, std::vector<PluginSchema> plugin_schemas);

}  // namespace steadfast

#endif  // STEADFAST_STORE_SQLITE_SQLITE_STORE_H_
