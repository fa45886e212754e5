// Schema versioning: reads the version a database is at and migrates it to
// the version this binary knows, one migration function per version.
//
// The version lives in the one-row table schema_version. A database newer
// than this binary is refused (never written to by code that does not know
// its shape); an empty file is migrated from version 0. Each migration runs
// in its own IMMEDIATE transaction that re-reads the version first, so two
// processes opening a new file at once migrate it exactly once.
#ifndef STEADFAST_STORE_SQLITE_SCHEMA_H_
#define STEADFAST_STORE_SQLITE_SCHEMA_H_

#include "steadfast/status.h"
#include "store/sqlite/connection.h"

namespace steadfast {

// The schema version this binary reads and writes.
inline constexpr int kSqliteSchemaVersion = 14;

// The version of the database on conn: 0 for an empty database.
// FailedPrecondition if the file holds tables but no schema_version (some
// other application's database).
Result<int> ReadSchemaVersion(Connection& conn);

// Migrates to kSqliteSchemaVersion. FailedPrecondition naming both versions
// and the file if the database is newer than this binary.
Status MigrateSchema(Connection& conn);

}  // namespace steadfast

#endif  // STEADFAST_STORE_SQLITE_SCHEMA_H_
