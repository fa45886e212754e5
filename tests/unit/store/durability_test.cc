// Failure handling of the SQLite store: pragmas that must take effect,
// files that are not ours or are damaged, schema versions, locks, a full
// disk, failing fsyncs, and crashes on either side of COMMIT. The rule under
// test: every failure is a clear Status, and nothing acknowledged is lost.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <fstream>
#include <thread>
#include <vector>

#include "core/crash_point.h"
#include "fault_vfs.h"
#include "store/sqlite/schema.h"
#include "steadfast/value_codec.h"
#include "store_test_util.h"

namespace steadfast {
namespace {

using testing_support::FaultVfs;
using testing_support::MakeEvent;
using testing_support::MakeStart;
using testing_support::RawDb;
using testing_support::StatsOf;
using ::testing::HasSubstr;

class DurabilityTest : public testing_support::StoreTest {
 protected:
  Status OpenError(const SqliteStoreOptions& options) {
    Result<std::unique_ptr<Store>> r = OpenSqliteStore(options);
    EXPECT_FALSE(r.ok()) << "opened " << options.path;
    return r.ok() ? Status::Ok() : r.status();
  }
  void WriteFile(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << bytes;
  }
  Commit EventCommit(const std::string& id, const std::string& type) {
    Commit c;
    c.instance_id = id;
    c.events = {MakeEvent(type)};
    return c;
  }
  size_t HistorySize(Store& store, const std::string& id) {
    Result<std::vector<HistoryEvent>> h = store.GetHistory(id, 0, 0);
    EXPECT_TRUE(h.ok()) << h.status().ToString();
    return h.ok() ? h->size() : 0;
  }
};

TEST_F(DurabilityTest, WalIsReallyEnabled) {
  std::unique_ptr<Store> store = Open();
  ASSERT_NE(store, nullptr);
  RawDb raw(DbPath());
  EXPECT_EQ(raw.QueryText("PRAGMA journal_mode"), "wal");
}

TEST_F(DurabilityTest, ChangedExternallyIgnoresOwnWritesAndSeesOtherWriters) {
  std::unique_ptr<Store> store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->StartInstance(MakeStart("i1")).ok());
  EXPECT_TRUE(store->ChangedExternally());  // first call: no baseline yet
  EXPECT_FALSE(store->ChangedExternally());
  ASSERT_TRUE(store->Apply(EventCommit("i1", "own")).ok());
  EXPECT_FALSE(store->ChangedExternally()) << "own commits are not external";

  std::unique_ptr<Store> other = Open();  // another process, as far as SQLite can tell
  ASSERT_NE(other, nullptr);
  ASSERT_TRUE(other->Apply(EventCommit("i1", "theirs")).ok());
  EXPECT_TRUE(store->ChangedExternally());
  EXPECT_FALSE(store->ChangedExternally());

  RawDb raw(DbPath());
  raw.Exec("UPDATE instances SET updated_at = updated_at + 1");
  EXPECT_TRUE(store->ChangedExternally());
}

TEST_F(DurabilityTest, GarbageFileIsCorruptionNamingTheFile) {
  WriteFile(DbPath(), std::string(8192, '\x5a'));
  Status s = OpenError(Options());
  EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
  EXPECT_THAT(s.message(), HasSubstr(DbPath()));
  EXPECT_THAT(s.message(), HasSubstr("not a database"));
}

// A damaged row fails the reads the engine acts on (the instance itself, an
// idempotent start against it) and is marked, not fatal, in lists.
TEST_F(DurabilityTest, UndecodableBlobIsCorruptionForItsOwnRead) {
  {
    std::unique_ptr<Store> store = Open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->StartInstance(MakeStart("i1")).ok());
  }
  {
    RawDb raw(DbPath());
    raw.Exec("UPDATE instances SET input = x'05ffffffffffffffff01'");
    raw.Exec("UPDATE history SET data = x'09'");
  }
  std::unique_ptr<Store> store = Open();
  ASSERT_NE(store, nullptr);
  Result<std::optional<InstanceRecord>> inst = store->GetInstance("i1");
  ASSERT_FALSE(inst.ok());
  EXPECT_EQ(inst.status().code(), StatusCode::kCorruption);
  EXPECT_THAT(inst.status().message(), HasSubstr("instance i1 input"));
  Result<std::vector<HistoryEvent>> h = store->GetHistory("i1", 0, 0);
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_THAT(h->front().decode_error, HasSubstr("history i1#1 data"));
  Result<std::vector<InstanceRecord>> list = store->ListInstances(ListFilter{});
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  EXPECT_THAT(list->front().decode_error, HasSubstr("instance i1 input"));
  // Idempotent start reads the existing row too: it must fail cleanly.
  EXPECT_EQ(store->StartInstance(MakeStart("i1")).status().code(), StatusCode::kCorruption);
}

