// PostgreSQL schema version 3: values stored in the compact encoding, as
// SQLite's version 13 (store/sqlite/migration_v13.cc says why a version
// with nothing to change): an older binary refuses the schema as newer
// instead of calling its new rows corrupt.
#include "store/postgres/pg_migrations.h"

namespace steadfast {

Status MigratePgToV3(PgConnection& conn) {
  (void)conn;
  return Status::Ok();
}

}  // namespace steadfast
