// Schema version 6: search keys (a workflow's `search:`), fixed when an
// instance starts and written in the same transaction as its row.
//
// - instances.search_keys: the instance's keys as a JSON object, shown with
//   the instance ("" for none, and for every instance started before v6).
// - instance_keys: one row per key, clustered by (name, value, created_at,
//   id), so "key.reservation_id=R-4411" is one index range already in list
//   order, at any number of instances. key_created_at repeats the
//   instance's created_at for that order (both never change).
#include "store/sqlite/migrations.h"

namespace steadfast {

Status MigrateToV6(Connection& conn) {
  return conn.Exec(R"sql(
ALTER TABLE instances ADD COLUMN search_keys TEXT NOT NULL DEFAULT '';
CREATE TABLE instance_keys (
  key_name       TEXT NOT NULL,
  key_value      TEXT NOT NULL,
  key_created_at INTEGER NOT NULL,
  instance_id    TEXT NOT NULL,
  PRIMARY KEY (key_name, key_value, key_created_at, instance_id)
) WITHOUT ROWID;
)sql");
}

}  // namespace steadfast
