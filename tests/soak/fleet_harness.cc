// The fleet's processes, workflows and checks (tests/soak/fleet_harness.h).
#include "fleet_harness.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <cstdlib>
#include <map>
#include <set>
#include <thread>
#include <utility>

#include "attempt_history.h"
#include "definition/content_hash.h"
#include "free_port.h"
#include "refund/refund_store.h"
#include "store/postgres/pg_store.h"

namespace steadfast::soak {
namespace {

using integration::SandboxProcess;

const std::string kSourceRoot = STEADFAST_SOURCE_ROOT;
constexpr int64_t kFleetChargeMinor = 27000;

}  // namespace

int64_t EnvInt(const char* name, int64_t fallback) {
  const char* text = std::getenv(name);
  return text == nullptr || *text == '\0' ? fallback : std::strtoll(text, nullptr, 10);
}

void FleetHarness::SetUp(const std::string& database_url, int processes, const std::vector<std::string>& sandbox_args,
                         const std::vector<Placement>& placements) {
  ASSERT_TRUE(placements.empty() || placements.size() == static_cast<size_t>(processes));
  database_url_ = database_url;
  ASSERT_TRUE(sandbox_.Start(sandbox_args).ok());
  sandbox_api_ = std::make_unique<ServeApi>(sandbox_.base_url());
  std::set<int> ports;
  for (int i = 0; i < processes; ++i) {
    Node node;
    do node.port = FreePort();
    while (ports.count(node.port) != 0 && node.port != 0);
    ports.insert(node.port);
    node.config = dir_.File("steadfast-" + std::to_string(i) + ".yaml");
    node.log = dir_.File("serve-" + std::to_string(i) + ".log");
    const Placement* at = placements.empty() ? nullptr : &placements[static_cast<size_t>(i)];
    node.netns = at ? at->netns : "";
    node.api = std::make_unique<ServeApi>("http://" + (at ? at->api_host : std::string("127.0.0.1")) + ":" +
                                          std::to_string(node.port));
    testing::WriteFile(node.config, Config(i, node.port, at ? at->database_url : database_url_,
                                           at ? "0.0.0.0" : "127.0.0.1"));
    nodes_.push_back(std::move(node));
  }
}

void FleetHarness::TearDown() {
  for (Node& n : nodes_) {
    if (n.serve) KillServe(n);
  }
}

std::string FleetHarness::Config(int i, int port, const std::string& database_url,
                                 const std::string& listen_host) const {
  const std::string psp = sandbox_.base_url();
  return "database: \"" + database_url + "\"\nworkflows_dir: " + kSourceRoot + "/workflows\nworkers: 4\nnode_name: fleet-" +
         std::to_string(i) + "\nlease: 2s\npoll_interval: 1s\nlog_level: warn\npostgres: { pool_size: 6 }\n" +
         "http:\n  listen: " + listen_host + ":" + std::to_string(port) +
         "\n  rate_limit: { per_principal_per_s: 0, burst: 1 }\n  tokens:\n    - { name: fleet-ops, sha256: " +
         Sha256Hex(kOps) + ", roles: [operator] }\n" +
         "plugin_config:\n  refund:\n    policies: " + kSourceRoot + "/config/refund_policies.yaml\n"
         "    risk_rules: " + kSourceRoot + "/config/risk_rules.yaml\n"
         "    psp: { base_url: \"" + psp + "\", timeout: 2s, settle_wait: 1s, poll_interval: 100ms,"
         " pending_retry_after: 1s, breaker_open: 1s }\n"
         "    inventory_url: \"" + psp + "\"\n    notification_url: \"" + psp + "\"\n    service_timeout: 2s\n";
}

void FleetHarness::StartServe(Node& n) {
  std::vector<std::string> argv = {STEADFAST_BIN, "serve", "--config", n.config};
  // `ip netns exec` execs the command itself: the pid is serve's.
  if (!n.netns.empty()) argv.insert(argv.begin(), {"/usr/sbin/ip", "netns", "exec", n.netns});
  n.serve = std::make_unique<testing::Subprocess>(
      std::move(argv),
      std::map<std::string, std::string>{{"STEADFAST_PSP_SECRET_KEY", SandboxProcess::kSecretKey}},
      n.log);
  n.attempts_this_run = 0;
}

void FleetHarness::KillServe(Node& n) {
  n.serve->Kill(SIGKILL);
  n.serve->Wait(10000);
  n.serve.reset();
}

void FleetHarness::StopAll() {
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (!nodes_[i].serve) continue;
    nodes_[i].serve->Kill(SIGTERM);
    EXPECT_EQ(nodes_[i].serve->Wait(30000).value_or(-1), 0) << "serve " << i << " did not stop cleanly";
    nodes_[i].serve.reset();
  }
}

