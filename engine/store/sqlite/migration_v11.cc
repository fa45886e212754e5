// Schema version 11: child workflows.
//
// - instances.parent_id, instances.parent_step: the instance and step that
//   started a child workflow ('' for every other instance), fixed at start.
// - instances_parent: a parent's children, for `?parent=` listings; only
//   children are in it, so other instances cost no index write.
#include "store/sqlite/migrations.h"

namespace steadfast {

Status MigrateToV11(Connection& conn) {
  return conn.Exec(R"sql(
ALTER TABLE instances ADD COLUMN parent_id TEXT NOT NULL DEFAULT '';
ALTER TABLE instances ADD COLUMN parent_step TEXT NOT NULL DEFAULT '';
CREATE INDEX instances_parent ON instances(parent_id, created_at, id) WHERE parent_id <> '';
)sql");
}

}  // namespace steadfast
