// An admin's execution of a settlement transaction: the one function behind
// `steadfast refund transactions execute` (settlement_command.cc) and
// POST /v1/plugins/refund/transactions/{id}/execute (http_routes.cc), so
// both check, audit and call the PSP the same way.
//
// Audited and idempotent (settlement_store.h BeginExecution /
// FinishExecution): a completed transaction is a no-op that says so (and is
// audited as such); a pending one is sent under the PSP key it already has
// (the PSP answers with the operation a workflow step made instead of making
// a second); a failed one (a definitive refusal: nothing moved) under a new
// key recorded before the call.
//
// A guest refund it completes is booked in the ledger with the completion,
// once (executed_refund_posting.h): not while its workflow still runs, nor
// when the workflow's own ledger step booked it; executing a completed one
// again books it then.
#ifndef STEADFAST_PLUGINS_REFUND_TRANSACTION_EXECUTION_H_
#define STEADFAST_PLUGINS_REFUND_TRANSACTION_EXECUTION_H_

#include <string>

#include "refund/psp/psp_adapter.h"
#include "refund/refund_store.h"
#include "refund/settlement_store.h"
#include "steadfast/clock.h"
#include "steadfast/commands.h"
#include "steadfast/status.h"

namespace steadfast::refund {

struct ExecutionRequest {
  std::string transaction_id;
  std::string actor;        // who executes it: the audit's principal (a token's name, cli:$USER, --as)
  std::string reason;       // required: it goes into the audit
  std::string destination;  // "" or a connected account (acct_...) for a failed host payout
};

enum class ExecutionOutcome : int {
  kAlreadyCompleted = 0,  // nothing done
  kCompleted = 1,         // the PSP did it
  kFailed = 2,            // the PSP refused for good (the transaction is failed)
  kStillPending = 3,      // no sure answer: executing again resends under the same key
  kAcceptedPending = 4,   // the PSP accepted it as pending (a payout that settles later): the settlement sync moves it
};

struct ExecutionResult {
  ExecutionOutcome outcome = ExecutionOutcome::kAlreadyCompleted;
  SettlementTransaction transaction;  // as it is now
  std::string failure_code;           // what the PSP said when it did not complete it
  std::string failure_message;
  std::string ledger;                 // what was booked in the ledger with it, for people; "" when nothing
};

// "already_completed" | "completed" | "failed" | "still pending" |
// "accepted_pending" (the CLI's --json and the HTTP answer's `outcome`).
std::string_view ExecutionOutcomeName(ExecutionOutcome outcome);

// Checks the request (InvalidArgument: no reason, a destination that is
// not acct_...), then executes. NotFound for an unknown id;
// FailedPrecondition for a booking or a destination on anything but a
// failed host payout; the store's errors otherwise. Blocks on the PSP call.
// Thread-safe as the stores, the reader and the adapter are. workflows
// reads the history of the workflow that recorded a guest refund (its
// breakdown, whether it ended) and refunds holds the ledger.
Result<ExecutionResult> ExecuteTransaction(SettlementStore& settlements, RefundStore& refunds,
                                           WorkflowReader& workflows, PspAdapter& psp,
                                           const ExecutionRequest& request, const Clock& clock);

}  // namespace steadfast::refund

#endif  // STEADFAST_PLUGINS_REFUND_TRANSACTION_EXECUTION_H_
