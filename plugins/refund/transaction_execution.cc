// An admin's execution: begin (audited), one PSP call, finish (audited).
#include "refund/transaction_execution.h"

#include <cctype>
#include <map>
#include <optional>

#include "refund/deposit_posting.h"
#include "refund/executed_refund_posting.h"

namespace steadfast::refund {
namespace {

// The PSP's answer to an admin's execution of `t` (pending under its key now).
PspOutcome CallPsp(PspAdapter& psp, const SettlementTransaction& t, const std::string& actor, TimeMs now_ms) {
  // workflow_id ties the PSP's refund to the workflow's ledger for reconciliation.
  std::map<std::string, std::string> metadata = {{"reservation_id", t.reservation_id},
                                                 {"settlement_transaction", t.id},
                                                 {"workflow_id", t.workflow_id},
                                                 {"executed_by", actor}};
  // Reconciliation tells a deposit's return from the booking's refund by it.
  if (t.kind == TransactionKind::kDepositReturn) metadata["deposit"] = "return";
  ActivityResult result = ActivityError::NonRetryable("invalid_input", "nothing to execute");
  if (IsRefundKind(t.kind)) {
    RefundRequest req;
    req.charge = t.charge;
    req.amount_minor = t.amount.minor;
    std::string lower = t.amount.currency;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    req.expected_currency = lower;
    req.reason = RefundReason::kRequestedByCustomer;
    req.metadata = metadata;
    req.idempotency_key = t.psp_idempotency_key;
    RemoteResult<PspRefund> r = psp.Refund(req);
    if (r.ok()) {
      result = Value(Value::Map{{"refund_id", r->id}, {"status", std::string(PspRefundStatusName(r->status))}});
    } else {
      result = r.error();
    }
  } else if (t.kind == TransactionKind::kHostPayout) {
    TransferRequest req;
    req.amount_minor = t.amount.minor;
    req.currency = t.amount.currency;
    req.destination = t.destination;
    req.transfer_group = t.reservation_id;
    req.description = "host payout of cancelled reservation " + t.reservation_id + " (executed by " + actor + ")";
    req.metadata = metadata;
    req.idempotency_key = t.psp_idempotency_key;
    RemoteResult<PspTransfer> r = psp.Transfer(req);
    if (r.ok()) {
      result = Value(Value::Map{{"transfer_id", r->id}, {"status", r->status}, {"paid", r->status == "paid"}});
    } else {
      result = r.error();
    }
  }
  std::optional<PspOutcome> o = PspOutcomeOf(t.kind, result, t.psp_idempotency_key, now_ms);
  if (!o) {
    // No definitive answer (retryable, or ambiguous): it stays pending
    // under the same key; the audit row keeps what the PSP said.
    o = PspOutcome{t.psp_idempotency_key, t.kind, TransactionStatus::kPending, "", "", "", now_ms};
  }
  if (!result.ok() && o->failure_code.empty()) {
    o->failure_code = result.error().code;
    o->failure_message = result.error().message;
  }
  return *o;
}

// What completing refund `t` books: a guest refund as its workflow would
// have, a deposit return as its own step would have (the same key either way).
Result<ExecutedRefundBooking> BookingOf(WorkflowReader& workflows, RefundStore& refunds, const SettlementTransaction& t,
                                        const std::string& actor) {
  if (t.kind == TransactionKind::kGuestRefund) return PlanExecutedRefundBooking(workflows, refunds, t, actor);
  ExecutedRefundBooking out;
  SF_ASSIGN_OR_RETURN(LedgerTransaction txn, DepositReturnPosting(t));
  out.note = "booked in the ledger under " + txn.idempotency_key + " (deposit_liability to psp_clearing)";
  out.posting = std::move(txn);
  return out;
}

}  // namespace

std::string_view ExecutionOutcomeName(ExecutionOutcome outcome) {
  switch (outcome) {
    case ExecutionOutcome::kAlreadyCompleted: return "already_completed";
    case ExecutionOutcome::kCompleted: return "completed";
    case ExecutionOutcome::kFailed: return "failed";
    case ExecutionOutcome::kStillPending: return "still pending";
    case ExecutionOutcome::kAcceptedPending: return "accepted_pending";
  }
  return "?";
}

Result<ExecutionResult> ExecuteTransaction(SettlementStore& settlements, RefundStore& refunds,
                                           WorkflowReader& workflows, PspAdapter& psp,
                                           const ExecutionRequest& request, const Clock& clock) {
  if (request.reason.empty()) return Status::InvalidArgument("a reason is required: it goes into the audit");
  const std::string& destination = request.destination;
  if (!destination.empty() && (destination.rfind("acct_", 0) != 0 || destination.size() <= 5)) {
    return Status::InvalidArgument("the destination must be a connected account id (acct_...)");
  }
  SF_ASSIGN_OR_RETURN(SettlementTransaction t,
                      settlements.BeginExecution(request.transaction_id, request.actor, request.reason, destination,
                                                 clock.NowMs()));
  ExecutionResult out;
  if (t.status == TransactionStatus::kCompleted) {
    // A guest refund an admin completed is booked with its completion; one
    // completed before that was done, or while its workflow still ran, is
    // booked now (once: the posting's key is the transaction's).
    // A deposit return the settlement sync completed (executed by psp) is
    // booked here too: its step books only what it saw completed itself.
    if (t.kind == TransactionKind::kDepositReturn ||
        (t.kind == TransactionKind::kGuestRefund && t.executed_by != kExecutedByPsp)) {
      SF_ASSIGN_OR_RETURN(ExecutedRefundBooking booking, BookingOf(workflows, refunds, t, request.actor));
      if (booking.posting) {
        Result<PostedTransaction> posted = refunds.PostTransaction(*booking.posting, clock.NowMs());
        if (!posted.ok()) return Status(posted.status().code(), "booking the refund: " + posted.status().message());
        if (!posted->replayed) out.ledger = booking.note;
      }
    }
    out.transaction = std::move(t);
    return out;
  }
  // Decided before the PSP call, so the posting commits with the completion.
  ExecutedRefundBooking booking;
  if (t.kind != TransactionKind::kHostPayout) {
    SF_ASSIGN_OR_RETURN(booking, BookingOf(workflows, refunds, t, request.actor));
  }
  PspOutcome outcome = CallPsp(psp, t, request.actor, clock.NowMs());
  if (Status finished = settlements.FinishExecution(t.id, request.actor, request.reason, outcome,
                                                    booking.posting ? &*booking.posting : nullptr);
      !finished.ok()) {
    return Status(finished.code(), "recording the PSP's answer: " + finished.message());
  }
  SF_ASSIGN_OR_RETURN(out.transaction, settlements.Transaction(t.id));
  if (outcome.status == TransactionStatus::kCompleted) {
    out.outcome = ExecutionOutcome::kCompleted;
    out.ledger = booking.note;
  } else if (outcome.status == TransactionStatus::kFailed) {
    out.outcome = ExecutionOutcome::kFailed;
  } else if (outcome.failure_code.empty() && !outcome.provider_id.empty()) {
    out.outcome = ExecutionOutcome::kAcceptedPending;  // nothing to resend
  } else {
    out.outcome = ExecutionOutcome::kStillPending;
  }
  out.failure_code = outcome.failure_code;
  out.failure_message = outcome.failure_message;
  return out;
}

}  // namespace steadfast::refund
