// Schema version 10: start priorities and fair claims.
//
// - instances.priority: 1 (first) .. 5 (last), 3 by default, fixed at start.
// - tasks.priority: the instance's, copied when the task is written, so a
//   claim orders due tasks without reading instances. Only tasks of a
//   priority other than 3 are in tasks_priority: the default costs no
//   index write, and each other level is one index range in due order.
// - activity_fair_turns: per activity claimed fairly (`fair_by`), when each
//   key's task was last claimed (a counter per activity), so the key served
//   longest ago goes first at the next claim, across claims and processes.
#include "store/sqlite/migrations.h"

namespace steadfast {

Status MigrateToV10(Connection& conn) {
  return conn.Exec(R"sql(
ALTER TABLE instances ADD COLUMN priority INTEGER NOT NULL DEFAULT 3;
ALTER TABLE tasks ADD COLUMN priority INTEGER NOT NULL DEFAULT 3;
CREATE INDEX tasks_priority ON tasks(priority, due_at) WHERE priority <> 3;

CREATE TABLE activity_fair_turns (
  activity  TEXT NOT NULL,
  fair_key  TEXT NOT NULL,
  served    INTEGER NOT NULL,
  PRIMARY KEY (activity, fair_key)
) WITHOUT ROWID;
)sql");
}

}  // namespace steadfast
