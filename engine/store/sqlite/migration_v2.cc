// Schema version 2: instances.links, the instances a new instance is
// related to (docs/observability.md, "Traces": its workflow span links to
// theirs). One link per line, "<instance id> <traceparent of its workflow
// span>", resolved when the instance starts so reading it needs no join.
#include "store/sqlite/migrations.h"

namespace steadfast {

Status MigrateToV2(Connection& conn) {
  return conn.Exec("ALTER TABLE instances ADD COLUMN links TEXT NOT NULL DEFAULT ''");
}

}  // namespace steadfast
