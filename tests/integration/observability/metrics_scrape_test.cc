// /metrics of a real `steadfast serve` after scripted workflows: exact
// counter values and histogram counts, checked over loopback HTTP, and the
// page checked by a real parser (`promtool check metrics`).
//
// Engine scenario: small workflows of std.* activities (successes, a retry,
// a non-retryable failure, a held approval and one not held). Refund
// scenario: reservation_refund against the real sandbox PSP, whose first
// refund response is lost after the refund was made, so the retry is
// answered as an idempotent replay.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <sstream>

#include "sandbox_process.h"
#include "subprocess.h"
#include "test_server.h"

namespace steadfast {
namespace {

using ::testing::HasSubstr;
using testing::Reply;
using testing::RunResult;
using testing::Send;
using testing::ServerOptions;
using testing::TestServer;
using testing::TempDir;

const std::string kSource = STEADFAST_SOURCE_ROOT;

// Besides TestServer's quick (two std.noop steps) and held (an approval
// when amount > 100, then std.noop).
const std::vector<std::pair<std::string, std::string>> kWorkflows = {
    {"retry", R"(name: retry
version: 1
steps:
  - id: flaky
    activity: std.fail
    with: { times: 1, code: flaky }
    retry: { max_attempts: 3, initial_interval: 10ms, backoff: 1.0 }
)"},
    {"doomed", R"(name: doomed
version: 2
steps:
  - id: broken
    activity: std.fail
    with: { times: 5, code: broken, retryable: false }
)"},
};

std::string Start(const TestServer& s, const std::string& workflow, const std::string& id, const Value& input) {
  Reply r = s.Post("/v1/workflows", testing::kOpsToken,
                   Value(Value::Map{{"workflow", workflow}, {"id", id}, {"input", input}}).ToJson());
  EXPECT_EQ(r.status, 201) << r.body;
  return id;
}

std::string Scrape(const TestServer& s) {
  Reply r = s.Get("/metrics", "");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
  return r.body;
}

// name{labels} -> value, for every sample line of an exposition.
std::map<std::string, double> ParseSamples(const std::string& text) {
  std::map<std::string, double> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t space = line.rfind(' ');
    std::string value = line.substr(space + 1);
    out[line.substr(0, space)] = value == "+Inf" ? 1e300 : std::stod(value);
  }
  return out;
}

// Runs `promtool check metrics` on the text; returns its exit code and output.
RunResult Promtool(const std::string& exposition) {
  TempDir dir;
  std::string file = dir.File("scrape.prom");
  testing::WriteFile(file, exposition);
  return testing::RunCommand({"/bin/sh", "-c", "promtool check metrics < '" + file + "'"});
}

// Metric names used by docs/observability/{alerts.yml,grafana-dashboard.json}
// must each have a `# TYPE` line on the page (histogram series by their base).
void ExpectReferencedMetricsExist(const std::string& page) {
  const std::string rules = testing::ReadFile(kSource + "/docs/observability/alerts.yml");
  const std::string dashboard = testing::ReadFile(kSource + "/docs/observability/grafana-dashboard.json");
  auto parsed = Value::FromJson(dashboard);
  ASSERT_TRUE(parsed.ok()) << "grafana-dashboard.json: " << parsed.status().ToString();
  const std::regex name("steadfast_[a-z0-9_]+");
  int checked = 0;
  for (const std::string* text : {&rules, &dashboard}) {
    for (auto it = std::sregex_iterator(text->begin(), text->end(), name); it != std::sregex_iterator(); ++it) {
      std::string metric = it->str();
      bool found = page.find("# TYPE " + metric + " ") != std::string::npos;
      for (const char* suffix : {"_bucket", "_sum", "_count"}) {
        const std::string sfx = suffix;
        if (!found && metric.size() > sfx.size() && metric.compare(metric.size() - sfx.size(), sfx.size(), sfx) == 0) {
          found = page.find("# TYPE " + metric.substr(0, metric.size() - sfx.size()) + " histogram") != std::string::npos;
        }
      }
      EXPECT_TRUE(found) << metric << " is referenced by docs/observability but not exposed";
      ++checked;
    }
  }
  EXPECT_GT(checked, 30);
}

TEST(MetricsScrape, EngineCountersAfterScriptedWorkflows) {
  ServerOptions options;
  options.workflows = kWorkflows;
  TestServer s(options);
  ASSERT_FALSE(s.url().empty());
  for (int i = 1; i <= 3; ++i) Start(s, "quick", "q" + std::to_string(i), Value::Map{});
  Start(s, "retry", "r1", Value::Map{});
  Start(s, "doomed", "d1", Value::Map{});
  Start(s, "held", "h-small", Value::Map{{"amount", 50}});
  Start(s, "held", "h-big", Value::Map{{"amount", 500}});
  for (const char* id : {"q1", "q2", "q3", "r1", "h-small"}) ASSERT_TRUE(s.WaitUntil(id, "completed")) << s.Log();
  ASSERT_TRUE(s.WaitUntil("d1", "failed"));
  ASSERT_TRUE(s.WaitUntil("h-big", "waiting_approval"));

  // While one approval is held.
  auto held = ParseSamples(Scrape(s));
  EXPECT_EQ(held["steadfast_workflows_waiting{kind=\"approval\"}"], 1);
  EXPECT_EQ(held["steadfast_workflows_waiting{kind=\"signal\"}"], 0);
  EXPECT_EQ(held["steadfast_workflows_in_flight"], 1);
  EXPECT_GT(held["steadfast_oldest_waiting_approval_age_seconds"], 0);
  EXPECT_EQ(held["steadfast_waits_started_total{workflow=\"held\",kind=\"approval\"}"], 1);

  Reply approved = s.Post("/v1/workflows/h-big/approvals/review", testing::kRitaToken,
                          Value(Value::Map{{"decision", "approve"}, {"comment", "fine"}}).ToJson());
  ASSERT_EQ(approved.status, 200) << approved.body;
  ASSERT_TRUE(s.WaitUntil("h-big", "completed"));

  const std::string page = Scrape(s);
  auto m = ParseSamples(page);
  EXPECT_EQ(m["steadfast_workflows_started_total{workflow=\"quick\",version=\"1\"}"], 3);
  EXPECT_EQ(m["steadfast_workflows_started_total{workflow=\"doomed\",version=\"2\"}"], 1);
  EXPECT_EQ(m["steadfast_workflows_started_total{workflow=\"held\",version=\"1\"}"], 2);
  EXPECT_EQ(m["steadfast_workflows_finished_total{workflow=\"quick\",version=\"1\",outcome=\"completed\"}"], 3);
  EXPECT_EQ(m["steadfast_workflows_finished_total{workflow=\"retry\",version=\"1\",outcome=\"completed\"}"], 1);
  EXPECT_EQ(m["steadfast_workflows_finished_total{workflow=\"doomed\",version=\"2\",outcome=\"failed\"}"], 1);
  EXPECT_EQ(m["steadfast_workflows_finished_total{workflow=\"held\",version=\"1\",outcome=\"completed\"}"], 2);
  EXPECT_EQ(m.count("steadfast_workflows_finished_total{workflow=\"quick\",version=\"1\",outcome=\"failed\"}"), 0u);

  // std.noop: 3 quick x 2 steps + 2 held; std.fail: retry (fail, succeed) + doomed (fail).
  EXPECT_EQ(m["steadfast_activity_attempts_total{activity=\"std.noop\",outcome=\"succeeded\"}"], 8);
  EXPECT_EQ(m["steadfast_activity_attempts_total{activity=\"std.fail\",outcome=\"succeeded\"}"], 1);
  EXPECT_EQ(m["steadfast_activity_attempts_total{activity=\"std.fail\",outcome=\"failed\"}"], 2);
  EXPECT_EQ(m["steadfast_activity_failures_total{activity=\"std.fail\",code=\"flaky\"}"], 1);
  EXPECT_EQ(m["steadfast_activity_failures_total{activity=\"std.fail\",code=\"broken\"}"], 1);
  EXPECT_EQ(m["steadfast_activity_retries_total{activity=\"std.fail\"}"], 1);
  EXPECT_EQ(m["steadfast_steps_failed_total{activity=\"std.fail\",code=\"broken\"}"], 1);
  EXPECT_EQ(m["steadfast_lease_reclaims_total"], 0);

  // Histograms: one observation per attempt / per finished workflow.
  EXPECT_EQ(m["steadfast_activity_duration_seconds_count{activity=\"std.noop\"}"], 8);
  EXPECT_EQ(m["steadfast_activity_duration_seconds_bucket{activity=\"std.noop\",le=\"+Inf\"}"], 8);
  EXPECT_EQ(m["steadfast_activity_duration_seconds_count{activity=\"std.fail\"}"], 3);
  EXPECT_EQ(m["steadfast_workflow_duration_seconds_count{workflow=\"quick\",outcome=\"completed\"}"], 3);
  EXPECT_EQ(m["steadfast_workflow_duration_seconds_count{workflow=\"doomed\",outcome=\"failed\"}"], 1);

  // Approvals: one held and approved, one passed by its condition.
  EXPECT_EQ(m["steadfast_approval_checks_total{workflow=\"held\",result=\"held\"}"], 1);
  EXPECT_EQ(m["steadfast_approval_checks_total{workflow=\"held\",result=\"not_required\"}"], 1);
  EXPECT_EQ(m["steadfast_approval_decisions_total{workflow=\"held\",decision=\"approve\"}"], 1);
  EXPECT_EQ(m["steadfast_workflows_waiting{kind=\"approval\"}"], 0);
  EXPECT_EQ(m["steadfast_workflows_in_flight"], 0);
  EXPECT_EQ(m["steadfast_oldest_waiting_approval_age_seconds"], 0);

  // Store and queue: every checkpoint was a timed durable commit.
  // At least one checkpoint per instance after its start (steps may share one commit).
  EXPECT_GE(m["steadfast_checkpoint_commit_seconds_count"], 7);
  EXPECT_EQ(m["steadfast_instance_start_commit_seconds_count"], 7);
  EXPECT_GE(m["steadfast_store_transactions_total"], 1);
  EXPECT_GE(m["steadfast_store_checkpoints_total"], m["steadfast_store_transactions_total"]);
  // Checkpoints per commit (exact values: observability_unit; the engine
  // keeps committing claims while this is scraped).
  EXPECT_GE(m["steadfast_store_commit_batch_size_count"], 7);
  EXPECT_GE(m["steadfast_store_commit_batch_size_sum"], 7);
  EXPECT_EQ(m["steadfast_ready_queue_depth"], 0);
  EXPECT_EQ(m.count("steadfast_ready_queue_oldest_age_seconds"), 1u);
  EXPECT_EQ(m["steadfast_http_requests_total{route=\"/v1/workflows\",method=\"POST\",status=\"201\"}"], 7);

  // No instance id ever becomes a label value.
  for (const char* id : {"q1", "r1", "d1", "h-big", "h-small"}) {
    EXPECT_THAT(page, ::testing::Not(HasSubstr(std::string("\"") + id + "\""))) << id;
  }

  RunResult checked = Promtool(page);
  EXPECT_EQ(checked.exit_code, 0) << checked.output << "\n" << page;
}

// reservation_refund against the sandbox PSP; the first refund response is
// lost after the PSP made the refund, so the retry is an idempotent replay.
TEST(MetricsScrape, RefundSlisFromARealRefundWithALostResponse) {
  integration::SandboxProcess sandbox;
  Status started = sandbox.Start();
  ASSERT_TRUE(started.ok()) << started.ToString();
  const std::string psp = sandbox.base_url();
  Reply seeded = testing::SeedSandboxCharge(psp, "ch_r1001", 27000, "EUR");
  ASSERT_LT(seeded.status, 300) << seeded.body;
  Reply faults = Send(psp, testing::MakeCall("POST", "/sandbox/faults", "",
                                             R"({"drop_next": 1, "scope": ["/v1/refunds"]})"));
  ASSERT_LT(faults.status, 300) << faults.body;

  ServerOptions options;
  options.config_extra = "workflows_dir: " + kSource + "/workflows\n" + integration::RefundPluginConfig(kSource, psp);
  options.env = {{"STEADFAST_PSP_SECRET_KEY", integration::SandboxProcess::kSecretKey}};
  TestServer s(options);
  ASSERT_FALSE(s.url().empty());
  auto input = Value::FromJson(testing::ReadFile(kSource + "/workflows/examples/reservation.json"));
  ASSERT_TRUE(input.ok());
  Start(s, "reservation_refund", "wf-refund", *input);
  ASSERT_TRUE(s.WaitUntil("wf-refund", "completed", 60000)) << s.Log();

  const std::string page = Scrape(s);
  auto m = ParseSamples(page);
  EXPECT_EQ(m["steadfast_refunds_total{workflow=\"reservation_refund\",outcome=\"succeeded\"}"], 1);
  EXPECT_EQ(m.count("steadfast_refunds_total{workflow=\"reservation_refund\",outcome=\"failed\"}"), 0u);
  EXPECT_EQ(m["steadfast_refunded_amount_minor_total{currency=\"EUR\"}"], 27000);
  EXPECT_EQ(m["steadfast_psp_idempotent_replays_total"], 1);
  EXPECT_EQ(m["steadfast_activity_attempts_total{activity=\"refund.psp_refund\",outcome=\"failed\"}"], 1);
  EXPECT_EQ(m["steadfast_activity_attempts_total{activity=\"refund.psp_refund\",outcome=\"succeeded\"}"], 1);
  EXPECT_EQ(m["steadfast_activity_retries_total{activity=\"refund.psp_refund\"}"], 1);
  EXPECT_EQ(m["steadfast_refund_latency_seconds_count{workflow=\"reservation_refund\"}"], 1);
  EXPECT_EQ(m["steadfast_refund_notifications_total{outcome=\"sent\"}"], 1);
  EXPECT_EQ(m["steadfast_inventory_release_lag_seconds_count{workflow=\"reservation_refund\"}"], 1);
  EXPECT_EQ(m["steadfast_approval_checks_total{workflow=\"reservation_refund\",result=\"not_required\"}"], 1);
  EXPECT_EQ(m["steadfast_psp_circuit_state{psp=\"stripe\"}"], 0);
  EXPECT_EQ(m["steadfast_reconciliation_drift{kind=\"psp_not_in_ledger\"}"], 0);
  EXPECT_EQ(m["steadfast_workflows_finished_total{workflow=\"reservation_refund\",version=\"1\",outcome=\"completed\"}"],
            1);
  // Never a customer or reservation id as a label.
  EXPECT_THAT(page, ::testing::Not(HasSubstr("guest-17")));
  EXPECT_THAT(page, ::testing::Not(HasSubstr("r-1001")));

  RunResult checked = Promtool(page);
  EXPECT_EQ(checked.exit_code, 0) << checked.output << "\n" << page;

  // Every metric the alert rules and the Grafana dashboard query is exposed
  // (this server has the refund plugin, so all of them must be).
  ExpectReferencedMetricsExist(page);

  // A refund made at the PSP behind the engine's back. `steadfast reconcile`
  // (its own process, with no settle margin: the refund is seconds old)
  // finds it and records the run; the serving process's
  // /metrics then shows that run's drift.
  ASSERT_LT(testing::SeedSandboxCharge(psp, "ch_x1", 10000, "EUR").status, 300);
  Reply direct = Send(psp, testing::MakeCall("POST", "/v1/refunds", integration::SandboxProcess::kSecretKey,
                                             "charge=ch_x1&amount=5000", "application/x-www-form-urlencoded"));
  ASSERT_EQ(direct.status, 200) << direct.body;
  RunResult reconciled =
      testing::RunCommand({STEADFAST_BIN, "reconcile", "--db", s.database(), "--psp-url", psp, "--settle-margin", "0s"},
                          {{"STEADFAST_PSP_SECRET_KEY", integration::SandboxProcess::kSecretKey}});
  ASSERT_EQ(reconciled.exit_code, 4) << reconciled.output;
  auto after = ParseSamples(Scrape(s));
  EXPECT_EQ(after["steadfast_reconciliation_drift{kind=\"psp_not_in_ledger\"}"], 1);
  EXPECT_EQ(after["steadfast_reconciliation_drift{kind=\"ledger_not_in_psp\"}"], 0);
  EXPECT_EQ(after["steadfast_reconciliation_drift_amount_minor{currency=\"EUR\"}"], 5000);
  EXPECT_GT(after["steadfast_reconciliation_last_run_timestamp_seconds"], 1.7e9);
  // docs/SECURITY.md: the PSP key (from the environment) is in no log line,
  // metric or CLI output, though a refund and a reconcile used it.
  const std::string key = integration::SandboxProcess::kSecretKey;
  EXPECT_EQ(s.Log().find(key), std::string::npos);
  EXPECT_EQ(Scrape(s).find(key), std::string::npos);
  EXPECT_EQ(reconciled.output.find(key), std::string::npos);
}

}  // namespace
}  // namespace steadfast
