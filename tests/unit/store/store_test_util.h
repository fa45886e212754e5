// Shared fixtures for the store tests: a temporary directory per test, a
// manual clock, record builders, and RawDb (tests/support/raw_db.h), a bare
// SQLite handle for arranging files the store must cope with (hand-made
// schemas, garbage, another process's lock).
#ifndef STEADFAST_TESTS_UNIT_STORE_STORE_TEST_UTIL_H_
#define STEADFAST_TESTS_UNIT_STORE_STORE_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "steadfast/clock.h"
#include "steadfast/value.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store.h"
#include "raw_db.h"

struct sqlite3;

namespace steadfast::testing_support {

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  std::string DbPath() const { return dir_ + "/steadfast.db"; }
  // path, manual clock, defaults otherwise.
  SqliteStoreOptions Options() const;
  // Opens with Options(); fails the test (and returns null) on error.
  std::unique_ptr<Store> Open();
  std::unique_ptr<Store> Open(const SqliteStoreOptions& options);

  ManualClock clock_;
  std::string dir_;
};

// The stats of a store returned by OpenSqliteStore.
SqliteStoreStats StatsOf(Store& store);

// A running instance of workflow "refund" with the given input.
InstanceRecord MakeInstance(const std::string& id, Value input = Value::Map{{"order", 1}},
                            const std::string& idempotency_key = "");
HistoryEvent MakeEvent(const std::string& type, const std::string& step = "", Value data = Value());
NewTask MakeTask(const std::string& step, TimeMs due_at, const std::string& lease_owner = "",
                 TimeMs lease_until = 0);
// Start request: the instance, one "workflow_started" event, the given tasks.
StartRequest MakeStart(const std::string& id, std::vector<NewTask> tasks = {});


}  // namespace steadfast::testing_support

#endif  // STEADFAST_TESTS_UNIT_STORE_STORE_TEST_UTIL_H_
