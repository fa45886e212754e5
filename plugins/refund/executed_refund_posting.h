// The ledger posting of a guest refund an admin executed.
//
// A settling workflow books its guest refund with its own ledger step
// (refund.post_ledger after refund.psp_refund). When the PSP refused the
// refund, or the step gave up, the workflow ends without that posting, and
// the money an admin later moves with `steadfast refund transactions
// execute` would leave through the PSP unbooked (reconciliation's
// psp_not_in_ledger). This decides whether the execution must book it, and
// what: the entries of the workflow's own breakdown (the same accounts its
// ledger step would have used), or, when the breakdown is unknown or does
// not account for the executed amount, the cash parked in
// reconciliation_suspense for a person. The posting is keyed
// "<transaction key>/ledger", so it is made once whatever retries, and is
// tied to the workflow (reconciliation then finds it beside the PSP refund).
// A host payout books nothing, like refund.psp_payout (docs/refunds.md,
// "Seller payouts").
#ifndef STEADFAST_PLUGINS_REFUND_EXECUTED_REFUND_POSTING_H_
#define STEADFAST_PLUGINS_REFUND_EXECUTED_REFUND_POSTING_H_

#include <optional>
#include <string>
#include <vector>

#include "refund/ledger.h"
#include "refund/refund_store.h"
#include "refund/settlement.h"
#include "steadfast/commands.h"
#include "steadfast/history.h"
#include "steadfast/status.h"
#include "steadfast/value.h"

namespace steadfast::refund {

// The ledger kind of these postings.
inline constexpr char kExecutedRefundLedgerKind[] = "settlement_execution";

// What the history of the workflow that recorded a transaction says.
struct SettlingWorkflow {
  bool finished = false;  // in a terminal status: none of its steps will post any more
  Value breakdown;        // refund.calculate_amount's output (refund.settle_claim's breakdown); null if none
};
SettlingWorkflow SettlingWorkflowFromHistory(const std::vector<HistoryEvent>& history);

// "<transaction key>/ledger".
std::string ExecutedRefundLedgerKey(const SettlementTransaction& t);

// The balanced posting of guest refund `t` executed by `actor`: the
// breakdown's cash entries (BuildRefundEntries) when they send exactly
// t.amount through the PSP, else reconciliation_suspense debited and
// psp_clearing credited with t.amount. InvalidArgument for anything but a
// guest refund.
Result<LedgerTransaction> ExecutedRefundPosting(const SettlementTransaction& t, const Value& breakdown,
                                                const std::string& actor);

// Whether the execution of guest refund `t` is to be booked, and why not.
struct ExecutedRefundBooking {
  std::optional<LedgerTransaction> posting;  // set: book it with the execution
  std::string note;                          // for people: what was or will be booked, or why not
};
// Reads the workflow's history and ledger: no posting while the workflow is
// still running (its own ledger step may book the refund yet: run execute
// again once it ended) or when its ledger already sends cash out through the
// PSP (its ledger step, or an earlier execution's posting); otherwise the
// posting above. A workflow whose history is gone (NotFound) is treated as
// finished without a breakdown. Other errors are returned.
Result<ExecutedRefundBooking> PlanExecutedRefundBooking(WorkflowReader& workflows, RefundStore& refunds,
                                                        const SettlementTransaction& t, const std::string& actor);

}  // namespace steadfast::refund

#endif  // STEADFAST_PLUGINS_REFUND_EXECUTED_REFUND_POSTING_H_
