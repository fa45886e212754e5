// continue_as_new end to end in one process, on a real SQLite file and on the
// run's PostgreSQL cluster (backend_database.h), with the real engine threads
// (docs/workflows.md "Workflows that never end").
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <thread>

#include "builtin/std_activities.h"
#include "core/stderr_logger.h"
#include "runtime/engine.h"
#include "runtime/instance_state.h"
#include "runtime/views.h"
#include "steadfast/history.h"
#include "store/sqlite/shard_layout.h"
#include "raw_db.h"
#include "subprocess.h"
#include "backend_database.h"

namespace steadfast {
namespace {

using namespace std::chrono_literals;

// Sweeps ten items per run and continues with the next cursor until 30.
constexpr const char* kSweeper = R"(
name: sweeper
input: { cursor: int }
steps:
  - id: sweep
    activity: test.sweep
    with: { cursor: "${input.cursor}" }
  - id: again
    when: "${steps.sweep.next < 30}"
    continue_as_new:
      input: { cursor: "${steps.sweep.next}" }
output: { cursor: "${steps.sweep.next}", run: "${workflow.run}" }
)";

// Handles one message per run, for ever.
constexpr const char* kInbox = R"(
name: inbox
steps:
  - id: next_message
    signal: message
  - id: handle
    activity: std.echo
    with: { message: "${steps.next_message}" }
  - id: again
    continue_as_new:
)";

// Version 1 waits for `go`, runs an activity and continues (in that
// activity's checkpoint, by the worker that goes on with the instance) as
// the latest version, which first waits for `hello`: sent while version 1
// ran, so buffered, and not among the signals version 1 was read for.
constexpr const char* kUpgraderV1 = R"(
name: upgrader
version: 1
steps:
  - id: start
    signal: go
  - id: tidy
    activity: std.noop
  - id: again
    continue_as_new:
      version: latest
)";

constexpr const char* kUpgraderV2 = R"(
name: upgrader
version: 2
steps:
  - id: greet
    signal: hello
  - id: work
    activity: std.echo
    with: { version: 2, greeting: "${steps.greet}" }
)";

// Started with a large input (notes over 2 KB: kept beside the instance
// row, store.md "Migrations", version 12), continued with a small one.
constexpr const char* kShrinker = R"(
name: shrinker
input:
  cursor: int
  notes: string?
steps:
  - id: sweep
    activity: test.sweep
    with: { cursor: "${input.cursor}" }
  - id: again
    when: "${steps.sweep.next < 20}"
    continue_as_new:
      input: { cursor: "${steps.sweep.next}" }
)";

