// The invariants: instances, PSP effects, history, ledger, reconcile,
// durability.
#include "invariants.h"

#include <set>

#include "refund/psp/stripe_psp_adapter.h"
#include "refund/reconcile_sources.h"
#include "refund/reconciliation.h"
#include "refund/refund_store.h"
#include "steadfast/history.h"
#include "steadfast/commands.h"

namespace steadfast::sim {
namespace {

// The engine's workflows as `steadfast reconcile` reads them.
class StoreWorkflowReader final : public WorkflowReader {
 public:
  explicit StoreWorkflowReader(Store& store) : store_(store) {}
  Result<std::vector<WorkflowSummary>> List(const std::string& after_id, int limit) override {
    ListFilter filter;
    filter.after_id = after_id;
    filter.limit = limit;
    SF_ASSIGN_OR_RETURN(std::vector<InstanceRecord> page, store_.ListInstances(filter));
    std::vector<WorkflowSummary> out;
    for (const InstanceRecord& r : page) {
      out.push_back(WorkflowSummary{r.id, r.workflow_name, std::string(InstanceStatusName(r.status)),
                                    IsTerminal(r.status), r.created_at, r.updated_at});
    }
    return out;
  }
  Result<std::vector<HistoryEvent>> History(const std::string& id) override { return store_.GetHistory(id, 0, 0); }

