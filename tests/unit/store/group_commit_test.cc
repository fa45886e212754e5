// Group commit under concurrency: many callers share transactions, a
// failing request in a batch leaves its neighbours' writes intact, claims
// stay exclusive, and readers see only committed states. Also prints a
// rough checkpoint throughput with synchronous=FULL.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "store_test_util.h"

namespace steadfast {
namespace {

using testing_support::MakeEvent;
using testing_support::MakeStart;
using testing_support::MakeTask;
using testing_support::StatsOf;

class GroupCommitTest : public testing_support::StoreTest {};

// Runs fn(thread_index) on n threads at once.
template <class Fn>
void RunThreads(int n, Fn fn) {
  std::vector<std::thread> threads;
  threads.reserve(n);
  for (int i = 0; i < n; ++i) threads.emplace_back([&fn, i] { fn(i); });
  for (std::thread& t : threads) t.join();
}

TEST_F(GroupCommitTest, ConcurrentCallersShareTransactionsAndFailuresStayIsolated) {
  std::unique_ptr<Store> store = Open();
  ASSERT_NE(store, nullptr);
  constexpr int kThreads = 32;
  constexpr int kRounds = 25;
  for (int i = 0; i < kThreads; ++i) ASSERT_TRUE(store->StartInstance(MakeStart("i" + std::to_string(i))).ok());
  const SqliteStoreStats before = StatsOf(*store);

  std::atomic<int> unexpected{0};
  RunThreads(kThreads, [&](int t) {
    const std::string id = "i" + std::to_string(t);
    int64_t version = 1;
    for (int round = 0; round < kRounds; ++round) {
      // A request doomed by a stale version rides in the same batches as
      // its neighbours' good ones; it must fail alone and write nothing.
      Commit bad;
      bad.instance_id = id;
      bad.expect_version = version + 100;
      bad.events = {MakeEvent("bad")};
      bad.new_tasks = {MakeTask("bad", 0)};
      Result<CommitResult> rb = store->Apply(bad);
      if (rb.ok() || rb.status().code() != StatusCode::kConflict) ++unexpected;

      Commit good;
      good.instance_id = id;
      good.expect_version = version;
      good.events = {MakeEvent("good", "", round)};
      Result<CommitResult> rg = store->Apply(good);
      if (!rg.ok() || rg->instance_version != version + 1) {
        ++unexpected;
      } else {
        version = rg->instance_version;
      }
    }
  });
  EXPECT_EQ(unexpected.load(), 0);

  for (int i = 0; i < kThreads; ++i) {
    const std::string id = "i" + std::to_string(i);
    Result<std::optional<InstanceRecord>> inst = store->GetInstance(id);
    ASSERT_TRUE(inst.ok() && inst->has_value());
    EXPECT_EQ((*inst)->version, 1 + kRounds);
    Result<std::vector<HistoryEvent>> h = store->GetHistory(id, 0, 0);
    ASSERT_TRUE(h.ok());
    ASSERT_EQ(h->size(), static_cast<size_t>(1 + kRounds));
    for (size_t k = 0; k < h->size(); ++k) {
      EXPECT_EQ((*h)[k].seq, static_cast<int64_t>(k + 1));
      if (k > 0) {
        EXPECT_EQ((*h)[k].type, "good");
        EXPECT_EQ((*h)[k].data, Value(static_cast<int64_t>(k - 1)));
      }
    }
    Result<std::vector<TaskRecord>> tasks = store->GetTasks(id);
    ASSERT_TRUE(tasks.ok());
    EXPECT_TRUE(tasks->empty());
  }

  const SqliteStoreStats after = StatsOf(*store);
  const int64_t requests = after.requests - before.requests;
  const int64_t transactions = after.transactions - before.transactions;
  EXPECT_EQ(requests, 2 * kThreads * kRounds);
  EXPECT_LT(transactions, requests) << "no batching happened";
  EXPECT_GT(after.largest_batch, 1);
  EXPECT_EQ(after.failed_transactions, 0);
}

TEST_F(GroupCommitTest, ConcurrentClaimsNeverShareALease) {
  std::unique_ptr<Store> store = Open();
  ASSERT_NE(store, nullptr);
  const TimeMs now = clock_.NowMs();
  constexpr int kInstances = 60;
  constexpr int kTasksEach = 5;
  for (int i = 0; i < kInstances; ++i) {
    std::vector<NewTask> tasks;
    for (int k = 0; k < kTasksEach; ++k) tasks.push_back(MakeTask("s" + std::to_string(k), now - i - k));
    ASSERT_TRUE(store->StartInstance(MakeStart("i" + std::to_string(i), tasks)).ok());
  }

  auto claim_all = [&](TimeMs at, TimeMs until) {
    std::mutex mu;
    std::map<int64_t, std::vector<TaskRecord>> claims;  // GUARDED_BY(mu)
    RunThreads(8, [&](int t) {
      while (true) {
        Result<std::vector<TaskRecord>> got = store->ClaimDueTasks("w" + std::to_string(t), at, until, 7);
        ASSERT_TRUE(got.ok()) << got.status().ToString();
        if (got->empty()) return;
        std::lock_guard<std::mutex> lock(mu);
        for (const TaskRecord& task : *got) claims[task.id].push_back(task);
      }
    });
    return claims;
  };

  std::map<int64_t, std::vector<TaskRecord>> first = claim_all(now, now + 1000);
  EXPECT_EQ(first.size(), static_cast<size_t>(kInstances * kTasksEach));
  for (const auto& [id, holders] : first) {
    ASSERT_EQ(holders.size(), 1u) << "task " << id << " claimed twice";
    EXPECT_EQ(holders[0].lease_token, 1);
  }

  // After the leases lapse every task is claimable again, once, with a new token.
  std::map<int64_t, std::vector<TaskRecord>> second = claim_all(now + 1000, now + 2000);
  EXPECT_EQ(second.size(), first.size());
  for (const auto& [id, holders] : second) {
    ASSERT_EQ(holders.size(), 1u) << "task " << id << " claimed twice";
    EXPECT_EQ(holders[0].lease_token, 2);
  }
}

TEST_F(GroupCommitTest, ReadersSeeOnlyCommittedStatesWhileWritersRun) {
  std::unique_ptr<Store> store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->StartInstance(MakeStart("i")).ok());
  std::atomic<bool> done{false};
  std::atomic<int> bad_reads{0};
  std::thread writer([&] {
    int64_t version = 1;
    for (int k = 0; k < 200; ++k) {
      Commit c;
      c.instance_id = "i";
      c.expect_version = version;
      c.events = {MakeEvent("e"), MakeEvent("f")};
      Result<CommitResult> r = store->Apply(c);
      if (!r.ok()) break;
      version = r->instance_version;
    }
    done = true;
  });
  RunThreads(4, [&](int) {
    int64_t last_version = 0;
    while (!done) {
      Result<std::optional<InstanceRecord>> inst = store->GetInstance("i");
      Result<std::vector<HistoryEvent>> h = store->GetHistory("i", 0, 0);
      if (!inst.ok() || !h.ok() || !inst->has_value()) {
        ++bad_reads;
        continue;
      }
      // Versions never go back, and history is always whole commits.
      if ((*inst)->version < last_version || h->size() % 2 != 1) ++bad_reads;
      last_version = (*inst)->version;
    }
  });
  writer.join();
  EXPECT_EQ(bad_reads.load(), 0);
  Result<std::optional<InstanceRecord>> inst = store->GetInstance("i");
  ASSERT_TRUE(inst.ok() && inst->has_value());
  EXPECT_EQ((*inst)->version, 201);
}

// The pages each transaction wrote are counted (PERFORMANCE.md, "Pages and
// bytes"), from the first batch on: the schema's creation is not.
TEST_F(GroupCommitTest, CountsThePagesItsTransactionsWrite) {
  std::unique_ptr<Store> store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(StatsOf(*store).pages_written, 0) << "the migrations' pages are not the committer's";

  ASSERT_TRUE(store->StartInstance(MakeStart("p", {MakeTask("s0", clock_.NowMs())})).ok());
  const SqliteStoreStats one = StatsOf(*store);
  EXPECT_EQ(one.transactions, 1);
  // The instance row, its history and its task are in different tables,
  // each with pages of its own: one transaction writes several.
  EXPECT_GE(one.pages_written, 3);

  Commit c;
  c.instance_id = "p";
  c.events = {MakeEvent("step_scheduled", "s")};
  ASSERT_TRUE(store->Apply(std::move(c)).ok());
  const SqliteStoreStats two = StatsOf(*store);
  EXPECT_EQ(two.transactions, 2);
  EXPECT_GT(two.pages_written, one.pages_written);

  // A read writes nothing.
  ASSERT_TRUE(store->GetHistory("p", 0, 100).ok());
  EXPECT_EQ(StatsOf(*store).pages_written, two.pages_written);
}

TEST_F(GroupCommitTest, ThroughputWithFullSync) {
  std::unique_ptr<Store> store = Open();
  ASSERT_NE(store, nullptr);
  constexpr int kThreads = 32;
  constexpr int kCommitsEach = 60;
  const TimeMs now = clock_.NowMs();
  for (int i = 0; i < kThreads; ++i) {
    ASSERT_TRUE(store->StartInstance(MakeStart("i" + std::to_string(i), {MakeTask("s0", now, "w", now + 60000)})).ok());
  }
  const SqliteStoreStats before = StatsOf(*store);
  const auto start = std::chrono::steady_clock::now();
  std::atomic<int> failures{0};
  RunThreads(kThreads, [&](int t) {
    const std::string id = "i" + std::to_string(t);
    Result<std::vector<TaskRecord>> tasks = store->GetTasks(id);
    if (!tasks.ok() || tasks->size() != 1) {
      ++failures;
      return;
    }
    TaskRecord task = (*tasks)[0];
    int64_t version = 1;
    for (int k = 0; k < kCommitsEach; ++k) {
      // A realistic checkpoint: finish the leased task, write the row and
      // two events, schedule the next (pre-claimed) task.
      Commit c;
      c.instance_id = id;
      c.expect_version = version;
      c.task_id = task.id;
      c.lease_token = task.lease_token;
      InstanceRecord row = testing_support::MakeInstance(id);
      row.state = std::string(300, 's');
      c.instance = row;
      c.events = {MakeEvent("attempt_completed", "s", Value::Map{{"output", Value::Map{{"ok", true}}}}),
                  MakeEvent("step_scheduled", "s")};
      c.new_tasks = {MakeTask("s" + std::to_string(k + 1), now, "w", now + 60000)};
      Result<CommitResult> r = store->Apply(std::move(c));
      if (!r.ok()) {
        ++failures;
        return;
      }
      version = r->instance_version;
      task = r->created_tasks[0];
    }
  });
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_EQ(failures.load(), 0);
  const SqliteStoreStats after = StatsOf(*store);
  const int64_t commits = after.requests - before.requests;
  const int64_t transactions = after.transactions - before.transactions;
  std::printf("[ perf     ] %lld checkpoints in %.3f s = %.0f/s with synchronous=FULL, %lld transactions "
              "(%.1f checkpoints per fsync)\n",
              static_cast<long long>(commits), seconds, static_cast<double>(commits) / seconds,
              static_cast<long long>(transactions), static_cast<double>(commits) / static_cast<double>(transactions));
  EXPECT_EQ(commits, kThreads * kCommitsEach);
}

}  // namespace
}  // namespace steadfast
