// The SQLite store spread over several files: a database of one file
// re-spread when opened with more shards (and back), a re-spread that
// stopped halfway finished by the next open, what a sharded store
// refuses; plugin writes of an instance outside the home file, across a
// crash. The store's behaviour on shards is store_behaviour_test's
// (sqlite_sharded).
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "core/crash_point.h"
#include "store/sqlite/shard_layout.h"
#include "store_test_util.h"

namespace steadfast {
namespace {

using testing_support::RawDb;

class ShardLayoutTest : public testing_support::StoreTest {
 protected:
  static constexpr int kInstances = 40;

  std::string Id(int i) const { return "order-" + std::to_string(i); }

  // kInstances instances, each with a due task, two events, and a child.
  void Fill(Store& store) {
    for (int i = 0; i < kInstances; ++i) {
      ASSERT_TRUE(store.StartInstance(testing_support::MakeStart(Id(i), {testing_support::MakeTask("charge", 100)})).ok());
      Commit c;
      c.instance_id = Id(i);
      c.events.push_back(testing_support::MakeEvent("step_started", "charge"));
      ASSERT_TRUE(store.Apply(c).ok());
      StartRequest child = testing_support::MakeStart(Id(i) + "~notify");
      ASSERT_TRUE(store.StartInstance(child).ok());
    }
  }

  // Every instance and its child once, with its history and its task.
  void ExpectWhole(Store& store) {
    ListFilter all;
    all.limit = 0;
    Result<std::vector<InstanceRecord>> listed = store.ListInstances(all);
    ASSERT_TRUE(listed.ok()) << listed.status().ToString();
    std::set<std::string> ids;
    for (const InstanceRecord& r : *listed) EXPECT_TRUE(ids.insert(r.id).second) << r.id << " listed twice";
    EXPECT_EQ(ids.size(), static_cast<size_t>(2 * kInstances));
    for (int i = 0; i < kInstances; ++i) {
      Result<std::optional<InstanceRecord>> rec = store.GetInstance(Id(i));
      ASSERT_TRUE(rec.ok() && rec->has_value()) << Id(i);
      Result<std::vector<HistoryEvent>> history = store.GetHistory(Id(i), 0, 0);
      ASSERT_TRUE(history.ok());
      EXPECT_EQ(history->size(), 2u) << Id(i);
      Result<std::vector<TaskRecord>> tasks = store.GetTasks(Id(i));
      ASSERT_TRUE(tasks.ok());
      EXPECT_EQ(tasks->size(), 1u) << Id(i);
    }
    // Every task can be claimed, and each once (after the leases of an earlier look expired).
    claim_at_ += 100000;
    Result<std::vector<TaskRecord>> claimed = store.ClaimDueTasks("w", claim_at_, claim_at_ + 60000, 1000);
    ASSERT_TRUE(claimed.ok()) << claimed.status().ToString();
    EXPECT_EQ(claimed->size(), static_cast<size_t>(kInstances));
  }

  std::unique_ptr<Store> OpenShards(int shards) {
    SqliteStoreOptions o = Options();
    o.shards = shards;
    return Open(o);
  }

  TimeMs claim_at_ = 0;