TEST_F(DurabilityTest, DamagedPagesGiveErrorsNotCrashes) {
  {
    std::unique_ptr<Store> store = Open();
    ASSERT_NE(store, nullptr);
    for (int i = 0; i < 100; ++i) {
      StartRequest r = MakeStart("i" + std::to_string(i), {testing_support::MakeTask("a", i)});
      r.instance.state = std::string(1500, 'x');
      ASSERT_TRUE(store->StartInstance(r).ok());
    }
  }  // closing checkpoints the WAL into the main file
  {
    std::fstream f(DbPath(), std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(4096);  // keep page 1 (header and schema); garble the rest
    std::string garbage(200 * 4096, '\x7e');
    f.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  }
  Result<std::unique_ptr<Store>> opened = OpenSqliteStore(Options());
  if (!opened.ok()) {
    EXPECT_EQ(opened.status().code(), StatusCode::kCorruption) << opened.status().ToString();
    return;
  }
  Store& store = **opened;
  std::vector<Status> results;
  results.push_back(store.GetInstance("i5").status());
  results.push_back(store.ListInstances(ListFilter{}).status());
  results.push_back(store.GetHistory("i5", 0, 0).status());
  results.push_back(store.CountByStatus().status());
  results.push_back(store.NextDueAt(0).status());
  results.push_back(store.ClaimDueTasks("w", 1000, 2000, 10).status());
  results.push_back(store.Apply(EventCommit("i5", "x")).status());
  int corrupt = 0;
  for (const Status& s : results) {
    if (s.code() == StatusCode::kCorruption) {
      ++corrupt;
      EXPECT_THAT(s.message(), HasSubstr(DbPath()));
    }
  }
  EXPECT_GT(corrupt, 0);
}

TEST_F(DurabilityTest, NewerSchemaIsRefusedWithBothVersions) {
  { ASSERT_NE(Open(), nullptr); }
  {
    RawDb raw(DbPath());
    raw.Exec("UPDATE schema_version SET version = 99");
  }
  Status s = OpenError(Options());
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("schema version 99"));
  EXPECT_THAT(s.message(), HasSubstr("version " + std::to_string(kSqliteSchemaVersion)));
  EXPECT_THAT(s.message(), HasSubstr(DbPath()));
  RawDb raw(DbPath());
  EXPECT_EQ(raw.QueryText("SELECT version FROM schema_version"), "99");  // untouched
}

TEST_F(DurabilityTest, SomeoneElsesDatabaseIsRefused) {
  {
    RawDb raw(DbPath());
    raw.Exec("CREATE TABLE customers (id INTEGER PRIMARY KEY)");
  }
  Status s = OpenError(Options());
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("not a steadfast store"));
}

