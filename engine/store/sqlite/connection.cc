// Opening SQLite connections, running one-off SQL and caching statements.
#include "store/sqlite/connection.h"

#include <sqlite3.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

#include <fmt/format.h>

#include "store/sqlite/sqlite_status.h"

namespace steadfast {
namespace {

// Holds SQLite's connection mutex so an error code and its message are read
// together even when another thread uses the same (serialized) connection.
class DbLock {
 public:
  explicit DbLock(sqlite3* db) : mutex_(sqlite3_db_mutex(db)) { sqlite3_mutex_enter(mutex_); }
  ~DbLock() { sqlite3_mutex_leave(mutex_); }
  DbLock(const DbLock&) = delete;
  DbLock& operator=(const DbLock&) = delete;

 private:
  sqlite3_mutex* mutex_;
};

}  // namespace

Result<std::unique_ptr<Connection>> Connection::Open(const ConnectionOptions& options) {
  int flags = SQLITE_OPEN_READWRITE;
  if (options.create) flags |= SQLITE_OPEN_CREATE;
  flags |= options.serialized ? SQLITE_OPEN_FULLMUTEX : SQLITE_OPEN_NOMUTEX;
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(options.path.c_str(), &db, flags, options.vfs.empty() ? nullptr : options.vfs.c_str());
  if (rc != SQLITE_OK) {
    std::string detail = db != nullptr ? sqlite3_errmsg(db) : "";
    int sys_errno = db != nullptr ? sqlite3_system_errno(db) : 0;
    if (sys_errno != 0) detail += fmt::format(": {}", std::strerror(sys_errno));
    sqlite3_close_v2(db);
    return SqliteOpenStatus(rc, detail, options.path);
  }
  std::unique_ptr<Connection> conn(new Connection(db, options.path));
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, options.busy_timeout_ms);
  // SQLite opens lazily: reading the schema is what proves the file is a
  // database we can use, so a bad file fails at open with a clear message.
  SF_RETURN_IF_ERROR(conn->Exec("SELECT count(*) FROM sqlite_schema"));
  if (options.query_only) SF_RETURN_IF_ERROR(conn->Exec("PRAGMA query_only = ON"));
  return conn;
}

Connection::~Connection() {
  // Statements first: sqlite3_close refuses a handle with live statements.
  cache_.clear();
  probe_.reset();
  sqlite3_close_v2(db_);
}

Status Connection::ErrorStatus(int rc, std::string_view what) const {
  return SqliteStatus(rc, what, sqlite3_errmsg(db_), path_);
}

Result<StatementRef> Connection::Prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    DbLock lock(db_);
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt,
                                &tail);
    if (rc != SQLITE_OK) {
      sqlite3_finalize(stmt);
      return ErrorStatus(rc, fmt::format("prepare {}", sql.substr(0, 80)));
    }
    // A second statement would be silently ignored; refuse it instead.
    if (stmt == nullptr || std::string_view(tail).find_first_not_of(" \t\r\n;") != std::string_view::npos) {
      sqlite3_finalize(stmt);
      return Status::InvalidArgument(fmt::format("prepare {}: expected exactly one SQL statement", sql.substr(0, 80)));
    }
    it = cache_.emplace(sql, std::make_unique<Statement>(stmt, &path_)).first;
  }
  return StatementRef(it->second.get());
}

Status Connection::Exec(std::string_view sql) {
  std::string text(sql);
  DbLock lock(db_);
  char* message = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return Status::Ok();
  std::string detail = message != nullptr ? message : "";
  sqlite3_free(message);
  return SqliteStatus(rc, text.substr(0, 80), detail, path_);
}

Result<std::string> Connection::QueryText(const std::string& sql) {
  sqlite3_stmt* raw = nullptr;
  {
    DbLock lock(db_);
    int rc = sqlite3_prepare_v2(db_, sql.c_str(), -1, &raw, nullptr);
    if (rc != SQLITE_OK) {
      sqlite3_finalize(raw);
      return ErrorStatus(rc, sql);
    }
  }
  Statement stmt(raw, &path_);
  SF_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return Status::Internal(fmt::format("{} returned no row on {}", sql, path_));
  return stmt.ColumnText(0);
}

Result<int64_t> Connection::QueryInt(const std::string& sql) {
  SF_ASSIGN_OR_RETURN(std::string text, QueryText(sql));
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (errno != 0 || end == text.c_str()) {
    return Status::Internal(fmt::format("{} returned '{}', not an integer, on {}", sql, text, path_));
  }
  return static_cast<int64_t>(v);
}

bool Connection::InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

Result<int64_t> Connection::DataVersion() {
  std::lock_guard<std::mutex> guard(probe_mu_);
  if (probe_ == nullptr) {
    sqlite3_stmt* raw = nullptr;
    DbLock lock(db_);
    int rc = sqlite3_prepare_v3(db_, "PRAGMA data_version", -1, SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    if (rc != SQLITE_OK) {
      sqlite3_finalize(raw);
      return ErrorStatus(rc, "prepare PRAGMA data_version");
    }
    probe_ = std::make_unique<Statement>(raw, &path_);
  }
  // Step and reset under one hold of the connection mutex, so the pragma's
  // short read transaction never straddles the committing leader's statements.
  DbLock lock(db_);
  Result<bool> row = probe_->Step();
  int64_t version = row.ok() && *row ? probe_->ColumnInt(0) : 0;
  probe_->Reset();
  if (!row.ok()) return row.status();
  if (!*row) return Status::Internal("PRAGMA data_version returned no row");
  return version;
}

}  // namespace steadfast
