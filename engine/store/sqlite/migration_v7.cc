// Schema version 7: bulk_operations, one row per bulk action by filter
// (runtime/bulk_operations.h): its request (action, filter, reason, who),
// its progress (state, counts, the cursor a restart goes on from) and the
// first failures with their reasons (a JSON list). The row is also the
// operation's audit record, so rows are never deleted by the engine.
#include "store/sqlite/migrations.h"

namespace steadfast {

Status MigrateToV7(Connection& conn) {
  return conn.Exec(R"sql(
CREATE TABLE bulk_operations (
  id          TEXT PRIMARY KEY NOT NULL,
  action      TEXT NOT NULL,
  filter      TEXT NOT NULL,
  reason      TEXT NOT NULL,
  principal   TEXT NOT NULL,
  state       TEXT NOT NULL,
  total       INTEGER NOT NULL,
  done        INTEGER NOT NULL,
  skipped     INTEGER NOT NULL,
  failed      INTEGER NOT NULL,
  failures    TEXT NOT NULL,
  cursor      TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  finished_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX bulk_operations_created ON bulk_operations(created_at, id);
)sql");
}

}  // namespace steadfast
