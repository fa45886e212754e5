// Plugin state in the store (steadfast/storage.h), on both backends where
// the test does not read the SQLite file itself: plugin
// migrations (fresh database, adopting tables made before, refusing a newer
// schema, a failing migration), checkpoint writes that commit or roll back
// with their Commit (alone and inside a batch of others), and the storage
// handle (typed parameters and rows, plugin-only transactions, read-only
// reads, constraint conflicts, the late-bound handle of the host).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "store/plugin_schemas.h"
#include "store/sqlite/schema.h"
#include "store_backends.h"

namespace steadfast {
namespace {

using testing_support::MakeEvent;
using testing_support::MakeStart;
using testing_support::RawDb;
using testing_support::StatsOf;
using ::testing::HasSubstr;

PluginSchema NotesSchema(int versions = 2) {
  PluginSchema s;
  s.plugin = "notes";
  s.migrations.push_back({1, "notes table",
                          "CREATE TABLE IF NOT EXISTS notes_items (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, "
                          "body TEXT NOT NULL)"});
  if (versions >= 2) {
    s.migrations.push_back({2, "a score per note", "ALTER TABLE notes_items ADD COLUMN score REAL NOT NULL DEFAULT 0"});
  }
  return s;
}

class PluginStorageTest : public testing_support::BackendStoreTest {
 protected:
  std::unique_ptr<Store> OpenWith(std::vector<PluginSchema> schemas) { return OpenBackend(std::move(schemas)); }
  Status OpenError(std::vector<PluginSchema> schemas) {
    Result<std::unique_ptr<Store>> r = TryOpenBackend(std::move(schemas));
    EXPECT_FALSE(r.ok());
    return r.ok() ? Status::Ok() : r.status();
  }
  StoreSchemaVersions Versions(Store& store) {
    Result<StoreSchemaVersions> v = dynamic_cast<SqliteStore&>(store).SchemaVersions();
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? *v : StoreSchemaVersions{};
  }
  static PluginWrite Insert(std::string key, std::string body) {
    return [key, body](PluginTransaction& tx) {
      return tx.Execute("INSERT INTO notes_items (key, body) VALUES (?, ?)", {key, body}).status();
    };
  }
  int64_t CountNotes(PluginStorage& storage, const std::string& key = "") {
    Result<std::vector<Row>> rows = storage.Query("SELECT COUNT(*) FROM notes_items WHERE ? = '' OR key = ?", {key, key});
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    return rows.ok() ? (*rows)[0][0].AsInt() : -1;
  }
  Commit EventCommit(const std::string& id, std::vector<PluginWrite> writes) {
    Commit c;
    c.instance_id = id;
    c.events = {MakeEvent("attempt_succeeded", "step")};
    c.plugin_writes = std::move(writes);
    return c;
  }
  size_t HistorySize(Store& store, const std::string& id) {
    Result<std::vector<HistoryEvent>> h = store.GetHistory(id, 0, 0);
    EXPECT_TRUE(h.ok());
    return h.ok() ? h->size() : 0;
  }
};

// Tests that read the SQLite file itself (RawDb), its batches or its
// SQLite-only entry points.
class SqlitePluginStorageTest : public PluginStorageTest {};

// --- Migrations.

TEST_P(SqlitePluginStorageTest, FreshDatabaseGetsEveryPluginMigrationOnce) {
  {
    std::unique_ptr<Store> store = OpenWith({NotesSchema()});
    ASSERT_NE(store, nullptr);
    StoreSchemaVersions v = Versions(*store);
    EXPECT_EQ(v.engine, kSqliteSchemaVersion);
    ASSERT_EQ(v.plugins.size(), 1u);
    EXPECT_EQ(v.plugins[0], (std::pair<std::string, int>{"notes", 2}));
    ASSERT_TRUE(store->plugin_storage()->Transact(Insert("a", "first")).ok());
  }
  // Reopening applies nothing again (an ALTER TABLE twice would fail) and keeps the rows.
  std::unique_ptr<Store> store = OpenWith({NotesSchema()});
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(CountNotes(*store->plugin_storage()), 1);
  RawDb raw(DbPath());
  EXPECT_EQ(raw.QueryText("SELECT COUNT(*) FROM plugin_migrations WHERE plugin = 'notes'"), "2");
  EXPECT_EQ(raw.QueryText("SELECT description FROM plugin_migrations WHERE plugin = 'notes' AND version = 2"),
            "a score per note");
}

TEST_P(SqlitePluginStorageTest, LaterVersionsAreAppliedToAnOlderDatabase) {
  {
    std::unique_ptr<Store> store = OpenWith({NotesSchema(1)});
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->plugin_storage()->Transact(Insert("a", "kept")).ok());
  }
  std::unique_ptr<Store> store = OpenWith({NotesSchema(2)});
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(Versions(*store).plugins[0].second, 2);
  Result<std::vector<Row>> rows = store->plugin_storage()->Query("SELECT body, score FROM notes_items");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0][0], Value("kept"));
  EXPECT_EQ((*rows)[0][1], Value(0.0));
}

