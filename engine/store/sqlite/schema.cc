// Schema version bookkeeping and the migration loop.
#include "store/sqlite/schema.h"

#include <iterator>

#include <fmt/format.h>

#include "store/sqlite/migrations.h"
#include "store/sqlite/transaction.h"

namespace steadfast {
namespace {

using MigrationFn = Status (*)(Connection&);

// kMigrations[i] takes version i to version i+1.
constexpr MigrationFn kMigrations[] = {
    &MigrateToV1,
    &MigrateToV2,
    &MigrateToV3,
    &MigrateToV4,
    &MigrateToV5,
    &MigrateToV6,
    &MigrateToV7,
    &MigrateToV8,
    &MigrateToV9,
    &MigrateToV10,
    &MigrateToV11,
    &MigrateToV12,
    &MigrateToV13,
    &MigrateToV14,
};
static_assert(std::size(kMigrations) == kSqliteSchemaVersion, "one migration per schema version");

Status SetVersion(Connection& conn, int version) {
  SF_RETURN_IF_ERROR(conn.Exec("DELETE FROM schema_version"));
  return conn.Exec(fmt::format("INSERT INTO schema_version(version) VALUES ({})", version));
}

Status CheckNotNewer(const Connection& conn, int version) {
  if (version <= kSqliteSchemaVersion) return Status::Ok();
  return Status::FailedPrecondition(fmt::format(
      "database {} has schema version {}, newer than version {} that this steadfast binary supports; "
      "run a steadfast release that knows version {} (or newer)",
      conn.path(), version, kSqliteSchemaVersion, version));
}

}  // namespace

Result<int> ReadSchemaVersion(Connection& conn) {
  // One statement, so one snapshot: read as two, a migration committed by
  // another process in between looked like "tables but no schema_version".
  // -1 when schema_version exists, else the number of tables.
  SF_ASSIGN_OR_RETURN(int64_t tables,
                      conn.QueryInt("SELECT CASE WHEN sum(name = 'schema_version') > 0 THEN -1 ELSE count(*) END "
                                    "FROM sqlite_schema WHERE type = 'table'"));
  if (tables >= 0) {
    if (tables != 0) {
      return Status::FailedPrecondition(fmt::format(
          "{} is a SQLite database but not a steadfast store (it has tables but no schema_version)", conn.path()));
    }
    return 0;
  }
  SF_ASSIGN_OR_RETURN(int64_t rows, conn.QueryInt("SELECT count(*) FROM schema_version"));
  if (rows != 1) {
    return Status::Corruption(
        fmt::format("database {}: schema_version must hold exactly one row, found {}", conn.path(), rows));
  }
  SF_ASSIGN_OR_RETURN(int64_t version, conn.QueryInt("SELECT version FROM schema_version"));
  if (version < 1) {
    return Status::Corruption(fmt::format("database {}: invalid schema version {}", conn.path(), version));
  }
  return static_cast<int>(version);
}

Status MigrateSchema(Connection& conn) {
  // Cheap check outside a transaction first: an up-to-date database (the
  // common case) needs no write lock at all.
  SF_ASSIGN_OR_RETURN(int version, ReadSchemaVersion(conn));
  SF_RETURN_IF_ERROR(CheckNotNewer(conn, version));
  while (version < kSqliteSchemaVersion) {
    SF_ASSIGN_OR_RETURN(WriteTransaction txn, WriteTransaction::Begin(conn));
    // Another process may have migrated between our read and our lock.
    SF_ASSIGN_OR_RETURN(version, ReadSchemaVersion(conn));
    SF_RETURN_IF_ERROR(CheckNotNewer(conn, version));
    if (version == kSqliteSchemaVersion) break;
    if (version == 0) {
      SF_RETURN_IF_ERROR(conn.Exec("CREATE TABLE schema_version (version INTEGER NOT NULL)"));
    }
    SF_RETURN_IF_ERROR(kMigrations[version](conn));
    SF_RETURN_IF_ERROR(SetVersion(conn, version + 1));
    SF_RETURN_IF_ERROR(txn.Commit());
    ++version;
  }
  return Status::Ok();
}

}  // namespace steadfast
