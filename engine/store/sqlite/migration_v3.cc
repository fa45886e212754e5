// Schema version 3: instances.started_by, the authenticated principal that
// made the start call (an HTTP token's name, the CLI's user), kept apart
// from requested_by, which an admin may set to someone else. Four-eyes
// compares a decider with both (engine/runtime/four_eyes.h), so it must be
// on the row the decision reads. Instances started before version 3 keep
// '' (unknown); for them requested_by was the token principal unless an
// admin set it.
#include "store/sqlite/migrations.h"

namespace steadfast {

Status MigrateToV3(Connection& conn) {
  return conn.Exec("ALTER TABLE instances ADD COLUMN started_by TEXT NOT NULL DEFAULT ''");
}

}  // namespace steadfast