// The version 1 schema exactly as released. Frozen: if this test breaks,
// a migration is missing, not this text.
constexpr const char* kV1Schema = R"sql(
CREATE TABLE schema_version (version INTEGER NOT NULL);
INSERT INTO schema_version(version) VALUES (1);
CREATE TABLE definitions (hash TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL, version INTEGER NOT NULL,
  source TEXT NOT NULL, created_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE instances (id TEXT PRIMARY KEY NOT NULL, workflow_name TEXT NOT NULL,
  workflow_version INTEGER NOT NULL, definition_hash TEXT NOT NULL, status INTEGER NOT NULL,
  current_step TEXT NOT NULL, input BLOB NOT NULL, output BLOB NOT NULL, error_code TEXT NOT NULL,
  error_message TEXT NOT NULL, state BLOB NOT NULL, idempotency_key TEXT NOT NULL, requested_by TEXT NOT NULL,
  traceparent TEXT NOT NULL, version INTEGER NOT NULL, last_seq INTEGER NOT NULL, created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL, deadline_at INTEGER NOT NULL);
CREATE UNIQUE INDEX instances_idempotency_key ON instances(idempotency_key) WHERE idempotency_key <> '';
CREATE INDEX instances_created ON instances(created_at, id);
CREATE INDEX instances_status ON instances(status, created_at, id);
CREATE INDEX instances_workflow ON instances(workflow_name, created_at, id);
CREATE TABLE tasks (id INTEGER PRIMARY KEY AUTOINCREMENT, instance_id TEXT NOT NULL, kind INTEGER NOT NULL,
  step_id TEXT NOT NULL, attempt INTEGER NOT NULL, due_at INTEGER NOT NULL, lease_owner TEXT NOT NULL,
  lease_until INTEGER NOT NULL, lease_token INTEGER NOT NULL, step_started_at INTEGER NOT NULL);
CREATE INDEX tasks_due ON tasks(due_at, lease_until);
CREATE INDEX tasks_instance ON tasks(instance_id);
CREATE TABLE history (instance_id TEXT NOT NULL, seq INTEGER NOT NULL, at INTEGER NOT NULL, type TEXT NOT NULL,
  step_id TEXT NOT NULL, attempt INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (instance_id, seq)) WITHOUT ROWID;
CREATE TABLE signals (id INTEGER PRIMARY KEY AUTOINCREMENT, instance_id TEXT NOT NULL, name TEXT NOT NULL,
  payload BLOB NOT NULL, idempotency_key TEXT NOT NULL, principal TEXT NOT NULL, received_at INTEGER NOT NULL,
  consumed INTEGER NOT NULL);
CREATE UNIQUE INDEX signals_idempotency_key ON signals(instance_id, idempotency_key) WHERE idempotency_key <> '';
CREATE INDEX signals_pending ON signals(instance_id, name, consumed, id);
)sql";

std::string HexOf(const std::string& bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string hex;
  for (unsigned char c : bytes) {
    hex += kDigits[c >> 4];
    hex += kDigits[c & 15];
  }
  return hex;
}

TEST_F(DurabilityTest, HandMadeVersion1DatabaseOpensAndWorks) {
  {
    RawDb raw(DbPath());
    raw.Exec(kV1Schema);
    const std::string input = HexOf(*EncodeValue(Value::Map{{"order", 42}}));
    const std::string empty = HexOf(*EncodeValue(Value()));
    raw.Exec("INSERT INTO instances VALUES ('old', 'refund', 1, 'h', 3, 'review', x'" + input + "', x'" + empty +
             "', '', '', x'00', 'key-old', 'carol', '', 4, 2, 100, 200, 0)");
    raw.Exec("INSERT INTO history VALUES ('old', 1, 100, 'workflow_started', '', 0, x'" + empty + "')");
    raw.Exec("INSERT INTO history VALUES ('old', 2, 150, 'approval_requested', 'review', 0, x'" + empty + "')");
    raw.Exec("INSERT INTO tasks(instance_id, kind, step_id, attempt, due_at, lease_owner, lease_until, "
             "lease_token, step_started_at) VALUES ('old', 2, 'review', 1, 500, '', 0, 0, 150)");
  }
  std::unique_ptr<Store> store = Open();
  ASSERT_NE(store, nullptr);
  Result<std::optional<InstanceRecord>> inst = store->GetInstance("old");
  ASSERT_TRUE(inst.ok()) << inst.status().ToString();
  ASSERT_TRUE(inst->has_value());
  EXPECT_EQ((*inst)->status, InstanceStatus::kWaitingApproval);
  EXPECT_EQ((*inst)->input, Value(Value::Map{{"order", 42}}));
  EXPECT_EQ((*inst)->version, 4);
  EXPECT_EQ((*inst)->idempotency_key, "key-old");
  EXPECT_EQ((*inst)->requested_by, "carol");
  EXPECT_EQ((*inst)->started_by, "");  // unknown before schema v3

  Commit c;
  c.instance_id = "old";
  c.expect_version = 4;
  c.events = {MakeEvent("approved", "review")};
  Result<CommitResult> r = store->Apply(c);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->instance_version, 5);
  Result<std::vector<HistoryEvent>> h = store->GetHistory("old", 0, 0);
  ASSERT_TRUE(h.ok());
  ASSERT_EQ(h->size(), 3u);
  EXPECT_EQ((*h)[2].seq, 3);
  Result<std::vector<TaskRecord>> claimed = store->ClaimDueTasks("w", 500, 600, 5);
  ASSERT_TRUE(claimed.ok());
  ASSERT_EQ(claimed->size(), 1u);
  EXPECT_EQ((*claimed)[0].kind, TaskKind::kWaitTimeout);
}

