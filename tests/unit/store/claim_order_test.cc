// The order in which the store's claim hands out due tasks when there are
// more than it may take: start priorities (a priority moves a due task by
// whole priority steps, so a high priority goes first and a low one still
// goes once it has waited long enough) and fair turns across the values
// of a search key for an activity declared `fair_by` (one key's flood
// cannot starve another's, across claims). Both backends (real SQLite file, real PostgreSQL), explicit times.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "raw_db.h"
#include "store_backends.h"

namespace steadfast {
namespace {

using testing_support::MakeStart;
using testing_support::MakeTask;

constexpr TimeMs kStep = 60000;
const std::string kPsp = "refund.psp_refund";

class ClaimOrderTest : public testing_support::BackendStoreTest {
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
  // One instance with one due task of `activity`.
  void Add(const std::string& id, TimeMs due, int priority, const std::string& activity = "",
           const std::string& merchant = "") {
    StartRequest req = MakeStart(id, {MakeTask("s", due)});
    req.tasks[0].activity = activity;
    req.instance.priority = priority;
    if (!merchant.empty()) req.instance.search_keys.push_back(SearchKey{"merchant_id", merchant});
    Result<StartResult> r = store_->StartInstance(std::move(req));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  std::vector<std::string> Claim(TimeMs now, int limit, std::vector<ActivityLimit> limits = {}) {
    ClaimRequest req;
    req.owner = "w1";
    req.now = now;
    req.lease_until = now + 600000;
    req.limit = limit;
    req.limits = std::move(limits);
    req.priority_step_ms = kStep;
    Result<ClaimResult> r = store_->ClaimDueTasks(req);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    std::vector<std::string> ids;
    if (r.ok()) {
      for (const TaskRecord& t : r->tasks) ids.push_back(t.instance_id);
    }
    return ids;
  }
  static ActivityLimit FairPsp(int64_t max_in_flight) {
    ActivityLimit l;
    l.activity = kPsp;
    l.max_in_flight = max_in_flight;
    l.fair_by = "merchant_id";
    return l;
  }

  std::unique_ptr<Store> store_;
};

// A SQLite migration: SQLite only.
class SqliteClaimOrderTest : public ClaimOrderTest {};

TEST_P(ClaimOrderTest, AnInstanceKeepsItsPriorityAndItsTasksCarryIt) {
  Add("urgent", 100, 1);
  Result<std::optional<InstanceRecord>> rec = store_->GetInstance("urgent");
  ASSERT_TRUE(rec.ok() && rec->has_value());
  EXPECT_EQ((*rec)->priority, 1);
  Result<std::vector<TaskRecord>> tasks = store_->GetTasks("urgent");
  ASSERT_TRUE(tasks.ok());
  ASSERT_EQ(tasks->size(), 1u);
  EXPECT_EQ((*tasks)[0].priority, 1);
}

TEST_P(SqliteClaimOrderTest, ADatabaseFromBeforePrioritiesIsMigratedToTheDefault) {
  Add("waiting", 100, kDefaultPriority);
  store_.reset();
  testing_support::RollBackEngineSchema(DbPath(), 9);
  store_ = OpenBackend();
  ASSERT_NE(store_, nullptr);
  Result<std::optional<InstanceRecord>> rec = store_->GetInstance("waiting");
  ASSERT_TRUE(rec.ok() && rec->has_value());
  EXPECT_EQ((*rec)->priority, kDefaultPriority);
  Add("urgent", 200, 1);  // tasks written after the migration carry theirs
  EXPECT_EQ(Claim(1000, 10), (std::vector<std::string>{"waiting", "urgent"}));  // both, by due time
  EXPECT_TRUE(Claim(1000, 10).empty());
}

TEST_P(ClaimOrderTest, AHigherPriorityGoesFirstWithinItsSteps) {
  // A backlog of default-priority tasks due over the last minute.
  for (int i = 0; i < 5; ++i) Add("normal-" + std::to_string(i), 1000 + i * 10000, kDefaultPriority);
  // Due last, but priority 1 counts it two steps (2 min) earlier.
  Add("urgent", 59000, 1);
  EXPECT_EQ(Claim(60000, 1), std::vector<std::string>{"urgent"});
  EXPECT_EQ(Claim(60000, 2), (std::vector<std::string>{"normal-0", "normal-1"}));
}

TEST_P(ClaimOrderTest, ALowPriorityWaitsAtMostItsStepsBehindAFlood) {
  Add("low", 0, kLowestPriority);  // counts as due 2 steps (2 min) later
  // A flood of priority 1 tasks: each counts as due 2 min earlier.
  for (int i = 0; i < 3; ++i) Add("flood-early-" + std::to_string(i), 1000 * (i + 1), 1);
  EXPECT_EQ(Claim(10000, 3),
            (std::vector<std::string>{"flood-early-0", "flood-early-1", "flood-early-2"}));
  // Priority 1 tasks due more than 4 steps after it rank behind it: it
  // waited 4 minutes, and it is not starved by newer urgent work.
  Add("flood-late", 4 * kStep + 1000, 1);
  EXPECT_EQ(Claim(4 * kStep + 2000, 1), std::vector<std::string>{"low"});
  EXPECT_EQ(Claim(4 * kStep + 2000, 1), std::vector<std::string>{"flood-late"});
}

TEST_P(ClaimOrderTest, PrioritiesDoNotDelayATaskWhenThereIsRoom) {
  Add("low", 5000, kLowestPriority);
  EXPECT_TRUE(Claim(4999, 10).empty());  // not due yet, whatever its priority
  EXPECT_EQ(Claim(5000, 10), std::vector<std::string>{"low"});
}

TEST_P(ClaimOrderTest, ALimitedActivityIsClaimedInPriorityOrderToo) {
  ActivityLimit limit;
  limit.activity = kPsp;
  limit.max_in_flight = 1;
  Add("normal", 100, kDefaultPriority, kPsp);
  Add("urgent", 200, 2, kPsp);
  EXPECT_EQ(Claim(1000, 10, {limit}), std::vector<std::string>{"urgent"});
}

TEST_P(ClaimOrderTest, FairTurnsGiveEveryMerchantASlotBeforeAnyGetsASecond) {
  if (sharded()) GTEST_SKIP() << "fair turns are kept per shard (docs/store.md \"Shards\")";
  for (int i = 0; i < 20; ++i) Add("big-" + std::to_string(100 + i), 100 + i, kDefaultPriority, kPsp, "big");
  Add("small-1", 5000, kDefaultPriority, kPsp, "small");
  Add("other-1", 6000, kDefaultPriority, kPsp, "other");
  // Oldest first would give all three slots to "big".
  std::vector<std::string> first = Claim(10000, 3, {FairPsp(3)});
  std::sort(first.begin(), first.end());
  EXPECT_EQ(first, (std::vector<std::string>{"big-100", "other-1", "small-1"}));
}

TEST_P(ClaimOrderTest, FairTurnsCarryOverFromClaimToClaim) {
  if (sharded()) GTEST_SKIP() << "fair turns are kept per shard (docs/store.md \"Shards\")";
  for (int i = 0; i < 10; ++i) Add("big-" + std::to_string(100 + i), 100 + i, kDefaultPriority, kPsp, "big");
  for (int i = 0; i < 2; ++i) Add("small-" + std::to_string(i), 5000 + i, kDefaultPriority, kPsp, "small");
  // One slot at a time (max_in_flight 1): the merchants alternate even
  // though every "big" task is older than every "small" one.
  std::vector<std::string> order;
  for (int i = 0; i < 5; ++i) {
    std::vector<std::string> got = Claim(10000 + i, 10, {FairPsp(1)});
    ASSERT_EQ(got.size(), 1u) << "claim " << i;
    order.push_back(got[0]);
    Result<std::vector<TaskRecord>> tasks = store_->GetTasks(got[0]);
    ASSERT_TRUE(tasks.ok() && tasks->size() == 1u);
    Commit done;
    done.instance_id = got[0];
    done.task_id = (*tasks)[0].id;
    done.lease_token = (*tasks)[0].lease_token;
    ASSERT_TRUE(store_->Apply(std::move(done)).ok());
  }
  EXPECT_EQ(order, (std::vector<std::string>{"big-100", "small-0", "big-101", "small-1", "big-102"}));
}

TEST_P(ClaimOrderTest, InstancesWithoutTheKeyShareOneTurn) {
  if (sharded()) GTEST_SKIP() << "fair turns are kept per shard (docs/store.md \"Shards\")";
  Add("a", 100, kDefaultPriority, kPsp);  // no merchant_id
  Add("b", 200, kDefaultPriority, kPsp);
  Add("m", 300, kDefaultPriority, kPsp, "m1");
  std::vector<std::string> got = Claim(1000, 10, {FairPsp(2)});
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::string>{"a", "m"}));
}

INSTANTIATE_TEST_SUITE_P(Backends, ClaimOrderTest, STEADFAST_STORE_BACKENDS);
INSTANTIATE_TEST_SUITE_P(Sqlite, SqliteClaimOrderTest,
                         ::testing::Values(testing_support::StoreBackend::kSqlite),
                         testing_support::StoreBackendName);

}  // namespace
}  // namespace steadfast