TEST_P(SqlitePluginStorageTest, VersionOneAdoptsTablesMadeBeforeTheEngineKeptThem) {
  { ASSERT_NE(Open(), nullptr); }  // an engine database...
  {
    RawDb raw(DbPath());  // ...whose plugin made its own table, unrecorded
    raw.Exec("CREATE TABLE notes_items (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, body TEXT NOT NULL)");
    raw.Exec("INSERT INTO notes_items (key, body) VALUES ('old', 'from before')");
  }
  std::unique_ptr<Store> store = OpenWith({NotesSchema()});
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(CountNotes(*store->plugin_storage(), "old"), 1);
  EXPECT_EQ(Versions(*store).plugins[0].second, 2);
}

TEST_P(SqlitePluginStorageTest, NewerPluginSchemaIsRefusedNamingPluginVersionsAndWhatToDo) {
  { ASSERT_NE(OpenWith({NotesSchema(2)}), nullptr); }
  Status s = OpenError({NotesSchema(1)});
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("'notes' plugin"));
  EXPECT_THAT(s.message(), HasSubstr("version 2"));
  EXPECT_THAT(s.message(), HasSubstr("version 1"));
  EXPECT_THAT(s.message(), HasSubstr(DbPath()));
  EXPECT_THAT(s.message(), HasSubstr("run a release"));
  RawDb raw(DbPath());
  EXPECT_EQ(raw.QueryText("SELECT MAX(version) FROM plugin_migrations WHERE plugin = 'notes'"), "2");
}

TEST_P(SqlitePluginStorageTest, NewerPluginSchemaIsRefusedBeforeAnyOtherPluginIsMigrated) {
  { ASSERT_NE(OpenWith({NotesSchema(2)}), nullptr); }
  PluginSchema other;
  other.plugin = "other";
  other.migrations.push_back({1, "t", "CREATE TABLE other_t (x INTEGER)"});
  Status s = OpenError({other, NotesSchema(1)});
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  RawDb raw(DbPath());
  EXPECT_EQ(raw.QueryText("SELECT COUNT(*) FROM plugin_migrations WHERE plugin = 'other'"), "0");
}

TEST_P(SqlitePluginStorageTest, AFailingMigrationKeepsThePreviousVersionAndSaysWhich) {
  { ASSERT_NE(OpenWith({NotesSchema(1)}), nullptr); }
  PluginSchema broken = NotesSchema(1);
  broken.migrations.push_back({2, "broken", "ALTER TABLE notes_items ADD COLUMN x INTEGER; CREATE TABLEX oops"});
  Status s = OpenError({broken});
  EXPECT_THAT(s.message(), HasSubstr("migration 2 (broken) of the 'notes' plugin"));
  RawDb raw(DbPath());
  EXPECT_EQ(raw.QueryText("SELECT MAX(version) FROM plugin_migrations WHERE plugin = 'notes'"), "1");
  // The migration's first statement was rolled back with it.
  EXPECT_EQ(raw.QueryText("SELECT COUNT(*) FROM pragma_table_info('notes_items') WHERE name = 'x'"), "0");
}

