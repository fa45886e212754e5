// The PostgreSQL fleet: three `steadfast serve` processes (each its own
// node, HTTP port and connection pool) on one PostgreSQL database run
// refund workflows against the real sandbox PSP with its faults on, while
// a seeded schedule kill -9s one of them and restarts it. Starts go to
// whichever process answers. Then, with the faults off and everything
// drained, the test checks what a fleet must guarantee:
//
//   - every workflow completed, and no other instance exists;
//   - exactly one succeeded refund per reservation at the PSP, of the
//     workflow's amount;
//   - every ledger transaction balances;
//   - `steadfast reconcile` finds no drift;
//   - no task ran twice at once (history: attempts numbered, one outcome
//     each, none overlapping);
//   - the work was spread: every process ran attempts (their /metrics).
//
// Needs the test cluster (STEADFAST_TEST_PG_URL; skipped without it, failed
// when CI is set). STEADFAST_FLEET_WORKFLOWS sets how many workflows
// (default 1000), STEADFAST_FLEET_SEED the schedule.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "fleet_harness.h"
#include "pg_test_env.h"

namespace steadfast::soak {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kProcesses = 3;

class PgFleetTest : public pgtest::PgTest {
 protected:
  void SetUp() override {
    PgTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    seed_ = static_cast<uint64_t>(EnvInt("STEADFAST_FLEET_SEED", std::random_device{}() & 0x7fffffff));
    rng_.seed(seed_);
    std::cout << "fleet: seed " << seed_ << "; reproduce with STEADFAST_FLEET_SEED=" << seed_ << std::endl;
    fleet_.SetUp(url(), kProcesses,
                 {"--seed", std::to_string(seed_ % 1000000007), "--error-rate", "0.1", "--rate-limit-rate", "0.03",
                  "--retry-after-s", "1", "--latency-ms", "2", "--latency-jitter-ms", "20", "--timeout-rate", "0.02",
                  "--timeout-hold-ms", "1500", "--drop-rate", "0.03"});
  }
  void TearDown() override {
    fleet_.TearDown();
    PgTest::TearDown();
  }

  int Draw(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

  uint64_t seed_ = 0;
  std::mt19937_64 rng_;
  FleetHarness fleet_;
};

TEST_F(PgFleetTest, ThreeProcessesShareTheWorkAndSurviveKillsWithOneRefundEach) {
  const int workflows = static_cast<int>(EnvInt("STEADFAST_FLEET_WORKFLOWS", 1000));
  std::vector<FleetHarness::Node>& nodes = fleet_.nodes();
  for (FleetHarness::Node& n : nodes) fleet_.StartServe(n);
  const auto began = Clock::now();
  int kills = 0;
  auto next_kill = Clock::now() + std::chrono::milliseconds(Draw(1500, 3000));
  auto chaos = [&] {
    for (FleetHarness::Node& n : nodes) fleet_.ScrapeAttempts(n);
    if (Clock::now() < next_kill) return;
    FleetHarness::Node& victim = nodes[static_cast<size_t>(Draw(0, kProcesses - 1))];
    fleet_.KillServe(victim);
    ++kills;
    std::this_thread::sleep_for(std::chrono::milliseconds(Draw(100, 800)));
    fleet_.StartServe(victim);
    next_kill = Clock::now() + std::chrono::milliseconds(Draw(1500, 3000));
  };
  for (int i = 0; i < workflows; ++i) {
    fleet_.StartWorkflow(i);
    if (HasFatalFailure()) return;
    if (i % 20 == 0) chaos();
  }
  std::unique_ptr<Store> store = fleet_.OpenStore();
  ASSERT_NE(store, nullptr);
  // The faults go off for the drain (and for reconcile's calls to the PSP
  // after it); kills go on while much work remains.
  fleet_.FaultsOff();
  const auto deadline = Clock::now() + std::chrono::seconds(EnvInt("STEADFAST_FLEET_DRAIN_SECONDS", 300));
  while (Clock::now() < deadline && fleet_.Unfinished(*store) != 0) {
    if (kills < 3 || fleet_.Unfinished(*store) > workflows / 10) chaos();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  for (FleetHarness::Node& n : nodes) fleet_.ScrapeAttempts(n);
  const auto took = std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - began);
  EXPECT_EQ(fleet_.Unfinished(*store), 0) << "workflows still open after the drain";
  fleet_.StopAll();

  fleet_.ExpectFleetSound(*store, workflows);

  // Every process took a share of the attempts.
  int64_t total = 0;
  for (const FleetHarness::Node& n : nodes) total += n.attempts_seen;
  ApiReply stats = fleet_.sandbox_api().Get("/sandbox/stats");
  std::cout << "fleet figures: seed " << seed_ << ", " << workflows << " workflows on " << kProcesses
            << " processes in " << took.count() << " s; kill -9 " << kills << "; attempts per process";
  for (const FleetHarness::Node& n : nodes) std::cout << " " << n.attempts_seen;
  std::cout << "; PSP faults " << stats.body.Get("faults").ToJson() << std::endl;
  EXPECT_GE(kills, 3);
  for (size_t i = 0; i < nodes.size(); ++i) {
    EXPECT_GT(nodes[i].attempts_seen, total / (4 * kProcesses)) << "process " << i << " ran few attempts";
  }
}

}  // namespace
}  // namespace steadfast::soak
