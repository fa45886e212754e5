// Plugin migration loop on PostgreSQL (store/postgres/pg_plugin_migrations.h).
#include "store/postgres/pg_plugin_migrations.h"

#include <fmt/format.h>

#include "store/plugin_schemas.h"
#include "store/postgres/pg_plugin_sql.h"
#include "store/postgres/pg_transaction.h"

namespace steadfast {
namespace {

Result<int> ReadPluginVersion(PgConnection& conn, const std::string& plugin) {
  SF_ASSIGN_OR_RETURN(PgResult res, conn.Query("SELECT COALESCE(MAX(version), 0) FROM plugin_migrations WHERE plugin = $1",
                                               {PgParam::Text(plugin)}));
  SF_ASSIGN_OR_RETURN(int64_t v, res.Int64(0, 0));
  return static_cast<int>(v);
}

Status CheckNotNewer(const PgConnection& conn, const PluginSchema& schema, int version) {
  return CheckPluginSchemaNotNewer(conn.redacted_url(), schema, version);
}

Status MigratePlugin(PgConnection& conn, const PluginSchema& schema, TimeMs now) {
  SF_ASSIGN_OR_RETURN(int version, ReadPluginVersion(conn, schema.plugin));
  const int target = static_cast<int>(schema.migrations.size());
  while (version < target) {
    SF_ASSIGN_OR_RETURN(PgTransaction tx, PgTransaction::Begin(conn));
    SF_RETURN_IF_ERROR(conn.Query("SELECT pg_advisory_xact_lock(hashtextextended('steadfast.plugin.' || $1, 0))",
                                  {PgParam::Text(schema.plugin)})
                           .status());
    // Another process may have migrated between our read and our lock.
    SF_ASSIGN_OR_RETURN(version, ReadPluginVersion(conn, schema.plugin));
    SF_RETURN_IF_ERROR(CheckNotNewer(conn, schema, version));
    if (version >= target) break;
    const PluginMigration& m = schema.migrations[static_cast<size_t>(version)];
    const std::string sql = m.postgres_sql.empty() ? PgPluginDdl(m.sql) : m.postgres_sql;
    Status applied = conn.Exec(sql).status();
    if (!applied.ok()) {
      return Status(applied.code(), fmt::format("migration {} ({}) of the '{}' plugin's tables failed: {}", m.version,
                                                m.description, schema.plugin, applied.message()));
    }
    SF_RETURN_IF_ERROR(conn.Query("INSERT INTO plugin_migrations (plugin, version, description, applied_at) "
                                  "VALUES ($1, $2, $3, $4)",
                                  {PgParam::Text(schema.plugin), PgParam::Int64(m.version),
                                   PgParam::Text(m.description), PgParam::Int64(now)})
                           .status());
    SF_RETURN_IF_ERROR(tx.Commit());
    ++version;
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<std::pair<std::string, int>>> ReadPgPluginSchemaVersions(PgConnection& conn) {
  SF_ASSIGN_OR_RETURN(PgResult res,
                      conn.Exec("SELECT plugin, MAX(version) FROM plugin_migrations GROUP BY plugin ORDER BY plugin"));
  std::vector<std::pair<std::string, int>> out;
  for (int i = 0; i < res.rows(); ++i) {
    SF_ASSIGN_OR_RETURN(std::string plugin, res.Text(i, 0));
    SF_ASSIGN_OR_RETURN(int64_t version, res.Int64(i, 1));
    out.emplace_back(std::move(plugin), static_cast<int>(version));
  }
  return out;
}

Status MigratePgPluginSchemas(PgConnection& conn, const std::vector<PluginSchema>& schemas, TimeMs now) {
  for (const PluginSchema& schema : schemas) SF_RETURN_IF_ERROR(ValidatePluginSchema(schema));
  for (const PluginSchema& schema : schemas) {
    SF_ASSIGN_OR_RETURN(int version, ReadPluginVersion(conn, schema.plugin));
    SF_RETURN_IF_ERROR(CheckNotNewer(conn, schema, version));
  }
  for (const PluginSchema& schema : schemas) SF_RETURN_IF_ERROR(MigratePlugin(conn, schema, now));
  return Status::Ok();
}

}  // namespace steadfast