  int64_t InstancesIn(const std::string& path) {
    RawDb raw(path);
    return std::stoll(raw.QueryText("SELECT count(*) FROM instances"));
  }
};

TEST_F(ShardLayoutTest, ADatabaseOfOneFileIsSpreadOverShardsAndBack) {
  {
    std::unique_ptr<Store> store = Open();
    ASSERT_NE(store, nullptr);
    Fill(*store);
  }
  {
    std::unique_ptr<Store> store = OpenShards(3);
    ASSERT_NE(store, nullptr);
    ExpectWhole(*store);
  }
  // Each file holds the instances that hash to it, children with their parents.
  for (int k = 0; k < 3; ++k) {
    RawDb raw(ShardPath(DbPath(), k));
    EXPECT_EQ(raw.QueryText("SELECT count(*) FROM instances WHERE id NOT LIKE 'order-%'"), "0");
    for (int i = 0; i < kInstances; ++i) {
      const std::string in = raw.QueryText("SELECT count(*) FROM instances WHERE id = '" + Id(i) + "' OR id = '" +
                                           Id(i) + "~notify'");
      EXPECT_EQ(in, ShardOf(Id(i), 3) == k ? "2" : "0") << Id(i) << " in shard " << k;
    }
    EXPECT_EQ(raw.QueryText("SELECT shard || '/' || shards FROM shard_layout"), std::to_string(k) + "/3");
  }
  EXPECT_GT(InstancesIn(ShardPath(DbPath(), 1)), 0);
  {
    // No count asked: as the database is.
    std::unique_ptr<Store> store = OpenShards(0);
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(dynamic_cast<SqliteStore&>(*store).ShardCount(), 3);
  }
  {
    std::unique_ptr<Store> store = OpenShards(1);
    ASSERT_NE(store, nullptr);
    ExpectWhole(*store);
  }
  EXPECT_FALSE(std::filesystem::exists(ShardPath(DbPath(), 1)));
  EXPECT_FALSE(std::filesystem::exists(ShardPath(DbPath(), 2)));
  EXPECT_EQ(InstancesIn(DbPath()), 2 * kInstances);
}

TEST_F(ShardLayoutTest, AReSpreadStoppedBetweenCopyAndDeleteIsFinishedByTheNextOpen) {
  {
    std::unique_ptr<Store> store = Open();
    ASSERT_NE(store, nullptr);
    Fill(*store);
  }
  // The home file as it was before the move: what a crash after the shards'
  // copies committed, and before the home file's deletes did, leaves.
  const std::string before = dir_ + "/before.db";
  std::filesystem::copy_file(DbPath(), before);
  ASSERT_NE(OpenShards(2), nullptr);
  std::filesystem::copy_file(before, DbPath(), std::filesystem::copy_options::overwrite_existing);
  for (const char* suffix : {"-wal", "-shm"}) std::filesystem::remove(DbPath() + suffix);
  EXPECT_EQ(InstancesIn(DbPath()), 2 * kInstances);  // every instance twice now, half of them
  std::unique_ptr<Store> store = OpenShards(2);
  ASSERT_NE(store, nullptr);
  ExpectWhole(*store);  // once each, their tasks not copied twice
  EXPECT_EQ(InstancesIn(DbPath()) + InstancesIn(ShardPath(DbPath(), 1)), 2 * kInstances);
}

// The plugins' tables are in the home file; an instance elsewhere commits
// its checkpoint and its plugin writes together (shard_redo.h).
class ShardedPluginWritesTest : public ShardLayoutTest {
 protected:
  SqliteStoreOptions PluginOptions() {
    SqliteStoreOptions o = Options();
    o.shards = 3;
    o.plugin_schemas.push_back(
        PluginSchema{"ledger", {{1, "entries", "CREATE TABLE ledger_entries (id TEXT PRIMARY KEY)", ""}}});
    return o;
  }
  // An instance id that lives outside the home file.
  std::string Elsewhere() {
    for (int i = 0;; ++i) {
      if (ShardOf(Id(i), 3) != 0) return Id(i);
    }
  }
  static Commit PostingCommit(const std::string& id, const std::string& entry) {
    Commit c;
    c.instance_id = id;
    c.events.push_back(testing_support::MakeEvent("step_completed", "post"));
    c.plugin_writes.push_back([entry](PluginTransaction& tx) -> Status {
      return tx.Execute("INSERT INTO ledger_entries (id) VALUES (?)", {Value(entry)}).status();
    });
    return c;
  }
  static int64_t Entries(Store& store) {
    Result<std::vector<Row>> rows = store.plugin_storage()->Query("SELECT count(*) FROM ledger_entries");
    return rows.ok() && !rows->empty() ? (*rows)[0][0].AsInt() : -1;
  }
  // A process that posts one entry at a checkpoint of `id` and dies at `point`.
  void PostAndCrashAt(const std::string& point, const std::string& id) {
    const SqliteStoreOptions o = PluginOptions();
    EXPECT_EXIT(
        {
          setenv("STEADFAST_CRASH_AT", point.c_str(), 1);
          ReloadCrashPointsForTest();
          Result<std::unique_ptr<Store>> store = OpenSqliteStore(o);
          if (!store.ok()) exit(3);
          (void)(*store)->Apply(PostingCommit(id, "entry-1"));
          exit(0);
        },
        ::testing::ExitedWithCode(137), "crash point " + point);
  }
  static size_t HistorySize(Store& store, const std::string& id) {
    Result<std::vector<HistoryEvent>> h = store.GetHistory(id, 0, 0);
    return h.ok() ? h->size() : 0;
  }
};

TEST_F(ShardedPluginWritesTest, CommitTogetherOrNotAtAll) {
  std::unique_ptr<Store> store = Open(PluginOptions());
  ASSERT_NE(store, nullptr);
  const std::string id = Elsewhere();
  ASSERT_TRUE(store->StartInstance(testing_support::MakeStart(id)).ok());
  for (int i = 0; i < 20; ++i) {
    Result<CommitResult> r = store->Apply(PostingCommit(id, "entry-" + std::to_string(i)));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  EXPECT_EQ(HistorySize(*store, id), 21u);
  EXPECT_EQ(Entries(*store), 20);
  // A plugin write that fails takes the checkpoint with it.
  Result<CommitResult> refused = store->Apply(PostingCommit(id, "entry-3"));
  EXPECT_EQ(refused.status().code(), StatusCode::kAborted) << refused.status().ToString();
  EXPECT_EQ(HistorySize(*store, id), 21u);
  EXPECT_EQ(Entries(*store), 20);
  // The bookkeeping of the redo does not pile up.
  store.reset();
  RawDb home(DbPath());
  EXPECT_LE(std::stoi(home.QueryText("SELECT count(*) FROM shard_redo")), 1);
  RawDb shard(ShardPath(DbPath(), ShardOf(id, 3)));
  EXPECT_LE(std::stoi(shard.QueryText("SELECT count(*) FROM shard_redo_applied")), 2);
}

TEST_F(ShardedPluginWritesTest, ACrashAfterTheHomeFileCommittedIsFinishedByTheShard) {
  const std::string id = Elsewhere();
  {
    std::unique_ptr<Store> store = Open(PluginOptions());
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->StartInstance(testing_support::MakeStart(id)).ok());
  }
  PostAndCrashAt("store.shard_redo_owed", id);
  {
    // The home file has the posting and what the shard owes; the shard has neither.
    RawDb home(DbPath());
    EXPECT_EQ(home.QueryText("SELECT count(*) FROM ledger_entries"), "1");
    EXPECT_EQ(home.QueryText("SELECT count(*) FROM shard_redo"), "1");
    RawDb shard(ShardPath(DbPath(), ShardOf(id, 3)));
    EXPECT_EQ(shard.QueryText("SELECT count(*) FROM history WHERE instance_id = '" + id + "'"), "1");
  }
  std::unique_ptr<Store> store = Open(PluginOptions());
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(HistorySize(*store, id), 2u);
  EXPECT_EQ(Entries(*store), 1);
  store.reset();
  RawDb home(DbPath());
  EXPECT_EQ(home.QueryText("SELECT count(*) FROM shard_redo"), "0");
}

TEST_F(ShardedPluginWritesTest, ACrashBeforeTheHomeFileCommittedLosesBoth) {
  const std::string id = Elsewhere();
  {
    std::unique_ptr<Store> store = Open(PluginOptions());
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->StartInstance(testing_support::MakeStart(id)).ok());
  }
  PostAndCrashAt("store.before_plugin_commit", id);
  std::unique_ptr<Store> store = Open(PluginOptions());
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(HistorySize(*store, id), 1u);
  EXPECT_EQ(Entries(*store), 0);
}

TEST_F(ShardLayoutTest, EveryFileHoldsWhatTheHomeFileHolds) {
  {
    std::unique_ptr<Store> store = OpenShards(3);
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->HoldActivity(ActivityHold{"refund.psp_refund", "PSP incident", "ops", 0}).ok());
    ASSERT_TRUE(store->HoldActivity(ActivityHold{"refund.notify", "mail down", "ops", 0}).ok());
    Result<std::vector<ActivityHold>> holds = store->ListActivityHolds();
    ASSERT_TRUE(holds.ok());
    EXPECT_EQ(holds->size(), 2u);
  }
  // A process that died between the files: one shard missed a hold, another a release.
  RawDb(ShardPath(DbPath(), 1)).Exec("DELETE FROM activity_holds WHERE activity = 'refund.psp_refund'");
  RawDb(ShardPath(DbPath(), 2)).Exec("INSERT INTO activity_holds (activity, reason, held_by, held_at) "
                                     "VALUES ('refund.restock', 'old', 'ops', 1)");
  ASSERT_NE(OpenShards(3), nullptr);
  for (int k = 1; k < 3; ++k) {
    RawDb raw(ShardPath(DbPath(), k));
    EXPECT_EQ(raw.QueryText("SELECT group_concat(activity, ',') FROM (SELECT activity FROM activity_holds ORDER BY 1)"),
              "refund.notify,refund.psp_refund")
        << "shard " << k;
  }
}

