// refund.reconcile: the reconciliation `steadfast reconcile` runs, as an
// activity, so a scheduled workflow runs it inside `steadfast serve`
// (workflows/nightly_reconciliation.yaml, docs/schedules.md). Report only:
// repairs post ledger entries a person should decide on, with
// `steadfast reconcile --repair`.
//
// Input:  {since?: duration back from now ("24h") or RFC 3339 instant; default all,
//          settle_margin?: duration; default plugin_config.refund.reconcile_settle_margin}
// Output: {clean, drifts, drifts_by_kind: {kind: n}, needs_a_person, pending,
//          compared: {psp_refunds, ledger_transactions, finished_workflows}}
// Records the run in reconciliation_runs, as the verb does, so the drift
// gauges and the SteadfastReconciliationDrift alert see it. The settlement
// transactions are compared too (settlement_reconciliation.h): their drift
// counts in drifts, drifts_by_kind and needs_a_person.
// Errors: reconcile_unavailable (retryable: the PSP or the engine's workflows
// cannot be read, or a listing cannot be complete), psp_not_configured,
// refund_store_error, invalid_input (non-retryable).
#include "refund/activities.h"
#include "refund/activity_support.h"
#include "refund/reconcile_sources.h"
#include "refund/reconciliation.h"
#include "refund/settlement_reconciliation.h"
#include "steadfast/time_text.h"

namespace steadfast::refund {
namespace {

Result<TimeMs> SinceOf(const Value& v, TimeMs now) {
  if (v.is_null()) return TimeMs{0};
  const std::string text = v.StringOr("");
  if (Result<TimeMs> at = ParseRfc3339(text); at.ok()) return *at;
  if (Result<int64_t> d = ParseDurationMs(text); d.ok()) return now - *d;
  return Status::InvalidArgument("since must be an RFC 3339 time or a duration such as 24h");
}

ActivityError Unavailable(const Status& s) {
  return ActivityError::Retryable("reconcile_unavailable", s.message());
}

}  // namespace

ActivityFn MakeReconcileActivity(Services s) {
  return [s](ActivityContext& ctx) -> ActivityResult {
    const TimeMs now = ctx.clock().NowMs();
    Result<TimeMs> since = SinceOf(ctx.input().Get("since"), now);
    if (!since.ok()) return InvalidInput(since.status().message());
    int64_t settle_margin_ms = s->config.reconcile_settle_margin_ms;
    if (const Value& m = ctx.input().Get("settle_margin"); !m.is_null()) {
      Result<int64_t> parsed = ParseDurationMs(m.StringOr(""));
      if (!parsed.ok()) return InvalidInput("settle_margin must be a duration such as 15m or 0s");
      settle_margin_ms = *parsed;
    }
    if (!s->psp) return ActivityError::NonRetryable("psp_not_configured", s->psp_problem);
    if (s->workflows == nullptr) {
      return ActivityError::NonRetryable("reconcile_unavailable", "the engine gave the plugin no workflow reader");
    }
    Result<RefundStore*> store = s->Store();
    if (!store.ok()) return StoreError(store.status());

    ReconciliationInput input;
    input.since_ms = *since;
    input.now_ms = now;
    input.settle_margin_ms = settle_margin_ms;
    // Workflow states first, as the verb does: one that finishes or refunds
    // after this snapshot is younger than the settle margin.
    const TimeMs look_back = *since > 0 ? *since - kPspLookBackMs : 0;
    Result<std::vector<WorkflowFact>> workflows = LoadWorkflows(*s->workflows, look_back);
    if (!workflows.ok()) return Unavailable(workflows.status());
    input.workflows = std::move(*workflows);
    if (ctx.storage() == nullptr) return StoreError(Status::Unavailable("no plugin storage for this attempt"));
    Result<SettlementReconciliationInput> settlement =
        LoadSettlementTransactions(*ctx.storage(), now, settle_margin_ms);
    if (!settlement.ok()) return StoreError(settlement.status());
    Result<std::vector<PspRefundFact>> psp = LoadPspRefunds(*s->psp, **store, look_back);
    if (!psp.ok()) return Unavailable(psp.status());
    input.psp_refunds = std::move(*psp);
    if (Status st = CompleteSettlementInput(*s->psp, input.psp_refunds, input.workflows, *settlement); !st.ok()) {
      return Unavailable(st);
    }
    Result<std::vector<LedgerFact>> ledger = LoadLedger(**store);
    if (!ledger.ok()) return StoreError(ledger.status());
    input.ledger = std::move(*ledger);

    Result<ReconciliationReport> report = Reconcile(input);
    if (!report.ok()) return InvalidInput("reconciling: " + report.status().message());
    const std::vector<SettlementDrift> settlement_drifts = ReconcileSettlements(*settlement);
    Result<ReconciliationRun> run = SummarizeRun(*report, 0, "workflow:" + ctx.workflow_id(), now);
    if (!run.ok()) return InvalidInput("summing the drift: " + run.status().message());
    for (const SettlementDrift& d : settlement_drifts) ++run->drifts_by_kind[d.kind];
    if (Status recorded = (*store)->RecordReconciliationRun(*run); !recorded.ok()) return StoreError(recorded);

    Value::Map by_kind;
    int64_t needs_a_person = 0;
    for (const Drift& d : report->drifts) {
      by_kind[std::string(DriftKindName(d.kind))] = by_kind[std::string(DriftKindName(d.kind))].IntOr(0) + 1;
      needs_a_person += d.repairable ? 0 : 1;
    }
    for (const SettlementDrift& d : settlement_drifts) {
      by_kind[d.kind] = by_kind[d.kind].IntOr(0) + 1;
      ++needs_a_person;
    }
    const int64_t drifts = static_cast<int64_t>(report->drifts.size() + settlement_drifts.size());
    ctx.SetTraceAttribute("reconciliation.drifts", drifts);
    return Value(Value::Map{
        {"clean", drifts == 0},
        {"drifts", drifts},
        {"drifts_by_kind", Value(std::move(by_kind))},
        {"needs_a_person", needs_a_person},
        {"pending", static_cast<int64_t>(report->pending.size())},
        {"compared", Value::Map{{"psp_refunds", report->psp_refunds},
                                {"ledger_transactions", report->ledger_transactions},
                                {"finished_workflows", report->workflows}}},
    });
  };
}

}  // namespace steadfast::refund
