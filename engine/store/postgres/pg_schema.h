// PostgreSQL schema versioning: the version a database is at, and the
// migrations that take it to the version this binary knows.
//
// The same mechanism as SQLite (store/sqlite/schema.h): a one-row table
// schema_version, one migration function per version (kPgMigrations), a
// database newer than this binary refused, every migration in its own
// transaction that re-reads the version first. Processes that migrate at
// once (several `steadfast serve` starting together) queue on one
// transaction-scoped advisory lock (kPgSchemaLockKey): the first migrates,
// the others then find the new version and do nothing.
//
// The tables go into the connection's current schema (search_path; normally
// "public"), so one database can hold several stores in separate schemas.
#ifndef STEADFAST_STORE_POSTGRES_PG_SCHEMA_H_
#define STEADFAST_STORE_POSTGRES_PG_SCHEMA_H_

#include <cstdint>

#include "steadfast/status.h"
#include "store/postgres/pg_connection.h"

namespace steadfast {

// The PostgreSQL schema version this binary reads and writes. Version 1 is
// SQLite's version 12 (kSqliteSchemaVersion) in one step; the two numbers
// then go their own ways.
inline constexpr int kPgSchemaVersion = 3;

// pg_advisory_xact_lock key held while migrating: "stdfst" + 0x0001.
inline constexpr int64_t kPgSchemaLockKey = 0x7374646673740001;

// The version of the database on conn: 0 when its current schema has no
// tables. FailedPrecondition if it holds tables but no schema_version (some
// other application's schema); Corruption if schema_version does not hold
// exactly one valid row.
Result<int> ReadPgSchemaVersion(PgConnection& conn);

// Migrates to kPgSchemaVersion. FailedPrecondition naming both versions and
// the (redacted) database if the database is newer than this binary.
Status MigratePgSchema(PgConnection& conn);

}  // namespace steadfast

#endif  // STEADFAST_STORE_POSTGRES_PG_SCHEMA_H_
