// Crash tests: the real `steadfast serve` is killed at every named crash
// point of every step (and kill -9'd at random moments in a soak), then
// restarted. Each workflow must complete with every effect applied exactly
// once per idempotency key and a history without gaps.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>

#include <cctype>
#include <chrono>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "steadfast/history.h"
#include "core/random.h"
#include "runtime/workflow_catalog.h"
#include "runtime/workflow_service.h"
#include "store/sqlite/shard_layout.h"
#include "store/sqlite/sqlite_store.h"
#include "otlp_receiver.h"
#include "subprocess.h"
#include "core/trace_context.h"

namespace steadfast {
namespace {

using testing::Subprocess;
using testing::TempDir;

const char* kSteps[] = {"eligibility", "amount", "psp_refund", "restock", "notify"};

class CrashHarness {
 public:
  // shards > 1: the store spread over that many files (docs/store.md "Shards").
  explicit CrashHarness(const std::string& extra_config = "", const std::string& lease = "5s", int shards = 1)
      : extra_config_(extra_config), lease_(lease) {
    db_ = dir_.File("engine.db");
    effects_ = dir_.File("effects.db");
    WriteConfig(shards);
    catalog_ = std::make_unique<WorkflowCatalog>(nullptr);
    EXPECT_TRUE(catalog_->AddDirectory(STEADFAST_CRASH_DATA).empty());
    OpenStore(shards);
  }

  // The engine's config, its store spread over `shards` files (1: one file).
  void WriteConfig(int shards) {
    config_ = dir_.File("steadfast.yaml");
    testing::WriteFile(config_, "database: " + db_ + "\nworkflows_dir: " + std::string(STEADFAST_CRASH_DATA) +
                                    "\nplugins: [" + std::string(STEADFAST_EFFECTS_PLUGIN) +
                                    "]\nplugin_config: { effects_plugin: { db: " + effects_ +
                                    " } }\nworkers: 4\nnode_name: crashnode\nlease: " + lease_ + "\npoll_interval: 20ms\n" +
                                    (shards > 1 ? "shards: " + std::to_string(shards) + "\n" : "") + extra_config_);
  }

  // The test's own handle on the store (0: as many shards as it has).
  void OpenStore(int shards) {
    SqliteStoreOptions opts;
    opts.path = db_;
    opts.shards = shards;
    auto store = OpenSqliteStore(opts);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    service_ = std::make_unique<WorkflowService>(*store_, *catalog_, SystemClock::Instance(), random_);
  }
  // Lets go of it: a serve may re-spread the store only when no other process has it open.
  void CloseStore() {
    service_.reset();
    store_.reset();
  }

  std::string Start(const std::string& workflow, const std::string& id, Value input) {
    StartOptions so;
    so.workflow = workflow;
    so.id = id;
    so.input = std::move(input);
    so.requested_by = "tester";
    auto r = service_->Start(so);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return id;
  }

  std::unique_ptr<Subprocess> Serve(const std::string& crash_at = "", const std::string& log = "serve.log") {
    std::map<std::string, std::string> env{{"STEADFAST_CRASH_AT", crash_at}};
    return std::make_unique<Subprocess>(
        std::vector<std::string>{STEADFAST_BIN, "serve", "--config", config_}, env, dir_.File(log));
  }

  testing::RunResult Cli(std::vector<std::string> args) {
    args.insert(args.begin(), STEADFAST_BIN);
    args.push_back("--config");
    args.push_back(config_);
    return testing::RunCommand(args);
  }

  // Waits until the log file `log` (in the test directory) contains `text`.
  bool WaitForLog(const std::string& log, const std::string& text, int timeout_ms) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (testing::ReadFile(dir_.File(log)).find(text) == std::string::npos) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
  }

  // Serves until the process exits at crash point `point` as kill -9 would.
  void CrashAt(const std::string& point) {
    auto crashing = Serve(point);
    auto code = crashing->Wait(30000);
    ASSERT_TRUE(code.has_value()) << "serve did not reach crash point " << point;
    EXPECT_EQ(*code, 137) << "crash point " << point;
  }

