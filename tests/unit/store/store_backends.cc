// Opening the store of a behaviour test on either backend.
#include "store_backends.h"

#include "store/postgres/pg_store.h"

namespace steadfast::testing_support {

std::string StoreBackendName(const ::testing::TestParamInfo<StoreBackend>& info) {
  return info.param == StoreBackend::kPostgres ? "postgres" : "sqlite";
}

void BackendStoreTest::SetUp() {
  StoreTest::SetUp();
  if (postgres()) pg_.Create();
}

void BackendStoreTest::TearDown() {
  if (postgres()) pg_.Drop();
  StoreTest::TearDown();
}

Result<std::unique_ptr<Store>> BackendStoreTest::TryOpenBackend(std::vector<PluginSchema> plugin_schemas) {
  if (!postgres()) {
    SqliteStoreOptions options = Options();
    options.plugin_schemas = std::move(plugin_schemas);
    return OpenSqliteStore(options);
  }
  PgStoreOptions options;
  options.url = pg_.url();
  options.clock = &clock_;
  options.plugin_schemas = std::move(plugin_schemas);
  return OpenPgStore(options);
}

std::unique_ptr<Store> BackendStoreTest::OpenBackend(std::vector<PluginSchema> plugin_schemas) {
  Result<std::unique_ptr<Store>> store = TryOpenBackend(std::move(plugin_schemas));
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  if (!store.ok()) return nullptr;
  return std::move(store).value();
}

}  // namespace steadfast::testing_support
