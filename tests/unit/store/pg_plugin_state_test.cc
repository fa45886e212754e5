// Plugin state on PostgreSQL beyond what the shared suite checks: the
// portable migration SQL gets SQLite's meaning (64-bit integers, doubles,
// auto-increment keys), several stores opening at once apply each plugin
// migration once, and a plugin statement that fails leaves the rest of its
// transaction usable (as on SQLite) instead of aborting it; and the store's
// operations outlive its idle connections being closed by the server.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <thread>
#include <vector>

#include "pg_test_env.h"
#include "store_test_util.h"
#include "store/postgres/pg_store.h"

namespace steadfast {
namespace {

PluginSchema LedgerSchema() {
  PluginSchema s;
  s.plugin = "books";
  s.migrations.push_back({1, "entries",
                          "CREATE TABLE IF NOT EXISTS books_entries (id INTEGER PRIMARY KEY AUTOINCREMENT, "
                          "key TEXT NOT NULL UNIQUE, amount INTEGER NOT NULL, rate REAL NOT NULL)"});
  s.migrations.push_back({2, "a note", "ALTER TABLE books_entries ADD COLUMN note TEXT NOT NULL DEFAULT ''"});
  return s;
}

class PgPluginStateTest : public pgtest::PgTest {
 protected:
  Result<std::unique_ptr<Store>> OpenStore() {
    PgStoreOptions options;
    options.url = url();
    options.plugin_schemas = {LedgerSchema()};
    return OpenPgStore(options);
  }
};

TEST_F(PgPluginStateTest, PortableDdlKeepsSqliteMeaning) {
  Result<std::unique_ptr<Store>> store = OpenStore();
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  PluginStorage& storage = *(*store)->plugin_storage();
  const int64_t big = int64_t{1} << 40;  // beyond PostgreSQL's 32-bit integer
  ASSERT_TRUE(storage
                  .Transact([&](PluginTransaction& tx) -> Status {
                    for (const char* key : {"a", "b"}) {
                      SF_RETURN_IF_ERROR(tx.Execute("INSERT INTO books_entries (key, amount, rate) VALUES (?, ?, ?)",
                                                    {key, big, 0.1})
                                             .status());
                    }
                    return Status::Ok();
                  })
                  .ok());
  Result<std::vector<Row>> rows = storage.Query("SELECT id, key, amount, rate, note FROM books_entries ORDER BY id");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0][0], Value(1));
  EXPECT_EQ((*rows)[1][0], Value(2));  // the key increments by itself
  EXPECT_EQ((*rows)[0][2], Value(big));
  EXPECT_EQ((*rows)[0][3], Value(0.1));  // a double, not a float
  EXPECT_EQ((*rows)[0][4], Value(""));
}

TEST_F(PgPluginStateTest, StoresOpeningTogetherApplyEachMigrationOnce) {
  std::vector<std::thread> openers;
  std::vector<Status> results(4);
  for (size_t i = 0; i < results.size(); ++i) {
    openers.emplace_back([&, i] { results[i] = OpenStore().status(); });
  }
  for (std::thread& t : openers) t.join();
  for (const Status& s : results) EXPECT_TRUE(s.ok()) << s.ToString();
  std::unique_ptr<PgConnection> conn = Connect();
  ASSERT_NE(conn, nullptr);
  Result<PgResult> applied = conn->Exec("SELECT count(*) FROM plugin_migrations WHERE plugin = 'books'");
  ASSERT_TRUE(applied.ok());
  EXPECT_EQ(*applied->Int64(0, 0), 2);
}

TEST_F(PgPluginStateTest, AFailedStatementLeavesItsTransactionUsable) {
  Result<std::unique_ptr<Store>> store = OpenStore();
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  PluginStorage& storage = *(*store)->plugin_storage();
  Status s = storage.Transact([](PluginTransaction& tx) -> Status {
    const char* insert = "INSERT INTO books_entries (key, amount, rate) VALUES (?, 1, 1)";
    SF_RETURN_IF_ERROR(tx.Execute(insert, {"dup"}).status());
    Result<int64_t> again = tx.Execute(insert, {"dup"});
    if (again.status().code() != StatusCode::kConflict) return Status::Internal("expected a conflict");
    // The plugin goes on after the conflict, as it may on SQLite.
    return tx.Execute("UPDATE books_entries SET amount = amount + 1 WHERE key = ?", {"dup"}).status();
  });
  ASSERT_TRUE(s.ok()) << s.ToString();
  Result<std::vector<Row>> rows = storage.Query("SELECT amount FROM books_entries WHERE key = 'dup'");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ((*rows)[0][0], Value(2));
}

TEST_F(PgPluginStateTest, QueriesAreReadOnlyAndExecuteRefusesRowsWithoutKeepingThem) {
  Result<std::unique_ptr<Store>> store = OpenStore();
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  PluginStorage& storage = *(*store)->plugin_storage();
  EXPECT_FALSE(storage.Query("INSERT INTO books_entries (key, amount, rate) VALUES ('x', 1, 1)").ok());
  Status s = storage.Transact([](PluginTransaction& tx) -> Status {
    Result<int64_t> r = tx.Execute("INSERT INTO books_entries (key, amount, rate) VALUES ('y', 1, 1) RETURNING id");
    return r.status().code() == StatusCode::kInvalidArgument ? Status::Ok() : Status::Internal("expected a refusal");
  });
  ASSERT_TRUE(s.ok()) << s.ToString();
  Result<std::vector<Row>> rows = storage.Query("SELECT count(*) FROM books_entries");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ((*rows)[0][0], Value(0));
}

// A server restart, a failover or a killed backend closes the pool's idle
// connections under it: the next write, read and plugin query each find a
// live connection instead of failing (nothing was sent on the dead one).
TEST_F(PgPluginStateTest, OperationsOutliveTheirIdleConnectionsBeingClosed) {
  const std::string name = "steadfast_killed_" + std::to_string(getpid());
  PgStoreOptions options;
  options.url = pgtest::WithParam(url(), "application_name=" + name);
  options.max_connections = 3;
  options.plugin_schemas = {LedgerSchema()};
  Result<std::unique_ptr<Store>> store = OpenPgStore(options);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  // Three connections in the pool, all idle now.
  std::vector<std::thread> starters;
  for (int i = 0; i < 3; ++i) {
    starters.emplace_back([&, i] {
      EXPECT_TRUE((*store)->StartInstance(testing_support::MakeStart("before-" + std::to_string(i))).ok());
    });
  }
  for (std::thread& t : starters) t.join();
  Result<PgResult> killed = admin().Query(
      "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1",
      {PgParam::Text(name)});
  ASSERT_TRUE(killed.ok()) << killed.status().ToString();
  ASSERT_GE(*killed->Int64(0, 0), 1);

  Result<StartResult> started = (*store)->StartInstance(testing_support::MakeStart("after"));
  EXPECT_TRUE(started.ok()) << started.status().ToString();
  Result<std::optional<InstanceRecord>> read = (*store)->GetInstance("before-0");
  EXPECT_TRUE(read.ok() && read->has_value()) << read.status().ToString();
  Result<std::vector<Row>> rows = (*store)->plugin_storage()->Query("SELECT count(*) FROM books_entries");
  EXPECT_TRUE(rows.ok()) << rows.status().ToString();
}

}  // namespace
}  // namespace steadfast
