// SqliteDb: the sandbox's thin RAII wrapper over its own SQLite file.
//
// The sandbox records every call and persists its charges, refunds,
// idempotency records and service records in one SQLite file (its own, never
// the engine's), so tests and reconciliation can see exactly what happened
// and a restarted sandbox remembers what it did, as a real PSP would.
// Errors come back as steadfast::Status; nothing here throws.
//
// Not thread-safe: the owner (SandboxStore) serializes access with its mutex.
#ifndef STEADFAST_TOOLS_SANDBOX_SQLITE_DB_H_
#define STEADFAST_TOOLS_SANDBOX_SQLITE_DB_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "steadfast/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace steadfast::sandbox {

// One prepared statement. Bind indexes are 1-based, column indexes 0-based.
class SqliteStatement {
 public:
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~SqliteStatement();
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  SqliteStatement& Bind(int index, int64_t value);
  SqliteStatement& Bind(int index, std::string_view value);
  SqliteStatement& BindNull(int index);

  // Advances one row: true when a row is available, false when done.
  // A failure is remembered and returned by status().
  bool Step();
  // Runs a statement that returns no rows.
  Status Run();
  const Status& status() const { return status_; }

  int64_t ColumnInt(int index) const;
  std::string ColumnText(int index) const;
  bool ColumnIsNull(int index) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  Status status_;
};

class SqliteDb {
 public:
  // Opens (creating if needed) the file at path; ":memory:" keeps it in RAM.
  // Enables WAL for files. InvalidArgument/Internal when it cannot be opened.
  static Result<std::unique_ptr<SqliteDb>> Open(const std::string& path);
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  // Executes one or more statements that return no rows.
  Status Exec(std::string_view sql);
  // Prepares a statement; Internal on a syntax error.
  Result<std::unique_ptr<SqliteStatement>> Prepare(std::string_view sql);
  int64_t LastInsertRowId() const;

 private:
  explicit SqliteDb(sqlite3* db) : db_(db) {}
  sqlite3* db_;
};

}  // namespace steadfast::sandbox

#endif  // STEADFAST_TOOLS_SANDBOX_SQLITE_DB_H_
