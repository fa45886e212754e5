// Refund SLIs from committed events; breaker and reconciliation gauges.
#include "refund/refund_metrics.h"

#include <algorithm>
#include <memory>

#include "refund/reconciliation.h"

namespace steadfast::refund {
namespace {

constexpr size_t kMaxCurrencies = 200;  // ISO 4217 has ~180 codes; anything else is "other"

double Seconds(int64_t ms) { return static_cast<double>(std::max<int64_t>(0, ms)) / 1000.0; }

// Only well-formed ISO-looking codes become label values.
std::string CurrencyLabel(const std::string& c) {
  if (c.size() != 3) return kOverflowMetricLabel;
  for (char ch : c) {
    if (ch < 'A' || ch > 'Z') return kOverflowMetricLabel;
  }
  return c;
}

struct RefundMetrics {
  explicit RefundMetrics(MetricsSink& r)
      : refunds(r.CounterFamily("steadfast_refunds_total",
                                   "Refunds by outcome: succeeded (the PSP refunded) or failed (the PSP step failed "
                                   "for good).",
                                   {"workflow", "outcome"})),
        amount(r.CounterFamily("steadfast_refunded_amount_minor_total",
                                  "Money refunded through the PSP, in minor units of the currency.", {"currency"},
                                  kMaxCurrencies)),
        latency(r.HistogramFamily("steadfast_refund_latency_seconds",
                                     "Time from the workflow's start to the PSP confirming the refund.", {"workflow"},
                                     r.WorkflowLatencyBuckets())),
        replays(r.Counter("steadfast_psp_idempotent_replays_total",
                             "PSP refunds answered as a replay of an earlier request with the same idempotency key: "
                             "duplicate money movements prevented.")),
        notifications(r.CounterFamily("steadfast_refund_notifications_total",
                                         "Customer receipts: sent, not_sent (gave up after its tries) or failed.",
                                         {"outcome"})),
        release_lag(r.HistogramFamily("steadfast_inventory_release_lag_seconds",
                                         "Time from the workflow's start to the inventory being released.",
                                         {"workflow"}, r.WorkflowLatencyBuckets())),
        disputes(r.Counter("steadfast_refund_disputes_total",
                           "Disputes (chargebacks) the PSP opened, counted when refund.sync_disputes first records "
                           "them.")),
        disputes_overlapping(r.CounterFamily(
            "steadfast_refund_disputes_overlapping_total",
            "Disputes against a charge that was refunded (refunded), is being refunded (refund_pending) or whose "
            "refund the dispute stopped (refund_blocked): each routed to a person.",
            {"overlap"})),
        disputes_lost(r.Counter("steadfast_refund_disputes_lost_total",
                                "Disputes the PSP reports lost: the amount went back to the cardholder.")) {
    for (const char* overlap : {"refunded", "refund_pending", "refund_blocked"}) {
      disputes_overlapping.WithLabels({overlap});
    }
  }

  void On(const CommittedEvent& o) {
    if (o.compensation) return;
    const HistoryEvent& e = o.event;
    const std::string wf(o.workflow_name);
    const int64_t since_start = e.at - o.workflow_started_at;
    if (o.activity == "refund.psp_refund") {
      if (e.type == history::kAttemptSucceeded) {
        const Value& out = e.data.Get("output");
        refunds.WithLabels({wf, "succeeded"}).Inc();
        const Value& money = out.Get("amount");
        amount.WithLabels({CurrencyLabel(money.Get("currency").StringOr(""))}).Inc(money.Get("minor").IntOr(0));
        latency.WithLabels({wf}).Observe(Seconds(since_start));
        if (out.Get("replayed").BoolOr(false)) replays.Inc();
      } else if (e.type == history::kStepFailed) {
        refunds.WithLabels({wf, "failed"}).Inc();
      }
    } else if (o.activity == "refund.notify_customer") {
      if (e.type == history::kAttemptSucceeded) {
        notifications.WithLabels({e.data.Get("output").Get("sent").BoolOr(false) ? "sent" : "not_sent"}).Inc();
      } else if (e.type == history::kStepFailed) {
        notifications.WithLabels({"failed"}).Inc();
      }
    } else if (o.activity == "refund.sync_disputes") {
      if (e.type != history::kAttemptSucceeded) return;
      const Value& out = e.data.Get("output");
      disputes.Inc(out.Get("new_disputes").IntOr(0));
      disputes_lost.Inc(out.Get("newly_lost").IntOr(0));
      if (out.Get("cases").is_list()) {
        for (const Value& c : out.Get("cases").AsList()) {
          // A replayed case was counted by the run that opened it.
          if (!c.Get("replayed").BoolOr(false)) disputes_overlapping.WithLabels({c.Get("overlap").StringOr("")}).Inc();
        }
      }
    } else if (o.activity == "refund.release_inventory") {
      if (e.type == history::kAttemptSucceeded && e.data.Get("output").Get("released").BoolOr(false)) {
        release_lag.WithLabels({wf}).Observe(Seconds(since_start));
      }
    }
  }

