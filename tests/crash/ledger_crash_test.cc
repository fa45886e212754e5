// Crash test of a ledger posting written in the checkpoint's transaction
// (issue 11): the real `steadfast serve` with the refund plugin runs a
// workflow whose middle step is refund.post_ledger, and is killed (exit
// 137, as kill -9 leaves it) at every crash point around that step: before
// and after the activity, inside the checkpoint transaction once the
// posting is written, just before and just after its COMMIT, and after the
// checkpoint. After a restart the workflow completes with exactly one
// ledger posting, and the history agrees with it: one successful attempt
// of the ledger step, whose output names that posting.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <map>
#include <string>
#include <thread>

#include "refund/refund_store.h"
#include "steadfast/history.h"
#include "core/random.h"
#include "runtime/workflow_catalog.h"
#include "runtime/workflow_service.h"
#include "store/sqlite/shard_layout.h"
#include "store/sqlite/sqlite_store.h"
#include "subprocess.h"

namespace steadfast {
namespace {

using testing::Subprocess;
using testing::TempDir;

struct LedgerCrashCase {
  std::string point;  // STEADFAST_CRASH_AT
  int shards = 1;     // > 1: the store spread over that many files, the workflow outside the home file
};

class LedgerCrashTest : public ::testing::TestWithParam<LedgerCrashCase> {
 protected:
  void SetUp() override {
    config_ = dir_.File("steadfast.yaml");
    db_ = dir_.File("engine.db");
    testing::WriteFile(config_, "database: " + db_ + "\nworkflows_dir: " + std::string(STEADFAST_LEDGER_CRASH_DATA) +
                                    "\nworkers: 2\nnode_name: ledgernode\nlease: 5s\npoll_interval: 20ms\n"
                                    "plugin_config:\n  refund:\n    policies: " +
                                    std::string(STEADFAST_REFUND_POLICIES) + "\n" +
                                    (Shards() > 1 ? "shards: " + std::to_string(Shards()) + "\n" : ""));
    auto store = OpenSqliteStore(SqliteStoreOptions{.path = db_, .shards = Shards()});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    catalog_ = std::make_unique<WorkflowCatalog>(nullptr);
    ASSERT_TRUE(catalog_->AddDirectory(STEADFAST_LEDGER_CRASH_DATA).empty());
    service_ = std::make_unique<WorkflowService>(*store_, *catalog_, SystemClock::Instance(), random_);
  }

  std::unique_ptr<Subprocess> Serve(const std::string& crash_at, const std::string& log) {
    return std::make_unique<Subprocess>(std::vector<std::string>{STEADFAST_BIN, "serve", "--config", config_},
                                        std::map<std::string, std::string>{{"STEADFAST_CRASH_AT", crash_at}},
                                        dir_.File(log));
  }

  // Restarts serve (no crash point) until the instance has finished, then
  // stops it and returns the instance.
  std::optional<InstanceRecord> ServeUntilFinished(const std::string& id) {
    auto serve = Serve("", "serve.log");
    const bool finished = WaitForCompletion(id, 30000);
    serve->Kill(SIGTERM);
    serve->Wait(10000);
    EXPECT_TRUE(finished) << testing::ReadFile(dir_.File("serve.log"));
    auto inst = store_->GetInstance(id);
    return finished && inst.ok() ? *inst : std::nullopt;
  }

  // The refund plugin's view of the database (its ledger, its cases).
  std::unique_ptr<Store> OpenLedgerStore() {
    auto opened = OpenExistingStore(db_, {refund::RefundStore::Schema()});
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    return opened.ok() ? std::move(opened).value() : nullptr;
  }

