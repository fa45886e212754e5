// The refund plugin's init entry point (entry_points.cc) as the CLI calls
// it from the built-in plugin list: with and without configuration, and its
// SLIs counted from committed events through the public API.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "metrics/registry.h"
#include "metrics/registry_sink.h"
#include "net/curl_transport.h"
#include "observability/committed_event_hub.h"
#include "steadfast/registry.h"
#include "steadfast/testing.h"
#include "store/store.h"
#include "subprocess.h"

// Defined by STEADFAST_PLUGIN in entry_points.cc (built with STEADFAST_BUILTIN_PLUGIN=refund).
::steadfast::PluginInitFn steadfast_builtin_init_refund();

namespace steadfast::refund {
namespace {

using ::testing::HasSubstr;

struct Host {
  metrics::Registry registry;
  metrics::RegistrySink sink{registry};
  CommittedEventHub events;

  PluginContext Context(const std::string& config_dir) {
    PluginContext ctx;
    ctx.name = "refund";
    ctx.config_dir = config_dir;
    ctx.logger = &NullLogger::Instance();
    ctx.metrics = &sink;
    ctx.events = &events;
    ctx.http = &net::CurlTransport::Instance();
    ctx.clock = &SystemClock::Instance();
    return ctx;
  }
};

TEST(RefundEntryPoint, RegistersEveryActivityWithoutAnyConfiguration) {
  ::steadfast::testing::TempDir empty;  // no config/refund_policies.yaml under it
  Host host;
  PluginContext ctx = host.Context(empty.path());
  ActivityRegistry registry;
  ASSERT_TRUE(steadfast_builtin_init_refund()(ctx, registry).ok());
  EXPECT_EQ(registry.List().size(), 25u);  // 22 steps (payout and its reversal, the settlement record, the four claim steps and the deposit return among them), refund.reconcile, refund.sync_disputes and refund.sync_settlements
  EXPECT_TRUE(registry.HasPlugin("refund"));

  ActivityTestRun run;
  ActivityResult r = run.Run(registry, "refund.check_eligibility");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "refund_not_configured");
  EXPECT_EQ(r.error().kind, ErrorKind::kNonRetryable);
  EXPECT_THAT(r.error().message, HasSubstr("no plugin_config.refund"));
  EXPECT_THAT(r.error().message, HasSubstr(empty.path() + "/config/refund_policies.yaml"));
}

TEST(RefundEntryPoint, ABrokenSectionFailsInit) {
  Host host;
  PluginContext ctx = host.Context(STEADFAST_SOURCE_ROOT);
  ctx.config = Value::Map{{"policies", "no/such/policies.yaml"}};
  ActivityRegistry registry;
  Status s = steadfast_builtin_init_refund()(ctx, registry);
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.ToString();
}

TEST(RefundEntryPoint, CountsItsSlisFromCommittedEventsInItsSink) {
  Host host;
  PluginContext ctx = host.Context(STEADFAST_SOURCE_ROOT);  // the shipped config/refund_policies.yaml
  ActivityRegistry registry;
  ASSERT_TRUE(steadfast_builtin_init_refund()(ctx, registry).ok());
  EXPECT_EQ(registry.List().size(), 25u);  // 22 steps (payout and its reversal, the settlement record, the four claim steps and the deposit return among them), refund.reconcile, refund.sync_disputes and refund.sync_settlements
  // The reconciliation gauges exist before any run.
  EXPECT_THAT(host.registry.Render(), HasSubstr("steadfast_reconciliation_drift{kind=\"psp_not_in_ledger\"} 0"));
  // So do the settlement transaction gauges (no tables here: every series 0).
  EXPECT_THAT(host.registry.Render(),
              HasSubstr("steadfast_settlement_transactions{status=\"pending\",kind=\"hostpayout\"} 0"));

  InstanceRecord instance;
  instance.id = "wf-1";
  instance.workflow_name = "reservation_refund";
  instance.created_at = 1'000;
  HistoryEvent succeeded;
  succeeded.type = history::kAttemptSucceeded;
  succeeded.at = 3'500;
  succeeded.step_id = "refund";
  succeeded.data = Value::Map{{"output", Value::Map{{"amount", Value::Map{{"minor", 27000}, {"currency", "EUR"}}},
                                                    {"replayed", true}}}};
  host.events.Deliver(ObservedEvent{instance, succeeded, "refund.psp_refund", false});

  const std::string page = host.registry.Render();
  EXPECT_THAT(page, HasSubstr("steadfast_refunds_total{workflow=\"reservation_refund\",outcome=\"succeeded\"} 1"));
  EXPECT_THAT(page, HasSubstr("steadfast_refunded_amount_minor_total{currency=\"EUR\"} 27000"));
  EXPECT_THAT(page, HasSubstr("steadfast_psp_idempotent_replays_total 1"));
  EXPECT_THAT(page, HasSubstr("steadfast_refund_latency_seconds_count{workflow=\"reservation_refund\"} 1"));
  EXPECT_THAT(page, HasSubstr("steadfast_refund_disputes_overlapping_total{overlap=\"refund_blocked\"} 0"))
      << "the overlap kinds exist before any dispute";

  // A dispute sync: two disputes first seen, one lost, one case opened now
  // and one replayed (counted by the run that opened it).
  HistoryEvent synced;
  synced.type = history::kAttemptSucceeded;
  synced.at = 4'000;
  synced.step_id = "sync";
  synced.data = Value::Map{
      {"output", Value::Map{{"new_disputes", 2},
                            {"newly_lost", 1},
                            {"cases", Value::List{Value::Map{{"overlap", "refunded"}, {"replayed", false}},
                                                  Value::Map{{"overlap", "refund_pending"}, {"replayed", true}}}}}}};
  InstanceRecord sync = instance;
  sync.workflow_name = "dispute_sync";
  host.events.Deliver(ObservedEvent{sync, synced, "refund.sync_disputes", false});
  const std::string after = host.registry.Render();
  EXPECT_THAT(after, HasSubstr("steadfast_refund_disputes_total 2"));
  EXPECT_THAT(after, HasSubstr("steadfast_refund_disputes_lost_total 1"));
  EXPECT_THAT(after, HasSubstr("steadfast_refund_disputes_overlapping_total{overlap=\"refunded\"} 1"));
  EXPECT_THAT(after, HasSubstr("steadfast_refund_disputes_overlapping_total{overlap=\"refund_pending\"} 0"));
}

}  // namespace
}  // namespace steadfast::refund
