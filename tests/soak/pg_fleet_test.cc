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
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "attempt_history.h"
#include "free_port.h"
#include "definition/content_hash.h"
#include "pg_test_env.h"
#include "refund/refund_store.h"
#include "sandbox_process.h"
#include "serve_api.h"
#include "store/postgres/pg_store.h"
#include "subprocess.h"

namespace steadfast::soak {
namespace {

using integration::SandboxProcess;
using Clock = std::chrono::steady_clock;

const std::string kSource = STEADFAST_SOURCE_ROOT;
constexpr const char* kOps = "fleet-ops-token-0123456789abcdef";
constexpr int kProcesses = 3;

int64_t EnvInt(const char* name, int64_t fallback) {
  const char* text = std::getenv(name);
  return text == nullptr || *text == '\0' ? fallback : std::strtoll(text, nullptr, 10);
}

class PgFleetTest : public pgtest::PgTest {
 protected:
  void SetUp() override {
    PgTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    seed_ = static_cast<uint64_t>(EnvInt("STEADFAST_FLEET_SEED", std::random_device{}() & 0x7fffffff));
    rng_.seed(seed_);
    std::cout << "fleet: seed " << seed_ << "; reproduce with STEADFAST_FLEET_SEED=" << seed_ << std::endl;
    const std::vector<std::string> faults = {
        "--seed", std::to_string(seed_ % 1000000007), "--error-rate", "0.1", "--rate-limit-rate", "0.03",
        "--retry-after-s", "1", "--latency-ms", "2", "--latency-jitter-ms", "20", "--timeout-rate", "0.02",
        "--timeout-hold-ms", "1500", "--drop-rate", "0.03"};
    ASSERT_TRUE(sandbox_.Start(faults).ok());
    sandbox_api_ = std::make_unique<ServeApi>(sandbox_.base_url());
    std::set<int> ports;
    for (int i = 0; i < kProcesses; ++i) {
      Node node;
      do node.port = FreePort();
      while (ports.count(node.port) != 0 && node.port != 0);
      ports.insert(node.port);
      node.config = dir_.File("steadfast-" + std::to_string(i) + ".yaml");
      node.api = std::make_unique<ServeApi>("http://127.0.0.1:" + std::to_string(node.port));
      testing::WriteFile(node.config, Config(i, node.port));
      nodes_.push_back(std::move(node));
    }
  }
  void TearDown() override {
    for (Node& n : nodes_) {
      if (n.serve) {
        n.serve->Kill(SIGKILL);
        n.serve->Wait(10000);
      }
    }
    PgTest::TearDown();
  }

  struct Node {
    int port = 0;
    std::string config;
    std::unique_ptr<ServeApi> api;
    std::unique_ptr<testing::Subprocess> serve;
    int64_t attempts_seen = 0;   // steadfast_activity_attempts_total summed over its runs
    int64_t attempts_this_run = 0;
  };

  std::string Config(int i, int port) const {
    const std::string psp = sandbox_.base_url();
    return "database: \"" + url() + "\"\nworkflows_dir: " + kSource + "/workflows\nworkers: 4\nnode_name: fleet-" +
           std::to_string(i) + "\nlease: 2s\npoll_interval: 1s\nlog_level: warn\npostgres: { pool_size: 6 }\n" +
           "http:\n  listen: 127.0.0.1:" + std::to_string(port) +
           "\n  rate_limit: { per_principal_per_s: 0, burst: 1 }\n  tokens:\n    - { name: fleet-ops, sha256: " +
           Sha256Hex(kOps) + ", roles: [operator] }\n" +
           "plugin_config:\n  refund:\n    policies: " + kSource + "/config/refund_policies.yaml\n"
           "    risk_rules: " + kSource + "/config/risk_rules.yaml\n"
           "    psp: { base_url: \"" + psp + "\", timeout: 2s, settle_wait: 1s, poll_interval: 100ms,"
           " pending_retry_after: 1s, breaker_open: 1s }\n"
           "    inventory_url: \"" + psp + "\"\n    notification_url: \"" + psp + "\"\n    service_timeout: 2s\n";
  }

  void StartServe(Node& n) {
    n.serve = std::make_unique<testing::Subprocess>(
        std::vector<std::string>{STEADFAST_BIN, "serve", "--config", n.config},
        std::map<std::string, std::string>{{"STEADFAST_PSP_SECRET_KEY", SandboxProcess::kSecretKey}},
        dir_.File("serve-" + std::to_string(&n - nodes_.data()) + ".log"));
    n.attempts_this_run = 0;
  }

