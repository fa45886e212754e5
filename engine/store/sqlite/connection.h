// Connection: one SQLite database handle with its prepared-statement cache.
//
// A Connection is used by one thread at a time (the group commit's current
// leader, or the reader that leased it from the pool); its statement cache is therefore not
// locked. The single exception is DataVersion(), which may be called from any
// thread on a connection opened with `serialized` set: it uses its own
// statement under its own mutex and SQLite's connection mutex.
#ifndef STEADFAST_STORE_SQLITE_CONNECTION_H_
#define STEADFAST_STORE_SQLITE_CONNECTION_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "steadfast/status.h"
#include "store/sqlite/statement.h"

struct sqlite3;
struct sqlite3_stmt;

namespace steadfast {

struct ConnectionOptions {
  std::string path;          // database file
  std::string vfs;           // "" = SQLite's default VFS
  int busy_timeout_ms = 5000;
  bool create = false;       // create the file if missing
  bool serialized = false;   // SQLite full mutex: needed when DataVersion() runs on another thread
  bool query_only = false;   // refuse writes (reader connections)
};

class Connection {
 public:
  // Opens and checks that the file is a readable SQLite database (a file of
  // garbage fails here with Corruption, not on first use).
  static Result<std::unique_ptr<Connection>> Open(const ConnectionOptions& options);
  ~Connection();  // finalizes cached statements and closes
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // A cached prepared statement for this exact SQL text, prepared on first
  // use. The returned ref resets the statement when it goes out of scope.
  Result<StatementRef> Prepare(const std::string& sql);
  // Runs SQL that returns nothing (DDL, PRAGMA assignments, several
  // statements separated by ';'); not cached.
  Status Exec(std::string_view sql);
  // The first column of the first row of a one-off query (PRAGMAs);
  // Internal if there is no row.
  Result<std::string> QueryText(const std::string& sql);
  Result<int64_t> QueryInt(const std::string& sql);

  // True inside BEGIN ... COMMIT.
  bool InTransaction() const;
  // PRAGMA data_version: changes when another connection (in any process)
  // commits, not when this one does. Thread-safe (see the file comment).
  Result<int64_t> DataVersion();

  const std::string& path() const { return path_; }
  sqlite3* raw() const { return db_; }

 private:
  Connection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  Status ErrorStatus(int rc, std::string_view what) const;

  sqlite3* db_;
  const std::string path_;
  // SQL text -> statement. Touched only by the thread using the connection.
  std::unordered_map<std::string, std::unique_ptr<Statement>> cache_;
  std::mutex probe_mu_;
  std::unique_ptr<Statement> probe_;  // GUARDED_BY(probe_mu_): "PRAGMA data_version"
};

}  // namespace steadfast

#endif  // STEADFAST_STORE_SQLITE_CONNECTION_H_
