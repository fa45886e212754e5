// Plugin writes in the checkpoint's transaction (ActivityContext::AtCheckpoint)
// through the real engine and a real SQLite file: they commit with the
// attempt's outcome, a refused write fails the attempt as the retryable
// checkpoint_write_failed with nothing of it kept, and the retry reads the
// row that won.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "core/stderr_logger.h"
#include "runtime/engine.h"
#include "steadfast/history.h"
#include "store/sqlite/sqlite_store.h"
#include "subprocess.h"

namespace steadfast {
namespace {

using namespace std::chrono_literals;

PluginSchema TallySchema() {
  PluginSchema s;
  s.plugin = "tally";
  s.migrations.push_back({1, "rows", "CREATE TABLE tally_rows (key TEXT PRIMARY KEY, who TEXT NOT NULL)"});
  return s;
}

Status InsertRow(PluginTransaction& tx, const std::string& key, const std::string& who) {
  return tx.Execute("INSERT INTO tally_rows (key, who) VALUES (?, ?)", {key, who}).status();
}

class CheckpointWriteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SqliteStoreOptions so;
    so.path = dir_.File("engine.db");
    so.plugin_schemas = {TallySchema()};
    auto store = OpenSqliteStore(so);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    // Writes its row with the checkpoint.
    ASSERT_TRUE(registry_
                    .Register("tally.add",
                              [](ActivityContext& ctx) -> ActivityResult {
                                const std::string key = ctx.idempotency_key();
                                ctx.AtCheckpoint([key](PluginTransaction& tx) { return InsertRow(tx, key, "step"); });
                                return Value(Value::Map{{"key", key}});
                              })
                    .ok());
    // First attempt: someone else writes the row while it runs, so its own
    // checkpoint write conflicts. Later attempts read the winner instead.
    ASSERT_TRUE(registry_
                    .Register("tally.race",
                              [](ActivityContext& ctx) -> ActivityResult {
                                const std::string key = ctx.idempotency_key();
                                auto rows = ctx.storage()->Query("SELECT who FROM tally_rows WHERE key = ?", {key});
                                if (!rows.ok()) return ActivityError::Retryable("read", rows.status().message());
                                if (!rows->empty()) return Value(Value::Map{{"winner", (*rows)[0][0]}});
                                Status other = ctx.storage()->Transact(
                                    [key](PluginTransaction& tx) { return InsertRow(tx, key, "other writer"); });
                                if (!other.ok()) return ActivityError::Retryable("other", other.message());
                                ctx.AtCheckpoint([key](PluginTransaction& tx) { return InsertRow(tx, key, "step"); });
                                return Value(Value::Map{{"winner", "step"}});
                              })
                    .ok());
    // Fails for good, recording why in its tables with the failure.
    ASSERT_TRUE(registry_
                    .Register("tally.refuse",
                              [](ActivityContext& ctx) -> ActivityResult {
                                const std::string key = ctx.idempotency_key();
                                ctx.AtCheckpoint([key](PluginTransaction& tx) { return InsertRow(tx, key, "refused"); });
                                return ActivityError::NonRetryable("refused", "no");
                              })
                    .ok());
    catalog_ = std::make_unique<WorkflowCatalog>(&registry_);
    for (const char* activity : {"add", "race", "refuse"}) {
      std::string yaml = std::string("name: w_") + activity +
                         "\nversion: 1\ndefaults: { retry: { max_attempts: 3, initial_interval: 10ms } }\n"
                         "steps:\n  - id: s\n    activity: tally." +
                         activity + "\n";
      ASSERT_TRUE(catalog_->AddSource(yaml, "test.yaml").ok()) << activity;
    }
    EngineOptions eo;
    eo.workers = 2;
    eo.poll_interval_ms = 20;
    eo.lease_ms = 5000;
    eo.node_name = "test";
    engine_ = std::make_unique<Engine>(eo, *store_, *catalog_, registry_, SystemClock::Instance(), random_, logger_);
    ASSERT_TRUE(engine_->Start().ok());
  }
  void TearDown() override { engine_->Stop(); }

  InstanceRecord Run(const std::string& workflow) {
    StartOptions so;
    so.workflow = workflow;
    so.input = Value::Map{};
    so.requested_by = "requester";
    auto started = engine_->service().Start(so);
    EXPECT_TRUE(started.ok()) << started.status().ToString();
    if (!started.ok()) return {};
    const std::string id = started->instance.id;
    for (auto deadline = std::chrono::steady_clock::now() + 10s; std::chrono::steady_clock::now() < deadline;) {
      auto r = store_->GetInstance(id);
      if (r.ok() && *r && IsTerminal((*r)->status)) return **r;
      std::this_thread::sleep_for(5ms);
    }
    ADD_FAILURE() << id << " did not finish";
    return {};
  }
  std::vector<Row> Rows(const std::string& id) {
    auto rows = store_->plugin_storage()->Query("SELECT who FROM tally_rows WHERE key = ?", {id + "/s"});
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    return rows.ok() ? *rows : std::vector<Row>{};
  }
  std::vector<HistoryEvent> StepEvents(const std::string& id) {
    std::vector<HistoryEvent> out;
    auto h = store_->GetHistory(id, 0, 0);
    EXPECT_TRUE(h.ok());
    for (const HistoryEvent& e : *h) {
      if (e.step_id == "s" && (e.type == history::kAttemptSucceeded || e.type == history::kAttemptFailed)) {
        out.push_back(e);
      }
    }
    return out;
  }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  ActivityRegistry registry_;
  std::unique_ptr<WorkflowCatalog> catalog_;
  SystemRandom random_;
  StderrLogger logger_{LogLevel::kError};
  std::unique_ptr<Engine> engine_;
};

TEST_F(CheckpointWriteTest, WritesCommitWithTheAttemptsCheckpoint) {
  InstanceRecord done = Run("w_add");
  ASSERT_EQ(done.status, InstanceStatus::kCompleted);
  std::vector<Row> rows = Rows(done.id);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0], Value("step"));
  std::vector<HistoryEvent> events = StepEvents(done.id);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, history::kAttemptSucceeded);
}

TEST_F(CheckpointWriteTest, ARefusedWriteFailsTheAttemptAndTheRetrySeesTheWinner) {
  InstanceRecord done = Run("w_race");
  ASSERT_EQ(done.status, InstanceStatus::kCompleted) << done.error_code << ": " << done.error_message;
  std::vector<HistoryEvent> events = StepEvents(done.id);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].type, history::kAttemptFailed);
  EXPECT_EQ(events[0].attempt, 1);
  EXPECT_EQ(events[0].data.Get("code"), Value("checkpoint_write_failed"));
  EXPECT_EQ(events[0].data.Get("retryable"), Value(true));
  EXPECT_NE(events[0].data.Get("message").StringOr("").find("conflict"), std::string::npos)
      << events[0].data.ToJson();
  EXPECT_EQ(events[1].type, history::kAttemptSucceeded);
  EXPECT_EQ(events[1].data.Get("output").Get("winner"), Value("other writer"));
  std::vector<Row> rows = Rows(done.id);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0], Value("other writer"));
}

TEST_F(CheckpointWriteTest, WritesOfAFailedAttemptCommitWithItsFailure) {
  InstanceRecord done = Run("w_refuse");
  ASSERT_EQ(done.status, InstanceStatus::kFailed);
  std::vector<Row> rows = Rows(done.id);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0], Value("refused"));
  std::vector<HistoryEvent> events = StepEvents(done.id);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data.Get("code"), Value("refused"));
}

}  // namespace
}  // namespace steadfast
