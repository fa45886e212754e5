// The refund SLIs as Prometheus metrics (docs/observability.md, "Refund
// SLIs"), counted from committed history events of the refund activities:
//
//   refund.psp_refund       succeeded attempt: a refund (amount by currency,
//                           latency since the workflow started, replayed =
//                           an idempotent replay at the PSP: a duplicate money
//                           movement prevented); step failed for good: a
//                           failed refund
//   refund.notify_customer  succeeded attempt: sent or not sent (the activity
//                           reports an undeliverable receipt as sent: false)
//   refund.release_inventory succeeded attempt: inventory release lag
//   refund.sync_disputes    succeeded attempt: disputes first recorded, newly
//                           lost, and the cases opened for disputes that
//                           overlap a refund, by overlap (the seed's M7)
//
// Also: the PSP circuit breaker's state (read at scrape time) and the
// reconciliation drift gauges a reconciliation run publishes.
#ifndef STEADFAST_PLUGINS_REFUND_REFUND_METRICS_H_
#define STEADFAST_PLUGINS_REFUND_REFUND_METRICS_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "refund/psp/circuit_breaker.h"
#include "refund/settlement_event_store.h"
#include "steadfast/history.h"
#include "steadfast/metrics.h"

namespace steadfast::refund {

// A committed-event subscriber (PluginContext::events) that counts the
// refund SLIs in `sink` (which must outlive it).
CommittedEventFn MakeRefundMetricsListener(MetricsSink& sink);

// Registers a scrape-time gauge steadfast_psp_circuit_state{psp} (0 closed,
// 1 open, 2 half-open) reading `state`, which must stay callable as long as
// the registry renders (capture shared or weak ownership). Registering the
// same psp again replaces the reader.
void RegisterCircuitStateGauge(MetricsSink& sink, const std::string& psp,
                               std::function<CircuitState()> state);

// Adds the reconciliation gauges below with every drift kind at 0 and the
// last-run timestamp at 0 (never run), so dashboards and alerts find them
// before the first run.
void RegisterReconciliationGauges(MetricsSink& sink);

// Registers the scrape-time gauge steadfast_settlement_transactions{status,
// kind}: how many settlement transactions are pending (waiting for the PSP's
// settlement or an admin), completed or failed (for an admin), each from
// `count` at every scrape (every series 0 when it fails or has none).
void RegisterSettlementTransactionGauges(MetricsSink& sink,
                                         std::function<Result<SettlementTransactionCounts>()> count);

// For reconciliation runs (`steadfast reconcile`, or a periodic job inside
// `serve`): publishes the outcome of one run as
//   steadfast_reconciliation_drift{kind}                  drifts found, by DriftKindName
//   steadfast_reconciliation_drift_amount_minor{currency} absolute money in drift
//   steadfast_reconciliation_last_run_timestamp_seconds
// Every drift kind is set (0 when absent), so a cleared drift shows as 0.
void PublishReconciliationDrift(MetricsSink& sink, const std::map<std::string, int64_t>& drifts_by_kind,
                                const std::map<std::string, int64_t>& amount_minor_by_currency, TimeMs run_at);

}  // namespace steadfast::refund

#endif  // STEADFAST_PLUGINS_REFUND_REFUND_METRICS_H_
