// An engine holds its node_name while it lives: a second engine with the
// same name on the same database refuses to start and frees nothing, and
// the name is free again once the first engine is gone.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "builtin/std_activities.h"
#include "core/stderr_logger.h"
#include "runtime/engine.h"
#include "store/sqlite/sqlite_store.h"
#include "activity_gate.h"
#include "subprocess.h"

namespace steadfast {
namespace {

using namespace std::chrono_literals;

class NodeIdentityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SqliteStoreOptions so;
    so.path = dir_.File("engine.db");
    auto store = OpenSqliteStore(so);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    // Held until the test releases it (a minute at most: the test is over long before).
    ASSERT_TRUE(registry_.Register("test.block", gate_.Activity(std::chrono::minutes(1))).ok());
    catalog_ = std::make_unique<WorkflowCatalog>(&registry_);
    ASSERT_TRUE(catalog_->AddSource("name: blocked\nsteps:\n  - id: work\n    activity: test.block\n", "b.yaml").ok());
  }

  std::unique_ptr<Engine> MakeEngine() {
    EngineOptions eo;
    eo.workers = 2;
    eo.poll_interval_ms = 20;
    eo.node_name = "same";
    return std::make_unique<Engine>(eo, *store_, *catalog_, registry_, SystemClock::Instance(), random_, logger_);
  }

  void Release() { gate_.Open(); }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  ActivityRegistry registry_;
  std::unique_ptr<WorkflowCatalog> catalog_;
  SystemRandom random_;
  StderrLogger logger_{LogLevel::kError};
  testing::ActivityGate gate_;
};

TEST_F(NodeIdentityTest, ASecondEngineWithTheSameNameRefusesAndTakesNoLease) {
  std::unique_ptr<Engine> first = MakeEngine();
  ASSERT_TRUE(first->Start().ok());
  StartOptions so;
  so.workflow = "blocked";
  so.input = Value::Map{};
  auto started = first->service().Start(so);
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  const std::string id = started->instance.id;
  ASSERT_TRUE(gate_.WaitEntered());
  auto before = store_->GetTasks(id);
  ASSERT_TRUE(before.ok());
  ASSERT_EQ(before->size(), 1u);
  EXPECT_EQ((*before)[0].lease_owner, first->owner());

  std::unique_ptr<Engine> second = MakeEngine();
  Status refused = second->Start();
  EXPECT_EQ(refused.code(), StatusCode::kAlreadyExists);
  EXPECT_NE(refused.message().find("node 'same' is already running"), std::string::npos) << refused.message();
  EXPECT_NE(refused.message().find("node_name"), std::string::npos) << refused.message();
  second.reset();
  auto after = store_->GetTasks(id);
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ((*after)[0].lease_owner, first->owner());  // the running attempt keeps its lease
  EXPECT_EQ((*after)[0].lease_token, (*before)[0].lease_token);

  Release();
  for (auto deadline = std::chrono::steady_clock::now() + 10s; std::chrono::steady_clock::now() < deadline;) {
    auto r = store_->GetInstance(id);
    if (r.ok() && *r && (*r)->status == InstanceStatus::kCompleted) break;
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_EQ((*store_->GetInstance(id))->status, InstanceStatus::kCompleted);
  first->Stop();
  first.reset();

  std::unique_ptr<Engine> successor = MakeEngine();
  EXPECT_TRUE(successor->Start().ok());  // the name is free once its holder is gone
}

}  // namespace
}  // namespace steadfast
