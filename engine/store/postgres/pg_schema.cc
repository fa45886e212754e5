// PostgreSQL schema version bookkeeping and the migration loop.
#include "store/postgres/pg_schema.h"

#include <iterator>

#include <fmt/format.h>

#include "store/postgres/pg_migrations.h"
#include "store/postgres/pg_transaction.h"

namespace steadfast {
namespace {

using PgMigrationFn = Status (*)(PgConnection&);

// kPgMigrations[i] takes version i to version i+1.
constexpr PgMigrationFn kPgMigrations[] = {
    &MigratePgToV1,
    &MigratePgToV2,
    &MigratePgToV3,
};
static_assert(std::size(kPgMigrations) == kPgSchemaVersion, "one migration per schema version");

Status CheckNotNewer(const PgConnection& conn, int version) {
  if (version <= kPgSchemaVersion) return Status::Ok();
  return Status::FailedPrecondition(fmt::format(
      "PostgreSQL database {} has steadfast schema version {}, newer than version {} that this steadfast binary "
      "supports; run a steadfast release that knows version {} (or newer)",
      conn.redacted_url(), version, kPgSchemaVersion, version));
}

}  // namespace

Result<int> ReadPgSchemaVersion(PgConnection& conn) {
  // One statement, one snapshot (see ReadSchemaVersion in sqlite/schema.cc).
  SF_ASSIGN_OR_RETURN(PgResult tables,
                      conn.Exec("SELECT count(*) FILTER (WHERE c.relname = 'schema_version'), count(*) "
                                "FROM pg_class c WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()) "
                                "AND c.relkind IN ('r', 'p')"));
  SF_ASSIGN_OR_RETURN(int64_t has_version, tables.Int64(0, 0));
  SF_ASSIGN_OR_RETURN(int64_t count, tables.Int64(0, 1));
  if (has_version == 0) {
    if (count != 0) {
      return Status::FailedPrecondition(
          fmt::format("PostgreSQL database {} is not a steadfast store: its schema has {} tables but no "
                      "schema_version",
                      conn.redacted_url(), count));
    }
    return 0;
  }
  SF_ASSIGN_OR_RETURN(PgResult rows, conn.Exec("SELECT version FROM schema_version"));
  if (rows.rows() != 1) {
    return Status::Corruption(fmt::format("PostgreSQL database {}: schema_version must hold exactly one row, found {}",
                                          conn.redacted_url(), rows.rows()));
  }
  SF_ASSIGN_OR_RETURN(int64_t version, rows.Int64(0, 0));
  if (version < 1 || version > 1'000'000) {
    return Status::Corruption(
        fmt::format("PostgreSQL database {}: invalid schema version {}", conn.redacted_url(), version));
  }
  return static_cast<int>(version);
}

Status MigratePgSchema(PgConnection& conn) {
  // Cheap check without the lock first: an up-to-date database (the common
  // case) takes no lock at all.
  SF_ASSIGN_OR_RETURN(int version, ReadPgSchemaVersion(conn));
  SF_RETURN_IF_ERROR(CheckNotNewer(conn, version));
  while (version < kPgSchemaVersion) {
    SF_ASSIGN_OR_RETURN(PgTransaction txn, PgTransaction::Begin(conn));
    // Held to the end of the transaction: a second process waits here, and
    // (READ COMMITTED: a fresh snapshot per statement) then reads the
    // version the first one committed.
    SF_RETURN_IF_ERROR(conn.Query("SELECT pg_advisory_xact_lock($1)", {PgParam::Int64(kPgSchemaLockKey)}).status());
    SF_ASSIGN_OR_RETURN(version, ReadPgSchemaVersion(conn));
    SF_RETURN_IF_ERROR(CheckNotNewer(conn, version));
    if (version == kPgSchemaVersion) break;
    if (version == 0) {
      SF_RETURN_IF_ERROR(conn.Exec("CREATE TABLE schema_version (version bigint NOT NULL)").status());
      SF_RETURN_IF_ERROR(conn.Exec("INSERT INTO schema_version(version) VALUES (0)").status());
    }
    SF_RETURN_IF_ERROR(kPgMigrations[version](conn));
    SF_RETURN_IF_ERROR(
        conn.Query("UPDATE schema_version SET version = $1", {PgParam::Int64(version + 1)}).status());
    SF_RETURN_IF_ERROR(txn.Commit());
    ++version;
  }
  return Status::Ok();
}

}  // namespace steadfast
