// ExecutedRefundPosting and the decision to book an admin's guest refund.
#include "refund/executed_refund_posting.h"

#include <fmt/format.h>

#include <map>

#include "refund/deposit_posting.h"
#include "refund/money.h"

namespace steadfast::refund {
namespace {

bool EndsWorkflow(const std::string& type) {
  return type == history::kWorkflowCompleted || type == history::kWorkflowFailed ||
         type == history::kWorkflowCancelled || type == history::kWorkflowCompensated;
}

bool ReopensWorkflow(const std::string& type) {
  return type == history::kWorkflowRetried || type == history::kWorkflowResumed ||
         type == history::kWorkflowStarted || type == history::kRunStarted;
}

// Net credit of psp_clearing in `currency` over `entries`.
Result<int64_t> CashOut(const std::vector<LedgerEntry>& entries, const std::string& currency) {
  int64_t out = 0;
  for (const LedgerEntry& e : entries) {
    if (e.account != "psp_clearing" || e.currency != currency) continue;
    SF_ASSIGN_OR_RETURN(out, e.direction == Direction::kCredit ? CheckedAdd(out, e.amount_minor)
                                                               : CheckedSub(out, e.amount_minor));
  }
  return out;
}

}  // namespace

SettlingWorkflow SettlingWorkflowFromHistory(const std::vector<HistoryEvent>& history) {
  SettlingWorkflow w;
  std::map<std::string, std::string> activity_of;  // step id -> activity
  for (const HistoryEvent& e : history) {
    // Workflow-level events, some naming a step (workflow_compensated names
    // the failed one, workflow_retried the step it runs again from).
    if (EndsWorkflow(e.type)) w.finished = true;
    if (ReopensWorkflow(e.type)) w.finished = false;
    if (e.type == history::kStepScheduled) {
      activity_of[e.step_id] = e.data.Get("activity").StringOr("");
      continue;
    }
    if (e.type != history::kAttemptSucceeded) continue;
    const std::string& activity = activity_of[e.step_id];
    if (activity == "refund.calculate_amount") w.breakdown = e.data.Get("output");
    if (activity == "refund.settle_claim") w.breakdown = e.data.Get("output").Get("breakdown");
  }
  return w;
}

std::string ExecutedRefundLedgerKey(const SettlementTransaction& t) { return t.idempotency_key + "/ledger"; }

Result<LedgerTransaction> ExecutedRefundPosting(const SettlementTransaction& t, const Value& breakdown,
                                                const std::string& actor) {
  if (t.kind != TransactionKind::kGuestRefund) {
    return Status::InvalidArgument(fmt::format("{} is a {}: only a guest refund is booked when executed", t.id,
                                               TransactionKindName(t.kind)));
  }
  LedgerTransaction txn;
  txn.idempotency_key = ExecutedRefundLedgerKey(t);
  txn.workflow_id = t.workflow_id;
  txn.reference = t.reservation_id;
  txn.kind = kExecutedRefundLedgerKind;
  txn.description =
      fmt::format("guest refund {} of {} executed by {}", t.id, FormatMoney(t.amount), actor);
  // The workflow's own entries, when its breakdown is the refund executed.
  if (breakdown.is_map()) {
    Result<std::vector<LedgerEntry>> entries = BuildRefundEntries(breakdown, "cash");
    if (entries.ok()) {
      Result<int64_t> cash = CashOut(*entries, t.amount.currency);
      if (cash.ok() && *cash == t.amount.minor) {
        txn.entries = std::move(*entries);
        return txn;
      }
    }
  }
  // Otherwise the cash is booked, its cause left to a person.
  txn.description += " (breakdown unknown: parked in suspense)";
  txn.entries = {
      LedgerEntry{"reconciliation_suspense", Direction::kDebit, t.amount.minor, t.amount.currency,
                  "admin-executed guest refund, to be classified"},
      LedgerEntry{"psp_clearing", Direction::kCredit, t.amount.minor, t.amount.currency,
                  "refund sent through the PSP"},
  };
  return txn;
}

Result<ExecutedRefundBooking> PlanExecutedRefundBooking(WorkflowReader& workflows, RefundStore& refunds,
                                                        const SettlementTransaction& t, const std::string& actor) {
  ExecutedRefundBooking out;
  if (t.workflow_id.empty()) {
    SF_ASSIGN_OR_RETURN(LedgerTransaction txn, ExecutedRefundPosting(t, Value(), actor));
    out.note = fmt::format("booked in the ledger under {} (in suspense: no workflow recorded it)",
                           txn.idempotency_key);
    out.posting = std::move(txn);
    return out;
  }
  SettlingWorkflow w;
  Result<std::vector<HistoryEvent>> history = workflows.History(t.workflow_id);
  if (history.ok()) {
    w = SettlingWorkflowFromHistory(*history);
  } else if (history.status().code() == StatusCode::kNotFound) {
    w.finished = true;
  } else {
    return history.status();
  }
  if (!w.finished) {
    out.note = fmt::format("not booked yet: workflow {} is still running and its ledger step may book it; run "
                           "execute again once it ended",
                           t.workflow_id);
    return out;
  }
  SF_ASSIGN_OR_RETURN(std::vector<PostedEntry> posted, refunds.LedgerEntries(t.workflow_id));
  std::vector<LedgerEntry> entries;
  for (const PostedEntry& p : posted) {
    // A deposit's return is cash of its own, not this refund's booking.
    if (p.kind != kDepositReturnLedgerKind) entries.push_back(p.entry);
  }
  SF_ASSIGN_OR_RETURN(int64_t booked, CashOut(entries, t.amount.currency));
  if (booked > 0) {
    out.note = fmt::format("booked already: the ledger of workflow {} sends {} through the PSP", t.workflow_id,
                           FormatMoney(Money{booked, t.amount.currency}));
    return out;
  }
  SF_ASSIGN_OR_RETURN(LedgerTransaction txn, ExecutedRefundPosting(t, w.breakdown, actor));
  out.note = fmt::format("booked in the ledger under {} ({})", txn.idempotency_key,
                         txn.entries.size() == 2 && txn.entries[0].account == "reconciliation_suspense"
                             ? "in suspense: the workflow's breakdown is unknown"
                             : "the workflow's breakdown");
  out.posting = std::move(txn);
  return out;
}

}  // namespace steadfast::refund