TEST_P(PluginStorageTest, MalformedSchemasAreRefused) {
  PluginSchema gap = NotesSchema(1);
  gap.migrations.push_back({3, "skips 2", "SELECT 1"});
  EXPECT_THAT(OpenError({gap}).message(), HasSubstr("expected 2"));
  PluginSchema bad_name = NotesSchema(1);
  bad_name.plugin = "Notes-Plugin";
  EXPECT_EQ(OpenError({bad_name}).code(), StatusCode::kInvalidArgument);
  PluginSchema empty;
  empty.plugin = "empty";
  EXPECT_THAT(OpenError({empty}).message(), HasSubstr("no migrations"));
  DeclaredPluginSchemas declared;
  EXPECT_TRUE(declared.Declare(NotesSchema()).ok());
  EXPECT_EQ(declared.Declare(NotesSchema()).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(declared.schemas().size(), 1u);
}

// --- Checkpoint writes.

TEST_P(PluginStorageTest, CheckpointWritesCommitWithTheirCommit) {
  std::unique_ptr<Store> store = OpenWith({NotesSchema()});
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->StartInstance(MakeStart("i1")).ok());
  Commit c = EventCommit("i1", {Insert("k1", "posted"), Insert("k2", "posted too")});
  c.expect_version = 1;
  Result<CommitResult> r = store->Apply(std::move(c));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->instance_version, 2);
  EXPECT_EQ(CountNotes(*store->plugin_storage()), 2);
  EXPECT_EQ(HistorySize(*store, "i1"), 2u);
}

TEST_P(PluginStorageTest, AFailingCheckpointWriteRollsBackTheWholeCommit) {
  std::unique_ptr<Store> store = OpenWith({NotesSchema()});
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->StartInstance(MakeStart("i1")).ok());
  ASSERT_TRUE(store->plugin_storage()->Transact(Insert("taken", "someone else's")).ok());
  // The first write succeeds, the second hits the unique key: neither the
  // first nor the commit's event survives.
  Result<CommitResult> r = store->Apply(EventCommit("i1", {Insert("mine", "x"), Insert("taken", "y")}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kAborted);
  EXPECT_THAT(r.status().message(), HasSubstr("checkpoint write 2 of 2"));
  EXPECT_THAT(r.status().message(), HasSubstr("conflict"));
  EXPECT_EQ(CountNotes(*store->plugin_storage(), "mine"), 0);
  EXPECT_EQ(HistorySize(*store, "i1"), 1u);
  Result<std::optional<InstanceRecord>> inst = store->GetInstance("i1");
  ASSERT_TRUE(inst.ok() && inst->has_value());
  EXPECT_EQ((*inst)->version, 1);

  // A write returning its own error, or throwing, is refused the same way.
  r = store->Apply(EventCommit("i1", {[](PluginTransaction&) { return Status::FailedPrecondition("not now"); }}));
  EXPECT_EQ(r.status().code(), StatusCode::kAborted);
  EXPECT_THAT(r.status().message(), HasSubstr("not now"));
  r = store->Apply(EventCommit("i1", {[](PluginTransaction&) -> Status { throw std::runtime_error("boom"); }}));
  EXPECT_EQ(r.status().code(), StatusCode::kAborted);
  EXPECT_THAT(r.status().message(), HasSubstr("boom"));
  EXPECT_EQ(HistorySize(*store, "i1"), 1u);
}

TEST_P(PluginStorageTest, CheckpointWritesOfACommitThatFailsItsPreconditionsAreNotKept) {
  std::unique_ptr<Store> store = OpenWith({NotesSchema()});
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->StartInstance(MakeStart("i1")).ok());
  Commit c = EventCommit("i1", {Insert("k", "x")});
  c.expect_version = 7;
  Result<CommitResult> r = store->Apply(std::move(c));
  EXPECT_EQ(r.status().code(), StatusCode::kConflict);
  EXPECT_EQ(CountNotes(*store->plugin_storage()), 0);
}

