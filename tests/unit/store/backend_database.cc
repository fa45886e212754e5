// A test database on SQLite or PostgreSQL (backend_database.h).
#include "backend_database.h"

#include <utility>

#include "store/postgres/pg_store.h"
#include "store/sqlite/sqlite_store.h"

namespace steadfast::testing_support {

std::string StoreBackendName(const ::testing::TestParamInfo<StoreBackend>& info) {
  switch (info.param) {
    case StoreBackend::kPostgres: return "postgres";
    case StoreBackend::kSqliteSharded: return "sqlite_sharded";
    case StoreBackend::kSqlite: break;
  }
  return "sqlite";
}

void BackendDatabase::Create(StoreBackend backend, std::string sqlite_path) {
  backend_ = backend;
  sqlite_path_ = std::move(sqlite_path);
  if (postgres()) pg_.Create();
}

void BackendDatabase::Drop() {
  if (postgres()) pg_.Drop();
}

Result<std::unique_ptr<Store>> BackendDatabase::Open(const Clock* clock, std::vector<PluginSchema> plugin_schemas) const {
  if (!postgres()) {
    SqliteStoreOptions options;
    options.path = sqlite_path_;
    options.clock = clock;
    options.plugin_schemas = std::move(plugin_schemas);
    if (backend_ == StoreBackend::kSqliteSharded) options.shards = kTestShards;
    return OpenSqliteStore(options);
  }
  PgStoreOptions options;
  options.url = pg_.url();
  options.clock = clock;
  options.plugin_schemas = std::move(plugin_schemas);
  return OpenPgStore(options);
}

}  // namespace steadfast::testing_support
