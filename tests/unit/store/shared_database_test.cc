// Several Store objects on one database, as several processes would have:
// on SQLite the same file, on PostgreSQL the same schema. Claims racing
// from every store take each due task exactly once; starts racing with one
// id create it once and answer the others with it; a commit racing a claim
// of the same task either keeps it or fences the claim; node identities
// are held by one store at a time and free again once let go.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "store_backends.h"

namespace steadfast {
namespace {

using testing_support::MakeStart;
using testing_support::MakeTask;
using ::testing::HasSubstr;

class SharedDatabaseTest : public testing_support::BackendStoreTest {
 protected:
  static constexpr int kStores = 3;
  void SetUp() override {
    BackendStoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    for (int i = 0; i < kStores; ++i) {
      stores_.push_back(OpenBackend());
      ASSERT_NE(stores_.back(), nullptr);
    }
  }
  void TearDown() override {
    stores_.clear();
    BackendStoreTest::TearDown();
  }
  std::vector<std::unique_ptr<Store>> stores_;
};

TEST_P(SharedDatabaseTest, RacingClaimsTakeEveryDueTaskExactlyOnce) {
  constexpr int kTasks = 300;
  for (int i = 0; i < kTasks; ++i) {
    ASSERT_TRUE(stores_[0]->StartInstance(MakeStart("i" + std::to_string(i), {MakeTask("s", 100)})).ok());
  }
  std::mutex mu;
  std::map<int64_t, std::string> owner_of;  // task id -> the claim that got it
  std::vector<std::string> errors;
  std::vector<std::thread> claimers;
  for (int s = 0; s < kStores; ++s) {
    for (int t = 0; t < 2; ++t) {
      claimers.emplace_back([&, s, t] {
        const std::string owner = "store" + std::to_string(s) + "/" + std::to_string(t);
        while (true) {
          Result<std::vector<TaskRecord>> got = stores_[s]->ClaimDueTasks(owner, 1000, 1'000'000, 7);
          std::lock_guard<std::mutex> lock(mu);
          if (!got.ok()) {
            // SQLite: another Store object's write lock, waited out by the
            // busy timeout; anything else is a failure.
            if (got.status().code() != StatusCode::kBusy) errors.push_back(got.status().ToString());
            continue;
          }
          if (got->empty()) return;
          for (const TaskRecord& task : *got) {
            auto [it, fresh] = owner_of.emplace(task.id, owner);
            if (!fresh) errors.push_back("task " + std::to_string(task.id) + " claimed by " + it->second + " and " + owner);
          }
        }
      });
    }
  }
  for (std::thread& t : claimers) t.join();
  EXPECT_THAT(errors, ::testing::IsEmpty());
  EXPECT_EQ(owner_of.size(), static_cast<size_t>(kTasks));
}

TEST_P(SharedDatabaseTest, RacingStartsOfOneIdCreateItOnce) {
  for (int round = 0; round < 20; ++round) {
    const std::string id = "order-" + std::to_string(round);
    std::atomic<int> created{0};
    std::atomic<int> existing{0};
    std::vector<std::string> errors;
    std::mutex mu;
    std::vector<std::thread> starters;
    for (int s = 0; s < kStores; ++s) {
      starters.emplace_back([&, s] {
        Result<StartResult> r = stores_[s]->StartInstance(MakeStart(id, {MakeTask("s", 100)}));
        if (!r.ok()) {
          std::lock_guard<std::mutex> lock(mu);
          errors.push_back(r.status().ToString());
          return;
        }
        (r->outcome == StartOutcome::kCreated ? created : existing)++;
      });
    }
    for (std::thread& t : starters) t.join();
    EXPECT_THAT(errors, ::testing::IsEmpty());
    EXPECT_EQ(created.load(), 1) << id;
    EXPECT_EQ(existing.load(), kStores - 1) << id;
    Result<std::vector<TaskRecord>> tasks = stores_[0]->GetTasks(id);
    ASSERT_TRUE(tasks.ok());
    EXPECT_EQ(tasks->size(), 1u) << "the losing starts wrote nothing";
  }
}

// A worker's checkpoint of a task whose lease expired races another
// store's claim of it: exactly one wins. Either the checkpoint commits
// (then the task is gone and the claim did not get it) or the claim does
// (then the checkpoint is LeaseLost and wrote nothing).
TEST_P(SharedDatabaseTest, ACheckpointAndAClaimOfTheSameTaskNeverBothWin) {
  for (int round = 0; round < 30; ++round) {
    const std::string id = "r" + std::to_string(round);
    Result<StartResult> started = stores_[0]->StartInstance(MakeStart(id, {MakeTask("s", 100, "w0", 500)}));
    ASSERT_TRUE(started.ok());
    const TaskRecord held = started->created_tasks[0];
    std::atomic<bool> commit_won{false};
    std::atomic<bool> claim_won{false};
    std::thread checkpoint([&] {
      Commit c;
      c.instance_id = id;
      c.task_id = held.id;
      c.lease_token = held.lease_token;
      c.events = {testing_support::MakeEvent("step_completed", "s")};
      Result<CommitResult> r = stores_[1]->Apply(c);
      if (r.ok()) commit_won = true;
      else EXPECT_EQ(r.status().code(), StatusCode::kLeaseLost) << r.status().ToString();
    });
    std::thread claim([&] {
      // The lease ran out at 500: the claim at 1000 may take the task.
      Result<std::vector<TaskRecord>> r = stores_[2]->ClaimDueTasks("w2", 1000, 100000, 10);
      while (!r.ok() && r.status().code() == StatusCode::kBusy) r = stores_[2]->ClaimDueTasks("w2", 1000, 100000, 10);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      for (const TaskRecord& t : *r) {
        if (t.id == held.id) claim_won = true;
      }
    });
    checkpoint.join();
    claim.join();
    EXPECT_NE(commit_won.load(), claim_won.load()) << id << ": commit " << commit_won << ", claim " << claim_won;
    Result<std::vector<HistoryEvent>> history = stores_[0]->GetHistory(id, 0, 0);
    ASSERT_TRUE(history.ok());
    EXPECT_EQ(history->size(), commit_won ? 2u : 1u) << "a fenced checkpoint writes nothing";
  }
}

TEST_P(SharedDatabaseTest, ANodeIsHeldByOneStoreAtATime) {
  Result<std::unique_ptr<NodeLock>> first = stores_[0]->LockNode("node-a");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  Result<std::unique_ptr<NodeLock>> second = stores_[1]->LockNode("node-a");
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kAlreadyExists);
  EXPECT_THAT(second.status().message(), HasSubstr("node 'node-a' is already running on database"));
  EXPECT_TRUE(stores_[1]->LockNode("node-b").ok()) << "another name is free";
  first->reset();
  Result<std::unique_ptr<NodeLock>> after = stores_[1]->LockNode("node-a");
  EXPECT_TRUE(after.ok()) << "free again once let go: " << after.status().ToString();
}

// PostgreSQL tells other processes about new work (NOTIFY): an idle
// engine's store calls back when another store commits a task nobody
// holds, not for a task the committing worker pre-claimed, and not after
// the callback was taken away.
class PgSharedDatabaseTest : public SharedDatabaseTest {};

TEST_P(PgSharedDatabaseTest, AnotherStoresUnheldTaskWakesTheListener) {
  std::mutex mu;
  std::condition_variable cv;
  int calls = 0;
  stores_[0]->SetExternalWriteCallback([&] {
    std::lock_guard<std::mutex> lock(mu);
    ++calls;
    cv.notify_all();
  });
  auto calls_after = [&](int before, std::chrono::milliseconds wait) {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait_for(lock, wait, [&] { return calls > before; });
    return calls;
  };
  // The listener's first call comes once it listens: from then on nothing is missed.
  ASSERT_GE(calls_after(0, std::chrono::seconds(10)), 1);
  const int listening = calls_after(0, std::chrono::milliseconds(0));

  ASSERT_TRUE(stores_[1]->StartInstance(MakeStart("held", {MakeTask("s", 100, "w1", 100000)})).ok());
  EXPECT_EQ(calls_after(listening, std::chrono::milliseconds(500)), listening) << "a pre-claimed task is no news";

  ASSERT_TRUE(stores_[1]->StartInstance(MakeStart("free", {MakeTask("s", 100)})).ok());
  const int woken = calls_after(listening, std::chrono::seconds(10));
  EXPECT_GT(woken, listening);

  stores_[0]->SetExternalWriteCallback(nullptr);
  ASSERT_TRUE(stores_[1]->StartInstance(MakeStart("later", {MakeTask("s", 100)})).ok());
  EXPECT_EQ(calls_after(woken, std::chrono::milliseconds(500)), woken) << "no call once taken away";
}

INSTANTIATE_TEST_SUITE_P(Backends, SharedDatabaseTest, STEADFAST_STORE_BACKENDS);
INSTANTIATE_TEST_SUITE_P(Postgres, PgSharedDatabaseTest,
                         ::testing::Values(testing_support::StoreBackend::kPostgres),
                         testing_support::StoreBackendName);

}  // namespace
}  // namespace steadfast
