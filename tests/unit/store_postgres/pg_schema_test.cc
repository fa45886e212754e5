// The PostgreSQL schema and its migrations against a real cluster, and its
// shape against the SQLite schema the same binary would create.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "pg_test_env.h"
#include "store/postgres/pg_schema.h"
#include "store/postgres/pg_transaction.h"
#include "store/sqlite/connection.h"
#include "store/sqlite/schema.h"

namespace steadfast {
namespace {

using pgtest::PgTest;

// One column as both backends are compared: name, type, NOT NULL, default.
struct ColumnShape {
  std::string name, type;
  bool not_null = false;
  std::string default_value;  // "" = none
  bool operator==(const ColumnShape&) const = default;
};
struct IndexShape {
  std::string columns;  // comma-separated, in index order
  bool unique = false, partial = false;
  bool operator==(const IndexShape&) const = default;
};
struct TableShape {
  std::vector<ColumnShape> columns;
  std::string primary_key;  // comma-separated
  std::map<std::string, IndexShape> indexes;  // by name, primary key excluded
  bool operator==(const TableShape&) const = default;
};
using SchemaShape = std::map<std::string, TableShape>;

std::ostream& operator<<(std::ostream& os, const TableShape& t) {
  os << "{pk " << t.primary_key << ";";
  for (const auto& c : t.columns) {
    os << " " << c.name << " " << c.type << (c.not_null ? " not null" : "")
       << (c.default_value.empty() ? "" : " default " + c.default_value) << ",";
  }
  for (const auto& [name, i] : t.indexes) {
    os << " index " << name << "(" << i.columns << ")" << (i.unique ? " unique" : "") << (i.partial ? " partial" : "")
       << ";";
  }
  return os << "}";
}

// The SQLite schema at kSqliteSchemaVersion, translated the way
// pg_migration_v1.cc says: INTEGER -> bigint, TEXT -> text, BLOB -> bytea.
SchemaShape SqliteShape() {
  SchemaShape shape;
  std::string path = (std::filesystem::temp_directory_path() / fmt::format("sf_pg_shape_{}.db", getpid())).string();
  std::filesystem::remove(path);
  ConnectionOptions options;
  options.path = path;
  options.create = true;
  auto conn = Connection::Open(options);
  EXPECT_TRUE(conn.ok()) << conn.status().message();
  if (!conn.ok()) return shape;
  Status migrated = MigrateSchema(**conn);
  EXPECT_TRUE(migrated.ok()) << migrated.message();
  auto each = [&](const std::string& sql, auto&& fn) {
    auto stmt = (*conn)->Prepare(sql);
    EXPECT_TRUE(stmt.ok()) << stmt.status().message();
    if (!stmt.ok()) return;
    while (true) {
      auto row = (*stmt)->Step();
      EXPECT_TRUE(row.ok()) << row.status().message();
      if (!row.ok() || !*row) break;
      fn(**stmt);
    }
  };
  std::vector<std::string> tables;
  // Spreading instances over files is SQLite's (docs/store.md "Shards"):
  // its tables have no PostgreSQL twin.
  each("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
       "AND name NOT IN ('shard_layout', 'shard_redo', 'shard_redo_applied') ORDER BY name",
       [&](Statement& s) { tables.push_back(s.ColumnText(0)); });
  for (const std::string& table : tables) {
    TableShape t;
    std::map<int, std::string> pk;
    each(fmt::format("SELECT name, type, \"notnull\", pk, dflt_value FROM pragma_table_info('{}') ORDER BY cid", table),
         [&](Statement& s) {
           std::string type = s.ColumnText(1);
           std::string pg_type = type == "INTEGER" ? "bigint" : type == "TEXT" ? "text" : type == "BLOB" ? "bytea" : type;
           int key = static_cast<int>(s.ColumnInt(3));
           if (key > 0) pk[key] = s.ColumnText(0);
           // A primary key column is NOT NULL in PostgreSQL whatever SQLite says.
           t.columns.push_back({s.ColumnText(0), pg_type, s.ColumnInt(2) != 0 || key > 0,
                                s.ColumnIsNull(4) ? "" : s.ColumnText(4)});
         });
    for (const auto& [_, name] : pk) t.primary_key += (t.primary_key.empty() ? "" : ",") + name;
    std::vector<std::string> index_names;
    std::map<std::string, IndexShape> indexes;
    each(fmt::format("SELECT name, \"unique\", partial FROM pragma_index_list('{}') WHERE origin = 'c'", table),
         [&](Statement& s) {
           indexes[s.ColumnText(0)] = {"", s.ColumnInt(1) != 0, s.ColumnInt(2) != 0};
         });
    for (auto& entry : indexes) {  // not a structured binding: clang 14 cannot capture one
      IndexShape& index = entry.second;
      each(fmt::format("SELECT name FROM pragma_index_info('{}') ORDER BY seqno", entry.first), [&](Statement& s) {
        index.columns += (index.columns.empty() ? "" : ",") + s.ColumnText(0);
      });
    }
    t.indexes = std::move(indexes);
    shape[table] = std::move(t);
  }
  conn->reset();
  std::filesystem::remove(path);
  return shape;
}

// The same from PostgreSQL's catalogs, for the connection's current schema.
// Text columns must be COLLATE "C" (checked here, not compared).
SchemaShape PgShape(PgConnection& conn) {
  SchemaShape shape;
  auto columns = conn.Exec(
      "SELECT table_name, column_name, data_type, is_nullable, coalesce(column_default, ''), "
      "coalesce(collation_name, ''), is_identity "
      "FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position");
  EXPECT_TRUE(columns.ok()) << columns.status().message();
  if (!columns.ok()) return shape;
  for (int r = 0; r < columns->rows(); ++r) {
    std::string table = *columns->Text(r, 0), name = *columns->Text(r, 1), type = *columns->Text(r, 2);
    std::string def = *columns->Text(r, 4);
    if (def.ends_with("::text")) def = def.substr(0, def.size() - 6);
    if (type == "text") {
      EXPECT_EQ(*columns->Text(r, 5), "C") << table << "." << name << " must be COLLATE \"C\"";
    }
    shape[table].columns.push_back({name, type, *columns->Text(r, 3) == "NO", def});
  }
  auto indexes = conn.Exec(
      "SELECT t.relname, i.relname, ix.indisprimary, ix.indisunique, ix.indpred IS NOT NULL, "
      "  (SELECT string_agg(a.attname, ',' ORDER BY k.o) FROM unnest(ix.indkey) WITH ORDINALITY k(n, o) "
      "   JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.n) "
      "FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_class t ON t.oid = ix.indrelid "
      "WHERE t.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())");
  EXPECT_TRUE(indexes.ok()) << indexes.status().message();
  if (!indexes.ok()) return shape;
  for (int r = 0; r < indexes->rows(); ++r) {
    TableShape& t = shape[*indexes->Text(r, 0)];
    if (*indexes->Text(r, 2) == "t") {
      t.primary_key = *indexes->Text(r, 5);
    } else {
      t.indexes[*indexes->Text(r, 1)] = {*indexes->Text(r, 5), *indexes->Text(r, 3) == "t",
                                         *indexes->Text(r, 4) == "t"};
    }
  }
  return shape;
}

Result<int> VersionOf(const std::string& url) {
  auto conn = pgtest::MustConnect(url);
  if (conn == nullptr) return Status::Internal("no connection");
  return ReadPgSchemaVersion(*conn);
}

class PgSchemaTest : public PgTest {};

TEST_F(PgSchemaTest, EmptyDatabaseIsVersionZero) {
  auto conn = Connect();
  ASSERT_NE(conn, nullptr);
  auto v = ReadPgSchemaVersion(*conn);
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_EQ(*v, 0);
}

TEST_F(PgSchemaTest, MigrateCreatesEveryTableOfTheSqliteSchemaAndSetsTheVersion) {
  auto conn = Connect();
  ASSERT_NE(conn, nullptr);
  Status migrated = MigratePgSchema(*conn);
  ASSERT_TRUE(migrated.ok()) << migrated.ToString();
  auto v = ReadPgSchemaVersion(*conn);
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_EQ(*v, kPgSchemaVersion);
  auto rows = conn->Exec("SELECT count(*) FROM schema_version");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(*rows->Int64(0, 0), 1);

  SchemaShape pg = PgShape(*conn);
  SchemaShape sqlite = SqliteShape();
  ASSERT_FALSE(sqlite.empty());
  // schema_version: the same one column, but an INTEGER PRIMARY KEY-less
  // table on both sides; compared like the rest.
  std::set<std::string> pg_tables, sqlite_tables;
  for (const auto& [name, _] : pg) pg_tables.insert(name);
  for (const auto& [name, _] : sqlite) sqlite_tables.insert(name);
  ASSERT_EQ(pg_tables, sqlite_tables) << "a table of one backend is missing from the other: a SQLite migration "
                                         "needs its PostgreSQL twin (engine/store/postgres/pg_migration_v*.cc)";
  for (const auto& [name, table] : sqlite) {
    EXPECT_EQ(pg[name], table) << "table " << name << " differs (PostgreSQL first, SQLite second)";
  }
  // Identity columns for SQLite's AUTOINCREMENT ones.
  auto identity = conn->Exec(
      "SELECT string_agg(table_name || '.' || column_name, ' ' ORDER BY table_name) FROM information_schema.columns "
      "WHERE table_schema = current_schema() AND is_identity = 'YES'");
  ASSERT_TRUE(identity.ok());
  EXPECT_EQ(*identity->Text(0, 0), "activity_hold_log.id signals.id tasks.id");
}

TEST_F(PgSchemaTest, TheSchemaWorksForTheQueriesTheStoreWillShare) {
  auto conn = Connect();
  ASSERT_NE(conn, nullptr);
  ASSERT_TRUE(MigratePgSchema(*conn).ok());
  // Ids come from the identity and are never reused; columns added by later
  // SQLite versions have their defaults.
  for (int i = 0; i < 2; ++i) {
    auto ins = conn->Query(
        "INSERT INTO tasks(instance_id, kind, step_id, attempt, due_at, lease_owner, lease_until, lease_token, "
        "step_started_at) VALUES ($1, 1, 's', 1, 0, '', 0, 0, 0) RETURNING id, activity, priority",
        {PgParam::Text("i-1")});
    ASSERT_TRUE(ins.ok()) << ins.status().message();
    EXPECT_EQ(*ins->Int64(0, 0), i + 1);
    EXPECT_EQ(*ins->Text(0, 1), "");
    EXPECT_EQ(*ins->Int64(0, 2), 3);
  }
  // Partial unique index: '' is no key, a repeated real key is refused.
  auto instance = [&](const std::string& id, const std::string& key) {
    return conn->Query(
        "INSERT INTO instances(id, workflow_name, workflow_version, definition_hash, status, current_step, input, "
        "output, error_code, error_message, state, idempotency_key, requested_by, traceparent, version, last_seq, "
        "created_at, updated_at, deadline_at) VALUES ($1, 'w', 1, 'h', 1, '', $2, '', '', '', '', $3, '', '', 1, 0, "
        "0, 0, 0)",
        {PgParam::Text(id), PgParam::Bytea(std::string("\0\1", 2)), PgParam::Text(key)});
  };
  EXPECT_TRUE(instance("a", "").ok());
  EXPECT_TRUE(instance("b", "").ok());
  EXPECT_TRUE(instance("c", "k").ok());
  EXPECT_EQ(instance("d", "k").status().code(), StatusCode::kAlreadyExists);
  // Bytewise order, as SQLite's: 'B' < 'a' < 'b' (a locale would say a < B < b).
  ASSERT_TRUE(instance("B", "").ok());
  auto order = conn->Exec("SELECT string_agg(id, '' ORDER BY id) FROM instances");
  ASSERT_TRUE(order.ok());
  EXPECT_EQ(*order->Text(0, 0), "Babc");
}

TEST_F(PgSchemaTest, MigrateTwiceIsANoOp) {
  auto conn = Connect();
  ASSERT_NE(conn, nullptr);
  ASSERT_TRUE(MigratePgSchema(*conn).ok());
  auto before = conn->Exec("SELECT xmin::text, (SELECT count(*) FROM pg_class) FROM schema_version");
  ASSERT_TRUE(before.ok());
  Status again = MigratePgSchema(*conn);
  ASSERT_TRUE(again.ok()) << again.ToString();
  auto after = conn->Exec("SELECT xmin::text, (SELECT count(*) FROM pg_class) FROM schema_version");
  ASSERT_TRUE(after.ok());
  // The version row was not rewritten and nothing was created.
  EXPECT_EQ(*after->Text(0, 0), *before->Text(0, 0));
  EXPECT_EQ(*after->Int64(0, 1), *before->Int64(0, 1));
  EXPECT_EQ(*VersionOf(url()), kPgSchemaVersion);
}

TEST_F(PgSchemaTest, TwoProcessesMigratingAtOnceBothSucceedWithOneSchema) {
  // Deterministic overlap: hold the migration lock, let two migrators get
  // past their unlocked check (version 0) and queue on the lock, then let
  // go. Without the lock (or its re-read) the second one would fail
  // creating tables the first one made.
  auto holder = Connect();
  ASSERT_NE(holder, nullptr);
  auto hold = PgTransaction::Begin(*holder);
  ASSERT_TRUE(hold.ok());
  ASSERT_TRUE(holder->Query("SELECT pg_advisory_xact_lock($1)", {PgParam::Int64(kPgSchemaLockKey)}).ok());

  constexpr int kMigrators = 3;
  std::vector<std::unique_ptr<PgConnection>> conns;
  std::string pids;  // the migrators' backends: other suites on the cluster migrate schemas of their own
  for (int i = 0; i < kMigrators; ++i) {
    conns.push_back(Connect());
    ASSERT_NE(conns.back(), nullptr);
    auto pid = conns.back()->Exec("SELECT pg_backend_pid()::text");
    ASSERT_TRUE(pid.ok());
    pids += (pids.empty() ? "" : ",") + *pid->Text(0, 0);
  }
  std::vector<Status> results(kMigrators);
  std::vector<std::thread> threads;
  for (int i = 0; i < kMigrators; ++i) {
    threads.emplace_back([&, i] { results[i] = MigratePgSchema(*conns[i]); });
  }
  int waiting = 0;
  for (int tries = 0; tries < 500 && waiting < kMigrators; ++tries) {
    // This lock and these backends only: other suites on the cluster queue on
    // advisory locks, this one included, while they migrate their own schemas.
    auto w = admin().Query(
        "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database "
        "WHERE l.locktype = 'advisory' AND NOT l.granted AND d.datname = current_database() AND l.objsubid = 1 "
        "AND l.classid::bigint = ($1::bigint >> 32) & 4294967295 AND l.objid::bigint = $1::bigint & 4294967295 "
        "AND l.pid = ANY(string_to_array($2, ',')::int[])",
        {PgParam::Int64(kPgSchemaLockKey), PgParam::Text(pids)});
    if (w.ok()) waiting = static_cast<int>(*w->Int64(0, 0));
    if (waiting < kMigrators) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(waiting, kMigrators) << "the migrators did not all queue on the schema lock";
  ASSERT_TRUE(hold->Commit().ok());
  for (auto& t : threads) t.join();
  for (int i = 0; i < kMigrators; ++i) EXPECT_TRUE(results[i].ok()) << i << ": " << results[i].ToString();

  auto conn = Connect();
  ASSERT_NE(conn, nullptr);
  auto rows = conn->Exec("SELECT count(*), max(version) FROM schema_version");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(*rows->Int64(0, 0), 1);
  EXPECT_EQ(*rows->Int64(0, 1), kPgSchemaVersion);
  EXPECT_EQ(PgShape(*conn).size(), SqliteShape().size());
}

TEST_F(PgSchemaTest, ANewerDatabaseIsRefusedWithAClearMessage) {
  auto conn = Connect();
  ASSERT_NE(conn, nullptr);
  ASSERT_TRUE(MigratePgSchema(*conn).ok());
  ASSERT_TRUE(conn->Query("UPDATE schema_version SET version = $1", {PgParam::Int64(kPgSchemaVersion + 1)}).ok());
  Status refused = MigratePgSchema(*conn);
  ASSERT_EQ(refused.code(), StatusCode::kFailedPrecondition) << refused.ToString();
  const std::string want = fmt::format("has steadfast schema version {}, newer than version {} that this steadfast "
                                       "binary supports",
                                       kPgSchemaVersion + 1, kPgSchemaVersion);
  EXPECT_NE(refused.message().find(want), std::string::npos) << refused.message();
  EXPECT_NE(refused.message().find(conn->redacted_url()), std::string::npos) << refused.message();
  // Untouched.
  EXPECT_EQ(*VersionOf(url()), kPgSchemaVersion + 1);
}

TEST_F(PgSchemaTest, SomeoneElsesTablesAreRefused) {
  auto conn = Connect();
  ASSERT_NE(conn, nullptr);
  ASSERT_TRUE(conn->Exec("CREATE TABLE customers (id int)").ok());
  Status refused = MigratePgSchema(*conn);
  EXPECT_EQ(refused.code(), StatusCode::kFailedPrecondition) << refused.ToString();
  EXPECT_NE(refused.message().find("not a steadfast store"), std::string::npos) << refused.message();
  auto count = conn->Exec("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()");
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count->Int64(0, 0), 1);
}

TEST_F(PgSchemaTest, ADamagedVersionTableIsCorruption) {
  auto conn = Connect();
  ASSERT_NE(conn, nullptr);
  ASSERT_TRUE(MigratePgSchema(*conn).ok());
  ASSERT_TRUE(conn->Exec("INSERT INTO schema_version VALUES (1)").ok());
  EXPECT_EQ(MigratePgSchema(*conn).code(), StatusCode::kCorruption);
  ASSERT_TRUE(conn->Exec("DELETE FROM schema_version; INSERT INTO schema_version VALUES (-4)").ok());
  EXPECT_EQ(MigratePgSchema(*conn).code(), StatusCode::kCorruption);
}

TEST_F(PgSchemaTest, AMigrationFailingHalfWayLeavesNothingBehind) {
  auto conn = Connect();
  ASSERT_NE(conn, nullptr);
  // A type (not a table: the schema still looks empty) named like the
  // fourth table: CREATE TABLE history fails after three tables were made.
  ASSERT_TRUE(conn->Exec("CREATE TYPE history AS (x int)").ok());
  Status failed = MigratePgSchema(*conn);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.message().find("history"), std::string::npos) << failed.ToString();
  EXPECT_FALSE(conn->InTransaction());
  auto tables = conn->Exec("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()");
  ASSERT_TRUE(tables.ok());
  EXPECT_EQ(*tables->Int64(0, 0), 0);
  EXPECT_EQ(*ReadPgSchemaVersion(*conn), 0);
  // Once the obstacle is gone, the same connection migrates.
  ASSERT_TRUE(conn->Exec("DROP TYPE history").ok());
  Status migrated = MigratePgSchema(*conn);
  ASSERT_TRUE(migrated.ok()) << migrated.ToString();
  EXPECT_EQ(*ReadPgSchemaVersion(*conn), kPgSchemaVersion);
}

}  // namespace
}  // namespace steadfast
