// Activity holds (the kill switch) and limits as the store's claim enforces
// them, on both backends with explicit times: a held activity's tasks
// are not claimed (others are), max_in_flight counts leased tasks of the
// activity, per_second is a GCRA bucket kept in the store (it survives a
// reopen), and the hold log keeps who did what and why.
#include <gtest/gtest.h>

#include <algorithm>

#include "store/gcra_bucket.h"
#include "store_backends.h"

namespace steadfast {
namespace {

using testing_support::MakeStart;
using testing_support::MakeTask;

NewTask ActivityTask(const std::string& step, TimeMs due, const std::string& activity) {
  NewTask t = MakeTask(step, due);
  t.activity = activity;
  return t;
}

class ActivityLimitsTest : public testing_support::BackendStoreTest {
 protected:
  void SetUp() override {
    BackendStoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    store_ = OpenBackend();
    ASSERT_NE(store_, nullptr);
  }
  void TearDown() override {
    store_.reset();
    BackendStoreTest::TearDown();
  }
  // One instance per task, so tasks are independent.
  void AddTasks(const std::string& prefix, int n, TimeMs due, const std::string& activity) {
    for (int i = 0; i < n; ++i) {
      Result<StartResult> r =
          store_->StartInstance(MakeStart(prefix + std::to_string(i), {ActivityTask("s", due, activity)}));
      ASSERT_TRUE(r.ok()) << r.status().ToString();
    }
  }
  ClaimResult Claim(TimeMs now, int limit, std::vector<ActivityLimit> limits = {}, int64_t lookahead_ms = 0) {
    ClaimRequest req;
    req.owner = "w1";
    req.now = now;
    req.lease_until = now + 60000;
    req.limit = limit;
    req.limits = std::move(limits);
    req.rate_lookahead_ms = lookahead_ms;
    Result<ClaimResult> r = store_->ClaimDueTasks(req);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(r).value() : ClaimResult{};
  }
  static int CountActivity(const ClaimResult& r, const std::string& activity) {
    return static_cast<int>(
        std::count_if(r.tasks.begin(), r.tasks.end(), [&](const TaskRecord& t) { return t.activity == activity; }));
  }
  void Finish(const TaskRecord& t) {
    Commit c;
    c.instance_id = t.instance_id;
    c.task_id = t.id;
    c.lease_token = t.lease_token;
    ASSERT_TRUE(store_->Apply(std::move(c)).ok());
  }

  std::unique_ptr<Store> store_;
};

TEST(GcraBucketTest, SpacesStartsByTheIntervalAfterTheBurst) {
  GcraBucket b(50, 1, 0);  // 20 ms apart
  EXPECT_EQ(b.Available(1000), 1);
  b.Take(1000, 1);
  EXPECT_EQ(b.Available(1000), 0);
  EXPECT_EQ(b.Available(1019), 0);
  EXPECT_EQ(b.NextSlotMs(1000), 1020);
  EXPECT_EQ(b.Available(1020), 1);

  GcraBucket burst(10, 5, 0);  // 100 ms apart, 5 at once after idling
  EXPECT_EQ(burst.Available(0), 5);
  burst.Take(0, 5);
  EXPECT_EQ(burst.Available(0), 0);
  EXPECT_EQ(burst.NextSlotMs(0), 100);
  EXPECT_EQ(burst.Available(250), 2);
  // An idle spell never banks more than the burst.
  EXPECT_EQ(burst.Available(100000), 5);
}

TEST(GcraBucketTest, TakingEverythingAvailableKeepsToTheRateOverTime) {
  GcraBucket b(50, 5, 0);
  int64_t started = 0;
  for (TimeMs now = 0; now < 10000; ++now) {
    int64_t n = b.Available(now);
    b.Take(now, n);
    started += n;
  }
  // 10 s at 50/s plus the initial burst.
  EXPECT_GE(started, 500);
  EXPECT_LE(started, 505);
}

TEST_P(ActivityLimitsTest, AHeldActivityIsNotClaimedAndReleaseLetsItGo) {
  AddTasks("psp-", 3, 100, "refund.psp_refund");
  AddTasks("other-", 2, 100, "refund.notify_customer");
  ASSERT_TRUE(store_->HoldActivity(ActivityHold{"refund.psp_refund", "PSP outage", "alice", 0}).ok());

  ClaimResult first = Claim(200, 10);
  EXPECT_EQ(CountActivity(first, "refund.notify_customer"), 2);
  EXPECT_EQ(CountActivity(first, "refund.psp_refund"), 0);
  EXPECT_TRUE(Claim(200, 10).tasks.empty());

  Result<bool> released = store_->ReleaseActivity("refund.psp_refund", "bob", "PSP back");
  ASSERT_TRUE(released.ok());
  EXPECT_TRUE(*released);
  EXPECT_EQ(CountActivity(Claim(300, 10), "refund.psp_refund"), 3);

  Result<bool> again = store_->ReleaseActivity("refund.psp_refund", "bob", "");
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);  // not held: nothing logged

