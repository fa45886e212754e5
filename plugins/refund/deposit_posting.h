// The ledger posting of a security deposit's return.
//
// The settling workflow's ledger step books the deposit's charge and the
// claim drawn from it (BuildRefundEntries of the settled breakdown); what
// goes back is booked when the PSP refunds it, by whichever moved it: the
// refund.return_deposit step at its checkpoint, an admin's execution in
// the transaction that marks it completed, or the settlement sync in the
// one that records the PSP's late "succeeded". All use the same key
// ("<transaction key>/ledger"), so the return is booked once, whoever
// completes it. It credits psp_clearing, the account reconciliation reads
// as refunds sent, so the deposit's PSP refund (which carries the
// workflow's id) is matched like any other refund of the workflow.
#ifndef STEADFAST_PLUGINS_REFUND_DEPOSIT_POSTING_H_
#define STEADFAST_PLUGINS_REFUND_DEPOSIT_POSTING_H_

#include "refund/ledger.h"
#include "refund/settlement.h"
#include "steadfast/status.h"

namespace steadfast::refund {

// The ledger kind of these postings.
inline constexpr char kDepositReturnLedgerKind[] = "deposit_return";

// deposit_liability debited and psp_clearing credited with t.amount, keyed
// "<t.idempotency_key>/ledger", for depositreturn `t`; InvalidArgument for
// any other kind.
Result<LedgerTransaction> DepositReturnPosting(const SettlementTransaction& t);

}  // namespace steadfast::refund

#endif  // STEADFAST_PLUGINS_REFUND_DEPOSIT_POSTING_H_
