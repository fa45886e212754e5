// EngineMetrics from hand-made commits: the events the integration test
// cannot easily produce (timeouts, abandoned attempts, compensation,
// wait timeouts), activity resolution from the definition, and the
// scrape-time gauges over a real SQLite store.
#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include "metrics/registry.h"
#include "observability/engine_metrics.h"
#include "observability/metered_store.h"
#include "steadfast/history.h"
#include "runtime/workflow_catalog.h"
#include "steadfast/testing.h"
#include "store/sqlite/sqlite_store.h"
#include "subprocess.h"

namespace steadfast {
namespace {

constexpr const char* kYaml = R"(name: saga
version: 3
steps:
  - id: charge
    activity: std.noop
    compensate: std.echo
  - id: review
    approval: {}
  - id: ship
    activity: std.sleep
)";

std::map<std::string, double> Samples(const std::string& text) {
  std::map<std::string, double> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t sp = line.rfind(' ');
    out[line.substr(0, sp)] = std::stod(line.substr(sp + 1) == "+Inf" ? "1e300" : line.substr(sp + 1));
  }
  return out;
}

HistoryEvent Ev(const char* type, const std::string& step, int attempt, Value data, TimeMs at = 5000) {
  HistoryEvent e;
  e.type = type;
  e.step_id = step;
  e.attempt = attempt;
  e.data = std::move(data);
  e.at = at;
  return e;
}

class EngineMetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SqliteStoreOptions o;
    o.path = dir_.File("m.db");
    auto s = OpenSqliteStore(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
    metered_ = std::make_unique<MeteredStore>(*store_, registry_);
    auto def = catalog_.AddSource(kYaml, "saga.yaml");
    ASSERT_TRUE(def.ok()) << def.status().ToString();
    rec_.id = "wf-secret-id";
    rec_.workflow_name = "saga";
    rec_.workflow_version = 3;
    rec_.definition_hash = (*def)->hash;
    rec_.created_at = 1000;
    metrics_ = std::make_unique<EngineMetrics>(registry_, catalog_, *metered_, clock_);
  }

  testing::TempDir dir_;
  metrics::Registry registry_;
  WorkflowCatalog catalog_{nullptr};
  ManualClock clock_{100000};
  std::unique_ptr<Store> store_;
  std::unique_ptr<MeteredStore> metered_;
  std::unique_ptr<EngineMetrics> metrics_;
  InstanceRecord rec_;
};

