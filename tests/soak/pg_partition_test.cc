// Two hosts and a network cut: two `steadfast serve` processes, each in a
// network namespace of its own joined to this host by a veth pair (so each
// reaches PostgreSQL and the sandbox PSP over a link of its own, as
// separate hosts would), run refund workflows on one database. Halfway,
// host B's link goes down: its connections go silent (no reset, no error:
// packets just stop), its leases expire and host A takes its work over
// while B's sessions are ended by the server's TCP keepalives; 20 s later
// the link comes back and B reconnects on its own, takes its node name
// back and works again.
//
// What must hold: every workflow completes with exactly one refund, the
// books balance, reconcile is clean, no attempt ran twice at once (B's
// attempts cut off mid-way included), B never exited, B noticed it lost
// its node name and did work after the link came back.
//
// Needs root and network namespaces (`ip netns`): skipped, saying why,
// where they are not available; and PostgreSQL as every PostgreSQL test
// (skipped without STEADFAST_TEST_PG_URL, failed when CI is set).
// STEADFAST_PARTITION_WORKFLOWS sets how many workflows (default 400).
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "fleet_harness.h"
#include "pg_cluster_dir.h"
#include "pg_test_env.h"
#include "subprocess.h"

namespace steadfast::soak {
namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kIp = "/usr/sbin/ip";

testing::RunResult Ip(std::vector<std::string> args) {
  args.insert(args.begin(), kIp);
  return testing::RunCommand(args, {}, 20000);
}

// Two namespaces standing for two hosts, each joined to this one by a
// veth pair: host k (1 or 2) is 10.231.k.2, this host's end 10.231.k.1,
// its default route through it. Removed on destruction.
class TwoHosts {
 public:
  ~TwoHosts() {
    for (int k = 1; k <= 2; ++k) {
      Ip({"netns", "del", Namespace(k)});
      Ip({"link", "del", HostEnd(k)});  // gone with the namespace already, normally
    }
  }

  // "" when both are up, else why not.
  std::string Make() {
    if (geteuid() != 0) return "needs root to make network namespaces";
    ClearStale();
    for (int k = 1; k <= 2; ++k) {
      const std::string ns = Namespace(k), here = HostEnd(k), there = "eth0";
      const std::string net = "10.231." + std::to_string(k) + ".";
      for (const std::vector<std::string>& step : std::vector<std::vector<std::string>>{
               {"netns", "add", ns},
               {"link", "add", here, "type", "veth", "peer", "name", ns + "p"},
               {"link", "set", ns + "p", "netns", ns},
               {"addr", "add", net + "1/24", "dev", here},
               {"link", "set", here, "up"},
               {"-n", ns, "link", "set", ns + "p", "name", there},
               {"-n", ns, "addr", "add", net + "2/24", "dev", there},
               {"-n", ns, "link", "set", there, "up"},
               {"-n", ns, "link", "set", "lo", "up"},
               {"-n", ns, "route", "add", "default", "via", net + "1"},
           }) {
        testing::RunResult r = Ip(step);
        if (r.exit_code != 0) return "ip " + step[0] + " " + step[1] + " ...: " + r.output;
      }
    }
    return "";
  }

  std::string Namespace(int k) const { return "sfp" + std::to_string(getpid()) + (k == 1 ? "a" : "b"); }
  // This host's end of host k's link.
  std::string HostEnd(int k) const { return "sfp" + std::to_string(getpid()) + (k == 1 ? "a" : "b") + "h"; }

  void SetLink(int k, bool up) {
    testing::RunResult r = Ip({"link", "set", HostEnd(k), up ? "up" : "down"});
    EXPECT_EQ(r.exit_code, 0) << r.output;
  }

