// A database failover under a running fleet: a PostgreSQL primary with a
// synchronous streaming standby (tools/pg_cluster.sh start-pair: two
// servers on loopback), two `steadfast serve` processes whose database URL
// names both servers with target_session_attrs=read-write, refund
// workflows against the sandbox PSP. A third of the way through, the
// primary dies at once (pg_ctl stop -m immediate: no shutdown checkpoint,
// every client cut off mid-statement) and a moment later the standby is
// promoted (pg_ctl promote), as an operator or a failover manager would.
//
// What must hold:
//   - the processes ride it out: neither exits, both reconnect to the new
//     primary (and re-take their node names) on their own;
//   - every checkpoint acknowledged before the failover is still there:
//     each instance's history as read just before the kill is a prefix of
//     its final history (a commit is acknowledged only once the standby
//     has flushed it, so promotion loses none);
//   - every workflow completes with exactly one refund at the PSP, the
//     books balance, reconcile is clean, no attempt ran twice at once.
//
// Needs PostgreSQL's server binaries, as every PostgreSQL test: skipped
// without STEADFAST_TEST_PG_URL (the run's cluster is not used; its
// presence says the binaries are there), failed when CI is set.
// STEADFAST_FAILOVER_WORKFLOWS sets how many workflows (default 300).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "fleet_harness.h"
#include "pg_cluster_dir.h"
#include "pg_test_env.h"

namespace steadfast::soak {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kProcesses = 2;

// Each instance's history events as (seq, type, step, attempt): what a
// later read must still begin with.
using Acknowledged = std::map<std::string, std::vector<std::string>>;

std::vector<std::string> Fingerprints(const std::vector<HistoryEvent>& history) {
  std::vector<std::string> out;
  for (const HistoryEvent& e : history) {
    out.push_back(std::to_string(e.seq) + " " + e.type + " " + e.step_id + " #" + std::to_string(e.attempt));
  }
  return out;
}

Acknowledged ReadAcknowledged(Store& store) {
  Acknowledged out;
  ListFilter all;
  all.limit = 0;
  Result<std::vector<InstanceRecord>> listed = store.ListInstances(all);
  EXPECT_TRUE(listed.ok()) << listed.status().ToString();
  if (!listed.ok()) return out;
  for (const InstanceRecord& r : *listed) {
    Result<std::vector<HistoryEvent>> h = store.GetHistory(r.id, 0, 0);
    EXPECT_TRUE(h.ok()) << h.status().ToString();
    if (h.ok()) out[r.id] = Fingerprints(*h);
  }
  return out;
}

class PgFailoverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (pgtest::ClusterUrl().empty()) {
      if (std::getenv("CI") != nullptr) GTEST_FAIL() << "CI is set, so the failover test cannot be skipped";
      GTEST_SKIP() << "needs PostgreSQL: run through tools/test.sh, or set STEADFAST_TEST_PG_URL";
    }
    url_ = pair_.Start("start-pair");
    ASSERT_FALSE(url_.empty());
    fleet_.SetUp(url_, kProcesses, {"--latency-ms", "2", "--latency-jitter-ms", "10"});
  }
  void TearDown() override { fleet_.TearDown(); }

  PgClusterDir pair_;
  std::string url_;
  FleetHarness fleet_;
};

TEST_F(PgFailoverTest, PromotedStandbyKeepsEveryAcknowledgedCheckpointAndEveryWorkflowCompletes) {
  const int workflows = static_cast<int>(EnvInt("STEADFAST_FAILOVER_WORKFLOWS", 300));
  std::vector<FleetHarness::Node>& nodes = fleet_.nodes();
  for (FleetHarness::Node& n : nodes) fleet_.StartServe(n);
  const auto began = Clock::now();
  Acknowledged before;
  std::chrono::milliseconds outage{0};
  for (int i = 0; i < workflows; ++i) {
    // Starts go on through the outage: a process answers 503 (or nothing)
    // until the standby is promoted.
    fleet_.StartWorkflow(i, std::chrono::seconds(60));
    if (HasFatalFailure()) return;
    if (i == workflows / 3) {
      {
        std::unique_ptr<Store> reader = fleet_.OpenStore();
        ASSERT_NE(reader, nullptr);
        before = ReadAcknowledged(*reader);
      }
      const auto cut = Clock::now();
      pair_.Run("kill-primary");
      std::this_thread::sleep_for(std::chrono::milliseconds(1500));
      pair_.Run("promote");
      outage = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - cut);
    }
  }
  std::unique_ptr<Store> store = fleet_.OpenStore();
  ASSERT_NE(store, nullptr);
  const auto deadline = Clock::now() + std::chrono::seconds(EnvInt("STEADFAST_FAILOVER_DRAIN_SECONDS", 240));
  while (Clock::now() < deadline && fleet_.Unfinished(*store) != 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  const auto took = std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - began);
  EXPECT_EQ(fleet_.Unfinished(*store), 0) << "workflows still open after the drain";
  // Neither process gave up: both are still running, and do work.
  for (size_t i = 0; i < nodes.size(); ++i) {
    EXPECT_FALSE(nodes[i].serve->Wait(0).has_value()) << "serve " << i << " exited during the failover";
    fleet_.ScrapeAttempts(nodes[i]);
  }
  fleet_.StopAll();

  // Every checkpoint acknowledged before the failover survived it.
  ASSERT_FALSE(before.empty());
  Acknowledged after = ReadAcknowledged(*store);
  size_t events_before = 0;
  for (const auto& [id, events] : before) {
    events_before += events.size();
    auto it = after.find(id);
    ASSERT_NE(it, after.end()) << id << " was there before the failover and is gone";
    ASSERT_GE(it->second.size(), events.size()) << id << " lost history";
    for (size_t k = 0; k < events.size(); ++k) {
      EXPECT_EQ(it->second[k], events[k]) << id << ": event " << k + 1 << " changed across the failover";
    }
  }

  fleet_.ExpectFleetSound(*store, workflows);
  std::cout << "failover figures: " << workflows << " workflows on " << kProcesses << " processes in "
            << took.count() << " s; primary killed after " << before.size() << " started (" << events_before
            << " events acknowledged), standby promoted " << outage.count() << " ms later; attempts per process";
  for (const FleetHarness::Node& n : nodes) std::cout << " " << n.attempts_seen;
  std::cout << std::endl;
}

}  // namespace
}  // namespace steadfast::soak
