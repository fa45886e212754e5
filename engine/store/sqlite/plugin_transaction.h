// SqlitePluginTransaction: a plugin's statements (steadfast/storage.h) on
// one of the store's connections, through its statement cache.
//
// Used for checkpoint writes and Transact on the write connection (inside
// the group commit's transaction and the request's savepoint), and for
// PluginStorage::Query on a leased reader. Values are bound and read back
// by SQLite storage class: NULL, INTEGER, REAL, TEXT (BLOB reads as text);
// a bool is bound as 0/1. A constraint violation is kConflict, so a plugin
// can tell "someone else's row is there" from a broken store.
#ifndef STEADFAST_STORE_SQLITE_PLUGIN_TRANSACTION_H_
#define STEADFAST_STORE_SQLITE_PLUGIN_TRANSACTION_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "steadfast/storage.h"
#include "store/sqlite/connection.h"

namespace steadfast {

class SqlitePluginTransaction final : public PluginTransaction {
 public:
  // conn must outlive this object and be used by this thread only meanwhile.
  explicit SqlitePluginTransaction(Connection& conn) : conn_(conn) {}

  Result<std::vector<Row>> Query(std::string_view sql, const std::vector<Value>& params = {}) override;
  Result<int64_t> Execute(std::string_view sql, const std::vector<Value>& params = {}) override;

 private:
  Connection& conn_;
};

}  // namespace steadfast

#endif  // STEADFAST_STORE_SQLITE_PLUGIN_TRANSACTION_H_
