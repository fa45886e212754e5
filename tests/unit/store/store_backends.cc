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

std::unique_ptr<Store> BackendStoreTest::OpenBackend() {
  if (!postgres()) return Open();
  PgStoreOptions options;
  options.url = pg_.url();
  options.clock = &clock_;
  Result<std::unique_ptr<Store>> store = OpenPgStore(options);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  if (!store.ok()) return nullptr;
  return std::move(store).value();
}

}  // namespace steadfast::testing_support
