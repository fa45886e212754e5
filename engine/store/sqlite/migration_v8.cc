// Schema version 8: activity holds and limits.
//
// - tasks.activity: the activity an attempt of the task calls, written when
//   the task is created ("" for timers, and for rows stored before this
//   version until the engine first hands one back: TaskExecutor fills it).
//   Claims skip the tasks of held activities and count the leased tasks of
//   a limited activity (tasks_activity serves both).
// - activity_holds: the kill switch, one row per held activity ("*" = all).
// - activity_hold_log: who placed or released which hold, when and why.
// - activity_rates: per rate-limited activity, the theoretical arrival time
//   (microseconds) of its next attempt start (GCRA), shared by every
//   process on the file and kept across restarts.
#include "store/sqlite/migrations.h"

namespace steadfast {

Status MigrateToV8(Connection& conn) {
  return conn.Exec(R"sql(
ALTER TABLE tasks ADD COLUMN activity TEXT NOT NULL DEFAULT '';
CREATE INDEX tasks_activity ON tasks(activity, lease_until, due_at);

CREATE TABLE activity_holds (
  activity TEXT PRIMARY KEY NOT NULL,
  reason   TEXT NOT NULL,
  held_by  TEXT NOT NULL,
  held_at  INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE activity_hold_log (
  id        INTEGER PRIMARY KEY AUTOINCREMENT,
  activity  TEXT NOT NULL,
  action    TEXT NOT NULL,
  principal TEXT NOT NULL,
  reason    TEXT NOT NULL,
  at        INTEGER NOT NULL
);

CREATE TABLE activity_rates (
  activity TEXT PRIMARY KEY NOT NULL,
  tat_us   INTEGER NOT NULL
) WITHOUT ROWID;
)sql");
}

}  // namespace steadfast
