// Statement: one prepared SQLite statement, and StatementRef, a borrowed use
// of a cached one that resets it when the use ends.
//
// Binding never fails loudly: the first bind error is remembered and returned
// by the next Step()/Run(), so call sites read as a straight list of binds.
// Text and blobs are bound without copying (SQLITE_STATIC); the caller keeps
// them alive until the statement is stepped, which StatementRef's scope makes
// natural. Errors are captured together with sqlite3_errmsg() while holding
// the connection's mutex, so a message cannot be replaced by another
// thread's call on a shared (serialized) connection.
#ifndef STEADFAST_STORE_SQLITE_STATEMENT_H_
#define STEADFAST_STORE_SQLITE_STATEMENT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "steadfast/status.h"

struct sqlite3_stmt;

namespace steadfast {

class Statement {
 public:
  // Takes ownership of stmt. path names the database in error messages and
  // must outlive the statement (it belongs to the Connection).
  Statement(sqlite3_stmt* stmt, const std::string* path);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Parameters are 1-based, as in SQLite.
  void BindInt(int index, int64_t value);
  void BindText(int index, std::string_view value);  // not copied: keep alive until stepped
  void BindBlob(int index, std::string_view value);  // not copied: keep alive until stepped
  void BindDouble(int index, double value);
  void BindNull(int index);
  int ParameterCount() const;

  // Advances: true with a row to read, false when done, or the error.
  Result<bool> Step();
  // Steps a statement that returns no rows (or whose rows are not needed)
  // to completion; changes() and last_insert_rowid() then describe it.
  Status Run();
  int64_t changes() const { return changes_; }
  int64_t last_insert_rowid() const { return last_insert_rowid_; }
  // The primary SQLite result code of the last failed Step (SQLITE_CONSTRAINT,
  // ...), 0 if none failed since the last Reset.
  int last_error_code() const { return last_error_code_; }

  // Column accessors for the current row (0-based).
  int64_t ColumnInt(int column) const;
  std::string ColumnText(int column) const;
  // Valid until the next Step/Reset.
  std::string_view ColumnBlob(int column) const;
  bool ColumnIsNull(int column) const;
  double ColumnDouble(int column) const;
  // The storage class of a column of the current row.
  enum class ColumnKind : int { kNull, kInt, kDouble, kText, kBlob };
  ColumnKind ColumnKindOf(int column) const;
  int ColumnCount() const;

  // Ready for new bindings: resets, clears bindings and the remembered error.
  void Reset();

 private:
  Status ErrorFromRc(int rc);

  sqlite3_stmt* stmt_;
  const std::string* path_;
  int bind_error_ = 0;  // first failed bind's code, reported by Step()
  int last_error_code_ = 0;
  int64_t changes_ = 0;
  int64_t last_insert_rowid_ = 0;
};

// A cached Statement on loan; resets it on destruction so the next user
// finds it clean and the read snapshot it held is released.
class StatementRef {
 public:
  explicit StatementRef(Statement* statement) : statement_(statement) {}
  StatementRef(StatementRef&& other) noexcept : statement_(other.statement_) { other.statement_ = nullptr; }
  StatementRef& operator=(StatementRef&&) = delete;
  StatementRef(const StatementRef&) = delete;
  StatementRef& operator=(const StatementRef&) = delete;
  ~StatementRef() {
    if (statement_ != nullptr) statement_->Reset();
  }

  Statement* operator->() const { return statement_; }
  Statement& operator*() const { return *statement_; }

 private:
  Statement* statement_;
};

}  // namespace steadfast

#endif  // STEADFAST_STORE_SQLITE_STATEMENT_H_
