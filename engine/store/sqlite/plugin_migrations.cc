// Plugin migration loop: version bookkeeping per plugin in plugin_migrations.
#include "store/sqlite/plugin_migrations.h"

#include <fmt/format.h>

#include "store/plugin_schemas.h"
#include "store/sqlite/transaction.h"

namespace steadfast {
namespace {

Result<int> ReadPluginVersion(Connection& conn, const std::string& plugin) {
  SF_ASSIGN_OR_RETURN(StatementRef st,
                      conn.Prepare("SELECT COALESCE(MAX(version), 0) FROM plugin_migrations WHERE plugin = ?"));
  st->BindText(1, plugin);
  SF_ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return Status::Internal("reading a plugin's schema version returned no row");
  return static_cast<int>(st->ColumnInt(0));
}

Status CheckNotNewer(const Connection& conn, const PluginSchema& schema, int version) {
  return CheckPluginSchemaNotNewer(conn.path(), schema, version);
}

Status RecordMigration(Connection& conn, const std::string& plugin, const PluginMigration& m, TimeMs now) {
  SF_ASSIGN_OR_RETURN(StatementRef st,
                      conn.Prepare("INSERT INTO plugin_migrations (plugin, version, description, applied_at) "
                                   "VALUES (?, ?, ?, ?)"));
  st->BindText(1, plugin);
  st->BindInt(2, m.version);
  st->BindText(3, m.description);
  st->BindInt(4, now);
  return st->Run();
}

Status MigratePlugin(Connection& conn, const PluginSchema& schema, TimeMs now) {
  // Cheap check first: an up-to-date plugin (the common case) takes no lock.
  SF_ASSIGN_OR_RETURN(int version, ReadPluginVersion(conn, schema.plugin));
  SF_RETURN_IF_ERROR(CheckNotNewer(conn, schema, version));
  const int target = static_cast<int>(schema.migrations.size());
  while (version < target) {
    SF_ASSIGN_OR_RETURN(WriteTransaction txn, WriteTransaction::Begin(conn));
    // Another process may have migrated between our read and our lock.
    SF_ASSIGN_OR_RETURN(version, ReadPluginVersion(conn, schema.plugin));
    SF_RETURN_IF_ERROR(CheckNotNewer(conn, schema, version));
    if (version >= target) break;
    const PluginMigration& m = schema.migrations[static_cast<size_t>(version)];
    Status applied = conn.Exec(m.sql);
    if (!applied.ok()) {
      return Status(applied.code(), fmt::format("migration {} ({}) of the '{}' plugin's tables failed: {}", m.version,
                                                m.description, schema.plugin, applied.message()));
    }
    SF_RETURN_IF_ERROR(RecordMigration(conn, schema.plugin, m, now));
    SF_RETURN_IF_ERROR(txn.Commit());
    ++version;
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<PluginSchemaVersion>> ReadPluginSchemaVersions(Connection& conn) {
  SF_ASSIGN_OR_RETURN(StatementRef st,
                      conn.Prepare("SELECT plugin, MAX(version) FROM plugin_migrations GROUP BY plugin ORDER BY plugin"));
  std::vector<PluginSchemaVersion> out;
  while (true) {
    SF_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back(PluginSchemaVersion{st->ColumnText(0), static_cast<int>(st->ColumnInt(1))});
  }
  return out;
}

Status MigratePluginSchemas(Connection& conn, const std::vector<PluginSchema>& schemas, TimeMs now) {
  for (const PluginSchema& schema : schemas) SF_RETURN_IF_ERROR(ValidatePluginSchema(schema));
  // Refuse before writing anything if any plugin's tables are newer.
  for (const PluginSchema& schema : schemas) {
    SF_ASSIGN_OR_RETURN(int version, ReadPluginVersion(conn, schema.plugin));
    SF_RETURN_IF_ERROR(CheckNotNewer(conn, schema, version));
  }
  for (const PluginSchema& schema : schemas) SF_RETURN_IF_ERROR(MigratePlugin(conn, schema, now));
  return Status::Ok();
}

}  // namespace steadfast
