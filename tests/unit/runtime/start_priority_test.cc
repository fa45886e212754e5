// Start priorities as WorkflowService::Start sets them (core/priority.h):
// the start call's, else the workflow's `priority:`, else 3; the instance's
// tasks carry it; a priority outside 1..5 starts nothing.
#include <gtest/gtest.h>

#include "builtin/std_activities.h"
#include "runtime/workflow_catalog.h"
#include "runtime/workflow_service.h"
#include "store/sqlite/sqlite_store.h"
#include "subprocess.h"

namespace steadfast {
namespace {

// No local runner: the first step's task waits in the store, unclaimed.
constexpr const char* kUrgentYaml = R"(name: urgent
priority: 2
steps:
  - id: work
    activity: std.noop
)";
constexpr const char* kPlainYaml = R"(name: plain
steps:
  - id: received
    signal: go
)";

class StartPriorityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SqliteStoreOptions so;
    so.path = dir_.File("priority.db");
    so.sync = SyncMode::kOff;
    so.clock = &clock_;
    auto store = OpenSqliteStore(so);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    ASSERT_TRUE(RegisterStdActivities(registry_).ok());
    catalog_ = std::make_unique<WorkflowCatalog>(&registry_);
    ASSERT_TRUE(catalog_->AddSource(kUrgentYaml, "urgent.yaml").ok());
    ASSERT_TRUE(catalog_->AddSource(kPlainYaml, "plain.yaml").ok());
    service_ = std::make_unique<WorkflowService>(*store_, *catalog_, clock_, random_);
  }

  Result<StartResult> Start(const std::string& workflow, int priority) {
    StartOptions o;
    o.workflow = workflow;
    o.input = Value::Map{};
    o.priority = priority;
    o.started_by = "ops";
    return service_->Start(o);
  }

  testing::TempDir dir_;
  ManualClock clock_{1'800'000'000'000};
  SystemRandom random_;
  ActivityRegistry registry_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<WorkflowCatalog> catalog_;
  std::unique_ptr<WorkflowService> service_;
};

TEST_F(StartPriorityTest, TheCallsPriorityElseTheWorkflowsElseThree) {
  Result<StartResult> declared = Start("urgent", 0);
  ASSERT_TRUE(declared.ok()) << declared.status().ToString();
  EXPECT_EQ(declared->instance.priority, 2);
  Result<StartResult> overridden = Start("urgent", 5);
  ASSERT_TRUE(overridden.ok());
  EXPECT_EQ(overridden->instance.priority, 5);
  Result<StartResult> plain = Start("plain", 0);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->instance.priority, kDefaultPriority);

  // As stored, and copied onto the instance's tasks.
  Result<std::optional<InstanceRecord>> stored = store_->GetInstance(overridden->instance.id);
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->priority, 5);
  Result<std::vector<TaskRecord>> tasks = store_->GetTasks(declared->instance.id);
  ASSERT_TRUE(tasks.ok());
  ASSERT_EQ(tasks->size(), 1u);
  for (const TaskRecord& t : *tasks) EXPECT_EQ(t.priority, 2) << t.step_id;
}

TEST_F(StartPriorityTest, APriorityOutsideOneToFiveStartsNothing) {
  for (int bad : {-1, 6, 9}) {
    Result<StartResult> r = Start("plain", bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find("priority must be 1 (first) to 5 (last)"), std::string::npos);
  }
  Result<int64_t> n = store_->CountInstances(ListFilter{});
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0);
}

}  // namespace
}  // namespace steadfast