 private:
  Store& store_;
};

const char* TerminalEvent(InstanceStatus s) {
  switch (s) {
    case InstanceStatus::kCompleted: return history::kWorkflowCompleted;
    case InstanceStatus::kFailed: return history::kWorkflowFailed;
    case InstanceStatus::kCompensated: return history::kWorkflowCompensated;
    case InstanceStatus::kCancelled: return history::kWorkflowCancelled;
    default: return nullptr;
  }
}

bool IsTerminalEvent(const std::string& type) {
  return type == history::kWorkflowCompleted || type == history::kWorkflowFailed ||
         type == history::kWorkflowCompensated || type == history::kWorkflowCancelled;
}

bool IsAttemptOutcome(const std::string& type) {
  return type == history::kAttemptSucceeded || type == history::kAttemptFailed ||
         type == history::kAttemptAbandoned;
}

void CheckHistory(const InstanceRecord& rec, const std::vector<HistoryEvent>& events,
                  std::vector<std::string>& violations) {
  auto bad = [&](const std::string& what) { violations.push_back("history_inconsistent: " + rec.id + ": " + what); };
  std::map<std::pair<std::string, bool>, int> last_attempt;  // (step, compensation) -> last outcome's attempt
  int terminal_events = 0;
  std::string last_terminal;
  for (size_t i = 0; i < events.size(); ++i) {
    const HistoryEvent& e = events[i];
    if (e.seq != static_cast<int64_t>(i + 1)) {
      bad("event " + std::to_string(i + 1) + " has seq " + std::to_string(e.seq));
      return;
    }
    if (terminal_events > 0) bad("event " + e.type + " (seq " + std::to_string(e.seq) + ") after the terminal event");
    if (IsTerminalEvent(e.type)) {
      ++terminal_events;
      last_terminal = e.type;
    }
    if (IsAttemptOutcome(e.type)) {
      const bool comp = e.data.Get("compensation").BoolOr(false);
      int& last = last_attempt[{e.step_id, comp}];
      if (e.attempt <= last) {
        bad("step " + e.step_id + (comp ? " (compensation)" : "") + ": outcome of attempt " +
            std::to_string(e.attempt) + " after attempt " + std::to_string(last) + " (seq " + std::to_string(e.seq) +
            ")");
      }
      last = e.attempt;
    }
  }
  const char* expected = TerminalEvent(rec.status);
  if (expected == nullptr) {
    if (terminal_events > 0) bad("status " + std::string(InstanceStatusName(rec.status)) + " after " + last_terminal);
  } else if (terminal_events != 1 || last_terminal != expected) {
    bad("status " + std::string(InstanceStatusName(rec.status)) + " but " + std::to_string(terminal_events) +
        " terminal event(s), last '" + last_terminal + "'");
  }
}

// Whether the workflow gave up on its PSP step with the retry budget used
// up: the step's last attempt failed and no retry followed, after
// max_attempts attempts or past schedule_to_close; or the step's
// compensation failed for good (its budget is the step's too). The refund
// workflows name that step "psp".
bool PspStepExhausted(Store& store, WorkflowCatalog& catalog, const std::string& workflow_id) {
  Result<std::optional<InstanceRecord>> rec = store.GetInstance(workflow_id);
  if (!rec.ok() || !rec->has_value()) return false;
  Result<DefPtr> def = catalog.Find((*rec)->workflow_name, (*rec)->workflow_version);
  if (!def.ok()) return false;
  int idx = (*def)->StepIndex("psp");
  if (idx < 0) return false;
  const StepDef& step = (*def)->steps[idx];
  Result<std::vector<HistoryEvent>> history = store.GetHistory(workflow_id, 0, 0);
  if (!history.ok()) return false;
  TimeMs started = 0, last_end = 0;
  int failed = 0;
  bool retry_after_last = false, succeeded = false;
  for (const HistoryEvent& e : *history) {
    // Its compensation (which books moved money) gave up for good: the
    // workflow failed saying so, and a person or reconcile takes over.
    if (e.step_id == "psp" && e.type == history::kCompensationFailed) {
      const std::string why = e.data.Get("message").StringOr("");
      return why.find("(gave up after") != std::string::npos || why.find("schedule-to-close") != std::string::npos;
    }
    if (e.step_id != "psp" || e.data.Get("compensation").BoolOr(false)) continue;
    if (e.type == history::kStepScheduled && started == 0) started = e.at;
    if (e.type == history::kAttemptSucceeded) succeeded = true;
    if (e.type == history::kAttemptFailed || e.type == history::kAttemptAbandoned) {
      ++failed;
      last_end = e.at;
      retry_after_last = false;
    }
    if (e.type == history::kRetryScheduled) retry_after_last = true;
  }
  if (succeeded || failed == 0 || retry_after_last) return false;
  return failed >= step.retry.max_attempts ||
         (step.schedule_to_close_ms > 0 && started > 0 && last_end - started >= step.schedule_to_close_ms);
}

}  // namespace

void CheckAcknowledged(Store& store, const AcknowledgedCommits& acked, std::vector<std::string>& violations) {
  for (const auto& [id, ack] : acked) {
    Result<std::optional<InstanceRecord>> rec = store.GetInstance(id);
    if (!rec.ok()) {
      violations.push_back("acknowledged_commit_lost: " + id + ": cannot read: " + rec.status().ToString());
      continue;
    }
    if (!rec->has_value()) {
      violations.push_back("acknowledged_commit_lost: " + id + ": the instance is gone");
      continue;
    }
    if ((*rec)->version < ack.version) {
      violations.push_back("acknowledged_commit_lost: " + id + ": version " + std::to_string((*rec)->version) +
                           " < acknowledged " + std::to_string(ack.version));
    }
    if (ack.events.empty()) continue;
    Result<std::vector<HistoryEvent>> history = store.GetHistory(id, 0, 0);
    if (!history.ok()) continue;
    std::map<int64_t, std::string> stored;
    for (const HistoryEvent& e : *history) stored[e.seq] = e.type;
    for (const auto& [seq, type] : ack.events) {
      auto it = stored.find(seq);
      if (it == stored.end() || it->second != type) {
        violations.push_back("acknowledged_commit_lost: " + id + ": event " + std::to_string(seq) + " (" + type +
                             ") " + (it == stored.end() ? "missing" : "is now " + it->second));
      }
    }
  }
}

void CheckFinalInvariants(Store& store, WorkflowCatalog& catalog, SimNetwork& network, const Clock& clock,
                          const std::vector<PlannedInstance>& planned, std::vector<std::string>& violations,
                          int* handed_to_reconcile) {
  // No instance lost: every acknowledged start exists and has ended.
  for (const PlannedInstance& p : planned) {
    if (!p.acknowledged) continue;
    Result<std::optional<InstanceRecord>> rec = store.GetInstance(p.id);
    if (!rec.ok() || !rec->has_value()) {
      violations.push_back("instance_lost: " + p.id + " was started (acknowledged) and is not in the store");
      continue;
    }
    const InstanceRecord& r = **rec;
    if (!IsTerminal(r.status)) {
      violations.push_back("instance_lost: " + p.id + " still " + std::string(InstanceStatusName(r.status)) + " at " +
                           r.current_step + " after faults stopped and time ran on");
    }
    Result<std::vector<HistoryEvent>> history = store.GetHistory(p.id, 0, 0);
    if (!history.ok()) {
      violations.push_back("history_inconsistent: " + p.id + ": cannot read: " + history.status().ToString());
      continue;
    }
    CheckHistory(r, *history, violations);
  }

  // No effect twice per idempotency key at the PSP.
  for (const auto& [key, ids] : network.refunds_by_key()) {
    if (ids.size() > 1) {
      std::string list;
      for (const std::string& id : ids) list += (list.empty() ? "" : ", ") + id;
      violations.push_back("psp_effect_twice: idempotency key " + key + " created " + std::to_string(ids.size()) +
                           " refunds: " + list);
    }
  }

  PluginStorage* storage = store.plugin_storage();
  if (storage == nullptr) {
    violations.push_back("reconcile_drift: the store has no plugin storage");
    return;
  }
  refund::RefundStore refunds(*storage);

  // Ledger balanced: each transaction, per currency.
  Result<std::vector<refund::PostedEntry>> entries = refunds.LedgerEntries("");
  if (!entries.ok()) {
    violations.push_back("ledger_unbalanced: cannot read the ledger: " + entries.status().ToString());
  } else {
    std::map<std::pair<int64_t, std::string>, int64_t> sums;
    for (const refund::PostedEntry& p : *entries) {
      sums[{p.transaction_id, p.entry.currency}] +=
          p.entry.direction == refund::Direction::kDebit ? p.entry.amount_minor : -p.entry.amount_minor;
    }
    for (const auto& [key, sum] : sums) {
      if (sum != 0) {
        violations.push_back("ledger_unbalanced: transaction " + std::to_string(key.first) + " is off by " +
                             std::to_string(sum) + " " + key.second);
      }
    }
  }

  // Reconcile: the refund plugin's own code over the PSP's listing.
  refund::StripeConfig sc;
  sc.base_url = kPspBaseUrl;
  sc.secret_key = kPspSecretKey;
  Result<std::unique_ptr<refund::StripePspAdapter>> psp = refund::StripePspAdapter::Create(sc, network, clock);
  if (!psp.ok()) {
    violations.push_back("reconcile_drift: PSP adapter: " + psp.status().ToString());
    return;
  }
  Result<std::vector<refund::PspRefundFact>> psp_refunds = refund::LoadPspRefunds(**psp, refunds, 0);
  Result<std::vector<refund::LedgerFact>> ledger = refund::LoadLedger(refunds);
  StoreWorkflowReader reader(store);
  Result<std::vector<refund::WorkflowFact>> workflows = refund::LoadWorkflows(reader, 0);
  if (!psp_refunds.ok() || !ledger.ok() || !workflows.ok()) {
    violations.push_back("reconcile_drift: cannot gather sources: " +
                         (!psp_refunds.ok() ? psp_refunds.status().ToString()
                          : !ledger.ok()    ? ledger.status().ToString()
                                            : workflows.status().ToString()));
    return;
  }
  // At most one live refund per charge: each instance refunds its own.
  std::map<std::string, std::vector<std::string>> live_by_charge;
  for (const refund::PspRefundFact& f : *psp_refunds) {
    if (f.status != "failed" && f.status != "canceled") live_by_charge[f.charge].push_back(f.id);
  }
  for (const auto& [charge, ids] : live_by_charge) {
    if (ids.size() > 1) {
      violations.push_back("psp_refunds_per_charge: charge " + charge + " has " + std::to_string(ids.size()) +
                           " live refunds");
    }
  }
  refund::ReconciliationInput input;
  input.psp_refunds = std::move(psp_refunds).value();
  input.ledger = std::move(ledger).value();
  input.workflows = std::move(workflows).value();
  input.now_ms = clock.NowMs();
  input.settle_margin_ms = 0;
  Result<refund::ReconciliationReport> report = refund::Reconcile(input);
  if (!report.ok()) {
    violations.push_back("reconcile_drift: " + report.status().ToString());
    return;
  }
  for (const refund::Drift& d : report->drifts) {
    if (d.kind == refund::DriftKind::kPspNotInLedger && d.repairable && !d.workflow_id.empty() &&
        PspStepExhausted(store, catalog, d.workflow_id)) {
      ++*handed_to_reconcile;
      continue;
    }
    violations.push_back("reconcile_drift: " + std::string(refund::DriftKindName(d.kind)) + " for " + d.subject +
                         ": " + d.detail);
  }
  for (const refund::PendingSubject& p : report->pending) {
    violations.push_back("reconcile_drift: " + p.subject + " still pending at the end: " + p.detail);
  }
}

}  // namespace steadfast::sim