  Result<std::vector<ActivityHoldEvent>> log = store_->ListActivityHoldLog(10);
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->size(), 2u);
  EXPECT_EQ((*log)[0].action, "release");
  EXPECT_EQ((*log)[0].principal, "bob");
  EXPECT_EQ((*log)[0].reason, "PSP back");
  EXPECT_EQ((*log)[1].action, "hold");
  EXPECT_EQ((*log)[1].principal, "alice");
  EXPECT_EQ((*log)[1].reason, "PSP outage");
}

TEST_P(ActivityLimitsTest, HoldingEverythingLeavesTimersClaimable) {
  AddTasks("psp-", 2, 100, "refund.psp_refund");
  AddTasks("timer-", 1, 100, "");  // a wait timeout or deadline calls no activity
  ASSERT_TRUE(store_->HoldActivity(ActivityHold{kAllActivities, "freeze", "alice", 0}).ok());
  Result<std::vector<ActivityHold>> holds = store_->ListActivityHolds();
  ASSERT_TRUE(holds.ok());
  ASSERT_EQ(holds->size(), 1u);
  EXPECT_EQ((*holds)[0].held_by, "alice");

  ClaimResult r = Claim(200, 10);
  ASSERT_EQ(r.tasks.size(), 1u);
  EXPECT_EQ(r.tasks[0].activity, "");
}

TEST_P(ActivityLimitsTest, MaxInFlightCountsLeasedTasksOfTheActivity) {
  AddTasks("psp-", 5, 100, "refund.psp_refund");
  AddTasks("other-", 3, 100, "refund.notify_customer");
  const std::vector<ActivityLimit> limits = {{"refund.psp_refund", 2, 0, 1}};

  ClaimResult first = Claim(200, 20, limits);
  EXPECT_EQ(CountActivity(first, "refund.psp_refund"), 2);
  EXPECT_EQ(CountActivity(first, "refund.notify_customer"), 3);
  EXPECT_TRUE(Claim(200, 20, limits).tasks.empty());

  // One finishes: one more may start.
  const TaskRecord* psp = nullptr;
  for (const TaskRecord& t : first.tasks) {
    if (t.activity == "refund.psp_refund") psp = &t;
  }
  ASSERT_NE(psp, nullptr);
  Finish(*psp);
  EXPECT_EQ(CountActivity(Claim(300, 20, limits), "refund.psp_refund"), 1);

  // An expired lease (its engine died) frees its slot.
  EXPECT_EQ(CountActivity(Claim(300 + 60000, 20, limits), "refund.psp_refund"), 2);
}