class ContinueAsNewTest : public ::testing::TestWithParam<testing_support::StoreBackend> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(RegisterStdActivities(registry_).ok());
    ASSERT_TRUE(registry_
                    .Register("test.sweep",
                              [this](ActivityContext& ctx) -> ActivityResult {
                                std::lock_guard<std::mutex> lock(mu_);
                                keys_.push_back(ctx.idempotency_key());
                                return Value(Value::Map{{"next", ctx.input().Get("cursor").IntOr(0) + 10}});
                              })
                    .ok());
    catalog_ = std::make_unique<WorkflowCatalog>(&registry_);
    for (const char* yaml : {kSweeper, kInbox, kUpgraderV1, kUpgraderV2, kShrinker}) {
      ASSERT_TRUE(catalog_->AddSource(yaml, "test.yaml").ok());
    }
    db_.Create(GetParam(), dir_.File("runs.db"));
    if (IsSkipped() || HasFatalFailure()) return;
    auto store = db_.Open(nullptr);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    EngineOptions eo;
    eo.workers = 2;
    eo.poll_interval_ms = 10;
    eo.node_name = "test";
    engine_ = std::make_unique<Engine>(eo, *store_, *catalog_, registry_, clock_, random_, logger_);
    ASSERT_TRUE(engine_->Start().ok());
  }
  void TearDown() override {
    if (engine_) engine_->Stop();
    engine_.reset();
    store_.reset();
    db_.Drop();
  }

  Result<StartResult> Start(const std::string& workflow, const std::string& id, Value input, int version = 0) {
    StartOptions so;
    so.workflow = workflow;
    so.version = version;
    so.id = id;
    so.input = std::move(input);
    so.requested_by = "ops";
    return engine_->service().Start(so);
  }

  InstanceRecord Get(const std::string& id) {
    auto r = store_->GetInstance(id);
    EXPECT_TRUE(r.ok() && *r) << id << " " << (r.ok() ? "not found" : r.status().ToString());
    return r.ok() && *r ? **r : InstanceRecord{};
  }

  // Waits until `done` holds for the instance's record.
  template <typename Pred>
  InstanceRecord WaitFor(const std::string& id, Pred done, const char* what) {
    auto deadline = std::chrono::steady_clock::now() + 10s;
    InstanceRecord last;
    while (std::chrono::steady_clock::now() < deadline) {
      last = Get(id);
      if (done(last)) return last;
      std::this_thread::sleep_for(5ms);
    }
    ADD_FAILURE() << id << " never got " << what << "; it is " << InstanceStatusName(last.status) << " "
                  << last.error_code << ": " << last.error_message << " (run " << RunOf(last) << ")";
    return last;
  }

  std::vector<HistoryEvent> History(const std::string& id) {
    auto h = store_->GetHistory(id, 0, 10000);
    EXPECT_TRUE(h.ok());
    return h.ok() ? *h : std::vector<HistoryEvent>{};
  }

  static std::vector<std::string> Types(const std::vector<HistoryEvent>& h) {
    std::vector<std::string> t;
    for (const HistoryEvent& e : h) t.push_back(e.type);
    return t;
  }

  static int64_t RunOf(const InstanceRecord& rec) {
    Result<InstanceState> st = InstanceState::Decode(rec.state);
    return st.ok() ? st->run : -1;
  }

  testing::TempDir dir_;
  testing_support::BackendDatabase db_;
  ManualClock clock_{1'800'000'000'000};
  ActivityRegistry registry_;
  std::unique_ptr<WorkflowCatalog> catalog_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Engine> engine_;
  SystemRandom random_;
  StderrLogger logger_{LogLevel::kWarn};
  std::mutex mu_;
  std::vector<std::string> keys_;  // GUARDED_BY(mu_): idempotency keys test.sweep saw
};

TEST_P(ContinueAsNewTest, EachRunIsFiledAndTheLastOneFinishes) {
  ASSERT_TRUE(Start("sweeper", "sweep-1", Value::Map{{"cursor", 0}}).ok());
  InstanceRecord rec = WaitFor("sweep-1", [](const InstanceRecord& r) { return IsTerminal(r.status); }, "finished");
  ASSERT_EQ(rec.status, InstanceStatus::kCompleted) << rec.error_code << ": " << rec.error_message;
  EXPECT_EQ(rec.output, Value(Value::Map{{"cursor", 30}, {"run", 3}}));
  EXPECT_EQ(rec.input, Value(Value::Map{{"cursor", 20}}));
  EXPECT_EQ(RunOf(rec), 3);

  // Runs 1 and 2 are instances of their own, finished, with their history.
  for (int run = 1; run <= 2; ++run) {
    SCOPED_TRACE(run);
    InstanceRecord filed = Get(ArchivedRunId("sweep-1", run));
    EXPECT_EQ(filed.status, InstanceStatus::kContinued);
    EXPECT_EQ(filed.input, Value(Value::Map{{"cursor", 10 * (run - 1)}}));
    EXPECT_EQ(filed.output.Get("continued_as"), Value("sweep-1"));
    EXPECT_EQ(filed.output.Get("next_run"), Value(run + 1));
    EXPECT_TRUE(filed.idempotency_key.empty());
    EXPECT_EQ(RunOf(filed), run);
    std::vector<std::string> types = Types(History(filed.id));
    ASSERT_FALSE(types.empty());
    EXPECT_EQ(types.front(), run == 1 ? history::kWorkflowStarted : history::kRunStarted);
    EXPECT_EQ(types.back(), history::kWorkflowContinuedAsNew);
    EXPECT_EQ(std::count(types.begin(), types.end(), history::kAttemptSucceeded), 1);
  }
  EXPECT_FALSE(store_->GetInstance(ArchivedRunId("sweep-1", 3)).value().has_value());

  // The instance's own history is the last run's only.
  std::vector<HistoryEvent> h = History("sweep-1");
  ASSERT_FALSE(h.empty());
  EXPECT_EQ(h.front().type, history::kRunStarted);
  EXPECT_EQ(h.front().data.Get("run"), Value(3));
  EXPECT_EQ(h.front().data.Get("previous_run"), Value("sweep-1~2"));
  EXPECT_EQ(h.back().type, history::kWorkflowCompleted);
  EXPECT_EQ(h.front().seq, History("sweep-1~2").back().seq + 1) << "sequence numbers go on from the last run's";

  // Each run's attempt had an idempotency key of its own.
  std::lock_guard<std::mutex> lock(mu_);
  EXPECT_EQ(keys_, (std::vector<std::string>{"sweep-1/sweep", "sweep-1~2/sweep", "sweep-1~3/sweep"}));

  Value view = InstanceView(rec);
  EXPECT_EQ(view.Get("run").Get("number"), Value(3));
  EXPECT_EQ(view.Get("run").Get("previous"), Value("sweep-1~2"));
  EXPECT_EQ(InstanceView(Get("sweep-1~2")).Get("status"), Value("continued"));
}

