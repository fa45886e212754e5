// One test's database on either backend: a SQLite file in a directory, or a
// schema of its own on the PostgreSQL cluster named by
// STEADFAST_TEST_PG_URL (tests/unit/store_postgres/pg_test_env.h: skipped
// without one, failed when CI is set). Used by every suite that runs on
// both backends (store_backends.h, the scheduler's).
#ifndef STEADFAST_TESTS_UNIT_STORE_BACKEND_DATABASE_H_
#define STEADFAST_TESTS_UNIT_STORE_BACKEND_DATABASE_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "pg_test_env.h"
#include "steadfast/clock.h"
#include "steadfast/storage.h"
#include "store/store.h"

namespace steadfast::testing_support {

// kSqliteSharded: the SQLite store spread over kTestShards files (sqlite/shard_layout.h).
enum class StoreBackend { kSqlite, kPostgres, kSqliteSharded };
inline constexpr int kTestShards = 3;

// "sqlite" / "postgres" / "sqlite_sharded": the suffix of each test's name.
std::string StoreBackendName(const ::testing::TestParamInfo<StoreBackend>& info);

class BackendDatabase {
 public:
  // sqlite_path: the file on SQLite. Then check IsSkipped() / HasFatalFailure().
  void Create(StoreBackend backend, std::string sqlite_path);
  void Drop();
  // A store on it (the same data each time), with clock.
  Result<std::unique_ptr<Store>> Open(const Clock* clock, std::vector<PluginSchema> plugin_schemas = {}) const;
  bool postgres() const { return backend_ == StoreBackend::kPostgres; }

 private:
  StoreBackend backend_ = StoreBackend::kSqlite;
  std::string sqlite_path_;
  pgtest::TestSchema pg_;
};

}  // namespace steadfast::testing_support

#define STEADFAST_STORE_BACKENDS                                                  \
  ::testing::Values(::steadfast::testing_support::StoreBackend::kSqlite,          \
                    ::steadfast::testing_support::StoreBackend::kSqliteSharded,   \
                    ::steadfast::testing_support::StoreBackend::kPostgres),       \
      ::steadfast::testing_support::StoreBackendName

#endif  // STEADFAST_TESTS_UNIT_STORE_BACKEND_DATABASE_H_
