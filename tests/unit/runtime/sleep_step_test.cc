// Sleep steps end to end in one process: a real SQLite file, the real
// engine threads, and a ManualClock, so a three-day sleep takes as long as
// the test says (docs/workflows.md "Sleep and wait-until steps").
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "builtin/std_activities.h"
#include "core/stderr_logger.h"
#include "runtime/engine.h"
#include "runtime/instance_state.h"
#include "runtime/views.h"
#include "steadfast/history.h"
#include "steadfast/time_text.h"
#include "store/sqlite/sqlite_store.h"
#include "subprocess.h"

namespace steadfast {
namespace {

using namespace std::chrono_literals;

constexpr int64_t kDayMs = 86'400'000;

constexpr const char* kCoolOff = R"(
name: cool_off
steps:
  - id: before
    activity: std.echo
    with: { n: 1 }
  - id: rest
    sleep: 3d
  - id: after
    activity: std.echo
    with: { woke_at: "${steps.rest.woke_at}" }
)";

constexpr const char* kUntil = R"(
name: until_input
input: { at: any }
steps:
  - id: wait
    until: "${input.at}"
  - id: after
    activity: std.echo
    with: { n: 2 }
)";

class SleepStepTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(RegisterStdActivities(registry_).ok());
    catalog_ = std::make_unique<WorkflowCatalog>(&registry_);
    for (const char* yaml : {kCoolOff, kUntil}) ASSERT_TRUE(catalog_->AddSource(yaml, "test.yaml").ok());
    Open();
  }
  void TearDown() override { Close(); }

  // A process start: the store reopened from its file, a new engine.
  void Open() {
    SqliteStoreOptions so;
    so.path = dir_.File("sleep.db");
    auto store = OpenSqliteStore(so);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    EngineOptions eo;
    eo.workers = 2;
    eo.poll_interval_ms = 10;
    eo.lease_ms = 5000;
    eo.node_name = "test";
    engine_ = std::make_unique<Engine>(eo, *store_, *catalog_, registry_, clock_, random_, logger_);
    ASSERT_TRUE(engine_->Start().ok());
  }
  void Close() {
    if (engine_) engine_->Stop();
    engine_.reset();
    store_.reset();
  }

  std::string Start(const std::string& workflow, Value input = Value::Map{}) {
    StartOptions so;
    so.workflow = workflow;
    so.input = std::move(input);
    so.requested_by = "ops";
    auto r = engine_->service().Start(so);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->instance.id : "";
  }

  InstanceRecord Get(const std::string& id) {
    auto r = store_->GetInstance(id);
    EXPECT_TRUE(r.ok() && *r) << id << " " << (r.ok() ? "not found" : r.status().ToString());
    return r.ok() && *r ? **r : InstanceRecord{};
  }

  InstanceRecord WaitStatus(const std::string& id, InstanceStatus status) {
    auto deadline = std::chrono::steady_clock::now() + 10s;
    InstanceRecord last;
    while (std::chrono::steady_clock::now() < deadline) {
      last = Get(id);
      if (last.status == status) return last;
      std::this_thread::sleep_for(5ms);
    }
    ADD_FAILURE() << id << " never reached " << InstanceStatusName(status) << "; it is "
                  << InstanceStatusName(last.status) << " " << last.error_code << ": " << last.error_message;
    return last;
  }

  // Long enough for the engine to have polled a few times (poll: 10 ms).
  void LetTheEnginePoll() { std::this_thread::sleep_for(100ms); }

  std::vector<HistoryEvent> History(const std::string& id) {
    auto h = store_->GetHistory(id, 0, 10000);
    EXPECT_TRUE(h.ok());
    return h.ok() ? *h : std::vector<HistoryEvent>{};
  }

  const HistoryEvent* Event(const std::vector<HistoryEvent>& h, const std::string& type) {
    auto it = std::find_if(h.begin(), h.end(), [&](const HistoryEvent& e) { return e.type == type; });
    return it == h.end() ? nullptr : &*it;
  }

  Value Output(const InstanceRecord& rec, const std::string& step) {
    Result<InstanceState> st = InstanceState::Decode(rec.state);
    EXPECT_TRUE(st.ok());
    return st.ok() && st->outputs.count(step) ? st->outputs.at(step) : Value();
  }

  std::vector<TaskRecord> Tasks(const std::string& id) {
    auto t = store_->GetTasks(id);
    EXPECT_TRUE(t.ok());
    return t.ok() ? *t : std::vector<TaskRecord>{};
  }

  testing::TempDir dir_;
  ManualClock clock_{1'800'000'000'000};
  ActivityRegistry registry_;
  std::unique_ptr<WorkflowCatalog> catalog_;
  SystemRandom random_;
  StderrLogger logger_{LogLevel::kWarn};
  std::unique_ptr<Store> store_;
  std::unique_ptr<Engine> engine_;
};

