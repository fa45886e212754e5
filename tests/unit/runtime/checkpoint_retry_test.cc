// A finished attempt whose checkpoint meets a busy store is not thrown away:
// the engine waits the store out (bounded) instead of letting the attempt
// wait a whole lease and run again.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "builtin/std_activities.h"
#include "core/stderr_logger.h"
#include "runtime/engine.h"
#include "store/forwarding_store.h"
#include "store/sqlite/sqlite_store.h"
#include "subprocess.h"

namespace steadfast {
namespace {

using namespace std::chrono_literals;

// Refuses the first `failures` checkpoints of attempts as SQLite does when
// another process holds the write lock.
class BusyStore : public ForwardingStore {
 public:
  BusyStore(Store& inner, int failures) : ForwardingStore(inner), failures_left_(failures) {}
  Result<CommitResult> Apply(Commit commit) override {
    if (commit.task_id != 0 && !commit.events.empty() && failures_left_.fetch_sub(1) > 0) {
      ++refused_;
      return Status::Busy("database is locked");
    }
    return ForwardingStore::Apply(std::move(commit));
  }
  int refused() const { return refused_; }

 private:
  std::atomic<int> failures_left_;
  std::atomic<int> refused_{0};
};

TEST(CheckpointRetry, BusyStoreAtACheckpointKeepsTheFinishedAttempt) {
  testing::TempDir dir;
  SqliteStoreOptions so;
  so.path = dir.File("engine.db");
  auto sqlite = OpenSqliteStore(so);
  ASSERT_TRUE(sqlite.ok()) << sqlite.status().ToString();
  BusyStore store(**sqlite, 3);

  ActivityRegistry registry;
  ASSERT_TRUE(RegisterStdActivities(registry).ok());
  std::atomic<int> calls{0};
  ASSERT_TRUE(registry.Register("test.effect", [&](ActivityContext&) -> ActivityResult {
                        ++calls;
                        return Value(Value::Map{{"done", true}});
                      }).ok());
  WorkflowCatalog catalog(&registry);
  ASSERT_TRUE(catalog.AddSource("name: once\nsteps:\n  - id: effect\n    activity: test.effect\n", "once.yaml").ok());

  EngineOptions eo;
  eo.workers = 2;
  eo.poll_interval_ms = 20;
  eo.lease_ms = 60000;  // a lost checkpoint would wait this long: far past the test's patience
  eo.node_name = "busy";
  SystemRandom random;
  StderrLogger logger{LogLevel::kError};
  Engine engine(eo, store, catalog, registry, SystemClock::Instance(), random, logger);
  ASSERT_TRUE(engine.Start().ok());
  StartOptions start;
  start.workflow = "once";
  start.input = Value::Map{};
  auto started = engine.service().Start(start);
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  const std::string id = started->instance.id;

  InstanceStatus status = InstanceStatus::kRunning;
  for (auto until = std::chrono::steady_clock::now() + 10s; std::chrono::steady_clock::now() < until;) {
    status = store.GetInstance(id).value()->status;
    if (status == InstanceStatus::kCompleted) break;
    std::this_thread::sleep_for(5ms);
  }
  engine.Stop();
  InstanceRecord last = store.GetInstance(id).value().value();
  EXPECT_EQ(status, InstanceStatus::kCompleted) << last.error_code << ": " << last.error_message;
  EXPECT_EQ(store.refused(), 3);
  EXPECT_EQ(calls.load(), 1);  // the activity did not run again
  auto history = store.GetHistory(id, 0, 0);
  ASSERT_TRUE(history.ok());
  for (const HistoryEvent& e : *history) EXPECT_NE(e.type, "attempt_abandoned") << e.step_id;
}

}  // namespace
}  // namespace steadfast