TEST_P(SqlitePluginStorageTest, AFailingWriteDoesNotAffectTheOtherCommitsOfItsBatch) {
  std::unique_ptr<Store> store = OpenWith({NotesSchema()});
  ASSERT_NE(store, nullptr);
  for (const char* id : {"lead", "bad", "good1", "good2", "good3"}) ASSERT_TRUE(store->StartInstance(MakeStart(id)).ok());
  const SqliteStoreStats before = StatsOf(*store);

  // The leader's write holds its transaction open until the others are
  // queued behind it, so they commit together as the next batch.
  std::atomic<bool> leading{false};
  auto slow = [&leading](PluginTransaction& tx) -> Status {
    leading = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    return tx.Execute("INSERT INTO notes_items (key, body) VALUES ('lead', 'x')").status();
  };
  std::thread leader([&] { EXPECT_TRUE(store->Apply(EventCommit("lead", {slow})).ok()); });
  while (!leading) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  Result<CommitResult> bad = Status::Internal("not run");
  std::vector<Result<CommitResult>> good(3, Result<CommitResult>(Status::Internal("not run")));
  std::vector<std::thread> threads;
  threads.emplace_back([&] {
    bad = store->Apply(EventCommit("bad", {Insert("bad", "x"), [](PluginTransaction&) { return Status::Conflict("no"); }}));
  });
  for (int i = 0; i < 3; ++i) {
    threads.emplace_back([&, i] {
      const std::string id = "good" + std::to_string(i + 1);
      good[static_cast<size_t>(i)] = store->Apply(EventCommit(id, {Insert(id, "x")}));
    });
  }
  for (std::thread& t : threads) t.join();
  leader.join();

  EXPECT_EQ(bad.status().code(), StatusCode::kAborted);
  for (const auto& g : good) EXPECT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ(CountNotes(*store->plugin_storage(), "bad"), 0);
  EXPECT_EQ(HistorySize(*store, "bad"), 1u);
  for (const char* id : {"lead", "good1", "good2", "good3"}) {
    EXPECT_EQ(CountNotes(*store->plugin_storage(), id), 1) << id;
    EXPECT_EQ(HistorySize(*store, id), 2u) << id;
  }
  const SqliteStoreStats after = StatsOf(*store);
  EXPECT_GE(after.largest_batch, 4) << "the four commits behind the leader were not batched together";
  EXPECT_EQ(after.failed_transactions, before.failed_transactions);
}

// --- The storage handle.

