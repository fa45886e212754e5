// The refund plugin's tables as engine-kept migrations: a fresh database
// gets every version (6: the settlement event tables); a database made before
// plugin state moved into the engine (engine schema 3, the refund tables created by the plugin's own
// connection, rows in them, no record of any plugin migration) is adopted
// as it is, and postings made afterwards take ids after the old ones.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "raw_db.h"
#include "refund/refund_store.h"
#include "refund_tables.h"
#include "store/sqlite/sqlite_store.h"

namespace steadfast::refund {
namespace {

// The DDL the plugin ran itself before (refund_store.cc at the commit that
// moved plugin state into the engine). Frozen: if this test breaks, the
// adoption broke, not this text.
constexpr const char* kOldPluginDdl = R"sql(
CREATE TABLE IF NOT EXISTS refund_records (
  idempotency_key TEXT PRIMARY KEY,
  workflow_id TEXT NOT NULL,
  reservation_id TEXT NOT NULL,
  customer_id TEXT NOT NULL DEFAULT '',
  payment_method TEXT NOT NULL DEFAULT '',
  psp_refund_id TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL,
  amount_minor INTEGER NOT NULL,
  currency TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS refund_records_reservation ON refund_records(reservation_id);
CREATE INDEX IF NOT EXISTS refund_records_customer ON refund_records(customer_id, created_ms);
CREATE INDEX IF NOT EXISTS refund_records_method ON refund_records(payment_method, created_ms);
CREATE TABLE IF NOT EXISTS refund_claims (
  reservation_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  workflow_id TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  PRIMARY KEY (reservation_id, kind));
CREATE TABLE IF NOT EXISTS ledger_transactions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  idempotency_key TEXT NOT NULL UNIQUE,
  workflow_id TEXT NOT NULL,
  reference TEXT NOT NULL,
  kind TEXT NOT NULL,
  description TEXT NOT NULL,
  posted_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS ledger_entries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  transaction_id INTEGER NOT NULL REFERENCES ledger_transactions(id),
  account TEXT NOT NULL,
  direction TEXT NOT NULL CHECK (direction IN ('debit', 'credit')),
  amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
  currency TEXT NOT NULL,
  memo TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS ledger_entries_txn ON ledger_entries(transaction_id);
CREATE TABLE IF NOT EXISTS ledger_audit (
  transaction_id INTEGER PRIMARY KEY REFERENCES ledger_transactions(id),
  actor TEXT NOT NULL,
  reason TEXT NOT NULL,
  drift_kind TEXT NOT NULL,
  subject TEXT NOT NULL,
  reverses_transaction_id INTEGER NOT NULL DEFAULT 0,
  created_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS reconciliation_runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  run_at_ms INTEGER NOT NULL,
  actor TEXT NOT NULL,
  drifts TEXT NOT NULL,
  amounts TEXT NOT NULL,
  repaired INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS manual_review_cases (
  id TEXT PRIMARY KEY,
  idempotency_key TEXT NOT NULL UNIQUE,
  workflow_id TEXT NOT NULL,
  subject TEXT NOT NULL,
  reason TEXT NOT NULL,
  details TEXT NOT NULL,
  status TEXT NOT NULL,
  created_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS rmas (
  id TEXT PRIMARY KEY,
  idempotency_key TEXT NOT NULL UNIQUE,
  workflow_id TEXT NOT NULL,
  order_id TEXT NOT NULL,
  status TEXT NOT NULL,
  close_reason TEXT NOT NULL DEFAULT '',
  details TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS loyalty_adjustments (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  idempotency_key TEXT NOT NULL UNIQUE,
  customer_id TEXT NOT NULL,
  points INTEGER NOT NULL,
  reason TEXT NOT NULL,
  created_ms INTEGER NOT NULL);
)sql";

void Exec(const std::string& path, const std::string& sql) { testing_support::RawDb(path).Exec(sql); }

class RefundSchemaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "/refund_schema_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db";
    Remove();
  }
  void TearDown() override { Remove(); }
  void Remove() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix);
  }
  std::vector<std::pair<std::string, int>> PluginVersions(Store& store) {
    auto v = dynamic_cast<SqliteStore&>(store).SchemaVersions();
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? v->plugins : std::vector<std::pair<std::string, int>>{};
  }
  std::string path_;
};

TEST_F(RefundSchemaTest, FreshDatabaseGetsEveryVersion) {
  auto tables = ::steadfast::testing::OpenRefundTables(path_);
  ASSERT_TRUE(tables.ok()) << tables.status().ToString();
  EXPECT_EQ(PluginVersions(*tables->store), (std::vector<std::pair<std::string, int>>{{"refund", 7}}));
  LedgerTransaction t{"wf-1/ledger", "wf-1", "res-1", "manual", "", {}};
  t.entries = {{"guest_refund", Direction::kDebit, 500, "EUR", ""}, {"psp_clearing", Direction::kCredit, 500, "EUR", ""}};
  auto posted = (*tables)->PostTransaction(t, 10);
  ASSERT_TRUE(posted.ok()) << posted.status().ToString();
  EXPECT_EQ(posted->id, 1);
  EXPECT_FALSE(posted->replayed);
  auto again = (*tables)->PostTransaction(t, 11);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->id, 1);
}