  MetricFamily<CounterMetric>& refunds;
  MetricFamily<CounterMetric>& amount;
  MetricFamily<HistogramMetric>& latency;
  CounterMetric& replays;
  MetricFamily<CounterMetric>& notifications;
  MetricFamily<HistogramMetric>& release_lag;
  CounterMetric& disputes;
  MetricFamily<CounterMetric>& disputes_overlapping;
  CounterMetric& disputes_lost;
};

constexpr DriftKind kAllDriftKinds[] = {DriftKind::kPspNotInLedger,        DriftKind::kLedgerNotInPsp,
                                        DriftKind::kAmountMismatch,        DriftKind::kDuplicatePspRefund,
                                        DriftKind::kDuplicateLedgerPosting, DriftKind::kWorkflowWithoutLedger};

}  // namespace

CommittedEventFn MakeRefundMetricsListener(MetricsSink& sink) {
  auto m = std::make_shared<RefundMetrics>(sink);
  return [m](const CommittedEvent& o) { m->On(o); };
}

void RegisterCircuitStateGauge(MetricsSink& sink, const std::string& psp, std::function<CircuitState()> state) {
  auto& gauge = sink.GaugeFamily("steadfast_psp_circuit_state",
                                        "The PSP client's circuit breaker: 0 closed, 1 open, 2 half-open.", {"psp"});
  gauge.WithLabels({psp}).Set(0);
  sink.SetCollector("steadfast_psp_circuit_state/" + psp, [&gauge, psp, state = std::move(state)] {
    gauge.WithLabels({psp}).Set(static_cast<double>(static_cast<int>(state())));
  });
}

namespace {

struct ReconciliationGauges {
  MetricFamily<GaugeMetric>& drift;
  MetricFamily<GaugeMetric>& amount;
  GaugeMetric& last;
};

ReconciliationGauges ReconciliationMetrics(MetricsSink& sink) {
  auto& drift = sink.GaugeFamily("steadfast_reconciliation_drift",
                                        "Drifts found by the last reconciliation run, by kind.", {"kind"});
  auto& amount = sink.GaugeFamily("steadfast_reconciliation_drift_amount_minor",
                                         "Money in drift found by the last reconciliation run (absolute, minor units).",
                                         {"currency"}, kMaxCurrencies);
  auto& last = sink.Gauge("steadfast_reconciliation_last_run_timestamp_seconds",
                                 "When the last reconciliation run finished (Unix time).");
  return {drift, amount, last};
}

}  // namespace

void RegisterReconciliationGauges(MetricsSink& sink) {
  ReconciliationGauges g = ReconciliationMetrics(sink);
  for (DriftKind k : kAllDriftKinds) g.drift.WithLabels({std::string(DriftKindName(k))});
}

void PublishReconciliationDrift(MetricsSink& sink, const std::map<std::string, int64_t>& drifts_by_kind,
                                const std::map<std::string, int64_t>& amount_minor_by_currency, TimeMs run_at) {
  auto [drift, amount, last] = ReconciliationMetrics(sink);
  for (DriftKind k : kAllDriftKinds) {
    std::string name(DriftKindName(k));
    auto it = drifts_by_kind.find(name);
    drift.WithLabels({name}).Set(it == drifts_by_kind.end() ? 0.0 : static_cast<double>(it->second));
  }
  for (const auto& [currency, minor] : amount_minor_by_currency) {
    amount.WithLabels({CurrencyLabel(currency)}).Set(static_cast<double>(minor < 0 ? -minor : minor));
  }
  last.Set(static_cast<double>(run_at) / 1000.0);
}

void RegisterSettlementTransactionGauges(MetricsSink& sink,
                                         std::function<Result<SettlementTransactionCounts>()> count) {
  auto& gauges = sink.GaugeFamily("steadfast_settlement_transactions",
                                  "Settlement transactions by status and kind: pending ones wait for the PSP's "
                                  "settlement or an admin, failed ones for an admin",
                                  {"status", "kind"});
  auto zero = [&gauges] {
    for (const char* status : {"pending", "completed", "failed"}) {
      for (const char* kind : {"booking", "guestrefund", "hostpayout", "deposit", "depositreturn"}) {
        gauges.WithLabels({status, kind}).Set(0);
      }
    }
  };
  zero();
  sink.SetCollector("refund.settlement_transactions", [&gauges, zero, count] {
    zero();
    Result<SettlementTransactionCounts> counts = count();
    if (!counts.ok()) return;
    for (const auto& [status, kind, n] : *counts) gauges.WithLabels({status, kind}).Set(static_cast<double>(n));
  });
}

}  // namespace steadfast::refund
