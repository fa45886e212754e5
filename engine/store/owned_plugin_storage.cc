// OwnedPluginStorage, and the test helper built on it (steadfast/testing.h).
#include "store/owned_plugin_storage.h"

#include "steadfast/testing.h"
#include "store/sqlite/sqlite_store.h"

namespace steadfast {

Result<std::unique_ptr<PluginStorage>> OwnedPluginStorage::Wrap(std::unique_ptr<Store> store) {
  if (store == nullptr || store->plugin_storage() == nullptr) {
    return Status::FailedPrecondition("this store keeps no plugin state");
  }
  return std::unique_ptr<PluginStorage>(new OwnedPluginStorage(std::move(store)));
}

Result<std::unique_ptr<PluginStorage>> OpenTestPluginStorage(const std::string& path,
                                                             std::vector<PluginSchema> schemas) {
  for (const PluginSchema& schema : schemas) SF_RETURN_IF_ERROR(ValidatePluginSchema(schema));
  SqliteStoreOptions options;
  options.path = path;
  options.plugin_schemas = std::move(schemas);
  SF_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, OpenSqliteStore(options));
  return OwnedPluginStorage::Wrap(std::move(store));
}

}  // namespace steadfast
