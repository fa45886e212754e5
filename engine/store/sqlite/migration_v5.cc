// Schema version 5: schedules and schedule_ticks (docs/schedules.md).
// schedules holds each schedule's cursor (every scheduled tick at or before
// it is handled) and pause flag; schedule_ticks one row per tick handled,
// keyed so that a tick can be recorded (and its instance started) once.
#include "store/sqlite/migrations.h"

namespace steadfast {

Status MigrateToV5(Connection& conn) {
  SF_RETURN_IF_ERROR(conn.Exec(
      "CREATE TABLE schedules ("
      " name TEXT PRIMARY KEY,"
      " workflow TEXT NOT NULL,"
      " cursor_at INTEGER NOT NULL,"
      " paused INTEGER NOT NULL DEFAULT 0,"
      " paused_by TEXT NOT NULL DEFAULT '',"
      " pause_reason TEXT NOT NULL DEFAULT '',"
      " paused_at INTEGER NOT NULL DEFAULT 0,"
      " last_instance_id TEXT NOT NULL DEFAULT '',"
      " created_at INTEGER NOT NULL,"
      " updated_at INTEGER NOT NULL)"));
  return conn.Exec(
      "CREATE TABLE schedule_ticks ("
      " schedule TEXT NOT NULL,"
      " kind INTEGER NOT NULL,"
      " tick_at INTEGER NOT NULL,"
      " outcome INTEGER NOT NULL,"
      " reason TEXT NOT NULL DEFAULT '',"
      " instance_id TEXT NOT NULL DEFAULT '',"
      " ticks INTEGER NOT NULL DEFAULT 1,"
      " principal TEXT NOT NULL DEFAULT '',"
      " recorded_at INTEGER NOT NULL,"
      " PRIMARY KEY (schedule, kind, tick_at))");
}

}  // namespace steadfast
