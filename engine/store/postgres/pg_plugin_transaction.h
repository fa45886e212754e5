// PgPluginTransaction: a plugin's statements (steadfast/storage.h) on one
// of the PostgreSQL store's connections, inside the caller's transaction.
//
// SQL is the plugins' portable subset, its `?` parameters rewritten to $n
// (store/postgres/pg_plugin_sql.h) and sent untyped, so PostgreSQL types
// each from where it stands, as SQLite would take any value. Result columns
// become Values by their PostgreSQL type: integers -> int, float and
// numeric -> double, bool -> int 0/1 (as SQLite stores it), bytea -> its
// bytes as a string, anything else -> its text. A constraint violation
// (SQLSTATE class 23) is kConflict, as on SQLite.
//
// Each statement runs under a savepoint of its own: a failed statement
// aborts a PostgreSQL transaction, but on SQLite only the statement fails
// and the plugin may go on (e.g. update after a conflicting insert); the
// savepoint gives PostgreSQL the same meaning.
#ifndef STEADFAST_STORE_POSTGRES_PG_PLUGIN_TRANSACTION_H_
#define STEADFAST_STORE_POSTGRES_PG_PLUGIN_TRANSACTION_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "steadfast/storage.h"
#include "store/postgres/pg_connection.h"

namespace steadfast {

class PgPluginTransaction final : public PluginTransaction {
 public:
  // conn must be inside a transaction, outlive this object and be used by
  // this thread only meanwhile. read_only: no savepoints (PluginStorage::
  // Query runs alone in a READ ONLY transaction).
  explicit PgPluginTransaction(PgConnection& conn, bool read_only = false) : conn_(conn), read_only_(read_only) {}

  Result<std::vector<Row>> Query(std::string_view sql, const std::vector<Value>& params = {}) override;
  Result<int64_t> Execute(std::string_view sql, const std::vector<Value>& params = {}) override;

 private:
  // no_rows: a statement that returns rows is refused and undone (Execute).
  Result<PgResult> Run(std::string_view sql, const std::vector<Value>& params, bool no_rows);

  PgConnection& conn_;
  const bool read_only_;
};

}  // namespace steadfast

#endif  // STEADFAST_STORE_POSTGRES_PG_PLUGIN_TRANSACTION_H_
