// The refund plugin's tables on a real SQLite file, for tests: the engine's
// store opened with the refund schema (as `serve` opens it), and a
// RefundStore on its plugin storage.
#ifndef STEADFAST_TESTS_SUPPORT_REFUND_TABLES_H_
#define STEADFAST_TESTS_SUPPORT_REFUND_TABLES_H_

#include <memory>
#include <string>
#include <utility>

#include "refund/refund_store.h"
#include "store/sqlite/sqlite_store.h"

namespace steadfast::testing {

struct RefundTables {
  std::unique_ptr<Store> store;
  std::unique_ptr<refund::RefundStore> refunds;  // on store's plugin storage

  refund::RefundStore* operator->() const { return refunds.get(); }
  refund::RefundStore& operator*() const { return *refunds; }
  PluginStorage& storage() const { return *store->plugin_storage(); }
};

// Creates the file if missing; migrates engine and refund tables.
inline Result<RefundTables> OpenRefundTables(const std::string& path) {
  SqliteStoreOptions options;
  options.path = path;
  options.plugin_schemas = {refund::RefundStore::Schema()};
  RefundTables tables;
  SF_ASSIGN_OR_RETURN(tables.store, OpenSqliteStore(options));
  tables.refunds = std::make_unique<refund::RefundStore>(*tables.store->plugin_storage());
  return tables;
}

}  // namespace steadfast::testing

#endif  // STEADFAST_TESTS_SUPPORT_REFUND_TABLES_H_
