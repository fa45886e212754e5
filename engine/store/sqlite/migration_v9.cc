// Schema version 9: deployed_definitions, the workflow versions registered
// on a running engine (`steadfast deploy`, POST /v1/definitions) rather
// than loaded from the workflows directory, so they are registered again
// when the engine restarts. One row per name and version; its source is
// the definitions row of the same hash.
#include "store/sqlite/migrations.h"

namespace steadfast {

Status MigrateToV9(Connection& conn) {
  return conn.Exec(
      "CREATE TABLE deployed_definitions ("
      " name TEXT NOT NULL,"
      " version INTEGER NOT NULL,"
      " hash TEXT NOT NULL REFERENCES definitions(hash),"
      " deployed_by TEXT NOT NULL,"
      " deployed_at INTEGER NOT NULL,"
      " PRIMARY KEY (name, version))");
}

}  // namespace steadfast
