// The behaviour-test fixture on either backend (store_backends.h).
#include "store_backends.h"

#include <utility>

namespace steadfast::testing_support {

void BackendStoreTest::SetUp() {
  StoreTest::SetUp();
  db_.Create(GetParam(), DbPath());
}

void BackendStoreTest::TearDown() {
  db_.Drop();
  StoreTest::TearDown();
}

Result<std::unique_ptr<Store>> BackendStoreTest::TryOpenBackend(std::vector<PluginSchema> plugin_schemas) {
  return db_.Open(&clock_, std::move(plugin_schemas));
}

std::unique_ptr<Store> BackendStoreTest::OpenBackend(std::vector<PluginSchema> plugin_schemas) {
  Result<std::unique_ptr<Store>> store = TryOpenBackend(std::move(plugin_schemas));
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  if (!store.ok()) return nullptr;
  return std::move(store).value();
}

}  // namespace steadfast::testing_support