TEST_F(SleepStepTest, AThreeDaySleepSurvivesARestartAndWakesOnTime) {
  const TimeMs started = clock_.NowMs();
  std::string id = Start("cool_off");
  InstanceRecord rec = WaitStatus(id, InstanceStatus::kSleeping);
  EXPECT_EQ(rec.current_step, "rest");
  const TimeMs wake = started + 3 * kDayMs;
  std::vector<TaskRecord> tasks = Tasks(id);
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].kind, TaskKind::kWaitTimeout);
  EXPECT_EQ(tasks[0].due_at, wake);  // a timer in the store, nothing in memory
  Value waiting = WaitingForView(rec, nullptr, tasks);
  EXPECT_EQ(waiting.Get("kind").StringOr(""), "sleep");
  EXPECT_EQ(waiting.Get("step").StringOr(""), "rest");
  EXPECT_EQ(waiting.Get("wake_at").StringOr(""), FormatTime(wake));

  // The process stops and another starts two days later: still asleep.
  Close();
  clock_.Advance(2 * kDayMs);
  Open();
  LetTheEnginePoll();
  EXPECT_EQ(Get(id).status, InstanceStatus::kSleeping);
  clock_.Set(wake - 1);
  LetTheEnginePoll();
  EXPECT_EQ(Get(id).status, InstanceStatus::kSleeping) << "woke a millisecond early";

  clock_.Set(wake);
  rec = WaitStatus(id, InstanceStatus::kCompleted);
  Value out = Output(rec, "rest");
  EXPECT_EQ(out.Get("wake_at").IntOr(0), wake);
  EXPECT_GE(out.Get("woke_at").IntOr(0), wake);
  EXPECT_EQ(Output(rec, "after").Get("woke_at"), out.Get("woke_at"));  // later steps read it
  std::vector<HistoryEvent> h = History(id);
  const HistoryEvent* begun = Event(h, history::kSleepStarted);
  const HistoryEvent* ended = Event(h, history::kSleepEnded);
  ASSERT_NE(begun, nullptr);
  ASSERT_NE(ended, nullptr);
  EXPECT_EQ(begun->step_id, "rest");
  EXPECT_EQ(begun->data.Get("wake_at").IntOr(0), wake);
  EXPECT_EQ(begun->data.Get("sleep_ms").IntOr(0), 3 * kDayMs);
  EXPECT_EQ(ended->at, out.Get("woke_at").IntOr(0));
  EXPECT_EQ(ended->data.Get("late_ms").IntOr(-1), ended->at - wake);
}

TEST_F(SleepStepTest, AnEngineDownAtWakeTimeWakesTheStepWhenItComesBack) {
  std::string id = Start("cool_off");
  WaitStatus(id, InstanceStatus::kSleeping);
  Close();
  clock_.Advance(5 * kDayMs);
  Open();
  WaitStatus(id, InstanceStatus::kCompleted);
  std::vector<HistoryEvent> h = History(id);
  const HistoryEvent* ended = Event(h, history::kSleepEnded);
  ASSERT_NE(ended, nullptr);
  EXPECT_GE(ended->data.Get("late_ms").IntOr(0), 2 * kDayMs) << ended->data.ToJson();
}

TEST_F(SleepStepTest, APausedSleepKeepsItsWakeTimeAndACancelDropsTheTimer) {
  const TimeMs wake = clock_.NowMs() + 3 * kDayMs;
  std::string id = Start("cool_off");
  WaitStatus(id, InstanceStatus::kSleeping);
  ASSERT_TRUE(engine_->service().Pause(id, "ops", "hold the payouts").ok());
  InstanceRecord rec = WaitStatus(id, InstanceStatus::kPaused);
  EXPECT_EQ(rec.current_step, "rest");
  EXPECT_TRUE(Tasks(id).empty()) << "a paused sleep has no timer";
  clock_.Advance(kDayMs);
  ASSERT_TRUE(engine_->service().Resume(id, "ops", "go on").ok());
  rec = WaitStatus(id, InstanceStatus::kSleeping);
  std::vector<TaskRecord> tasks = Tasks(id);
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].due_at, wake) << "resumed, the sleep keeps its wake time";
  EXPECT_EQ(Output(rec, "rest").Get("wake_at").IntOr(0), wake);

  // Paused past its wake time, it wakes as soon as it is resumed.
  ASSERT_TRUE(engine_->service().Pause(id, "ops", "again").ok());
  WaitStatus(id, InstanceStatus::kPaused);
  clock_.Advance(3 * kDayMs);
  ASSERT_TRUE(engine_->service().Resume(id, "ops", "").ok());
  WaitStatus(id, InstanceStatus::kCompleted);

  std::string other = Start("cool_off");
  WaitStatus(other, InstanceStatus::kSleeping);
  ASSERT_TRUE(engine_->service().Cancel(other, "ops", "guest changed their mind").ok());
  WaitStatus(other, InstanceStatus::kCancelled);
  EXPECT_TRUE(Tasks(other).empty());
  EXPECT_EQ(Event(History(other), history::kSleepEnded), nullptr);
}

TEST_F(SleepStepTest, UntilAnInstantPastGoesOnAtOnceAndABadOneFailsTheStep) {
  std::string past = Start("until_input", Value::Map{{"at", "2020-01-01T00:00:00Z"}});
  InstanceRecord rec = WaitStatus(past, InstanceStatus::kCompleted);
  EXPECT_EQ(Output(rec, "wait").Get("wake_at").IntOr(0), *ParseRfc3339("2020-01-01T00:00:00Z"));
  std::vector<HistoryEvent> h = History(past);
  ASSERT_NE(Event(h, history::kSleepStarted), nullptr);
  ASSERT_NE(Event(h, history::kSleepEnded), nullptr);

  std::string future = Start("until_input", Value::Map{{"at", clock_.NowMs() + 60'000}});
  WaitStatus(future, InstanceStatus::kSleeping);
  clock_.Advance(60'000);
  WaitStatus(future, InstanceStatus::kCompleted);

  std::string bad = Start("until_input", Value::Map{{"at", "next tuesday"}});
  rec = WaitStatus(bad, InstanceStatus::kFailed);
  EXPECT_EQ(rec.error_code, "invalid_sleep");
  EXPECT_EQ(rec.error_message.rfind("until: ", 0), 0u) << rec.error_message;
}

}  // namespace
}  // namespace steadfast