TEST_F(DurabilityTest, TwoStoresOpeningANewFileAtOnceBothWork) {
  std::vector<std::unique_ptr<Store>> stores(4);
  std::vector<Status> errors(stores.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < stores.size(); ++i) {
    threads.emplace_back([&, i] {
      Result<std::unique_ptr<Store>> r = OpenSqliteStore(Options());
      if (r.ok()) stores[i] = std::move(r).value();
      else errors[i] = r.status();
    });
  }
  for (std::thread& t : threads) t.join();
  for (size_t i = 0; i < stores.size(); ++i) ASSERT_NE(stores[i], nullptr) << errors[i].ToString();
  ASSERT_TRUE(stores[0]->StartInstance(MakeStart("i1")).ok());
  ASSERT_TRUE(stores[3]->Apply(EventCommit("i1", "x")).ok());
  EXPECT_EQ(HistorySize(*stores[1], "i1"), 2u);
}

TEST_F(DurabilityTest, UnopenablePathNamesThePathAndTheCause) {
  SqliteStoreOptions o = Options();
  o.path = dir_ + "/no/such/dir/steadfast.db";
  Status s = OpenError(o);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.ToString();
  EXPECT_THAT(s.message(), HasSubstr(o.path));
  EXPECT_THAT(s.message(), HasSubstr("No such file or directory"));
}

TEST_F(DurabilityTest, BadOptionsAreInvalidArguments) {
  SqliteStoreOptions o = Options();
  o.path = ":memory:";
  EXPECT_EQ(OpenError(o).code(), StatusCode::kInvalidArgument);
  o.path = "";
  EXPECT_EQ(OpenError(o).code(), StatusCode::kInvalidArgument);
  o = Options();
  o.max_batch = 0;
  EXPECT_EQ(OpenError(o).code(), StatusCode::kInvalidArgument);
}

TEST_F(DurabilityTest, AnotherProcessHoldingTheWriteLockGivesBusy) {
  SqliteStoreOptions o = Options();
  o.busy_timeout_ms = 50;
  std::unique_ptr<Store> store = Open(o);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->StartInstance(MakeStart("i1")).ok());
  RawDb other(DbPath());
  other.Exec("BEGIN IMMEDIATE");
  Result<CommitResult> r = store->Apply(EventCommit("i1", "x"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kBusy) << r.status().ToString();
  EXPECT_THAT(r.status().message(), HasSubstr(DbPath()));
  // Reads are not blocked by the other writer.
  EXPECT_EQ(HistorySize(*store, "i1"), 1u);
  other.Exec("COMMIT");
  EXPECT_TRUE(store->Apply(EventCommit("i1", "x")).ok());
  EXPECT_EQ(HistorySize(*store, "i1"), 2u);
}

TEST_F(DurabilityTest, FullDatabaseIsResourceExhaustedAndLosesNothingCommitted) {
  SqliteStoreOptions o = Options();
  o.max_page_count = 85;  // about 330 KiB: the schema and a few dozen instances
  std::unique_ptr<Store> store = Open(o);
  ASSERT_NE(store, nullptr);
  std::vector<std::string> acknowledged;
  Status failure;
  for (int i = 0; i < 1000 && failure.ok(); ++i) {
    StartRequest r = MakeStart("i" + std::to_string(i));
    r.instance.state = std::string(6000, static_cast<char>('a' + i % 26));
    Result<StartResult> s = store->StartInstance(r);
    if (s.ok()) {
      acknowledged.push_back(r.instance.id);
    } else {
      failure = s.status();
    }
  }
  ASSERT_FALSE(failure.ok()) << "the quota never filled";
  EXPECT_EQ(failure.code(), StatusCode::kResourceExhausted) << failure.ToString();
  EXPECT_THAT(failure.message(), HasSubstr("database or disk is full: " + DbPath()));
  ASSERT_GT(acknowledged.size(), 5u);

  // Smaller writes still fit in free space; the store keeps working.
  EXPECT_TRUE(store->Apply(EventCommit(acknowledged[0], "small")).ok());

  store.reset();
  store = Open();  // no quota
  ASSERT_NE(store, nullptr);
  for (size_t i = 0; i < acknowledged.size(); ++i) {
    Result<std::optional<InstanceRecord>> inst = store->GetInstance(acknowledged[i]);
    ASSERT_TRUE(inst.ok() && inst->has_value()) << acknowledged[i];
    EXPECT_EQ((*inst)->state, std::string(6000, static_cast<char>('a' + i % 26)));
  }
  EXPECT_TRUE(store->StartInstance(MakeStart("after")).ok());
}

