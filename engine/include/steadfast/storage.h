// Plugin state kept by the engine: declared tables, versioned migrations,
// and a storage handle for reads and writes.
//
// A plugin never opens a database. It declares its tables as a PluginSchema
// (ordered, versioned migrations) when it is initialised; the engine applies
// them when it opens its store (and `steadfast migrate` does), recording per
// plugin which version the database is at. At run time the plugin reads and
// writes through a PluginStorage handle, on whatever backend the engine runs
// (SQLite or PostgreSQL, see docs/plugins.md "Plugin state").
//
// Two kinds of write:
//  - PluginStorage::Transact: a transaction of the plugin's own, committed
//    on its own (a reconciliation run, a claim that must be seen at once).
//  - ActivityContext::AtCheckpoint (steadfast/activity.h): a write that runs
//    inside the transaction that checkpoints the activity's attempt, so it
//    commits if and only if the engine records the attempt's outcome
//    (a ledger posting is then exactly-once by construction).
//
// SQL is written in a portable subset of SQL (see docs/plugins.md) with `?`
// parameters; parameters and result columns are Values: null, bool (stored
// as 0/1), int, double and string. Lists and maps are not column types:
// store them as JSON text (Value::ToJson / Value::FromJson).
#ifndef STEADFAST_STORAGE_H_
#define STEADFAST_STORAGE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "steadfast/status.h"
#include "steadfast/value.h"

namespace steadfast {

// One change to a plugin's tables. A released migration never changes: a
// later fix is a new version.
struct PluginMigration {
  int version = 0;          // 1, 2, 3, ... without gaps
  std::string description;  // one line, shown by `steadfast migrate`
  std::string sql;          // one or more statements separated by ';'
  // The same change in PostgreSQL's SQL, for a migration the portable
  // subset cannot spell (docs/plugins.md "Writing the SQL"); "" = `sql` on
  // both backends (on PostgreSQL with SQLite's type names mapped to theirs).
  std::string postgres_sql;
};

// Everything a plugin keeps in the engine's store.
struct PluginSchema {
  std::string plugin;                         // the plugin's name, e.g. "refund": [a-z0-9_], 1..64
  std::vector<PluginMigration> migrations;    // ordered by version, starting at 1
};

// InvalidArgument naming the problem when the schema is malformed: a bad
// plugin name, no migrations, versions not 1..n in order, empty SQL.
Status ValidatePluginSchema(const PluginSchema& schema);

// Where plugins declare their schemas at initialisation (PluginContext::schemas).
class PluginSchemas {
 public:
  virtual ~PluginSchemas() = default;
  // Validates and records the schema. InvalidArgument when malformed;
  // AlreadyExists when a schema for this plugin was declared already.
  virtual Status Declare(PluginSchema schema) = 0;
};

// One result row: one Value per selected column, in select order.
using Row = std::vector<Value>;

// Statements inside one open transaction. Used on one thread, only for the
// duration of the callback it is passed to; never keep it.
class PluginTransaction {
 public:
  virtual ~PluginTransaction() = default;
  // Runs one statement with `?` parameters and returns its rows (none for
  // a write without RETURNING). A constraint violation is kConflict; a
  // parameter of an unsupported type (list, map) is kInvalidArgument.
  virtual Result<std::vector<Row>> Query(std::string_view sql, const std::vector<Value>& params = {}) = 0;
  // Runs one statement that returns no rows; returns how many rows it
  // inserted, updated or deleted. Errors as Query.
  virtual Result<int64_t> Execute(std::string_view sql, const std::vector<Value>& params = {}) = 0;
};

// A write that runs inside a transaction. A non-ok Status undoes every
// statement it ran (and, for a checkpoint write, the whole checkpoint).
using PluginWrite = std::function<Status(PluginTransaction&)>;

// The engine's store as a plugin sees it. Thread-safe; lives as long as
// the engine's store.
class PluginStorage {
 public:
  virtual ~PluginStorage() = default;
  // Runs a read-only statement on the last committed state (never waits
  // for writes in progress). Errors as PluginTransaction::Query; a write
  // statement is refused.
  virtual Result<std::vector<Row>> Query(std::string_view sql, const std::vector<Value>& params = {}) = 0;
  // Runs `write` in a transaction of its own and commits it; blocks until
  // durable. Nothing of it is kept when `write` returns an error (returned
  // as is) or the commit fails (kBusy, kResourceExhausted, ...). Called from
  // inside a write (Transact's or a checkpoint's) it is kFailedPrecondition:
  // use the PluginTransaction given to that write.
  virtual Status Transact(const PluginWrite& write) = 0;
};

}  // namespace steadfast

#endif  // STEADFAST_STORAGE_H_
