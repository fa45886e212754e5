// A plugin's tables on a store of their own: the PluginStorage of a Store
// that this handle owns, for callers that open the engine's database only to
// reach plugin tables (a plugin's CLI verb, a plugin's unit test).
#ifndef STEADFAST_STORE_OWNED_PLUGIN_STORAGE_H_
#define STEADFAST_STORE_OWNED_PLUGIN_STORAGE_H_

#include <memory>
#include <string>
#include <vector>

#include "steadfast/storage.h"
#include "store/store.h"

namespace steadfast {

class OwnedPluginStorage final : public PluginStorage {
 public:
  // FailedPrecondition when the store keeps no plugin state.
  static Result<std::unique_ptr<PluginStorage>> Wrap(std::unique_ptr<Store> store);

  Result<std::vector<Row>> Query(std::string_view sql, const std::vector<Value>& params) override {
    return store_->plugin_storage()->Query(sql, params);
  }
  Status Transact(const PluginWrite& write) override { return store_->plugin_storage()->Transact(write); }

 private:
  explicit OwnedPluginStorage(std::unique_ptr<Store> store) : store_(std::move(store)) {}
  std::unique_ptr<Store> store_;
};

}  // namespace steadfast

#endif  // STEADFAST_STORE_OWNED_PLUGIN_STORAGE_H_