void FleetHarness::ScrapeAttempts(Node& n) {
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

void FleetHarness::StartWorkflow(int i, std::chrono::milliseconds patience, int only) {
  const std::string n = std::to_string(i);
  Value input = *Value::FromJson(testing::ReadFile(kSourceRoot + "/workflows/examples/reservation.json"));
  input["reservation"]["id"] = "r-fleet-" + n;
  input["reservation"]["payment"]["charge"] = "ch_fleet_" + n;
  input["reservation"]["payment"]["method"] = "pm_fleet_" + n;
  input["reservation"]["customer"]["id"] = "guest-fleet-" + n;
  input["requested_by"] = "guest-fleet-" + n;
  ApiReply seeded = sandbox_api_->Post(
      "/sandbox/charges", "", Value::Map{{"id", "ch_fleet_" + n}, {"amount", kFleetChargeMinor}, {"currency", "EUR"}});
  ASSERT_EQ(seeded.status / 100, 2) << seeded.text;
  const auto give_up = std::chrono::steady_clock::now() + patience;
  for (size_t attempt = 0; std::chrono::steady_clock::now() < give_up; ++attempt) {
    Node& node = nodes_[only >= 0 ? static_cast<size_t>(only) : (static_cast<size_t>(i) + attempt) % nodes_.size()];
    ApiReply r = node.api->Post("/v1/workflows", kOps,
                                Value::Map{{"workflow", "reservation_refund"}, {"id", "fleet-" + n}, {"input", input}});
    if (r.status == 200 || r.status == 201) return;
    if (r.status != 0 && r.status != 503) FAIL() << "start fleet-" << n << ": " << r.status << " " << r.text;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  FAIL() << "no process accepted fleet-" << n;
}

void FleetHarness::FaultsOff() {
  ApiReply off = sandbox_api_->Post("/sandbox/faults", "", Value::Map{{"reset", true}});
  ASSERT_EQ(off.status, 200) << off.text;
}

std::unique_ptr<Store> FleetHarness::OpenStore() {
  PgStoreOptions options;
  options.url = database_url_;
  options.max_connections = 2;
  options.plugin_schemas = {refund::RefundStore::Schema()};
  Result<std::unique_ptr<Store>> opened = OpenPgStore(options);
  EXPECT_TRUE(opened.ok()) << opened.status().ToString();
  return opened.ok() ? std::move(opened).value() : nullptr;
}

int64_t FleetHarness::Unfinished(Store& store) {
  Result<std::vector<std::pair<InstanceStatus, int64_t>>> counts = store.CountByStatus();
  if (!counts.ok()) return -1;
  int64_t open = 0;
  for (const auto& [status, n] : *counts) {
    if (!IsTerminal(status)) open += n;
  }
  return open;
}

void FleetHarness::ExpectFleetSound(Store& store, int workflows) {
  // 1. Every workflow completed, and no other instance exists but the runs
  // of the workflows directory's own schedules (a dispute sync every five
  // minutes may fall into the run).
  ListFilter all;
  all.limit = 0;
  Result<std::vector<InstanceRecord>> everything = store.ListInstances(all);
  ASSERT_TRUE(everything.ok()) << everything.status().ToString();
  std::vector<InstanceRecord> listed;
  for (InstanceRecord& r : *everything) {
    if (r.started_by.rfind("schedule:", 0) != 0) listed.push_back(std::move(r));
  }
  EXPECT_EQ(listed.size(), static_cast<size_t>(workflows));
  for (const InstanceRecord& r : listed) {
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
                c.Get("amount_refunded").IntOr(-1) == kFleetChargeMinor)
        << "fleet-" << i << ": the PSP has " << c.ToJson();
  }

  // 3. Every ledger transaction balances.
  refund::RefundStore refunds(*store.plugin_storage());
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
  for (const InstanceRecord& r : listed) {
    Result<std::vector<HistoryEvent>> h = store.GetHistory(r.id, 0, 0);
    ASSERT_TRUE(h.ok()) << h.status().ToString();
    for (const std::string& problem : AttemptHistoryProblems(*h)) ADD_FAILURE() << r.id << ": " << problem;
  }
}

}  // namespace steadfast::soak