 private:
  // Namespaces and links an earlier run left when it was killed (their
  // pid no longer runs): they would hold this test's addresses.
  static void ClearStale() {
    testing::RunResult list = Ip({"netns", "list"});
    size_t at = 0;
    while ((at = list.output.find("sfp", at)) != std::string::npos) {
      size_t end = list.output.find_first_of(" \n", at);
      const std::string name = list.output.substr(at, end - at);
      at = end;
      const pid_t pid = static_cast<pid_t>(std::atoi(name.c_str() + 3));
      if (pid > 0 && pid != getpid() && kill(pid, 0) != 0) {
        Ip({"netns", "del", name});
        Ip({"link", "del", name + "h"});
      }
    }
  }
};

class PgPartitionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (pgtest::ClusterUrl().empty()) {
      if (std::getenv("CI") != nullptr) GTEST_FAIL() << "CI is set, so the partition test cannot be skipped";
      GTEST_SKIP() << "needs PostgreSQL: run through tools/test.sh, or set STEADFAST_TEST_PG_URL";
    }
    if (std::string why = hosts_.Make(); !why.empty()) GTEST_SKIP() << "no network namespaces here: " << why;
    url_ = cluster_.Start("start", {{"PG_CLUSTER_LISTEN", "10.231.1.1,10.231.2.1"},
                                    {"PG_CLUSTER_TRUST_NET", "10.231.0.0/16"}});
    ASSERT_FALSE(url_.empty());
    // The same server as each host reaches it.
    const std::string port = url_.substr(url_.rfind(':') + 1, url_.rfind('/') - url_.rfind(':') - 1);
    auto seen_from = [&](int k) {
      return "postgres://steadfast@10.231." + std::to_string(k) + ".1:" + port + "/steadfast_test";
    };
    fleet_.SetUp(url_, 2, {"--address", "10.231.1.1", "--latency-ms", "2", "--latency-jitter-ms", "10"},
                 {{hosts_.Namespace(1), seen_from(1), "10.231.1.2"}, {hosts_.Namespace(2), seen_from(2), "10.231.2.2"}});
  }
  void TearDown() override {
    fleet_.TearDown();
    if (cut_) hosts_.SetLink(2, true);
  }

  TwoHosts hosts_;
  PgClusterDir cluster_;
  std::string url_;
  FleetHarness fleet_;
  bool cut_ = false;
};

TEST_F(PgPartitionTest, AHostCutOffFromTheDatabaseIsTakenOverAndRejoins) {
  const int workflows = static_cast<int>(EnvInt("STEADFAST_PARTITION_WORKFLOWS", 400));
  std::vector<FleetHarness::Node>& nodes = fleet_.nodes();
  for (FleetHarness::Node& n : nodes) fleet_.StartServe(n);
  const auto began = Clock::now();
  for (int i = 0; i < workflows / 2; ++i) {
    fleet_.StartWorkflow(i, std::chrono::seconds(30));
    if (HasFatalFailure()) return;
  }
  fleet_.ScrapeAttempts(nodes[1]);
  const int64_t b_before_cut = nodes[1].attempts_seen;
  hosts_.SetLink(2, false);
  cut_ = true;
  const auto cut_at = Clock::now();
  // Host A takes every new workflow and, once their leases expire, B's.
  for (int i = workflows / 2; i < workflows; ++i) {
    fleet_.StartWorkflow(i, std::chrono::seconds(30), /*only=*/0);
    if (HasFatalFailure()) return;
  }
  std::this_thread::sleep_until(cut_at + std::chrono::seconds(20));
  hosts_.SetLink(2, true);
  cut_ = false;

  std::unique_ptr<Store> store = fleet_.OpenStore();
  ASSERT_NE(store, nullptr);
  const auto deadline = Clock::now() + std::chrono::seconds(EnvInt("STEADFAST_PARTITION_DRAIN_SECONDS", 180));
  while (Clock::now() < deadline && fleet_.Unfinished(*store) != 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_EQ(fleet_.Unfinished(*store), 0) << "workflows still open after the drain";
  // B rode it out, and works again: more workflows, run on B, to show it.
  EXPECT_FALSE(nodes[1].serve->Wait(0).has_value()) << "host B's serve exited during the cut";
  const int extra = 40;
  for (int i = workflows; i < workflows + extra; ++i) {
    fleet_.StartWorkflow(i, std::chrono::seconds(30), /*only=*/1);
    if (HasFatalFailure()) return;
  }
  while (Clock::now() < deadline + std::chrono::seconds(60) && fleet_.Unfinished(*store) != 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  for (FleetHarness::Node& n : nodes) fleet_.ScrapeAttempts(n);
  const auto took = std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - began);
  EXPECT_GT(nodes[1].attempts_seen, b_before_cut) << "host B did no work after the link came back";
  const std::string b_log = testing::ReadFile(nodes[1].log);
  // The server ended B's sessions (its keepalives): B saw its node name
  // lost, and took it back (while still cut off, or at once on return).
  EXPECT_TRUE(b_log.find("lost its hold on the database") != std::string::npos ||
              b_log.find("took its name again") != std::string::npos)
      << b_log.substr(0, 4000);
  fleet_.StopAll();

  fleet_.ExpectFleetSound(*store, workflows + extra);
  std::cout << "partition figures: " << workflows + extra << " workflows on 2 hosts in " << took.count()
            << " s; host B cut off 20 s after " << workflows / 2 << " starts; attempts A " << nodes[0].attempts_seen
            << ", B " << nodes[1].attempts_seen << " (" << b_before_cut << " before the cut)" << std::endl;
}

}  // namespace
}  // namespace steadfast::soak
