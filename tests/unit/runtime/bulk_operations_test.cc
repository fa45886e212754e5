// Bulk operations (runtime/bulk_operations.h) on a real SQLite store with a
// manual clock: a dry run changes nothing, an interrupted run goes on from
// its stored cursor in a new process (a new BulkOperations, as after a
// restart) without acting on anything twice, and running the same request
// again skips what was already done.
#include "runtime/bulk_operations.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "builtin/std_activities.h"
#include "runtime/workflow_catalog.h"
#include "store/sqlite/sqlite_store.h"
#include "subprocess.h"

namespace steadfast {
namespace {

using ::testing::HasSubstr;

constexpr const char* kWaitYaml = R"(name: waits
input: { ref: string }
search: { ref: "${input.ref}" }
steps:
  - id: received
    signal: go
)";
constexpr int kInstances = 230;  // three pages

class BulkOperationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SqliteStoreOptions so;
    so.path = dir_.File("bulk.db");
    so.sync = SyncMode::kOff;
    so.clock = &clock_;
    auto store = OpenSqliteStore(so);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    ASSERT_TRUE(RegisterStdActivities(registry_).ok());
    catalog_ = std::make_unique<WorkflowCatalog>(&registry_);
    ASSERT_TRUE(catalog_->AddSource(kWaitYaml, "waits.yaml").ok());
    service_ = std::make_unique<WorkflowService>(*store_, *catalog_, clock_, random_);
    for (int i = 0; i < kInstances; ++i) {
      clock_.Advance(1);
      StartOptions o;
      o.workflow = "waits";
      o.id = fmt::format("wf-{:03}", i);
      o.input = Value::Map{{"ref", fmt::format("R-{}", i)}};
      o.started_by = "ops";
      ASSERT_TRUE(service_->Start(o).ok());
    }
  }

  int64_t Count(InstanceStatus status) {
    Result<int64_t> n = store_->CountInstances(ListFilter{.workflow_name = "waits", .statuses = {status}});
    EXPECT_TRUE(n.ok());
    return n.ok() ? *n : -1;
  }

  BulkRequest Cancel() {
    return BulkRequest{BulkAction::kCancel, ListFilter{.workflow_name = "waits"}, "event called off", "ops"};
  }

  testing::TempDir dir_;
  ManualClock clock_{1'800'000'000'000};
  SystemRandom random_;
  ActivityRegistry registry_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<WorkflowCatalog> catalog_;
  std::unique_ptr<WorkflowService> service_;
};

TEST_F(BulkOperationsTest, ADryRunCountsAndSamplesAndChangesNothing) {
  BulkOperations ops(*service_, clock_, random_);
  Result<BulkPreview> preview = ops.Preview(Cancel(), 3);
  ASSERT_TRUE(preview.ok()) << preview.status().ToString();
  EXPECT_EQ(preview->total, kInstances);
  EXPECT_EQ(preview->sample, (std::vector<std::string>{"wf-000", "wf-001", "wf-002"}));
  EXPECT_EQ(Count(InstanceStatus::kWaitingSignal), kInstances);
  Result<std::vector<BulkOperationRecord>> stored = store_->ListBulkOperations("", "", 0);
  ASSERT_TRUE(stored.ok());
  EXPECT_TRUE(stored->empty());
}

TEST_F(BulkOperationsTest, RequestsWithoutReasonOrCriteriaAreRefused) {
  BulkOperations ops(*service_, clock_, random_);
  BulkRequest no_reason = Cancel();
  no_reason.reason = "";
  EXPECT_THAT(ops.Create(no_reason).status().message(), HasSubstr("needs a reason"));
  BulkRequest everything = Cancel();
  everything.filter = ListFilter{};
  EXPECT_THAT(ops.Create(everything).status().message(), HasSubstr("needs a filter"));
  EXPECT_EQ(ops.Preview(everything, 5).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ops.Run("bulk-none").status().code(), StatusCode::kNotFound);
}

