// RawDb: a bare SQLite handle for tests that arrange a database file by
// hand, beside or before the store (hand-made schemas, an older release's
// tables, rows from the future, another process's lock). Failures are
// recorded as test failures, with SQLite's message.
#ifndef STEADFAST_TESTS_SUPPORT_RAW_DB_H_
#define STEADFAST_TESTS_SUPPORT_RAW_DB_H_

#include <string>

struct sqlite3;

namespace steadfast::testing_support {

// A raw SQLite connection that fails the test on errors.
class RawDb {
 public:
  explicit RawDb(const std::string& path);
  ~RawDb();
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;
  void Exec(const std::string& sql);
  // Runs sql; returns the SQLite result code instead of failing.
  int TryExec(const std::string& sql);
  std::string QueryText(const std::string& sql);

 private:
  sqlite3* db_ = nullptr;
};

// Takes an engine database made by this release back to an older schema
// version, as that release would have left it: what each later migration
// added is dropped, newest first. One list, kept beside the migrations'
// (engine/store/sqlite/migration_v*.cc): a new migration adds its undo here.
void RollBackEngineSchema(const std::string& path, int version);

}  // namespace steadfast::testing_support

#endif  // STEADFAST_TESTS_SUPPORT_RAW_DB_H_
