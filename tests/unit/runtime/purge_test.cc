// Purging finished instances from a real SQLite file: only those finished
// before the time go, with their history, signals and search keys; waiting
// instances stay however old; a dry run deletes nothing; a workflow filter
// narrows it; batches cover any number. And the server's RetentionSweeper,
// which purges each workflow version past its own `retention:`.
#include "runtime/purge.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "core/random.h"
#include "core/stderr_logger.h"
#include "runtime/retention_sweeper.h"
#include "runtime/workflow_catalog.h"
#include "runtime/workflow_service.h"
#include "store/sqlite/sqlite_store.h"
#include "subprocess.h"

namespace steadfast {
namespace {

constexpr int64_t kDay = 86'400'000;

constexpr const char* kParcel = R"(
name: parcel
retention: 30d
input: { r: string }
search: { reservation_id: "${input.r}" }
steps:
  - id: received
    signal: item_received
)";

constexpr const char* kOther = R"(
name: other
steps:
  - id: received
    signal: go
)";

class PurgeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SqliteStoreOptions so;
    so.path = dir_.File("purge.db");
    auto store = OpenSqliteStore(so);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    catalog_ = std::make_unique<WorkflowCatalog>(nullptr);
    ASSERT_TRUE(catalog_->AddSource(kParcel, "parcel.yaml").ok());
    ASSERT_TRUE(catalog_->AddSource(kOther, "other.yaml").ok());
    service_ = std::make_unique<WorkflowService>(*store_, *catalog_, clock_, random_);
  }

  // A parcel instance waiting for its signal.
  std::string Waiting(const std::string& reservation, const std::string& workflow = "parcel") {
    StartOptions so;
    so.workflow = workflow;
    so.input = workflow == "parcel" ? Value::Map{{"r", reservation}} : Value::Map{};
    so.requested_by = "ops";
    auto r = service_->Start(so);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->instance.id : "";
  }

  // One that finished (cancelled) now.
  std::string Finished(const std::string& reservation, const std::string& workflow = "parcel") {
    std::string id = Waiting(reservation, workflow);
    EXPECT_TRUE(service_->Cancel(id, "ops", "test").ok());
    return id;
  }

  bool Exists(const std::string& id) {
    auto r = store_->GetInstance(id);
    return r.ok() && r->has_value();
  }

  int64_t ByKey(const std::string& reservation) {
    ListFilter f;
    f.keys = {SearchKey{"reservation_id", reservation}};
    f.limit = 0;
    auto n = store_->CountInstances(f);
    EXPECT_TRUE(n.ok());
    return n.ok() ? *n : -1;
  }

  PurgeReport Purge(TimeMs before, bool dry_run = false, const std::string& workflow = "", int batch = 500) {
    PurgeRequest request;
    request.finished_before = before;
    request.dry_run = dry_run;
    request.workflow = workflow;
    request.batch = batch;
    auto r = PurgeFinished(*store_, request);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : PurgeReport{};
  }

  testing::TempDir dir_;
  ManualClock clock_{1'800'000'000'000};
  SystemRandom random_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<WorkflowCatalog> catalog_;
  std::unique_ptr<WorkflowService> service_;
};

TEST_F(PurgeTest, OnlyInstancesFinishedBeforeTheTimeGoWithEverythingKeptForThem) {
  const std::string waiting_since_long_ago = Waiting("R-1");
  const std::string old_done = Finished("R-2");
  clock_.Advance(10 * kDay);
  const TimeMs cut = clock_.NowMs();
  const std::string new_done = Finished("R-3");
  ASSERT_EQ(ByKey("R-2"), 1);

  PurgeReport dry = Purge(cut, /*dry_run=*/true);
  EXPECT_EQ(dry.matched, 1);
  EXPECT_EQ(dry.purged, 0);
  EXPECT_EQ(dry.sample, std::vector<std::string>{old_done});
  EXPECT_TRUE(Exists(old_done)) << "a dry run deletes nothing";

  PurgeReport done = Purge(cut);
  EXPECT_EQ(done.matched, 1);
  EXPECT_EQ(done.purged, 1);
  EXPECT_FALSE(Exists(old_done));
  EXPECT_EQ(ByKey("R-2"), 0) << "its search key went with it";
  auto history = store_->GetHistory(old_done, 0, 100);
  ASSERT_TRUE(history.ok());
  EXPECT_TRUE(history->empty()) << "its history went with it";
  EXPECT_TRUE(Exists(waiting_since_long_ago)) << "a waiting instance stays, however old";
  EXPECT_EQ(ByKey("R-1"), 1);
  EXPECT_TRUE(Exists(new_done)) << "finished after the time";
  EXPECT_EQ(Purge(cut).purged, 0) << "run again, nothing more to do";
}

TEST_F(PurgeTest, AWorkflowFilterNarrowsItAndBatchesCoverEveryInstance) {
  for (int i = 0; i < 7; ++i) Finished("R-" + std::to_string(i));
  const std::string other = Finished("", "other");
  clock_.Advance(kDay);
  PurgeReport parcels = Purge(clock_.NowMs(), false, "parcel", /*batch=*/3);
  EXPECT_EQ(parcels.matched, 7);
  EXPECT_EQ(parcels.purged, 7);
  EXPECT_TRUE(Exists(other));
  EXPECT_EQ(Purge(clock_.NowMs()).purged, 1);
  EXPECT_FALSE(Exists(other));
}

TEST_F(PurgeTest, ATimeIsRequiredAndRunningInstancesAreNeverDeletedById) {
  PurgeRequest no_time;
  EXPECT_EQ(PurgeFinished(*store_, no_time).status().code(), StatusCode::kInvalidArgument);
  const std::string waiting = Waiting("R-9");
  auto n = store_->PurgeInstances({waiting, "wf-no-such"});
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 0);
  EXPECT_TRUE(Exists(waiting));
}

TEST_F(PurgeTest, TheSweeperPurgesEachVersionPastItsOwnRetentionOnly) {
  StderrLogger logger(LogLevel::kWarn);
  RetentionSweeper sweeper(*store_, *catalog_, clock_, logger, 60'000);
  std::vector<std::string> told;
  sweeper.SetPurgedObserver([&](const std::string& workflow, int version, int64_t n) {
    told.push_back(workflow + " v" + std::to_string(version) + ": " + std::to_string(n));
  });
  const std::string parcel = Finished("R-1");
  const std::string other = Finished("", "other");  // no retention: kept for ever
  const std::string waiting = Waiting("R-2");
  clock_.Advance(30 * kDay);
  EXPECT_EQ(sweeper.SweepOnce(), 0) << "finished exactly 30 days ago: not yet past it";
  clock_.Advance(1);
  EXPECT_EQ(sweeper.SweepOnce(), 1);
  EXPECT_FALSE(Exists(parcel));
  EXPECT_TRUE(Exists(other));
  EXPECT_TRUE(Exists(waiting));
  EXPECT_EQ(told, std::vector<std::string>{"parcel v1: 1"});
  EXPECT_EQ(sweeper.SweepOnce(), 0);
}

TEST_F(PurgeTest, TheSweeperRunsOnItsOwnThreadUntilStopped) {
  StderrLogger logger(LogLevel::kWarn);
  RetentionSweeper sweeper(*store_, *catalog_, clock_, logger, /*interval_ms=*/10);
  const std::string parcel = Finished("R-1");
  sweeper.Start();
  clock_.Advance(31 * kDay);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (Exists(parcel) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_FALSE(Exists(parcel)) << "purged by a later pass";
  sweeper.Stop();
  sweeper.Stop();  // idempotent
}

}  // namespace
}  // namespace steadfast