TEST_F(EngineMetricsTest, CountsEveryKindOfEventWithResolvedActivities) {
  std::vector<std::string> heard;
  metrics_->AddListener([&](const ObservedEvent& o) {
    heard.push_back(o.event.type + ":" + std::string(o.activity) + (o.compensation ? ":comp" : ""));
  });
  metrics_->OnCommit(rec_, {Ev(history::kWorkflowStarted, "", 0, Value::Map{})});
  metrics_->OnCommit(rec_, {Ev(history::kAttemptAbandoned, "charge", 1, Value::Map{}),
                            Ev(history::kAttemptSucceeded, "charge", 2, Value::Map{{"duration_ms", 20}})});
  metrics_->OnCommit(rec_, {Ev(history::kWaitStarted, "review", 0, Value::Map{{"kind", "approval"}}),
                            Ev(history::kWaitTimedOut, "review", 0, Value::Map{{"timeout_ms", 10}})});
  metrics_->OnCommit(rec_, {Ev(history::kAttemptFailed, "ship", 1,
                               Value::Map{{"code", "start_to_close_timeout"}, {"duration_ms", 3000},
                                          {"activity", "std.sleep"}}),
                            Ev(history::kStepFailed, "ship", 0, Value::Map{{"code", "schedule_to_close_timeout"}}),
                            Ev(history::kCompensationStarted, "ship", 0, Value::Map{})});
  metrics_->OnCommit(rec_, {Ev(history::kAttemptFailed, "charge", 1,
                               Value::Map{{"code", "boom"}, {"activity", "std.echo"}, {"compensation", true}}),
                            Ev(history::kCompensationFailed, "charge", 1, Value::Map{{"code", "boom"}})});
  metrics_->OnCommit(rec_, {Ev(history::kWorkflowFailed, "", 0, Value::Map{}, 61000)});

  auto m = Samples(registry_.Render());
  EXPECT_EQ(m["steadfast_workflows_started_total{workflow=\"saga\",version=\"3\"}"], 1);
  EXPECT_EQ(m["steadfast_lease_reclaims_total"], 1);
  EXPECT_EQ(m["steadfast_activity_attempts_total{activity=\"std.noop\",outcome=\"abandoned\"}"], 1);
  EXPECT_EQ(m["steadfast_activity_attempts_total{activity=\"std.noop\",outcome=\"succeeded\"}"], 1);
  EXPECT_EQ(m["steadfast_activity_attempts_total{activity=\"std.echo\",outcome=\"failed\"}"], 1);
  EXPECT_EQ(m["steadfast_activity_timeouts_total{activity=\"std.sleep\",kind=\"start_to_close\"}"], 1);
  EXPECT_EQ(m["steadfast_activity_timeouts_total{activity=\"std.sleep\",kind=\"schedule_to_close\"}"], 1);
  EXPECT_EQ(m["steadfast_steps_failed_total{activity=\"std.sleep\",code=\"schedule_to_close_timeout\"}"], 1);
  EXPECT_EQ(m["steadfast_wait_timeouts_total{workflow=\"saga\",kind=\"approval\"}"], 1);
  EXPECT_EQ(m["steadfast_approval_checks_total{workflow=\"saga\",result=\"held\"}"], 1);
  EXPECT_EQ(m["steadfast_compensations_total{workflow=\"saga\",outcome=\"started\"}"], 1);
  EXPECT_EQ(m["steadfast_compensations_total{workflow=\"saga\",outcome=\"failed\"}"], 1);
  EXPECT_EQ(m["steadfast_workflows_finished_total{workflow=\"saga\",version=\"3\",outcome=\"failed\"}"], 1);
  // 60 s from created_at (1 s) to the failure (61 s): in the le=60 bucket.
  EXPECT_EQ(m["steadfast_workflow_duration_seconds_bucket{workflow=\"saga\",outcome=\"failed\",le=\"30\"}"], 0);
  EXPECT_EQ(m["steadfast_workflow_duration_seconds_bucket{workflow=\"saga\",outcome=\"failed\",le=\"60\"}"], 1);
  EXPECT_EQ(m["steadfast_workflow_duration_seconds_sum{workflow=\"saga\",outcome=\"failed\"}"], 60);
  EXPECT_EQ(m["steadfast_activity_duration_seconds_sum{activity=\"std.noop\"}"], 0.02);
  EXPECT_EQ(heard.size(), 11u);
  EXPECT_EQ(heard[2], "attempt_succeeded:std.noop");
  EXPECT_EQ(heard[9], "compensation_failed:std.echo:comp");
  EXPECT_EQ(registry_.Render().find("wf-secret-id"), std::string::npos);
}

TEST_F(EngineMetricsTest, ScrapeTimeGaugesReadTheStoreAndTheQueueProbe) {
  metrics_->SetQueueProbe([] { return QueueSnapshot{3, 40000}; });
  auto m = Samples(registry_.Render());
  EXPECT_EQ(m["steadfast_workflows_in_flight"], 0);
  EXPECT_EQ(m["steadfast_workflows_waiting{kind=\"approval\"}"], 0);
  EXPECT_EQ(m["steadfast_oldest_waiting_approval_age_seconds"], 0);
  EXPECT_EQ(m["steadfast_ready_queue_depth"], 3);
  EXPECT_EQ(m["steadfast_ready_queue_oldest_age_seconds"], 60);  // clock 100 s, oldest due at 40 s
  EXPECT_GE(m["steadfast_store_transactions_total"], 0);
}

TEST_F(EngineMetricsTest, CheckpointsPerCommitIsAHistogramOfCommittedBatches) {
  auto before = Samples(registry_.Render());
  // Sequential writes: each is its own transaction carrying one request.
  for (int i = 0; i < 3; ++i) {
    DefinitionRecord d{"hash-" + std::to_string(i), "w", 1, "name: w", 1000};
    ASSERT_TRUE(metered_->PutDefinition(d).ok());
  }
  auto m = Samples(registry_.Render());
  const double commits = m["steadfast_store_commit_batch_size_count"] - before["steadfast_store_commit_batch_size_count"];
  EXPECT_EQ(commits, 3);
  EXPECT_EQ(m["steadfast_store_commit_batch_size_sum"] - before["steadfast_store_commit_batch_size_sum"], 3);
  EXPECT_EQ(m["steadfast_store_commit_batch_size_bucket{le=\"1\"}"], m["steadfast_store_commit_batch_size_count"]);
  EXPECT_EQ(m["steadfast_store_transactions_total"], m["steadfast_store_commit_batch_size_count"]);
  // Each of them wrote at least the definitions table's leaf page.
  EXPECT_GE(m["steadfast_store_pages_written_total"] - before["steadfast_store_pages_written_total"], 3);
}

}  // namespace
}  // namespace steadfast
