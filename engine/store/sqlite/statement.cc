// Prepared statement wrapper: bind, step, read columns, capture errors.
#include "store/sqlite/statement.h"

#include <sqlite3.h>

#include "store/sqlite/sqlite_status.h"

namespace steadfast {
namespace {

// Holds the connection mutex (recursive; a no-op on NOMUTEX connections) so
// that a result code and its message are read as one.
class ConnectionLock {
 public:
  explicit ConnectionLock(sqlite3_stmt* stmt) : mutex_(sqlite3_db_mutex(sqlite3_db_handle(stmt))) {
    sqlite3_mutex_enter(mutex_);
  }
  ~ConnectionLock() { sqlite3_mutex_leave(mutex_); }
  ConnectionLock(const ConnectionLock&) = delete;
  ConnectionLock& operator=(const ConnectionLock&) = delete;

 private:
  sqlite3_mutex* mutex_;
};

}  // namespace

Statement::Statement(sqlite3_stmt* stmt, const std::string* path) : stmt_(stmt), path_(path) {}

Statement::~Statement() { sqlite3_finalize(stmt_); }

void Statement::BindInt(int index, int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK && bind_error_ == 0) bind_error_ = rc;
}

void Statement::BindText(int index, std::string_view value) {
  int rc = sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_STATIC, SQLITE_UTF8);
  if (rc != SQLITE_OK && bind_error_ == 0) bind_error_ = rc;
}

void Statement::BindBlob(int index, std::string_view value) {
  // A zero-length blob with a null data pointer would bind NULL; the columns
  // are NOT NULL, so point at a static empty byte instead.
  static const char kEmpty = 0;
  const char* data = value.empty() ? &kEmpty : value.data();
  int rc = sqlite3_bind_blob64(stmt_, index, data, value.size(), SQLITE_STATIC);
  if (rc != SQLITE_OK && bind_error_ == 0) bind_error_ = rc;
}

void Statement::BindDouble(int index, double value) {
  int rc = sqlite3_bind_double(stmt_, index, value);
  if (rc != SQLITE_OK && bind_error_ == 0) bind_error_ = rc;
}

void Statement::BindNull(int index) {
  int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK && bind_error_ == 0) bind_error_ = rc;
}

int Statement::ParameterCount() const { return sqlite3_bind_parameter_count(stmt_); }

Status Statement::ErrorFromRc(int rc) {
  last_error_code_ = rc & 0xff;
  const char* sql = sqlite3_sql(stmt_);
  std::string_view what = sql != nullptr ? std::string_view(sql) : std::string_view("statement");
  // Keep messages readable: the first words of the SQL identify the query.
  if (what.size() > 80) what = what.substr(0, 80);
  const char* detail = sqlite3_errmsg(sqlite3_db_handle(stmt_));
  return SqliteStatus(rc, what, detail != nullptr ? detail : "", *path_);
}

Result<bool> Statement::Step() {
  if (bind_error_ != 0) {
    last_error_code_ = bind_error_ & 0xff;
    return SqliteStatus(bind_error_, "bind parameter", "", *path_);
  }
  ConnectionLock lock(stmt_);
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) {
    sqlite3* db = sqlite3_db_handle(stmt_);
    changes_ = sqlite3_changes64(db);
    last_insert_rowid_ = sqlite3_last_insert_rowid(db);
    return false;
  }
  return ErrorFromRc(rc);
}

Status Statement::Run() {
  while (true) {
    Result<bool> row = Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Ok();
  }
}

int64_t Statement::ColumnInt(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Statement::ColumnText(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text), static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

std::string_view Statement::ColumnBlob(int column) const {
  const void* data = sqlite3_column_blob(stmt_, column);
  if (data == nullptr) return {};
  return std::string_view(static_cast<const char*>(data), static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

bool Statement::ColumnIsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

double Statement::ColumnDouble(int column) const { return sqlite3_column_double(stmt_, column); }

Statement::ColumnKind Statement::ColumnKindOf(int column) const {
  switch (sqlite3_column_type(stmt_, column)) {
    case SQLITE_INTEGER: return ColumnKind::kInt;
    case SQLITE_FLOAT: return ColumnKind::kDouble;
    case SQLITE_TEXT: return ColumnKind::kText;
    case SQLITE_BLOB: return ColumnKind::kBlob;
    default: return ColumnKind::kNull;
  }
}

int Statement::ColumnCount() const { return sqlite3_column_count(stmt_); }

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_error_ = 0;
  last_error_code_ = 0;
}

}  // namespace steadfast