TEST_P(ContinueAsNewTest, RepeatingTheStartStillFindsTheInstance) {
  ASSERT_TRUE(Start("sweeper", "sweep-2", Value::Map{{"cursor", 0}}).ok());
  WaitFor("sweep-2", [](const InstanceRecord& r) { return IsTerminal(r.status); }, "finished");
  // Its input is now the last run's; the start with the first input is the same start.
  Result<StartResult> again = Start("sweeper", "sweep-2", Value::Map{{"cursor", 0}});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->outcome, StartOutcome::kExisting);
  EXPECT_EQ(again->instance.id, "sweep-2");
  Result<StartResult> other = Start("sweeper", "sweep-2", Value::Map{{"cursor", 5}});
  EXPECT_EQ(other.status().code(), StatusCode::kConflict) << other.status().ToString();
}

TEST_P(ContinueAsNewTest, ALargeInputStaysWithItsRunAndTheNextRunsSmallOneInTheRow) {
  const Value first = Value::Map{{"cursor", 0}, {"notes", std::string(3000, 'n')}};
  ASSERT_TRUE(Start("shrinker", "shrink-1", first).ok());
  InstanceRecord rec = WaitFor("shrink-1", [](const InstanceRecord& r) { return IsTerminal(r.status); }, "finished");
  ASSERT_EQ(rec.status, InstanceStatus::kCompleted) << rec.error_code << ": " << rec.error_message;
  EXPECT_EQ(rec.input, Value(Value::Map{{"cursor", 10}}));
  EXPECT_EQ(Get(ArchivedRunId("shrink-1", 1)).input, first);

  if (!db_.postgres()) {  // SQLite keeps a large input in a table of its own (docs/store.md)
    // Spread over shards, the instance's rows are in its shard's file.
    const int shard = GetParam() == testing_support::StoreBackend::kSqliteSharded
                          ? ShardOf("shrink-1", testing_support::kTestShards)
                          : 0;
    testing_support::RawDb raw(ShardPath(dir_.File("runs.db"), shard));
    EXPECT_EQ(raw.QueryText("SELECT group_concat(instance_id) FROM instance_inputs"), ArchivedRunId("shrink-1", 1));
    EXPECT_NE(raw.QueryText("SELECT length(input) FROM instances WHERE id = 'shrink-1'"), "0");
  }
  // The start made with the first, large input is still the same start.
  Result<StartResult> again = Start("shrinker", "shrink-1", first);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->outcome, StartOutcome::kExisting);
}

TEST_P(ContinueAsNewTest, IdsWithTheRunSeparatorCannotBeStarted) {
  Result<StartResult> r = Start("sweeper", "sweep~1", Value::Map{{"cursor", 0}});
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("continued as new"), std::string::npos) << r.status().ToString();
}

