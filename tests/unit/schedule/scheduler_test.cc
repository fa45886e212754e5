// The scheduler on a manual clock, on both backends (a real SQLite file, a
// real PostgreSQL server): one instance per tick (also with two schedulers
// on one database, and after a "restart"),
// the catch-up and overlap policies, pause, resume and trigger, and the
// parser's file:line:col errors for `schedules:`.
#include "runtime/scheduler.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "builtin/std_activities.h"
#include "core/random.h"
#include "definition/parser.h"
#include "steadfast/time_text.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/sqlite_store.h"
#include "backend_database.h"
#include "raw_db.h"
#include "subprocess.h"

namespace steadfast {
namespace {

TimeMs AtInstant(const char* rfc3339) { return *ParseRfc3339(rfc3339); }

// A workflow that waits for a signal, so its instances stay running until cancelled.
std::string Workflow(const std::string& schedules) {
  return "name: nightly\n"
         "input: {region: string}\n"
         "steps:\n"
         "  - id: wait\n"
         "    signal: go\n"
         "schedules:\n" +
         schedules;
}

// One "process": a store on the shared file, a catalog, a service and a scheduler.
struct Node {
  Node(const testing_support::BackendDatabase& db, const std::string& yaml, const Clock& clock) {
    auto opened = db.Open(&clock);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    store = std::move(opened).value();
    EXPECT_TRUE(RegisterStdActivities(registry).ok());
    catalog = std::make_unique<WorkflowCatalog>(&registry);
    auto def = catalog->AddSource(yaml, "nightly.yaml");
    EXPECT_TRUE(def.ok()) << def.status().message();
    service = std::make_unique<WorkflowService>(*store, *catalog, clock, random);
    scheduler = std::make_unique<Scheduler>(*service, clock, logger);
  }
  ActivityRegistry registry;
  SystemRandom random;
  NullLogger logger;
  std::unique_ptr<Store> store;
  std::unique_ptr<WorkflowCatalog> catalog;
  std::unique_ptr<WorkflowService> service;
  std::unique_ptr<Scheduler> scheduler;
};

class SchedulerTest : public ::testing::TestWithParam<testing_support::StoreBackend> {
 protected:
  void SetUp() override { db_.Create(GetParam(), dir_.File("s.db")); }
  void TearDown() override {
    node_.reset();
    db_.Drop();
  }
  void Open(const std::string& schedules) {
    yaml_ = Workflow(schedules);
    node_ = std::make_unique<Node>(db_, yaml_, clock_);
  }
  std::unique_ptr<Node> Another() { return std::make_unique<Node>(db_, yaml_, clock_); }

  void Pass(Node* node = nullptr) {
    Result<std::optional<TimeMs>> r = (node != nullptr ? node : node_.get())->scheduler->RunDue();
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }

  // Instance ids, oldest first.
  std::vector<std::string> Instances() {
    ListFilter all;
    all.limit = 0;
    auto list = node_->store->ListInstances(all);
    EXPECT_TRUE(list.ok());
    std::vector<std::string> ids;
    for (const InstanceRecord& r : *list) ids.push_back(r.id);
    return ids;
  }

  std::vector<ScheduleTick> Ticks(const std::string& name) {
    auto ticks = node_->scheduler->History(name, 0);
    EXPECT_TRUE(ticks.ok()) << ticks.status().ToString();
    return ticks.ok() ? *ticks : std::vector<ScheduleTick>{};
  }

  void CancelAll() {
    for (const std::string& id : Instances()) {
      auto rec = node_->store->GetInstance(id);
      if (rec.ok() && *rec && !IsTerminal((*rec)->status)) {
        ASSERT_TRUE(node_->service->Cancel(id, "test", "done").ok());
      }
    }
  }

