// The embedded SQLite store (WAL, group commit).
//
// One writer thread owns the write connection. Apply/StartInstance/Claim
// calls enqueue a request and wait; the writer drains the queue, applies
// every request inside one transaction (each in its own SAVEPOINT, so one
// failed precondition does not undo the others), commits once (one fsync
// with synchronous=FULL) and only then completes the waiting callers.
// Reads use a separate connection per calling thread (WAL readers do not
// block the writer). Several processes may open the same file: other
// processes' writes wait on SQLite's busy timeout.
#ifndef STEADFAST_STORE_SQLITE_SQLITE_STORE_H_
#define STEADFAST_STORE_SQLITE_SQLITE_STORE_H_

#include <memory>
#include <string>

#include "steadfast/clock.h"
#include "store/store.h"

namespace steadfast {

enum class SyncMode : int { kFull = 0, kNormal = 1, kOff = 2 };

struct SqliteStoreOptions {
  std::string path;                 // database file; created if missing
  SyncMode sync = SyncMode::kFull;  // PRAGMA synchronous
  int busy_timeout_ms = 5000;       // waiting for another process's lock
  int max_batch = 512;              // most requests carried by one transaction
  const Clock* clock = nullptr;     // for created_at/updated_at defaults; null = system clock
};

// Opens (creating and migrating the schema if needed). Errors name the cause:
// not a database, locked, unreadable, newer schema than this binary knows.
Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteStoreOptions& options);

}  // namespace steadfast

#endif  // STEADFAST_STORE_SQLITE_SQLITE_STORE_H_