TEST_F(DurabilityTest, DiskFullOnWriteIsResourceExhausted) {
  FaultVfs& vfs = FaultVfs::Instance();
  SqliteStoreOptions o = Options();
  o.vfs = FaultVfs::kName;
  std::unique_ptr<Store> store = Open(o);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->StartInstance(MakeStart("i1")).ok());

  vfs.FailWritesAsFull(true);
  Result<CommitResult> r = store->Apply(EventCommit("i1", "lost"));
  vfs.FailWritesAsFull(false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted) << r.status().ToString();
  EXPECT_THAT(r.status().message(), HasSubstr("database or disk is full"));

  EXPECT_EQ(HistorySize(*store, "i1"), 1u);
  ASSERT_TRUE(store->Apply(EventCommit("i1", "kept")).ok());
  store.reset();
  store = Open();
  ASSERT_NE(store, nullptr);
  Result<std::vector<HistoryEvent>> h = store->GetHistory("i1", 0, 0);
  ASSERT_TRUE(h.ok());
  ASSERT_EQ(h->size(), 2u);
  EXPECT_EQ((*h)[1].type, "kept");
}

TEST_F(DurabilityTest, FailedFsyncFailsEveryRequestOfTheBatch) {
  FaultVfs& vfs = FaultVfs::Instance();
  SqliteStoreOptions o = Options();
  o.vfs = FaultVfs::kName;
  std::unique_ptr<Store> store = Open(o);
  ASSERT_NE(store, nullptr);
  constexpr int kThreads = 16;
  for (int i = 0; i < kThreads; ++i) ASSERT_TRUE(store->StartInstance(MakeStart("i" + std::to_string(i))).ok());

  const int64_t syncs_before = vfs.syncs();
  vfs.FailSyncs(true);
  std::atomic<int> acknowledged{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      Result<CommitResult> r = store->Apply(EventCommit("i" + std::to_string(i), "unsynced"));
      if (r.ok()) ++acknowledged;
      EXPECT_EQ(r.status().code(), StatusCode::kUnavailable) << r.status().ToString();
    });
  }
  for (std::thread& t : threads) t.join();
  vfs.FailSyncs(false);
  EXPECT_GT(vfs.syncs(), syncs_before);
  EXPECT_EQ(acknowledged.load(), 0) << "acknowledged a commit whose fsync failed";
  EXPECT_GT(StatsOf(*store).failed_transactions, 0);

  // The store recovers once the disk does.
  for (int i = 0; i < kThreads; ++i) {
    ASSERT_TRUE(store->Apply(EventCommit("i" + std::to_string(i), "synced")).ok());
  }
}

TEST_F(DurabilityTest, CrashBeforeCommitLosesTheWrite) {
  { ASSERT_TRUE(Open()->StartInstance(MakeStart("i1")).ok()); }
  const SqliteStoreOptions o = Options();
  EXPECT_EXIT(
      {
        setenv("STEADFAST_CRASH_AT", "store.before_commit", 1);
        ReloadCrashPointsForTest();
        Result<std::unique_ptr<Store>> store = OpenSqliteStore(o);
        if (!store.ok()) exit(3);
        (void)(*store)->Apply(EventCommit("i1", "doomed"));
        exit(0);
      },
      ::testing::ExitedWithCode(137), "crash point store.before_commit");
  std::unique_ptr<Store> store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(HistorySize(*store, "i1"), 1u);
}

TEST_F(DurabilityTest, CrashAfterCommitKeepsTheWrite) {
  { ASSERT_TRUE(Open()->StartInstance(MakeStart("i1")).ok()); }
  const SqliteStoreOptions o = Options();
  EXPECT_EXIT(
      {
        setenv("STEADFAST_CRASH_AT", "store.after_commit", 1);
        ReloadCrashPointsForTest();
        Result<std::unique_ptr<Store>> store = OpenSqliteStore(o);
        if (!store.ok()) exit(3);
        (void)(*store)->Apply(EventCommit("i1", "durable"));
        exit(0);
      },
      ::testing::ExitedWithCode(137), "crash point store.after_commit");
  std::unique_ptr<Store> store = Open();
  ASSERT_NE(store, nullptr);
  Result<std::vector<HistoryEvent>> h = store->GetHistory("i1", 0, 0);
  ASSERT_TRUE(h.ok());
  ASSERT_EQ(h->size(), 2u);
  EXPECT_EQ((*h)[1].type, "durable");
}

}  // namespace
}  // namespace steadfast