  testing::TempDir dir_;
  testing_support::BackendDatabase db_;
  ManualClock clock_{AtInstant("2026-12-03T10:00:10Z")};
  std::string yaml_;
  std::unique_ptr<Node> node_;
};

TEST_P(SchedulerTest, FiresOncePerTickAndNeverBeforeIt) {
  Open("  - name: every_minute\n    every: 1m\n    input: {region: eu}\n    overlap: allow\n");
  Pass();  // first sight: the schedule fires from now on
  EXPECT_TRUE(Instances().empty());
  clock_.Set(AtInstant("2026-12-03T10:00:59.999Z"));
  Pass();
  EXPECT_TRUE(Instances().empty());
  clock_.Set(AtInstant("2026-12-03T10:01:00Z"));
  Pass();
  Pass();
  EXPECT_EQ(Instances(), (std::vector<std::string>{"sched:every_minute:20261203T100100Z"}));
  auto rec = node_->store->GetInstance("sched:every_minute:20261203T100100Z");
  ASSERT_TRUE(rec.ok() && *rec);
  EXPECT_EQ((*rec)->input.Get("region").StringOr(""), "eu");
  EXPECT_EQ((*rec)->started_by, "schedule:every_minute");
  clock_.Set(AtInstant("2026-12-03T10:02:30Z"));
  Pass();
  EXPECT_EQ(Instances().size(), 2u);
  std::vector<ScheduleTick> ticks = Ticks("every_minute");
  ASSERT_EQ(ticks.size(), 2u);
  EXPECT_EQ(ticks[0].tick_at, AtInstant("2026-12-03T10:02:00Z"));
  EXPECT_EQ(ticks[0].outcome, TickOutcome::kStarted);
  EXPECT_EQ(ticks[0].instance_id, "sched:every_minute:20261203T100200Z");
  EXPECT_EQ(ticks[0].reason, "");
}

TEST_P(SchedulerTest, TwoSchedulersOnOneDatabaseStartEachTickOnce) {
  Open("  - name: every_minute\n    every: 1m\n    input: {region: eu}\n    overlap: allow\n    catch_up: all\n");
  std::unique_ptr<Node> other = Another();
  Pass();
  Pass(other.get());
  for (int minute = 1; minute <= 5; ++minute) {
    clock_.Advance(60'000);
    // Alternate who goes first; the loser finds the tick handled.
    if (minute % 2 == 0) {
      Pass(other.get());
      Pass();
    } else {
      Pass();
      Pass(other.get());
    }
  }
  // And a restarted node (fresh objects, the same file) finds nothing left to do.
  node_.reset();
  node_ = Another();
  Pass();
  EXPECT_EQ(Instances().size(), 5u);
  EXPECT_EQ(Ticks("every_minute").size(), 5u);
}

TEST_P(SchedulerTest, AStaleSchedulerWritesNothing) {
  // A scheduler that read the cursor before another handled the tick (the
  // window between read and commit) loses at the commit: precondition.
  Open("  - name: every_minute\n    every: 1m\n    input: {region: eu}\n    overlap: allow\n");
  Pass();
  clock_.Advance(60'000);
  ScheduleTickWrite stale{"every_minute", AtInstant("2026-12-03T10:00:10Z"), AtInstant("2026-12-03T10:01:00Z"), {}};
  Pass();
  Status s = node_->store->RecordScheduleTicks(stale);
  EXPECT_EQ(s.code(), StatusCode::kConflict) << s.ToString();
  StartOptions so;
  so.workflow = "nightly";
  so.input = Value::Map{{"region", "eu"}};
  so.id = "sched:every_minute:other";
  so.schedule_tick = stale;
  EXPECT_EQ(node_->service->Start(so).status().code(), StatusCode::kConflict);
  EXPECT_EQ(Instances().size(), 1u) << "the losing start wrote no instance";
}

TEST_P(SchedulerTest, CatchUpAllStartsEachMissedTick) {
  Open("  - name: hourly\n    every: 1h\n    input: {region: eu}\n    overlap: allow\n    catch_up: all\n");
  Pass();
  clock_.Set(AtInstant("2026-12-03T14:30:00Z"));  // down for 11:00 .. 14:00, the newest 30 min late
  Pass();
  EXPECT_EQ(Instances(), (std::vector<std::string>{"sched:hourly:20261203T110000Z", "sched:hourly:20261203T120000Z",
                                                   "sched:hourly:20261203T130000Z", "sched:hourly:20261203T140000Z"}));
  for (const ScheduleTick& t : Ticks("hourly")) EXPECT_EQ(t.reason, "catch_up");
}

TEST_P(SchedulerTest, CatchUpAllIsCappedAndKeepsTheNewest) {
  Open("  - name: hourly\n    every: 1h\n    input: {region: eu}\n    overlap: allow\n    catch_up: all\n"
       "    catch_up_limit: 2\n");
  Pass();
  clock_.Set(AtInstant("2026-12-03T15:00:05Z"));  // 11:00 .. 14:00 missed, 15:00 on time
  Pass();
  EXPECT_EQ(Instances(), (std::vector<std::string>{"sched:hourly:20261203T130000Z", "sched:hourly:20261203T140000Z",
                                                   "sched:hourly:20261203T150000Z"}));
  std::vector<ScheduleTick> ticks = Ticks("hourly");
  ASSERT_EQ(ticks.size(), 4u);
  const ScheduleTick& skipped = ticks.back();
  EXPECT_EQ(skipped.outcome, TickOutcome::kSkipped);
  EXPECT_EQ(skipped.ticks, 2);
  EXPECT_EQ(skipped.tick_at, AtInstant("2026-12-03T12:00:00Z"));
  EXPECT_EQ(skipped.reason, "catch_up_limit: 2 missed tick(s) beyond catch_up_limit 2");
}

TEST_P(SchedulerTest, CatchUpLatestStartsOnlyTheMostRecentMissedTick) {
  Open("  - name: hourly\n    every: 1h\n    input: {region: eu}\n    catch_up: latest\n");
  Pass();
  clock_.Set(AtInstant("2026-12-03T14:30:00Z"));
  Pass();
  EXPECT_EQ(Instances(), (std::vector<std::string>{"sched:hourly:20261203T140000Z"}));
  std::vector<ScheduleTick> ticks = Ticks("hourly");
  ASSERT_EQ(ticks.size(), 2u);
  EXPECT_EQ(ticks[0].reason, "catch_up");
  EXPECT_EQ(ticks[1].ticks, 3);
  EXPECT_EQ(ticks[1].reason, "catch_up: 3 missed tick(s) not started (catch_up: latest)");
}

TEST_P(SchedulerTest, CatchUpSkipStartsNoMissedTickButAnOnTimeOne) {
  Open("  - name: hourly\n    every: 1h\n    input: {region: eu}\n    catch_up: skip\n");
  Pass();
  clock_.Set(AtInstant("2026-12-03T14:30:00Z"));
  Pass();
  EXPECT_TRUE(Instances().empty());
  ASSERT_EQ(Ticks("hourly").size(), 1u);
  EXPECT_EQ(Ticks("hourly")[0].ticks, 4);
  clock_.Set(AtInstant("2026-12-03T15:00:01Z"));
  Pass();
  EXPECT_EQ(Instances(), (std::vector<std::string>{"sched:hourly:20261203T150000Z"}));
}

TEST_P(SchedulerTest, OverlapSkipRecordsTheTickWhileThePreviousRuns) {
  Open("  - name: every_minute\n    every: 1m\n    input: {region: eu}\n    overlap: skip\n");
  Pass();
  clock_.Set(AtInstant("2026-12-03T10:01:00Z"));
  Pass();
  clock_.Set(AtInstant("2026-12-03T10:02:00Z"));
  Pass();
  EXPECT_EQ(Instances().size(), 1u);
  std::vector<ScheduleTick> ticks = Ticks("every_minute");
  ASSERT_EQ(ticks.size(), 2u);
  EXPECT_EQ(ticks[0].outcome, TickOutcome::kSkipped);
  EXPECT_EQ(ticks[0].reason, "overlap: sched:every_minute:20261203T100100Z is still running (overlap: skip)");
  CancelAll();
  clock_.Set(AtInstant("2026-12-03T10:03:00Z"));
  Pass();
  EXPECT_EQ(Instances().size(), 2u);
}

TEST_P(SchedulerTest, OverlapCancelPreviousStartsTheNewAndCancelsTheOld) {
  Open("  - name: every_minute\n    every: 1m\n    input: {region: eu}\n    overlap: cancel_previous\n");
  Pass();
  clock_.Set(AtInstant("2026-12-03T10:01:00Z"));
  Pass();
  clock_.Set(AtInstant("2026-12-03T10:02:00Z"));
  Pass();
  auto old = node_->store->GetInstance("sched:every_minute:20261203T100100Z");
  auto fresh = node_->store->GetInstance("sched:every_minute:20261203T100200Z");
  ASSERT_TRUE(old.ok() && *old && fresh.ok() && *fresh);
  EXPECT_EQ((*old)->status, InstanceStatus::kCancelled);
  EXPECT_EQ((*fresh)->status, InstanceStatus::kWaitingSignal);
  EXPECT_EQ(Ticks("every_minute")[0].reason, "cancel_previous: sched:every_minute:20261203T100100Z");
}

TEST_P(SchedulerTest, PausedSchedulesHandleNothingAndResumeWithTheCatchUpPolicy) {
  Open("  - name: every_minute\n    every: 1m\n    input: {region: eu}\n    overlap: allow\n    catch_up: latest\n");
  Pass();
  ASSERT_TRUE(node_->scheduler->Pause("every_minute", "ops", "PSP maintenance").ok());
  auto shown = node_->scheduler->Show("every_minute");
  ASSERT_TRUE(shown.ok());
  EXPECT_TRUE(shown->state.paused);
  EXPECT_EQ(shown->state.paused_by, "ops");
  EXPECT_EQ(shown->state.pause_reason, "PSP maintenance");
  EXPECT_FALSE(shown->next_tick_at.has_value());
  clock_.Set(AtInstant("2026-12-03T10:05:30Z"));
  Pass();
  EXPECT_TRUE(Instances().empty());
  ASSERT_TRUE(node_->scheduler->Resume("every_minute", "ops").ok());
  Pass();
  // 10:01 .. 10:04 missed; 10:05 on time (30 s late, within late_after).
  EXPECT_EQ(Instances(), (std::vector<std::string>{"sched:every_minute:20261203T100500Z"}));
  EXPECT_EQ(Ticks("every_minute")[1].ticks, 4);
  EXPECT_EQ(node_->scheduler->Pause("nope", "ops", "").code(), StatusCode::kNotFound);
}

TEST_P(SchedulerTest, TriggerStartsOneNowEvenWhenPaused) {
  Open("  - name: every_minute\n    every: 1m\n    input: {region: eu}\n");
  ASSERT_TRUE(node_->scheduler->Pause("every_minute", "ops", "").ok());
  Result<ScheduleTick> t = node_->scheduler->Trigger("every_minute", "alice");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->kind, TickKind::kManual);
  EXPECT_EQ(t->instance_id, "sched:every_minute:manual:20261203T100010Z");
  EXPECT_EQ(Instances(), (std::vector<std::string>{t->instance_id}));
  auto rec = node_->store->GetInstance(t->instance_id);
  EXPECT_EQ((*rec)->started_by, "alice");
  std::vector<ScheduleTick> ticks = Ticks("every_minute");
  ASSERT_EQ(ticks.size(), 1u);
  EXPECT_EQ(ticks[0].principal, "alice");
  EXPECT_EQ(node_->scheduler->Trigger("every_minute", "alice").status().code(), StatusCode::kConflict)
      << "the same millisecond twice";
}

TEST_P(SchedulerTest, CronInAZoneTicksAtLocalTimes) {
  Open("  - name: nightly\n    cron: \"30 2 * * *\"\n    time_zone: Europe/Paris\n    input: {region: eu}\n"
       "    overlap: allow\n    catch_up: all\n");
  clock_.Set(AtInstant("2026-03-28T00:00:00Z"));
  Pass();
  clock_.Set(AtInstant("2026-03-30T12:00:00Z"));
  Pass();
  // The 28th's 02:30 CET is 01:30Z; the 29th has no 02:30 (it fires as the
  // gap ends, 03:00 CEST = 01:00Z); the 30th's 02:30 CEST is 00:30Z.
  EXPECT_EQ(Instances(), (std::vector<std::string>{"sched:nightly:20260328T013000Z", "sched:nightly:20260329T010000Z",
                                                   "sched:nightly:20260330T003000Z"}));
  auto shown = node_->scheduler->Show("nightly");
  ASSERT_TRUE(shown.ok());
  EXPECT_EQ(shown->rule, "cron '30 2 * * *' (Europe/Paris)");
  EXPECT_EQ(FormatRfc3339Utc(*shown->next_tick_at), "2026-03-31T00:30:00Z");
}

TEST_P(SchedulerTest, AScheduleNameDeclaredTwiceIsRefused) {
  Open("  - name: dup\n    every: 1m\n    input: {region: eu}\n");
  auto other = node_->catalog->AddSource(
      "name: other\nsteps:\n  - id: a\n    activity: std.noop\nschedules:\n  - name: dup\n    every: 1h\n",
      "other.yaml");
  ASSERT_TRUE(other.ok()) << other.status().message();
  Result<std::vector<ScheduleInfo>> list = node_->scheduler->List();
  ASSERT_FALSE(list.ok());
  EXPECT_NE(list.status().message().find("schedule name 'dup' is declared by"), std::string::npos)
      << list.status().message();
}

INSTANTIATE_TEST_SUITE_P(Backends, SchedulerTest, STEADFAST_STORE_BACKENDS);

TEST(ScheduleMigration, AVersionFourDatabaseGainsTheScheduleTables) {
  testing::TempDir dir;
  const std::string path = dir.File("v4.db");
  {
    SqliteStoreOptions so;
    so.path = path;
    ASSERT_TRUE(OpenSqliteStore(so).ok());
  }
  testing_support::RollBackEngineSchema(path, 4);  // before schedules and every later migration
  SqliteStoreOptions so;
  so.path = path;
  auto store = OpenSqliteStore(so);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ(testing_support::RawDb(path).QueryText("SELECT version FROM schema_version"),
            std::to_string(kSqliteSchemaVersion));
  ScheduleState state;
  state.name = "s";
  state.workflow = "w";
  state.cursor_at = 5;
  ASSERT_TRUE((*store)->EnsureSchedules({state}).ok());
  auto listed = (*store)->ListSchedules();
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].cursor_at, 5);
}

// ------------------------------------------------------------- the parser

std::string Problems(const std::string& schedules) {
  ParseResult r = ParseWorkflow(Workflow(schedules), "w.yaml", nullptr);
  std::string out;
  for (const Diagnostic& d : r.diagnostics) out += d.ToString() + "\n";
  return out;
}

TEST(ScheduleParsing, AValidScheduleIsRead) {
  ParseResult r = ParseWorkflow(Workflow("  - name: nightly\n    cron: \"0 2 * * *\"\n    time_zone: Europe/Paris\n"
                                         "    input: {region: eu}\n    overlap: cancel_previous\n    catch_up: all\n"
                                         "    catch_up_limit: 5\n"),
                                "w.yaml", nullptr);
  ASSERT_TRUE(r.ok()) << r.diagnostics[0].ToString();
  ASSERT_EQ(r.def->schedules.size(), 1u);
  const ScheduleDef& s = r.def->schedules[0];
  EXPECT_EQ(s.cron, "0 2 * * *");
  EXPECT_EQ(s.time_zone, "Europe/Paris");
  EXPECT_EQ(s.overlap, OverlapPolicy::kCancelPrevious);
  EXPECT_EQ(s.catch_up, CatchUpPolicy::kAll);
  EXPECT_EQ(s.catch_up_limit, 5);
  EXPECT_EQ(s.input.Get("region").StringOr(""), "eu");
}

TEST(ScheduleParsing, ProblemsAreReportedAtFileLineColumn) {
  EXPECT_EQ(Problems("  - name: a\n    cron: \"0 25 * * *\"\n    input: {region: eu}\n"),
            "w.yaml:8:14: bad cron expression: hour field: 25 is out of range 0-23\n");
  EXPECT_EQ(Problems("  - name: a\n    cron: 0 2 * * *\n    time_zone: Mars/Base\n    input: {region: eu}\n"),
            "w.yaml:9:16: unknown time zone 'Mars/Base' (expected an IANA name such as Europe/Paris, "
            "America/New_York or UTC)\n");
  EXPECT_EQ(Problems("  - name: a\n    cron: \"0 0 30 2 *\"\n    input: {region: eu}\n"),
            "w.yaml:8:11: cron expression '0 0 30 2 *' never fires (no such date)\n");
  EXPECT_EQ(Problems("  - name: a\n    input: {region: eu}\n"),
            "w.yaml:7:5: a schedule needs exactly one of 'cron' (e.g. \"0 2 * * *\") or 'every' (e.g. 1h)\n");
  EXPECT_EQ(Problems("  - name: a\n    every: 1h\n    overlap: queue\n    input: {region: eu}\n"),
            "w.yaml:9:14: unknown overlap 'queue'; expected skip, allow or cancel_previous\n");
  EXPECT_EQ(Problems("  - name: a\n    every: 1h\n    catch_up_limit: 3\n    input: {region: eu}\n"),
            "w.yaml:9:5: 'catch_up_limit' applies only with catch_up: all\n");
  EXPECT_EQ(Problems("  - name: a\n    every: 1500ms\n    input: {region: eu}\n"),
            "w.yaml:8:12: 'every' must be a whole number of seconds, at least 1s (got 1s500ms)\n");
  EXPECT_EQ(Problems("  - name: a\n    every: 1h\n"),
            "w.yaml:7:5: schedule 'a': input: missing required field 'region'\n");
  EXPECT_EQ(Problems("  - name: a\n    every: 1h\n    input: {region: \"${input.x}\"}\n"),
            "w.yaml:9:21: a schedule's input is a fixed value: '${...}' is not evaluated here\n");
  EXPECT_EQ(Problems("  - name: a\n    every: 1h\n    input: {region: eu}\n  - name: a\n    every: 2h\n"
                     "    input: {region: eu}\n"),
            "w.yaml:10:5: duplicate schedule name 'a' (first at line 7)\n");
  EXPECT_EQ(Problems("  - name: a\n    every: 1h\n    colour: red\n    input: {region: eu}\n"),
            "w.yaml:9:5: unknown schedule field 'colour'\n");
}

}  // namespace
}  // namespace steadfast
