// The deposit return's posting.
#include "refund/deposit_posting.h"

#include <fmt/format.h>

#include "refund/executed_refund_posting.h"

namespace steadfast::refund {

Result<LedgerTransaction> DepositReturnPosting(const SettlementTransaction& t) {
  if (t.kind != TransactionKind::kDepositReturn) {
    return Status::InvalidArgument(fmt::format("{} is a {}, not a deposit return", t.id, TransactionKindName(t.kind)));
  }
  LedgerTransaction txn;
  txn.idempotency_key = ExecutedRefundLedgerKey(t);
  txn.workflow_id = t.workflow_id;
  txn.reference = t.reservation_id;
  txn.kind = kDepositReturnLedgerKind;
  txn.description = fmt::format("security deposit of {} returned to the guest: {}", t.reservation_id,
                                FormatMoney(t.amount));
  txn.entries = {
      LedgerEntry{"deposit_liability", Direction::kDebit, t.amount.minor, t.amount.currency,
                  "deposit no longer held"},
      LedgerEntry{"psp_clearing", Direction::kCredit, t.amount.minor, t.amount.currency,
                  "deposit refunded through the PSP"},
  };
  return txn;
}

}  // namespace steadfast::refund