  // Reads the process's attempt counter; a restart starts it again at 0.
  void ScrapeAttempts(Node& n) {
    ApiReply m = n.api->Get("/metrics", kOps);
    if (m.status != 200) return;
    int64_t total = 0;
    size_t at = 0;
    while ((at = m.text.find("\nsteadfast_activity_attempts_total", at)) != std::string::npos) {
      const size_t eol = m.text.find('\n', at + 1);
      const size_t space = m.text.rfind(' ', eol);
      total += std::strtoll(m.text.substr(space + 1, eol - space - 1).c_str(), nullptr, 10);
      at = eol;
    }
    if (total >= n.attempts_this_run) {
      n.attempts_seen += total - n.attempts_this_run;
      n.attempts_this_run = total;
    }
  }

  int Draw(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

  // Starts workflow i on some process that answers (the same id and input
  // is a safe retry on another).
  void StartWorkflow(int i) {
    const std::string n = std::to_string(i);
    Value input = *Value::FromJson(testing::ReadFile(kSource + "/workflows/examples/reservation.json"));
    input["reservation"]["id"] = "r-fleet-" + n;
    input["reservation"]["payment"]["charge"] = "ch_fleet_" + n;
    input["reservation"]["payment"]["method"] = "pm_fleet_" + n;
    input["reservation"]["customer"]["id"] = "guest-fleet-" + n;
    input["requested_by"] = "guest-fleet-" + n;
    ApiReply seeded = sandbox_api_->Post("/sandbox/charges", "",
                                         Value::Map{{"id", "ch_fleet_" + n}, {"amount", 27000}, {"currency", "EUR"}});
    ASSERT_EQ(seeded.status / 100, 2) << seeded.text;
    for (int attempt = 0; attempt < 200; ++attempt) {
      Node& node = nodes_[static_cast<size_t>(i + attempt) % nodes_.size()];
      ApiReply r = node.api->Post("/v1/workflows", kOps,
                                  Value::Map{{"workflow", "reservation_refund"}, {"id", "fleet-" + n}, {"input", input}});
      if (r.status == 200 || r.status == 201) return;
      if (r.status != 0 && r.status != 503) FAIL() << "start fleet-" << n << ": " << r.status << " " << r.text;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    FAIL() << "no process accepted fleet-" << n;
  }

  Result<std::unique_ptr<Store>> OpenStore() {
    PgStoreOptions options;
    options.url = url();
    options.max_connections = 2;
    options.plugin_schemas = {refund::RefundStore::Schema()};
    return OpenPgStore(options);
  }

  uint64_t seed_ = 0;
  std::mt19937_64 rng_;
  testing::TempDir dir_;
  SandboxProcess sandbox_;
  std::unique_ptr<ServeApi> sandbox_api_;
  std::vector<Node> nodes_;
};

TEST_F(PgFleetTest, ThreeProcessesShareTheWorkAndSurviveKillsWithOneRefundEach) {
  const int workflows = static_cast<int>(EnvInt("STEADFAST_FLEET_WORKFLOWS", 1000));
  for (Node& n : nodes_) StartServe(n);
  const auto began = Clock::now();
  int kills = 0;
  auto next_kill = Clock::now() + std::chrono::milliseconds(Draw(1500, 3000));
  auto chaos = [&] {
    for (Node& n : nodes_) ScrapeAttempts(n);
    if (Clock::now() < next_kill) return;
    Node& victim = nodes_[static_cast<size_t>(Draw(0, kProcesses - 1))];
    victim.serve->Kill(SIGKILL);
    victim.serve->Wait(10000);
    ++kills;
    std::this_thread::sleep_for(std::chrono::milliseconds(Draw(100, 800)));
    StartServe(victim);
    next_kill = Clock::now() + std::chrono::milliseconds(Draw(1500, 3000));
  };
  for (int i = 0; i < workflows; ++i) {
    StartWorkflow(i);
    if (HasFatalFailure()) return;
    if (i % 20 == 0) chaos();
  }
  std::unique_ptr<Store> store;
  {
    Result<std::unique_ptr<Store>> opened = OpenStore();
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store = std::move(opened).value();
  }
  auto unfinished = [&]() -> int64_t {
    Result<std::vector<std::pair<InstanceStatus, int64_t>>> counts = store->CountByStatus();
    if (!counts.ok()) return -1;
    int64_t open = 0;
    for (const auto& [status, n] : *counts) {
      if (!IsTerminal(status)) open += n;
    }
    return open;
  };
  // The faults go off for the drain (and for reconcile's calls to the PSP
  // after it); kills go on while much work remains.
  ApiReply off = sandbox_api_->Post("/sandbox/faults", "", Value::Map{{"reset", true}});
  ASSERT_EQ(off.status, 200) << off.text;
  const auto deadline = Clock::now() + std::chrono::seconds(EnvInt("STEADFAST_FLEET_DRAIN_SECONDS", 300));
  while (Clock::now() < deadline && unfinished() != 0) {
    if (kills < 3 || unfinished() > workflows / 10) chaos();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  for (Node& n : nodes_) ScrapeAttempts(n);
  const auto took = std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - began);
  EXPECT_EQ(unfinished(), 0) << "workflows still open after the drain";
  for (size_t i = 0; i < nodes_.size(); ++i) {
    nodes_[i].serve->Kill(SIGTERM);
    EXPECT_EQ(nodes_[i].serve->Wait(30000).value_or(-1), 0) << "serve " << i << " did not stop cleanly";
    nodes_[i].serve.reset();
  }

  // 1. Every workflow completed, and no other instance exists.
  ListFilter all;
  all.limit = 0;
  Result<std::vector<InstanceRecord>> listed = store->ListInstances(all);
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  EXPECT_EQ(listed->size(), static_cast<size_t>(workflows));
  std::map<std::string, InstanceRecord> by_id;
  for (const InstanceRecord& r : *listed) {
    by_id[r.id] = r;
    EXPECT_EQ(r.status, InstanceStatus::kCompleted) << r.id << " ended " << InstanceStatusName(r.status) << " at "
                                                    << r.current_step << ": " << r.error_message;
  }

  // 2. Exactly one succeeded refund per reservation at the PSP.
  ApiReply stats = sandbox_api_->Get("/sandbox/stats");
  ASSERT_EQ(stats.status, 200) << stats.text;
  const Value& by_charge = stats.body.Get("refunds").Get("by_charge");
  for (int i = 0; i < workflows; ++i) {
    const Value& c = by_charge.Get("ch_fleet_" + std::to_string(i));
    EXPECT_TRUE(c.Get("count").IntOr(0) == 1 && c.Get("succeeded").IntOr(0) == 1 &&
                c.Get("amount_refunded").IntOr(-1) == 27000)
        << "fleet-" << i << ": the PSP has " << c.ToJson();
  }

  // 3. Every ledger transaction balances.
  refund::RefundStore refunds(*store->plugin_storage());
  auto entries = refunds.LedgerEntries("");
  ASSERT_TRUE(entries.ok()) << entries.status().ToString();
  std::map<std::pair<int64_t, std::string>, int64_t> sums;
  for (const auto& e : *entries) {
    sums[{e.transaction_id, e.entry.currency}] +=
        e.entry.direction == refund::Direction::kDebit ? e.entry.amount_minor : -e.entry.amount_minor;
  }
  EXPECT_GE(sums.size(), static_cast<size_t>(workflows));
  for (const auto& [key, sum] : sums) EXPECT_EQ(sum, 0) << "ledger transaction " << key.first << " in " << key.second;

  // 4. The PSP, the ledger and the workflows agree.
  testing::RunResult rec = testing::RunCommand(
      {STEADFAST_BIN, "reconcile", "--settle-margin", "0s", "--config", nodes_[0].config},
      {{"STEADFAST_PSP_SECRET_KEY", SandboxProcess::kSecretKey}}, 300000);
  EXPECT_TRUE(rec.exit_code == 0 && rec.output.find("no drift") != std::string::npos)
      << "reconcile exited " << rec.exit_code << ":\n" << rec.output.substr(0, 4000);

  // 5. No task ran twice at once.
  for (const auto& [id, r] : by_id) {
    Result<std::vector<HistoryEvent>> h = store->GetHistory(id, 0, 0);
    ASSERT_TRUE(h.ok()) << h.status().ToString();
    for (const std::string& problem : AttemptHistoryProblems(*h)) ADD_FAILURE() << id << ": " << problem;
  }

  // 6. Every process took a share of the attempts.
  int64_t total = 0;
  for (const Node& n : nodes_) total += n.attempts_seen;
  std::cout << "fleet figures: seed " << seed_ << ", " << workflows << " workflows on " << kProcesses
            << " processes in " << took.count() << " s; kill -9 " << kills << "; attempts per process";
  for (const Node& n : nodes_) std::cout << " " << n.attempts_seen;
  std::cout << "; PSP faults " << stats.body.Get("faults").ToJson() << std::endl;
  EXPECT_GE(kills, 3);
  for (size_t i = 0; i < nodes_.size(); ++i) {
    EXPECT_GT(nodes_[i].attempts_seen, total / (4 * kProcesses)) << "process " << i << " ran few attempts";
  }
}

}  // namespace
}  // namespace steadfast::soak
