// An engine holds its node_name while it lives: a second engine with the
// same name on the same database refuses to start and frees nothing, and
// the name is free again once the first engine is gone. A hold lost while
// the engine runs (PostgreSQL's session ended) stops its claims until the
// name is held again.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "builtin/std_activities.h"
#include "core/stderr_logger.h"
#include "runtime/engine.h"
#include "store/forwarding_store.h"
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

// A node lock whose hold the test takes away and gives back, as a database
// session ending and the name being re-taken (or taken by another) would.
class LosableLock final : public NodeLock {
 public:
  explicit LosableLock(std::atomic<int>* state) : state_(state) {}
  Result<Held> Check() override {
    switch (state_->load()) {
      case 0: return Held::kThroughout;
      case 1: return Status::Unavailable("connection to PostgreSQL lost");
      default: return Status::AlreadyExists("node 'losable' is already running on database x");
    }
  }

 private:
  std::atomic<int>* state_;
};

class LosableLockStore : public ForwardingStore {
 public:
  LosableLockStore(Store& inner, std::atomic<int>* state) : ForwardingStore(inner), state_(state) {}
  Result<std::unique_ptr<NodeLock>> LockNode(const std::string&) override {
    return std::unique_ptr<NodeLock>(std::make_unique<LosableLock>(state_));
  }

 private:
  std::atomic<int>* state_;
};

TEST_F(NodeIdentityTest, AnEngineThatLosesItsNameClaimsNothingUntilItHoldsItAgain) {
  std::atomic<int> lock_state{0};
  LosableLockStore store(*store_, &lock_state);
  EngineOptions eo;
  eo.workers = 2;
  eo.poll_interval_ms = 20;
  eo.node_name = "losable";
  Engine engine(eo, store, *catalog_, registry_, SystemClock::Instance(), random_, logger_);
  ASSERT_TRUE(engine.Start().ok());
  Release();  // the activity returns at once
  auto start = [&] {
    StartOptions so;
    so.workflow = "blocked";
    so.input = Value::Map{};
    auto started = engine.service().Start(so);
    EXPECT_TRUE(started.ok()) << started.status().ToString();
    return started.ok() ? started->instance.id : std::string();
  };
  auto completes_within = [&](const std::string& id, std::chrono::milliseconds patience) {
    for (auto deadline = std::chrono::steady_clock::now() + patience; std::chrono::steady_clock::now() < deadline;) {
      auto r = store_->GetInstance(id);
      if (r.ok() && *r && (*r)->status == InstanceStatus::kCompleted) return true;
      std::this_thread::sleep_for(5ms);
    }
    return false;
  };
  EXPECT_TRUE(completes_within(start(), 10s)) << "held: claims as usual";

  for (int lost : {1, 2}) {  // the database unreachable; another process took the name
    lock_state = lost;
    std::this_thread::sleep_for(60ms);  // the scheduler's next pass sees the loss
    const std::string id = start();
    // Twenty-five poll intervals: a claim would have come long before.
    EXPECT_FALSE(completes_within(id, 500ms)) << "claimed while its name was lost (" << lost << ")";
    auto tasks = store_->GetTasks(id);
    ASSERT_TRUE(tasks.ok());
    ASSERT_EQ(tasks->size(), 1u);
    EXPECT_EQ((*tasks)[0].lease_owner, "") << "nothing leased while lost";
    lock_state = 0;
    EXPECT_TRUE(completes_within(id, 10s)) << "claims again once the name is held";
  }
  engine.Stop();
}

}  // namespace
}  // namespace steadfast