  // Serves again until `id` completed, then stops serve with SIGTERM. The
  // crash may have come after the last checkpoint, leaving the instance
  // finished already: SIGTERM waits until serve serves (its handler is set).
  void RecoverUntilCompleted(const std::string& id) {
    auto serve = Serve("", "recovery.log");
    ASSERT_TRUE(WaitFor({id}, InstanceStatus::kCompleted, 30000)) << testing::ReadFile(dir() + "/recovery.log");
    ASSERT_TRUE(WaitForLog("recovery.log", "serving ", 20000)) << testing::ReadFile(dir() + "/recovery.log");
    serve->Kill(SIGTERM);
    EXPECT_EQ(serve->Wait(10000).value_or(-1), 0);
    EXPECT_EQ(StatusOf(id), InstanceStatus::kCompleted);
  }

  InstanceStatus StatusOf(const std::string& id) {
    auto r = store_->GetInstance(id);
    if (!r.ok() || !*r) return InstanceStatus::kRunning;
    return (*r)->status;
  }

  // Waits until every instance has the wanted status (or a terminal one).
  bool WaitFor(const std::vector<std::string>& ids, InstanceStatus wanted, int timeout_ms) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < deadline) {
      bool all = true;
      for (const auto& id : ids) {
        InstanceStatus s = StatusOf(id);
        if (s != wanted && !IsTerminal(s)) {
          all = false;
          break;
        }
      }
      if (all) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  // key -> number of effect rows; and calls per key.
  std::map<std::string, int> Effects(const char* table = "effects") {
    std::map<std::string, int> out;
    sqlite3* db = nullptr;
    if (sqlite3_open(effects_.c_str(), &db) != SQLITE_OK) return out;
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt* st = nullptr;
    std::string sql = std::string("SELECT key, COUNT(*) FROM ") + table + " GROUP BY key";
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK) {
      while (sqlite3_step(st) == SQLITE_ROW) {
        out[reinterpret_cast<const char*>(sqlite3_column_text(st, 0))] = sqlite3_column_int(st, 1);
      }
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
  }

  std::vector<HistoryEvent> History(const std::string& id) {
    auto h = store_->GetHistory(id, 0, 100000);
    EXPECT_TRUE(h.ok());
    return h.ok() ? *h : std::vector<HistoryEvent>{};
  }

  // The effects whose idempotency key starts with `prefix` (an instance id).
  std::map<std::string, int> EffectsUnder(const std::string& prefix) {
    std::map<std::string, int> mine;
    for (const auto& [key, n] : Effects()) {
      if (key.rfind(prefix, 0) == 0) mine[key] = n;
    }
    return mine;
  }

  // How many events of `type` the instance's history has.
  int CountEvents(const std::string& id, const char* type) {
    int n = 0;
    for (const HistoryEvent& e : History(id)) n += e.type == type;
    return n;
  }

  // The history has seq 1..n, per step attempts 1..k each accounted for by
  // exactly one outcome, one success per step, and no retry run early.
  void ExpectConsistentHistory(const std::string& id, const std::vector<std::string>& activity_steps) {
    std::vector<HistoryEvent> h = History(id);
    ASSERT_FALSE(h.empty());
    for (size_t i = 0; i < h.size(); ++i) ASSERT_EQ(h[i].seq, static_cast<int64_t>(i + 1)) << id;
    for (const std::string& step : activity_steps) {
      std::vector<int> attempts;
      int successes = 0;
      std::map<int, TimeMs> retry_due;
      for (const HistoryEvent& e : h) {
        if (e.step_id != step) continue;
        if (e.type == history::kAttemptSucceeded || e.type == history::kAttemptFailed ||
            e.type == history::kAttemptAbandoned) {
          attempts.push_back(e.attempt);
        }
        if (e.type == history::kAttemptSucceeded) {
          ++successes;
          if (retry_due.count(e.attempt)) {
            EXPECT_GE(e.data.Get("started_at").IntOr(0), retry_due[e.attempt]) << id << " " << step << " retried early";
          }
        }
        if (e.type == history::kRetryScheduled) retry_due[e.attempt] = e.data.Get("due_at").IntOr(0);
      }
      EXPECT_EQ(successes, 1) << id << " step " << step;
      for (size_t i = 0; i < attempts.size(); ++i) {
        EXPECT_EQ(attempts[i], static_cast<int>(i + 1)) << id << " step " << step << ": attempts not numbered 1..n";
      }
    }
  }

  Store& store() { return *store_; }
  WorkflowService& service() { return *service_; }
  const std::string& dir() const { return dir_.path(); }

 private:
  TempDir dir_;
  const std::string extra_config_, lease_;
  std::string config_, db_, effects_;
  SystemRandom random_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<WorkflowCatalog> catalog_;
  std::unique_ptr<WorkflowService> service_;
};

void ExpectEffectsOnce(CrashHarness& h, const std::string& id, const std::vector<std::string>& steps) {
  auto effects = h.Effects();
  int mine = 0;
  for (const auto& [key, n] : effects) {
    if (key.rfind(id + "/", 0) != 0) continue;
    ++mine;
    EXPECT_EQ(n, 1) << key;
  }
  EXPECT_EQ(mine, static_cast<int>(steps.size())) << id;
  for (const std::string& s : steps) EXPECT_EQ(effects.count(id + "/" + s), 1u) << id << "/" << s;
}

struct CrashCase {
  std::string point;
  std::string step;  // "" with @n for store points
  int shards = 1;    // > 1: on the store spread over that many files
};

class CrashPointTest : public ::testing::TestWithParam<CrashCase> {};

TEST_P(CrashPointTest, CompletesWithEffectsExactlyOnce) {
  const CrashCase& c = GetParam();
  CrashHarness h("", "5s", c.shards);
  std::string id = h.Start("crash5", "wf-crash", Value::Map{});
  std::string spec = c.step.empty() ? c.point : c.point + ":" + c.step;
  ASSERT_NO_FATAL_FAILURE(h.CrashAt(spec));
  ASSERT_NO_FATAL_FAILURE(h.RecoverUntilCompleted(id));
  std::vector<std::string> steps(std::begin(kSteps), std::end(kSteps));
  ExpectEffectsOnce(h, id, steps);
  h.ExpectConsistentHistory(id, steps);
}

std::vector<CrashCase> AllCrashCases() {
  std::vector<CrashCase> cases;
  for (const char* point : {"after_claim", "before_activity", "after_activity", "after_checkpoint", "retry_wait"}) {
    for (const char* step : kSteps) cases.push_back({point, step});
  }
  for (int n : {1, 2, 3, 5, 8, 12}) {
    cases.push_back({"store.before_commit@" + std::to_string(n), ""});
    cases.push_back({"store.after_commit@" + std::to_string(n), ""});
  }
  // The same on three shards: the instance in one file, definitions and
  // node identity in the home file, every commit of each.
  const size_t one_file = cases.size();
  for (size_t i = 0; i < one_file; ++i) {
    CrashCase sharded = cases[i];
    sharded.shards = 3;
    cases.push_back(sharded);
  }
  return cases;
}

std::string CaseName(const ::testing::TestParamInfo<CrashCase>& info) {
  std::string n = info.param.point + (info.param.step.empty() ? "" : "_" + info.param.step) +
                  (info.param.shards > 1 ? "_sharded" : "");
  for (char& ch : n) {
    if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return n;
}

INSTANTIATE_TEST_SUITE_P(EveryPointEveryStep, CrashPointTest, ::testing::ValuesIn(AllCrashCases()), CaseName);

TEST(CrashWaitTest, SignalAndApprovalWaitsSurviveCrashes) {
  CrashHarness h;
  std::string id = h.Start("waits", "wf-waits", Value::Map{{"amount", 500}});
  {
    auto crashing = h.Serve("signal_wait:received");
    ASSERT_EQ(crashing->Wait(30000).value_or(-1), 137);
  }
  EXPECT_EQ(h.StatusOf(id), InstanceStatus::kWaitingSignal);
  {
    // The signal is delivered by the CLI while no engine runs, then the
    // restarted engine crashes once it holds the approval.
    auto r = h.Cli({"signal", id, "item_received", "--payload", R"({"warehouse":"AMS-1"})", "--key", "scan-1"});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    auto crashing = h.Serve("approval_wait:review");
    ASSERT_EQ(crashing->Wait(30000).value_or(-1), 137);
  }
  EXPECT_EQ(h.StatusOf(id), InstanceStatus::kWaitingApproval);
  auto serve = h.Serve();
  // Four-eyes: the requester cannot approve; another reviewer can.
  auto own = h.Cli({"approve", id, "review", "--as", "tester"});
  EXPECT_EQ(own.exit_code, 1) << own.output;
  EXPECT_NE(own.output.find("four_eyes"), std::string::npos) << own.output;
  auto ok = h.Cli({"approve", id, "review", "--as", "reviewer-1", "--comment", "looks fine"});
  ASSERT_EQ(ok.exit_code, 0) << ok.output;
  ASSERT_TRUE(h.WaitFor({id}, InstanceStatus::kCompleted, 30000));
  serve->Kill(SIGTERM);
  EXPECT_EQ(serve->Wait(10000).value_or(-1), 0);
  EXPECT_EQ(h.StatusOf(id), InstanceStatus::kCompleted);
  ExpectEffectsOnce(h, id, {"before", "middle", "after"});
  h.ExpectConsistentHistory(id, {"before", "middle", "after"});
  auto again = h.Cli({"approve", id, "review", "--as", "reviewer-2"});
  EXPECT_EQ(again.exit_code, 1) << again.output;
  EXPECT_NE(again.output.find("already decided"), std::string::npos) << again.output;
}

TEST(CrashWaitTest, ASleepSurvivesAKill9AndWakesOnce) {
  CrashHarness h;
  std::string id = h.Start("naps", "wf-naps", Value::Map{});
  {
    auto crashing = h.Serve("sleep_wait:rest");
    ASSERT_EQ(crashing->Wait(30000).value_or(-1), 137);
  }
  EXPECT_EQ(h.StatusOf(id), InstanceStatus::kSleeping);
  auto serve = h.Serve();
  ASSERT_TRUE(h.WaitFor({id}, InstanceStatus::kCompleted, 30000)) << testing::ReadFile(h.dir() + "/serve.log");
  serve->Kill(SIGTERM);
  EXPECT_EQ(serve->Wait(10000).value_or(-1), 0);
  ExpectEffectsOnce(h, id, {"before", "after"});
  h.ExpectConsistentHistory(id, {"before", "after"});
  int started = 0, ended = 0;
  TimeMs wake_at = 0;
  for (const HistoryEvent& e : h.History(id)) {
    if (e.type == history::kSleepStarted) {
      ++started;
      wake_at = e.data.Get("wake_at").IntOr(0);
    }
    if (e.type == history::kSleepEnded) {
      ++ended;
      EXPECT_GE(e.at, wake_at) << "woke before its time";
    }
  }
  EXPECT_EQ(started, 1);
  EXPECT_EQ(ended, 1);
}

// Kills `serve` around the commits that end a run with continue_as_new
// (the checkpoint of `work` in runs 1 and 2 is the commit that files the
// run), then lets it finish.
// A crash point spec as a test name: "after_checkpoint:work@2" -> "after_checkpoint_work_2".
std::string CrashPointName(const ::testing::TestParamInfo<std::string>& info) {
  std::string name;
  for (char c : info.param) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return name;
}

class CrashContinueTest : public ::testing::TestWithParam<std::string> {};

TEST_P(CrashContinueTest, EachRunIsFiledOnceWithItsEffectOnce) {
  CrashHarness h;
  const std::string id = h.Start("rounds", "wf-rounds", Value::Map{{"round", 1}});
  ASSERT_NO_FATAL_FAILURE(h.CrashAt(GetParam()));
  ASSERT_NO_FATAL_FAILURE(h.RecoverUntilCompleted(id));

  // One effect per run, under the run's own idempotency key.
  EXPECT_EQ(h.EffectsUnder(id), (std::map<std::string, int>{{"wf-rounds/work", 1}, {"wf-rounds~2/work", 1}, {"wf-rounds~3/work", 1}}));

  // Runs 1 and 2 filed once each; the three histories number on without a gap.
  int64_t next_seq = 1;
  for (const std::string& run : {ArchivedRunId(id, 1), ArchivedRunId(id, 2), id}) {
    SCOPED_TRACE(run);
    if (run != id) EXPECT_EQ(h.StatusOf(run), InstanceStatus::kContinued);
    std::vector<HistoryEvent> events = h.History(run);
    ASSERT_FALSE(events.empty());
    for (const HistoryEvent& e : events) EXPECT_EQ(e.seq, next_seq++) << e.type;
    int succeeded = 0;
    for (const HistoryEvent& e : events) succeeded += e.type == history::kAttemptSucceeded;
    EXPECT_EQ(succeeded, 1);
    EXPECT_EQ(events.back().type, run == id ? history::kWorkflowCompleted : history::kWorkflowContinuedAsNew);
  }
  auto third = h.store().GetInstance(ArchivedRunId(id, 3));
  ASSERT_TRUE(third.ok());
  EXPECT_FALSE(third->has_value()) << "the last run is the instance itself";
}

INSTANTIATE_TEST_SUITE_P(AroundTheRunEnds, CrashContinueTest,
                         ::testing::Values("after_activity:work", "after_checkpoint:work", "after_activity:work@2",
                                           "after_checkpoint:work@2", "before_activity:work@3",
                                           "store.before_commit@3", "store.after_commit@3"),
                         CrashPointName);

class CrashChildTest : public ::testing::TestWithParam<std::string> {};

TEST_P(CrashChildTest, EachChildStartsOnceWithItsEffectOnce) {
  CrashHarness h;
  const std::string id = h.Start("sellers", "wf-sellers", Value::Map{});
  ASSERT_NO_FATAL_FAILURE(h.CrashAt(GetParam()));
  ASSERT_NO_FATAL_FAILURE(h.RecoverUntilCompleted(id));

  EXPECT_EQ(h.EffectsUnder(id), (std::map<std::string, int>{{"wf-sellers~seller_a/work", 1}, {"wf-sellers~seller_b/work", 1}}));
  for (const char* step : {"seller_a", "seller_b"}) {
    SCOPED_TRACE(step);
    const std::string child = ChildInstanceId(id, 1, step);
    EXPECT_EQ(h.StatusOf(child), InstanceStatus::kCompleted);
    EXPECT_EQ(h.CountEvents(child, history::kWorkflowStarted), 1);
  }
  EXPECT_EQ(h.CountEvents(id, history::kChildCompleted), 2);
}

INSTANTIATE_TEST_SUITE_P(AroundChildStartsAndEnds, CrashChildTest,
                         ::testing::Values("after_claim:seller_a", "after_checkpoint:seller_a", "after_activity:work",
                                           "after_checkpoint:work", "after_claim:seller_a@2",
                                           "after_checkpoint:seller_a@2", "store.before_commit@3",
                                           "store.after_commit@3", "after_checkpoint:work@2"),
                         CrashPointName);

class CrashParallelTest : public ::testing::TestWithParam<std::string> {};

TEST_P(CrashParallelTest, EachBranchStartsOnceWithItsEffectOnce) {
  CrashHarness h;
  const std::string id = h.Start("three_sellers", "wf-three", Value::Map{});
  ASSERT_NO_FATAL_FAILURE(h.CrashAt(GetParam()));
  ASSERT_NO_FATAL_FAILURE(h.RecoverUntilCompleted(id));

  EXPECT_EQ(h.EffectsUnder(id), (std::map<std::string, int>{
                      {"wf-three~seller_a/work", 1}, {"wf-three~seller_b/work", 1}, {"wf-three~seller_c/work", 1}}));
  EXPECT_EQ(h.CountEvents(id, history::kChildCompleted), 3);
  for (const char* branch : {"seller_a", "seller_b", "seller_c"}) {
    EXPECT_EQ(h.CountEvents(ChildInstanceId(id, 1, branch), history::kWorkflowStarted), 1) << branch;
  }
}

INSTANTIATE_TEST_SUITE_P(AroundTheParallelStep, CrashParallelTest,
                         ::testing::Values("after_claim:sellers", "after_checkpoint:sellers", "after_activity:work",
                                           "after_checkpoint:work@2", "after_activity:work@3", "after_claim:seller_b",
                                           "after_checkpoint:seller_c", "store.before_commit@4",
                                           "store.after_commit@5", "store.after_commit@7"),
                         CrashPointName);

class CrashForEachTest : public ::testing::TestWithParam<std::string> {};

TEST_P(CrashForEachTest, EachElementStartsOnceWithItsEffectOnce) {
  CrashHarness h;
  const std::string id = h.Start("item_return", "wf-items", Value::Map{{"items", Value::List{"a", "b", "c", "d", "e"}}});
  ASSERT_NO_FATAL_FAILURE(h.CrashAt(GetParam()));
  ASSERT_NO_FATAL_FAILURE(h.RecoverUntilCompleted(id));

  std::map<std::string, int> want;
  for (int i = 0; i < 5; ++i) want["wf-items~items." + std::to_string(i) + "/work"] = 1;
  EXPECT_EQ(h.EffectsUnder(id), want);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(h.CountEvents(ChildInstanceId(id, 1, ElementId("items", i)), history::kWorkflowStarted), 1) << i;
  }
  auto rec = h.store().GetInstance(id);
  ASSERT_TRUE(rec.ok() && rec->has_value());
  EXPECT_EQ((*rec)->output.Get("items").AsList().size(), 5u) << (*rec)->output.ToJson();
}

INSTANTIATE_TEST_SUITE_P(AroundTheFanOut, CrashForEachTest,
                         ::testing::Values("after_claim:items", "after_checkpoint:items", "after_activity:work@2",
                                           "after_checkpoint:work@3", "after_claim:items.1",
                                           "after_checkpoint:items.2", "store.after_commit@4",
                                           "store.before_commit@6", "after_checkpoint:items.4"),
                         CrashPointName);

class CrashSoakTest : public ::testing::TestWithParam<int> {};

TEST_P(CrashSoakTest, TwoHundredWorkflowsSurviveRepeatedKill9) {
  CrashHarness h("", "5s", GetParam());
  std::vector<std::string> ids;
  for (int i = 0; i < 200; ++i) ids.push_back(h.Start("crash5", "soak-" + std::to_string(i), Value::Map{{"sleep_ms", 2}}));
  std::mt19937 rng(20261123);
  std::uniform_int_distribution<int> pause_ms(50, 400);
  int kills = 0;
  for (int round = 0; round < 25; ++round) {
    auto serve = h.Serve();
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms(rng)));
    serve->Kill(SIGKILL);
    serve->Wait(10000);
    ++kills;
  }
  EXPECT_GE(kills, 20);
  auto serve = h.Serve("", "final.log");
  ASSERT_TRUE(h.WaitFor(ids, InstanceStatus::kCompleted, 120000)) << testing::ReadFile(h.dir() + "/serve.log");
  // The rounds may have finished every workflow already: a SIGTERM sent
  // before serve blocks it would kill it (143) instead of stopping it.
  ASSERT_TRUE(h.WaitForLog("final.log", "serving ", 20000)) << testing::ReadFile(h.dir() + "/final.log");
  serve->Kill(SIGTERM);
  EXPECT_EQ(serve->Wait(10000).value_or(-1), 0);
  std::vector<std::string> steps(std::begin(kSteps), std::end(kSteps));
  auto effects = h.Effects();
  EXPECT_EQ(effects.size(), 1000u);
  for (const auto& id : ids) {
    ASSERT_EQ(h.StatusOf(id), InstanceStatus::kCompleted) << id;
    for (const auto& s : steps) EXPECT_EQ(effects[id + "/" + s], 1) << id << "/" << s;
    h.ExpectConsistentHistory(id, steps);
  }
}