TEST_P(PluginStorageTest, ValuesRoundTripByType) {
  std::unique_ptr<Store> store = OpenWith({NotesSchema()});
  ASSERT_NE(store, nullptr);
  PluginStorage& storage = *store->plugin_storage();
  ASSERT_TRUE(storage
                  .Transact([](PluginTransaction& tx) -> Status {
                    SF_RETURN_IF_ERROR(tx.Execute(
                        "CREATE TABLE notes_types (n TEXT, b BIGINT, i BIGINT, d DOUBLE PRECISION, s TEXT)").status());
                    return tx.Execute("INSERT INTO notes_types VALUES (?, ?, ?, ?, ?)",
                                      {Value(), true, int64_t{-9007199254740993}, 2.5, "héllo"})
                        .status();
                  })
                  .ok());
  Result<std::vector<Row>> rows = storage.Query("SELECT n, b, i, d, s FROM notes_types");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 1u);
  const Row& r = (*rows)[0];
  EXPECT_TRUE(r[0].is_null());
  EXPECT_EQ(r[1], Value(1));  // a bool is stored as 0/1
  EXPECT_EQ(r[2], Value(int64_t{-9007199254740993}));
  EXPECT_EQ(r[3], Value(2.5));
  EXPECT_EQ(r[4], Value("héllo"));

  Result<std::vector<Row>> list = storage.Query("SELECT ?", {Value(Value::List{1, 2})});
  EXPECT_EQ(list.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(list.status().message(), HasSubstr("JSON"));
  EXPECT_EQ(storage.Query("SELECT ?, ?", {1}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(storage.Query("SELECT 1; SELECT 2").status().code(), StatusCode::kInvalidArgument);
}

TEST_P(PluginStorageTest, TransactCommitsOrRollsBackAsAWhole) {
  std::unique_ptr<Store> store = OpenWith({NotesSchema()});
  ASSERT_NE(store, nullptr);
  PluginStorage& storage = *store->plugin_storage();
  Status failed = storage.Transact([](PluginTransaction& tx) -> Status {
    SF_RETURN_IF_ERROR(Insert("one", "x")(tx));
    return Status::Conflict("changed my mind");
  });
  EXPECT_EQ(failed.code(), StatusCode::kConflict);
  EXPECT_EQ(failed.message(), "changed my mind");
  EXPECT_EQ(CountNotes(storage), 0);

  ASSERT_TRUE(storage.Transact(Insert("one", "x")).ok());
  Status duplicate = storage.Transact(Insert("one", "again"));
  EXPECT_EQ(duplicate.code(), StatusCode::kConflict) << duplicate.ToString();
  Result<int64_t> changed = Status::Internal("unset");
  ASSERT_TRUE(storage
                  .Transact([&](PluginTransaction& tx) {
                    changed = tx.Execute("UPDATE notes_items SET body = ? WHERE key = ?", {"y", "one"});
                    return changed.status();
                  })
                  .ok());
  EXPECT_EQ(*changed, 1);
  Result<std::vector<Row>> returned = Status::Internal("unset");
  ASSERT_TRUE(storage
                  .Transact([&](PluginTransaction& tx) {
                    returned = tx.Query("INSERT INTO notes_items (key, body) VALUES ('two', 'z') RETURNING id");
                    return returned.status();
                  })
                  .ok());
  ASSERT_EQ(returned->size(), 1u);
  EXPECT_TRUE((*returned)[0][0].is_int());
  EXPECT_EQ(CountNotes(storage), 2);
}

TEST_P(PluginStorageTest, TransactFromInsideAWriteIsRefusedInsteadOfWaitingForItself) {
  std::unique_ptr<Store> store = OpenWith({NotesSchema()});
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->StartInstance(MakeStart("i1")).ok());
  PluginStorage& storage = *store->plugin_storage();
  Status inner;
  auto nested = [&](std::string key) {
    return [&storage, &inner, key](PluginTransaction& tx) -> Status {
      inner = storage.Transact(Insert("inner-" + key, "x"));
      return Insert(key, "x")(tx);
    };
  };
  ASSERT_TRUE(storage.Transact(nested("from-transact")).ok());
  EXPECT_EQ(inner.code(), StatusCode::kFailedPrecondition) << inner.ToString();
  inner = Status::Ok();
  ASSERT_TRUE(store->Apply(EventCommit("i1", {nested("from-checkpoint")})).ok());
  EXPECT_EQ(inner.code(), StatusCode::kFailedPrecondition) << inner.ToString();
  EXPECT_EQ(CountNotes(storage, "from-transact"), 1);
  EXPECT_EQ(CountNotes(storage, "from-checkpoint"), 1);
  EXPECT_EQ(CountNotes(storage), 2);  // neither inner write happened
}

TEST_P(PluginStorageTest, QueriesAreReadOnly) {
  std::unique_ptr<Store> store = OpenWith({NotesSchema()});
  ASSERT_NE(store, nullptr);
  Result<std::vector<Row>> write = store->plugin_storage()->Query("INSERT INTO notes_items (key, body) VALUES ('a', 'b')");
  EXPECT_FALSE(write.ok());
  EXPECT_EQ(CountNotes(*store->plugin_storage()), 0);
}

TEST_P(PluginStorageTest, TheHostsHandleRefusesUntilBoundToAStore) {
  PluginStorageHandle handle;
  EXPECT_EQ(handle.Query("SELECT 1").status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(handle.Transact(Insert("a", "b")).code(), StatusCode::kFailedPrecondition);
  std::unique_ptr<Store> store = OpenWith({NotesSchema()});
  ASSERT_NE(store, nullptr);
  handle.Bind(store->plugin_storage());
  EXPECT_TRUE(handle.Transact(Insert("a", "b")).ok());
  EXPECT_EQ(CountNotes(handle), 1);
  handle.Bind(nullptr);
  EXPECT_EQ(handle.Query("SELECT 1").status().code(), StatusCode::kFailedPrecondition);
}

TEST_P(SqlitePluginStorageTest, OpenExistingStoreNeedsTheFile) {
  Result<std::unique_ptr<Store>> missing = OpenExistingStore(DbPath(), {NotesSchema()});
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("no database at " + DbPath()));
  { ASSERT_NE(Open(), nullptr); }
  Result<std::unique_ptr<Store>> opened = OpenExistingStore(DbPath(), {NotesSchema()});
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(CountNotes(*(*opened)->plugin_storage()), 0);  // migrated on the way
}

INSTANTIATE_TEST_SUITE_P(Backends, PluginStorageTest, STEADFAST_STORE_BACKENDS);
INSTANTIATE_TEST_SUITE_P(Sqlite, SqlitePluginStorageTest, ::testing::Values(testing_support::StoreBackend::kSqlite),
                         testing_support::StoreBackendName);

}  // namespace
}  // namespace steadfast
