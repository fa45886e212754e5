// The PostgreSQL schema migrations, one function per target version.
//
// Migration N takes a database at version N-1 to version N inside the
// caller's transaction (which holds the schema advisory lock); it does not
// touch schema_version (MigratePgSchema does). A released migration never
// changes: a later fix is a new version.
#ifndef STEADFAST_STORE_POSTGRES_PG_MIGRATIONS_H_
#define STEADFAST_STORE_POSTGRES_PG_MIGRATIONS_H_

#include "steadfast/status.h"
#include "store/postgres/pg_connection.h"

namespace steadfast {

// Version 1: every table, column and index of SQLite schema version 12
// (store/sqlite/migration_v1.cc .. migration_v12.cc), same names.
Status MigratePgToV1(PgConnection& conn);
// Version 2: the checkpoint's precondition checks as functions that raise
// (store/postgres/pg_migration_v2.cc), for pipelined checkpoints.
Status MigratePgToV2(PgConnection& conn);
// Version 3: values in the compact encoding (a marker, as SQLite's 13).
Status MigratePgToV3(PgConnection& conn);

}  // namespace steadfast

#endif  // STEADFAST_STORE_POSTGRES_PG_MIGRATIONS_H_