TEST_F(RefundSchemaTest, ADatabaseMadeByThePluginItselfIsAdoptedAsItIs) {
  {
    // An engine database as a release before plugin migrations left it...
    SqliteStoreOptions o;
    o.path = path_;
    auto store = OpenSqliteStore(o);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
  }
  testing_support::RollBackEngineSchema(path_, 3);
  // ...with the refund tables the plugin created over its own connection.
  Exec(path_, kOldPluginDdl);
  Exec(path_,
       "INSERT INTO ledger_transactions (id, idempotency_key, workflow_id, reference, kind, description, posted_ms) "
       "VALUES (5, 'old/ledger', 'old', 'res-9', 'reservation_refund', '', 100);"
       "INSERT INTO ledger_entries (transaction_id, account, direction, amount_minor, currency, memo) VALUES "
       "(5, 'guest_refund', 'debit', 700, 'EUR', ''), (5, 'psp_clearing', 'credit', 700, 'EUR', '');"
       "INSERT INTO refund_records VALUES ('old/psp', 'old', 'res-9', 'c1', 'pm', 're_1', 'succeeded', 700, 'EUR', 1, 2);"
       "INSERT INTO rmas (id, idempotency_key, workflow_id, order_id, status, details, created_ms, updated_ms) "
       "VALUES ('rma_x', 'x', 'old', 'o-1', 'open', '{}', 1, 1);");

  auto tables = ::steadfast::testing::OpenRefundTables(path_);
  ASSERT_TRUE(tables.ok()) << tables.status().ToString();
  EXPECT_EQ(PluginVersions(*tables->store), (std::vector<std::pair<std::string, int>>{{"refund", 7}}));

  auto stored = (*tables)->LedgerTransactions();
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_EQ((*stored)[0].posted.id, 5);
  EXPECT_EQ((*stored)[0].posted.txn.entries.size(), 2u);
  auto records = (*tables)->ActiveRefundsOf("res-9");
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 1u);
  EXPECT_EQ((*records)[0].psp_refund_id, "re_1");
  EXPECT_EQ(*(*tables)->RmaStatus("rma_x"), "open");

  // The old posting replays under its key; a new one comes after it.
  LedgerTransaction old{"old/ledger", "old", "res-9", "reservation_refund", "", {}};
  old.entries = {{"guest_refund", Direction::kDebit, 700, "EUR", ""}, {"psp_clearing", Direction::kCredit, 700, "EUR", ""}};
  auto replay = (*tables)->PostTransaction(old, 200);
  ASSERT_TRUE(replay.ok()) << replay.status().ToString();
  EXPECT_TRUE(replay->replayed);
  EXPECT_EQ(replay->id, 5);
  LedgerTransaction fresh = old;
  fresh.idempotency_key = "new/ledger";
  auto posted = (*tables)->PostTransaction(fresh, 200);
  ASSERT_TRUE(posted.ok()) << posted.status().ToString();
  EXPECT_EQ(posted->id, 6);
}

TEST_F(RefundSchemaTest, ANewerRefundSchemaIsRefusedByThisBinary) {
  { ASSERT_TRUE(::steadfast::testing::OpenRefundTables(path_).ok()); }
  Exec(path_, "INSERT INTO plugin_migrations VALUES ('refund', 8, 'from the future', 1)");
  auto tables = ::steadfast::testing::OpenRefundTables(path_);
  ASSERT_FALSE(tables.ok());
  EXPECT_EQ(tables.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(tables.status().message().find("version 8 of the 'refund' plugin's tables"), std::string::npos)
      << tables.status().message();
}

}  // namespace
}  // namespace steadfast::refund