TEST_P(ActivityLimitsTest, PerSecondIsABucketKeptInTheStoreAcrossReopens) {
  AddTasks("psp-", 20, 100, "refund.psp_refund");
  const std::vector<ActivityLimit> limits = {{"refund.psp_refund", 0, 10, 1}};  // 100 ms apart

  ClaimResult first = Claim(1000, 20, limits);
  EXPECT_EQ(first.tasks.size(), 1u);
  EXPECT_EQ(first.next_rate_slot_at, 1100);
  EXPECT_TRUE(Claim(1050, 20, limits).tasks.empty());

  store_.reset();
  store_ = OpenBackend();  // a restart does not refill the bucket
  ASSERT_NE(store_, nullptr);
  ClaimResult early = Claim(1099, 20, limits);
  EXPECT_TRUE(early.tasks.empty());
  EXPECT_EQ(early.next_rate_slot_at, 1100);
  EXPECT_EQ(Claim(1100, 20, limits).tasks.size(), 1u);

  // Claimed as fast as possible for 1 s: 10 starts, no more.
  int started = 0;
  for (TimeMs now = 1101; now <= 2100; ++now) started += static_cast<int>(Claim(now, 20, limits).tasks.size());
  EXPECT_EQ(started, 10);
}

TEST_P(ActivityLimitsTest, ALookAheadClaimReservesEachStartOfTheWindow) {
  AddTasks("psp-", 20, 100, "refund.psp_refund");
  const std::vector<ActivityLimit> limits = {{"refund.psp_refund", 0, 10, 1}};  // 100 ms apart
  ClaimResult r = Claim(1000, 20, limits, 250);
  ASSERT_EQ(r.tasks.size(), 3u);  // starts at 1000, 1100 and 1200 fit in 1000..1250
  std::vector<TimeMs> starts;
  for (const TaskRecord& t : r.tasks) starts.push_back(t.start_at);
  std::sort(starts.begin(), starts.end());
  EXPECT_EQ(starts, (std::vector<TimeMs>{0, 1100, 1200}));  // 0: start at once
  EXPECT_EQ(r.next_rate_slot_at, 1050);                      // when 1300 enters the window
  EXPECT_TRUE(Claim(1049, 20, limits, 250).tasks.empty());
  ClaimResult next = Claim(1050, 20, limits, 250);
  ASSERT_EQ(next.tasks.size(), 1u);
  EXPECT_EQ(next.tasks[0].start_at, 1300);
}

TEST_P(ActivityLimitsTest, AnActivityAtItsMaxInFlightWaitsForAFinishNotForTheRate) {
  AddTasks("psp-", 5, 100, "refund.psp_refund");
  const std::vector<ActivityLimit> limits = {{"refund.psp_refund", 1, 1000, 5}};
  ClaimResult first = Claim(1000, 20, limits, 250);
  ASSERT_EQ(first.tasks.size(), 1u);
  EXPECT_EQ(first.next_rate_slot_at, 0);  // the count stopped it: no timed wake-up
  ClaimResult full = Claim(1000, 20, limits, 250);
  EXPECT_TRUE(full.tasks.empty());
  EXPECT_EQ(full.next_rate_slot_at, 0);
}

TEST_P(ActivityLimitsTest, ReturningAnUnstartedTaskRecordsItsActivity) {
  AddTasks("old-", 1, 100, "");  // stored before tasks knew their activity
  std::vector<TaskRecord> claimed = Claim(200, 10).tasks;
  ASSERT_EQ(claimed.size(), 1u);
  TaskRecord t = claimed[0];
  t.activity = "refund.psp_refund";
  ASSERT_TRUE(store_->ReturnUnstartedTask(t).ok());
  ASSERT_TRUE(store_->HoldActivity(ActivityHold{"refund.psp_refund", "outage", "alice", 0}).ok());
  EXPECT_TRUE(Claim(300, 10).tasks.empty());
  Result<std::vector<TaskRecord>> tasks = store_->GetTasks("old-0");
  ASSERT_TRUE(tasks.ok());
  ASSERT_EQ(tasks->size(), 1u);
  EXPECT_EQ((*tasks)[0].activity, "refund.psp_refund");
  EXPECT_EQ((*tasks)[0].lease_token, 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, ActivityLimitsTest, STEADFAST_STORE_BACKENDS);

}  // namespace
}  // namespace steadfast