// Issue 16's proof of the migration: a database of one file, written with
// instances waiting on a signal, served again with `shards: 3`. The serve
// spreads them over three files (the log says how many moved), and each
// then takes its signal and approval from the CLI and completes, every
// effect once.
TEST(CrashLayoutTest, ADatabaseOfOneFileIsSpreadAndItsWaitingInstancesComplete) {
  CrashHarness h;
  std::vector<std::string> ids;
  for (int i = 0; i < 12; ++i) ids.push_back(h.Start("waits", "spread-" + std::to_string(i), Value::Map{{"amount", 500}}));
  {
    auto serve = h.Serve("", "one_file.log");
    ASSERT_TRUE(h.WaitFor(ids, InstanceStatus::kWaitingSignal, 30000)) << testing::ReadFile(h.dir() + "/one_file.log");
    ASSERT_TRUE(h.WaitForLog("one_file.log", "serving ", 20000));
    serve->Kill(SIGTERM);
    ASSERT_EQ(serve->Wait(10000).value_or(-1), 0);
  }
  h.CloseStore();
  h.WriteConfig(3);
  auto serve = h.Serve("", "sharded.log");
  ASSERT_TRUE(h.WaitForLog("sharded.log", "serving ", 20000)) << testing::ReadFile(h.dir() + "/sharded.log");
  EXPECT_NE(testing::ReadFile(h.dir() + "/sharded.log").find("spread over 3 shards (was 1)"), std::string::npos)
      << testing::ReadFile(h.dir() + "/sharded.log");
  h.OpenStore(0);
  ASSERT_EQ(dynamic_cast<SqliteStore&>(h.store()).ShardCount(), 3);
  std::set<int> used;
  for (const std::string& id : ids) used.insert(ShardOf(id, 3));
  EXPECT_EQ(used.size(), 3u) << "the ids should land in every shard";
  for (const std::string& id : ids) {
    ASSERT_EQ(h.StatusOf(id), InstanceStatus::kWaitingSignal) << id;
    auto r = h.Cli({"signal", id, "item_received", "--payload", R"({"warehouse":"AMS-1"})", "--key", "scan-1"});
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  ASSERT_TRUE(h.WaitFor(ids, InstanceStatus::kWaitingApproval, 30000)) << testing::ReadFile(h.dir() + "/sharded.log");
  for (const std::string& id : ids) {
    auto r = h.Cli({"approve", id, "review", "--as", "reviewer-1"});
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  ASSERT_TRUE(h.WaitFor(ids, InstanceStatus::kCompleted, 30000)) << testing::ReadFile(h.dir() + "/sharded.log");
  serve->Kill(SIGTERM);
  EXPECT_EQ(serve->Wait(10000).value_or(-1), 0);
  for (const std::string& id : ids) {
    EXPECT_EQ(h.StatusOf(id), InstanceStatus::kCompleted) << id;
    ExpectEffectsOnce(h, id, {"before", "middle", "after"});
  }
}

// One file, and three shards (each instance in one of them, every file
// written by every round's kills).
INSTANTIATE_TEST_SUITE_P(Layouts, CrashSoakTest, ::testing::Values(1, 3),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return info.param == 1 ? std::string("one_file") : std::string("sharded");
                         });

// Issue 10 item 9: two `serve`s with one node_name on one database. The
// second refuses to start, naming the node, and frees none of the first's
// leases; after the first is kill -9'd, a successor under the same name
// takes its in-flight task over at once, long before the lease (60 s) ends.
TEST(NodeIdentityTest, SecondServeWithTheSameNodeNameRefusesAndASuccessorResumesAtOnce) {
  CrashHarness h("", "60s");
  std::string id = h.Start("slow_step", "wf-slow", Value::Map{{"sleep_ms", 15000}});
  auto first = h.Serve("", "first.log");
  // Its attempt is in flight once the task is leased (the activity sleeps 15 s).
  TaskRecord leased;
  for (auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
       leased.lease_owner.empty() && std::chrono::steady_clock::now() < deadline;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    auto tasks = h.store().GetTasks(id);
    if (tasks.ok() && tasks->size() == 1 && !(*tasks)[0].lease_owner.empty()) leased = (*tasks)[0];
  }
  ASSERT_FALSE(leased.lease_owner.empty()) << testing::ReadFile(h.dir() + "/first.log");
  ASSERT_EQ(leased.lease_owner.rfind("crashnode/", 0), 0u) << leased.lease_owner;

  auto second = h.Serve("", "second.log");
  std::optional<int> code = second->Wait(20000);
  ASSERT_TRUE(code.has_value()) << "a second serve with the same node_name kept running";
  EXPECT_NE(*code, 0);
  std::string refusal = testing::ReadFile(h.dir() + "/second.log");
  EXPECT_NE(refusal.find("node 'crashnode' is already running"), std::string::npos) << refusal;
  EXPECT_NE(refusal.find("node_name"), std::string::npos) << refusal;
  auto kept = h.store().GetTasks(id);
  ASSERT_TRUE(kept.ok());
  ASSERT_EQ(kept->size(), 1u);
  EXPECT_EQ((*kept)[0].lease_owner, leased.lease_owner);  // the first keeps its lease
  EXPECT_EQ((*kept)[0].lease_token, leased.lease_token);
  EXPECT_FALSE(first->Wait(0).has_value()) << testing::ReadFile(h.dir() + "/first.log");
  ASSERT_EQ(h.StatusOf(id), InstanceStatus::kRunning) << "the attempt ended before the first serve was killed";

  first->Kill(SIGKILL);
  ASSERT_EQ(first->Wait(10000).value_or(-1), 137);
  auto restarted_at = std::chrono::steady_clock::now();
  auto successor = h.Serve("", "successor.log");
  // The successor frees its dead predecessor's lease and claims the task at
  // once; waiting for the lease would take more than a minute.
  std::string new_owner;
  while (new_owner.empty() && std::chrono::steady_clock::now() - restarted_at < std::chrono::seconds(20)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    auto tasks = h.store().GetTasks(id);
    if (tasks.ok() && tasks->size() == 1 && !(*tasks)[0].lease_owner.empty() &&
        (*tasks)[0].lease_owner != leased.lease_owner) {
      new_owner = (*tasks)[0].lease_owner;
    }
  }
  ASSERT_EQ(new_owner.rfind("crashnode/", 0), 0u) << "not taken over: " << testing::ReadFile(h.dir() + "/successor.log");
  ASSERT_TRUE(h.WaitFor({id}, InstanceStatus::kCompleted, 40000)) << testing::ReadFile(h.dir() + "/successor.log");
  successor->Kill(SIGTERM);
  EXPECT_EQ(successor->Wait(10000).value_or(-1), 0);
  ExpectEffectsOnce(h, id, {"work"});
  h.ExpectConsistentHistory(id, {"work"});
}

// A trace survives a crash: spans the first process exported and spans of
// the restarted process carry the instance's trace id, and the attempt lost
// with the first process is reported under the span id it announced.
TEST(CrashTraceTest, SpansBeforeAndAfterACrashShareTheTrace) {
  auto receiver = testing::OtlpReceiver::Start();
  CrashHarness h("tracing: { otlp_endpoint: \"" + receiver->url() + "\", flush_interval: 20ms }\n");
  std::string id = h.Start("crash5", "wf-traced", Value::Map{});
  auto started = h.store().GetInstance(id);
  ASSERT_TRUE(started.ok() && *started);
  const std::string trace_id = tracing::InstanceTraceId((*started)->traceparent, id);
  ASSERT_EQ(trace_id.size(), 32u);
  {
    // Every step's first attempt fails and waits 100 ms: the spans of the
    // first three steps are exported long before restock crashes.
    auto crashing = h.Serve("after_activity:restock");
    ASSERT_EQ(crashing->Wait(30000).value_or(-1), 137);
  }
  std::vector<testing::ReceivedSpan> before = receiver->Spans();
  ASSERT_FALSE(before.empty()) << "the first process exported nothing before its crash";
  for (const auto& s : before) EXPECT_EQ(s.trace_id, trace_id) << s.name;

  auto serve = h.Serve();
  ASSERT_TRUE(h.WaitFor({id}, InstanceStatus::kCompleted, 30000)) << testing::ReadFile(h.dir() + "/serve.log");
  serve->Kill(SIGTERM);  // flushes the exporter
  EXPECT_EQ(serve->Wait(10000).value_or(-1), 0);

  std::vector<testing::ReceivedSpan> all = receiver->Spans();
  ASSERT_GT(all.size(), before.size());
  EXPECT_TRUE(receiver->Problems().empty()) << receiver->Problems().front();
  const std::string lost_span = tracing::AttemptSpanId(id, "restock", 1, false);
  bool saw_lost = false, saw_workflow = false;
  for (size_t i = before.size(); i < all.size(); ++i) {
    const testing::ReceivedSpan& s = all[i];
    EXPECT_EQ(s.trace_id, trace_id) << s.name;
    if (s.span_id == lost_span) {
      saw_lost = true;
      EXPECT_EQ(s.attributes.value("steadfast.outcome", ""), "abandoned");
      EXPECT_EQ(s.parent_span_id, tracing::WorkflowSpanId(id));
    }
    if (s.span_id == tracing::WorkflowSpanId(id)) {
      saw_workflow = true;
      EXPECT_EQ(s.name, "workflow crash5");
      EXPECT_EQ(s.parent_span_id, "");  // started without a traceparent: the root
      EXPECT_EQ(s.status_code, 1);
    }
  }
  EXPECT_TRUE(saw_lost) << "no span for the attempt lost in the crash";
  EXPECT_TRUE(saw_workflow);
}

}  // namespace
}  // namespace steadfast