TEST_P(ContinueAsNewTest, TheNextRunMayRunTheLatestVersion) {
  ASSERT_TRUE(Start("upgrader", "up-1", Value::Map{}, 1).ok());
  WaitFor("up-1", [](const InstanceRecord& r) { return r.status == InstanceStatus::kWaitingSignal; }, "waiting");
  for (const char* name : {"hello", "go"}) {  // hello is buffered: version 1 has no step for it
    SignalRequest s;
    s.instance_id = "up-1";
    s.name = name;
    s.payload = Value(name);
    s.principal = "ops";
    ASSERT_TRUE(engine_->service().Signal(s).ok()) << name;
  }
  InstanceRecord rec = WaitFor("up-1", [](const InstanceRecord& r) { return IsTerminal(r.status); }, "finished");
  ASSERT_EQ(rec.status, InstanceStatus::kCompleted) << rec.error_code << ": " << rec.error_message;
  EXPECT_EQ(rec.workflow_version, 2);
  Result<DefPtr> v2 = catalog_->Find("upgrader", 2);
  ASSERT_TRUE(v2.ok());
  EXPECT_EQ(rec.definition_hash, (*v2)->hash);
  EXPECT_EQ(rec.output.Get("work").Get("greeting"), Value("hello")) << rec.output.ToJson();
  // The instance's new definition is stored, so it loads after a restart.
  Result<std::optional<DefinitionRecord>> stored = store_->GetDefinition((*v2)->hash);
  ASSERT_TRUE(stored.ok());
  EXPECT_TRUE(stored->has_value());
  InstanceRecord first = Get("up-1~1");
  EXPECT_EQ(first.workflow_version, 1);
  EXPECT_EQ(first.status, InstanceStatus::kContinued);
  EXPECT_EQ(History("up-1").front().data.Get("version"), Value(2));
}

TEST_P(ContinueAsNewTest, SignalsNotYetHandledWaitForTheNextRun) {
  ASSERT_TRUE(Start("inbox", "inbox-1", Value::Map{}).ok());
  WaitFor("inbox-1", [](const InstanceRecord& r) { return r.status == InstanceStatus::kWaitingSignal; }, "waiting");
  for (int n = 1; n <= 3; ++n) {
    SignalRequest s;
    s.instance_id = "inbox-1";
    s.name = "message";
    s.payload = Value::Map{{"n", n}};
    s.principal = "ops";
    s.idempotency_key = "m" + std::to_string(n);
    ASSERT_TRUE(engine_->service().Signal(s).ok());
  }
  InstanceRecord rec = WaitFor(
      "inbox-1",
      [](const InstanceRecord& r) { return r.status == InstanceStatus::kWaitingSignal && RunOf(r) == 4; },
      "run 4 waiting");
  // One message per run, in order; each filed run keeps the signal it handled.
  for (int run = 1; run <= 3; ++run) {
    SCOPED_TRACE(run);
    std::vector<HistoryEvent> h = History(ArchivedRunId("inbox-1", run));
    auto received = std::find_if(h.begin(), h.end(), [](const HistoryEvent& e) {
      return e.type == history::kSignalReceived;
    });
    ASSERT_NE(received, h.end());
    EXPECT_EQ(received->data.Get("payload"), Value(Value::Map{{"n", run}})) << received->data.ToJson();
    Result<std::optional<SignalRecord>> kept =
        store_->FindSignalByKey(ArchivedRunId("inbox-1", run), "m" + std::to_string(run));
    ASSERT_TRUE(kept.ok());
    EXPECT_TRUE(kept->has_value()) << "the handled signal moved with its run";
  }
  auto pending = store_->GetPendingSignals("inbox-1", "message");
  ASSERT_TRUE(pending.ok());
  EXPECT_TRUE(pending->empty());
  EXPECT_EQ(Types(History("inbox-1")).front(), history::kRunStarted);
  EXPECT_EQ(rec.current_step, "next_message");
}

INSTANTIATE_TEST_SUITE_P(Backends, ContinueAsNewTest, STEADFAST_STORE_BACKENDS);

}  // namespace
}  // namespace steadfast