  bool WaitForCompletion(const std::string& id, int timeout_ms) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < deadline) {
      auto r = store_->GetInstance(id);
      if (r.ok() && r->has_value() && IsTerminal((*r)->status)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  virtual int Shards() const { return GetParam().shards; }

  TempDir dir_;
  std::string config_, db_;
  SystemRandom random_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<WorkflowCatalog> catalog_;
  std::unique_ptr<WorkflowService> service_;
};

TEST_P(LedgerCrashTest, ExactlyOnePostingAndHistoryAgreeingWithIt) {
  // On shards, an instance outside the home file, where the ledger is: its
  // posting and its checkpoint commit in two files (shard_redo.h).
  const std::string id = GetParam().shards > 1 ? "wf-ledger-2" : "wf-ledger";
  if (GetParam().shards > 1) ASSERT_NE(ShardOf(id, GetParam().shards), 0);
  StartOptions so;
  so.workflow = "ledger_crash";
  so.id = id;
  so.input = Value::Map{{"reference", "res-77"}};
  so.requested_by = "tester";
  ASSERT_TRUE(service_->Start(so).ok());

  {
    auto crashing = Serve(GetParam().point, "crash.log");
    auto code = crashing->Wait(30000);
    ASSERT_TRUE(code.has_value()) << "serve did not reach crash point " << GetParam().point << "\n"
                                  << testing::ReadFile(dir_.File("crash.log"));
    ASSERT_EQ(*code, 137) << testing::ReadFile(dir_.File("crash.log"));
  }
  std::optional<InstanceRecord> inst = ServeUntilFinished(id);
  ASSERT_TRUE(inst.has_value());
  ASSERT_EQ(inst->status, InstanceStatus::kCompleted) << inst->error_code << ": " << inst->error_message;

  // Exactly one posting, with its two entries, under the step's key.
  std::unique_ptr<Store> opened = OpenLedgerStore();
  ASSERT_NE(opened, nullptr);
  refund::RefundStore ledger(*opened->plugin_storage());
  auto txns = ledger.LedgerTransactions();
  ASSERT_TRUE(txns.ok()) << txns.status().ToString();
  ASSERT_EQ(txns->size(), 1u) << "postings: " << txns->size();
  const refund::PostedTransaction& posted = (*txns)[0].posted;
  EXPECT_EQ(posted.txn.idempotency_key, id + "/ledger");
  EXPECT_EQ(posted.txn.workflow_id, id);
  EXPECT_EQ(posted.txn.reference, "res-77");
  EXPECT_EQ(posted.txn.entries.size(), 2u);
  auto entries = ledger.LedgerEntries(id);
  ASSERT_TRUE(entries.ok());
  EXPECT_EQ(entries->size(), 2u);

  // The history agrees: one successful ledger attempt naming that posting,
  // attempts numbered 1..n with one outcome each, and the workflow output.
  auto history = store_->GetHistory(id, 0, 0);
  ASSERT_TRUE(history.ok());
  int successes = 0;
  std::vector<int> attempts;
  for (const HistoryEvent& e : *history) {
    if (e.step_id != "ledger") continue;
    if (e.type == history::kAttemptSucceeded || e.type == history::kAttemptFailed ||
        e.type == history::kAttemptAbandoned) {
      attempts.push_back(e.attempt);
    }
    if (e.type != history::kAttemptSucceeded) continue;
    ++successes;
    EXPECT_EQ(e.data.Get("output").Get("transaction_id"), Value(posted.id));
    EXPECT_EQ(e.data.Get("output").Get("replayed"), Value(false))
        << "the posting was found made before its checkpoint: not written in the checkpoint's transaction";
  }
  EXPECT_EQ(successes, 1);
  for (size_t i = 0; i < attempts.size(); ++i) EXPECT_EQ(attempts[i], static_cast<int>(i + 1));
  EXPECT_EQ(inst->output.Get("ledger_transaction"), Value(posted.id));
}

// A cancel that arrives while the last step posts the refund waits for
// that attempt (it may post), which does; the stop then compensates the
// money step with refund.record_unfinished_refund, which must find the
// workflow's posting rather than book the refund a second time (found by
// the chaos soak: reconcile reported duplicate_ledger_posting).
class LedgerCancelTest : public LedgerCrashTest {
 protected:
  int Shards() const override { return 1; }
};

TEST_F(LedgerCancelTest, ACancelWhileTheLedgerStepRunsBooksTheRefundOnce) {
  const std::string id = "wf-ledger-cancel";
  StartOptions so;
  so.workflow = "ledger_cancel";
  so.id = id;
  so.input = Value::Map{{"reference", "res-88"}};
  so.requested_by = "tester";
  ASSERT_TRUE(service_->Start(so).ok());
  {
    // Dies with the ledger step's task claimed: its attempt may have started.
    auto crashing = Serve("before_activity:ledger", "crash.log");
    ASSERT_EQ(crashing->Wait(30000).value_or(-1), 137) << testing::ReadFile(dir_.File("crash.log"));
  }
  Result<InstanceRecord> cancelled = service_->Cancel(id, "tester", "customer withdrew");
  ASSERT_TRUE(cancelled.ok()) << cancelled.status().ToString();
  std::optional<InstanceRecord> inst = ServeUntilFinished(id);
  ASSERT_TRUE(inst.has_value());
  EXPECT_EQ(inst->status, InstanceStatus::kCancelled) << inst->error_code << ": " << inst->error_message;

  std::unique_ptr<Store> opened = OpenLedgerStore();
  ASSERT_NE(opened, nullptr);
  refund::RefundStore ledger(*opened->plugin_storage());
  auto txns = ledger.LedgerTransactions();
  ASSERT_TRUE(txns.ok()) << txns.status().ToString();
  ASSERT_EQ(txns->size(), 1u) << "the refund was booked " << txns->size() << " times";
  EXPECT_EQ((*txns)[0].posted.txn.idempotency_key, id + "/ledger");
  // The compensation ran, reported the workflow's posting and opened the review case.
  auto history = store_->GetHistory(id, 0, 0);
  ASSERT_TRUE(history.ok());
  int compensated = 0;
  for (const HistoryEvent& e : *history) {
    if (e.type != history::kCompensationSucceeded) continue;
    ++compensated;
    EXPECT_EQ(e.data.Get("output").Get("ledger").Get("transaction_id"), Value((*txns)[0].posted.id));
    EXPECT_EQ(e.data.Get("output").Get("ledger").Get("replayed"), Value(true));
  }
  EXPECT_EQ(compensated, 1);
  auto reviews = ledger.CountManualReviews(id);
  ASSERT_TRUE(reviews.ok());
  EXPECT_EQ(*reviews, 1);
}

std::string LedgerCaseName(const ::testing::TestParamInfo<LedgerCrashCase>& info) {
  std::string n = info.param.point + (info.param.shards > 1 ? "_sharded" : "");
  for (char& ch : n) {
    if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return n;
}

// Every crash point around the ledger step, in the order they are passed.
INSTANTIATE_TEST_SUITE_P(AroundTheLedgerStep, LedgerCrashTest,
                         ::testing::Values(LedgerCrashCase{"after_claim:ledger"},
                                           LedgerCrashCase{"before_activity:ledger"},
                                           LedgerCrashCase{"after_activity:ledger"},
                                           LedgerCrashCase{"store.plugin_writes"},
                                           LedgerCrashCase{"store.before_plugin_commit"},
                                           LedgerCrashCase{"store.after_plugin_commit"},
                                           LedgerCrashCase{"after_checkpoint:ledger"}),
                         LedgerCaseName);

// The same on three shards, and between the home file's commit (the
// posting and the checkpoint's changeset) and the shard's.
INSTANTIATE_TEST_SUITE_P(AroundTheLedgerStepOnShards, LedgerCrashTest,
                         ::testing::Values(LedgerCrashCase{"after_activity:ledger", 3},
                                           LedgerCrashCase{"store.plugin_writes", 3},
                                           LedgerCrashCase{"store.before_plugin_commit", 3},
                                           LedgerCrashCase{"store.after_plugin_commit", 3},
                                           LedgerCrashCase{"store.shard_redo_owed", 3},
                                           LedgerCrashCase{"store.after_plugin_commit@2", 3},
                                           LedgerCrashCase{"after_checkpoint:ledger", 3}),
                         LedgerCaseName);

}  // namespace
}  // namespace steadfast