TEST_F(BulkOperationsTest, AnInterruptedOperationGoesOnFromItsCursorAndActsOnEachInstanceOnce) {
  std::string id;
  {
    BulkOperations ops(*service_, clock_, random_);
    Result<BulkOperationRecord> created = ops.Create(Cancel());
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    id = created->id;
    EXPECT_EQ(created->total, kInstances);
    EXPECT_EQ(created->state, "running");
    // Stopped after the first page: as a server stopping mid-way.
    std::atomic<bool> stop{false};
    Result<BulkOperationRecord> first = ops.Run(id, [&](const BulkOperationRecord&) { stop = true; }, &stop);
    ASSERT_TRUE(first.ok()) << first.status().ToString();
    EXPECT_EQ(first->state, "running");
    EXPECT_EQ(first->done, 100);
    EXPECT_EQ(first->cursor, "wf-099");
  }
  EXPECT_EQ(Count(InstanceStatus::kCancelled), 100);
  // Instances started after the operation are not its business.
  clock_.Advance(10);
  StartOptions late;
  late.workflow = "waits";
  late.id = "wf-late";
  late.input = Value::Map{{"ref", "R-late"}};
  ASSERT_TRUE(service_->Start(late).ok());

  // "Restarted": a new BulkOperations reads the stored operation.
  BulkOperations after_restart(*service_, clock_, random_);
  int pages = 0;
  Result<BulkOperationRecord> done = after_restart.Run(id, [&](const BulkOperationRecord&) { ++pages; });
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(done->state, "completed");
  EXPECT_EQ(done->done, kInstances);
  EXPECT_EQ(done->skipped, 0);
  EXPECT_EQ(done->failed, 0);
  EXPECT_EQ(pages, 3);  // two pages of instances, then the empty one that ends it
  EXPECT_GT(done->finished_at, 0);
  EXPECT_EQ(Count(InstanceStatus::kCancelled), kInstances);
  EXPECT_EQ(store_->GetInstance("wf-late").value()->status, InstanceStatus::kWaitingSignal);
  // Each cancel is in the instance's history with who and why.
  Result<std::vector<HistoryEvent>> history = store_->GetHistory("wf-150", 0, 0);
  ASSERT_TRUE(history.ok());
  std::string events;
  for (const HistoryEvent& e : *history) events += e.type + " " + e.data.ToJson() + "\n";
  EXPECT_THAT(events, HasSubstr("event called off (bulk operation " + id + ")"));

  // A finished operation runs no further; the same request again skips all.
  EXPECT_EQ(after_restart.Run(id)->done, kInstances);
  Result<BulkOperationRecord> again = after_restart.Create(Cancel());
  ASSERT_TRUE(again.ok());
  Result<BulkOperationRecord> second = after_restart.Run(again->id);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->done, 1);  // wf-late, started before this second operation
  EXPECT_EQ(second->skipped, kInstances);

  // The audit list, newest first.
  Result<std::vector<BulkOperationRecord>> listed = store_->ListBulkOperations("", "", 0);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].id, again->id);
  EXPECT_EQ((*listed)[1].id, id);
  EXPECT_EQ((*listed)[1].principal, "ops");
  EXPECT_EQ((*listed)[1].reason, "event called off");
  Value view = BulkOperationView((*listed)[1]);
  EXPECT_EQ(view.Get("filter").Get("workflow").StringOr(""), "waits");
  EXPECT_TRUE(view.Get("filter").Get("created_before").is_string());
  Result<std::vector<BulkOperationRecord>> page = store_->ListBulkOperations("completed", again->id, 10);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 1u);
  EXPECT_EQ((*page)[0].id, id);
}

// Pause, then retry from where they paused: each instance once, the second
// run of the same request skips all, and histories name the operation.
TEST_F(BulkOperationsTest, PauseThenRetryActOnEachInstanceOnce) {
  BulkOperations ops(*service_, clock_, random_);
  auto run = [&](BulkAction action, const char* reason) {
    Result<BulkOperationRecord> created =
        ops.Create(BulkRequest{action, ListFilter{.workflow_name = "waits"}, reason, "ops"});
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    Result<BulkOperationRecord> done = ops.Run(created->id);
    EXPECT_TRUE(done.ok()) << done.status().ToString();
    EXPECT_EQ(done->state, "completed");
    return *done;
  };
  BulkOperationRecord paused = run(BulkAction::kPause, "PSP incident");
  EXPECT_EQ(paused.action, "pause");
  EXPECT_EQ(paused.done, kInstances);
  EXPECT_EQ(Count(InstanceStatus::kPaused), kInstances);
  EXPECT_EQ(run(BulkAction::kPause, "again").skipped, kInstances);

  BulkOperationRecord retried = run(BulkAction::kRetry, "PSP back");
  EXPECT_EQ(retried.done, kInstances);
  EXPECT_EQ(retried.failed, 0);
  EXPECT_EQ(Count(InstanceStatus::kWaitingSignal), kInstances);
  EXPECT_EQ(run(BulkAction::kRetry, "again").skipped, kInstances);

  Result<std::vector<HistoryEvent>> history = store_->GetHistory("wf-042", 0, 0);
  ASSERT_TRUE(history.ok());
  std::string events;
  for (const HistoryEvent& e : *history) events += e.type + " " + e.data.ToJson() + "\n";
  EXPECT_THAT(events, HasSubstr("PSP incident (bulk operation " + paused.id + ")"));
  EXPECT_THAT(events, HasSubstr("PSP back (bulk operation " + retried.id + ")"));
  EXPECT_EQ(ParseBulkAction("retry"), BulkAction::kRetry);
  EXPECT_EQ(ParseBulkAction("reset"), std::nullopt);
}

}  // namespace
}  // namespace steadfast
