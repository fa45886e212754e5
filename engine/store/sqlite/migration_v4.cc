// Schema version 4: plugin_migrations, the engine's record of which
// migrations of which plugin's tables this database has (one row per
// applied plugin migration; a plugin's version is its highest row).
// Plugins declare their migrations through steadfast/storage.h; the store
// applies them after its own (store/sqlite/plugin_migrations.h).
#include "store/sqlite/migrations.h"

namespace steadfast {

Status MigrateToV4(Connection& conn) {
  return conn.Exec(
      "CREATE TABLE plugin_migrations ("
      " plugin TEXT NOT NULL,"
      " version INTEGER NOT NULL,"
      " description TEXT NOT NULL,"
      " applied_at INTEGER NOT NULL,"
      " PRIMARY KEY (plugin, version))");
}

}  // namespace steadfast