TEST_F(ShardLayoutTest, AShardFileIsNotAHomeFile) {
  ASSERT_NE(OpenShards(2), nullptr);
  SqliteStoreOptions o = Options();
  o.path = ShardPath(DbPath(), 1);
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(o);
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.status().message().find("not its home file"), std::string::npos) << store.status().message();
}

TEST_F(ShardLayoutTest, TooManyShardsIsRefused) {
  SqliteStoreOptions o = Options();
  o.shards = kMaxShards + 1;
  EXPECT_EQ(OpenSqliteStore(o).status().code(), StatusCode::kInvalidArgument);
}

TEST(ShardOfTest, ChildrenAndArchivedRunsLiveWithTheirRoot) {
  for (int shards : {2, 3, 16}) {
    EXPECT_EQ(ShardOf("refund-17~notify", shards), ShardOf("refund-17", shards));
    EXPECT_EQ(ShardOf("refund-17~3~notify", shards), ShardOf("refund-17", shards));
  }
  // A child of a long id keeps only a head of it (ChildInstanceId): still with its parent.
  const std::string long_id(150, 'r');
  const std::string child = ChildInstanceId(long_id, 1, "notify");
  const std::string grandchild = ChildInstanceId(child, 2, "mail");
  for (int shards : {2, 3, 5, 16}) {
    EXPECT_EQ(ShardOf(child, shards), ShardOf(long_id, shards));
    EXPECT_EQ(ShardOf(grandchild, shards), ShardOf(long_id, shards));
    EXPECT_EQ(ShardOf(ArchivedRunId(long_id, 3), shards), ShardOf(long_id, shards));
  }
  EXPECT_EQ(ShardOf("anything", 1), 0);
  // The hash is part of the file format: these never change.
  EXPECT_EQ(ShardOf("refund-1", 4), 1);
  EXPECT_EQ(ShardOf("refund-2", 4), 0);
  EXPECT_EQ(ShardOf("order-7", 16), 11);
  std::set<int> seen;
  for (int i = 0; i < 64; ++i) seen.insert(ShardOf("r-" + std::to_string(i), 4));
  EXPECT_EQ(seen.size(), 4u);  // spread, not piled in one
}

}  // namespace
}  // namespace steadfast
