// Reconciliation: does the money the PSP moved agree with the ledger and
// with what the refund workflows say happened?
//
// Three sources, gathered by the caller (`steadfast reconcile`, a test):
//   - the PSP's refunds (its list endpoint), each tied to a workflow by its
//     metadata[workflow_id] or by the plugin's refund_records;
//   - the ledger: per transaction, the cash it says left through the PSP
//     (net credit of psp_clearing per currency) and its audit row, if any;
//   - the refund workflow instances: still in flight, or finished; for a
//     finished one, did refund.psp_refund or refund.post_ledger succeed, and
//     what did refund.calculate_amount say.
//
// Only subjects at rest are compared. A workflow between its PSP step and
// its ledger step has moved money the ledger cannot know yet; "repairing"
// that into suspense books the refund twice once the workflow posts. So a
// subject whose workflow is in flight, or whose workflow finished or PSP
// refund was created less than the settle margin ago, is reported as
// pending and neither compared nor repaired.
//
// Everything is grouped by *subject*: the workflow id when one is known, else
// "psp:<refund id>" for a refund nobody in Steadfast asked for. Reconcile()
// is a pure function of its input (the clock is input too), so the unit
// tests build inputs by hand.
// PlanRepair() turns a repairable drift into one balanced, audited ledger
// transaction whose key names the drift, so posting it twice is a no-op;
// a duplicate refund at the PSP cannot be undone by a ledger entry and is
// left to a person (docs/refunds.md, "Reconciliation").
#ifndef STEADFAST_PLUGINS_REFUND_RECONCILIATION_H_
#define STEADFAST_PLUGINS_REFUND_RECONCILIATION_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "refund/ledger.h"
#include "refund/plugin.h"
#include "refund/refund_store.h"
#include "steadfast/clock.h"
#include "steadfast/status.h"
#include "steadfast/value.h"

namespace steadfast::refund {

// Persisted in audit rows and printed; the names never change.
enum class DriftKind : int {
  kPspNotInLedger = 1,          // money left at the PSP, the ledger does not know it
  kLedgerNotInPsp = 2,          // the ledger says money left, the PSP has no such refund
  kAmountMismatch = 3,          // both know it, the amounts (or currencies) differ
  kDuplicatePspRefund = 4,      // more than one PSP refund for one charge / reservation / workflow
  kDuplicateLedgerPosting = 5,  // more than one ledger posting for one refund
  kWorkflowWithoutLedger = 6,   // a completed workflow moved money but posted nothing
};
// "psp_not_in_ledger", "ledger_not_in_psp", "amount_mismatch",
// "duplicate_psp_refund", "duplicate_ledger_posting", "workflow_without_ledger".
std::string_view DriftKindName(DriftKind kind);

using Amounts = std::map<std::string, int64_t>;  // currency (upper case) -> minor units

// One refund as the PSP lists it.
struct PspRefundFact {
  std::string id;              // "re_..."
  std::string charge;
  std::string reservation_id;  // metadata[reservation_id] or the plugin's record; may be empty
  std::string workflow_id;     // metadata[workflow_id] or the plugin's record; "" = not ours
  std::string status;          // pending | succeeded | failed | canceled | requires_action
  int64_t amount_minor = 0;
  std::string currency;        // upper case
  TimeMs created_ms = 0;
  bool deposit_return = false;  // metadata[deposit] = "return": a security deposit's return, not the booking's refund
};

// One ledger transaction, reduced to what reconciliation compares.
struct LedgerFact {
  int64_t transaction_id = 0;
  std::string workflow_id;
  std::string reference;
  TimeMs posted_ms = 0;
  Amounts cash_out;                     // net credit of psp_clearing per currency (may be negative)
  std::vector<LedgerEntry> entries;     // all of them, to reverse a duplicate posting exactly
  std::optional<LedgerAudit> audit;     // set for repairs: their subject groups them
  std::string kind;                     // the posting's kind (a deposit's return is a refund of its own)
};

// Where a workflow instance is in its life, as reconciliation needs it.
enum class WorkflowPhase : int {
  kInFlight = 0,   // not terminal: money may have moved with the ledger step still ahead
  kCompleted = 1,  // terminal: ran to its end
  kEnded = 2,      // terminal otherwise: failed, compensated or cancelled
};

// A refund workflow instance; the step facts are read from the history of
// finished instances only.
struct WorkflowFact {
  std::string id;
  std::string workflow_name;
  WorkflowPhase phase = WorkflowPhase::kInFlight;
  std::string status;                   // the engine's status name ("running", "completed", ...)
  TimeMs finished_ms = 0;               // when it reached its terminal status; 0 in flight
  std::string reservation_id;
  bool psp_refund_succeeded = false;    // refund.psp_refund completed: money moved
  std::string psp_refund_id;
  bool ledger_step_succeeded = false;   // refund.post_ledger completed
  Value breakdown;                      // refund.calculate_amount's output; null if none
  TimeMs created_ms = 0;
};

struct ReconciliationInput {
  std::vector<PspRefundFact> psp_refunds;
  std::vector<LedgerFact> ledger;
  std::vector<WorkflowFact> workflows;  // in flight and finished
  TimeMs since_ms = 0;  // only subjects with something at or after this instant (0 = all)
  TimeMs now_ms = 0;    // the run's clock (required): facts after now_ms - settle_margin_ms are pending
  int64_t settle_margin_ms = kDefaultSettleMarginMs;  // >= 0
};

struct Drift {
  DriftKind kind = DriftKind::kPspNotInLedger;
  std::string subject;                    // workflow id or "psp:<refund id>"
  std::string workflow_id;                // "" when none
  std::string reservation_id;
  std::string charge;
  std::vector<std::string> psp_refund_ids;
  std::vector<int64_t> ledger_transaction_ids;
  Amounts psp_amount;                     // what the PSP moved (active refunds)
  Amounts ledger_amount;                  // what the ledger says moved
  std::string detail;                     // one sentence for people
  bool repairable = false;                // PlanRepair can fix it with a ledger entry
  Value breakdown;                        // workflow_without_ledger: the amount step's output
};

// A subject with money facts that was not compared because it is not at rest.
struct PendingSubject {
  std::string subject;
  std::string workflow_id;                 // "" when none
  std::string status;                      // the workflow's status; "" when none
  std::vector<std::string> psp_refund_ids;
  Amounts psp_amount;                      // active PSP refunds
  Amounts ledger_amount;
  std::string detail;                      // why it is not compared yet
};

struct ReconciliationReport {
  std::vector<Drift> drifts;           // ordered by kind, then subject
  std::vector<PendingSubject> pending;  // ordered by subject; never drift, never repaired
  int64_t psp_refunds = 0;             // compared (in scope, at rest)
  int64_t ledger_transactions = 0;
  int64_t workflows = 0;               // finished refund workflows compared
  bool clean() const { return drifts.empty(); }
};

// A stored transaction as reconciliation sees it (cash_out from its
// psp_clearing entries). InvalidArgument if those sums overflow.
Result<LedgerFact> LedgerFactOf(const StoredTransaction& stored);

// Compares the three sources. Pure. InvalidArgument only when an amount sum
// overflows int64 (then nothing can be trusted, so nothing is reported).
Result<ReconciliationReport> Reconcile(const ReconciliationInput& input);

// The compensating transaction for a repairable drift, keyed
// "reconcile/<kind>/<subject>/<amounts>" (one drift, one key: a second
// repair of the same drift replays) and accounted against
// reconciliation_suspense (or, for a workflow without ledger entry, the
// refund's own entries from its breakdown). A duplicate ledger posting gets
// one reversing transaction per duplicate (every entry flipped; `ledger` must
// hold the duplicates). FailedPrecondition for a drift that needs a person.
struct RepairPlan {
  LedgerTransaction txn;
  LedgerAudit audit;
};
Result<std::vector<RepairPlan>> PlanRepair(const Drift& drift, const std::vector<LedgerFact>& ledger,
                                           const std::string& actor, TimeMs now_ms);

// {kind, subject, workflow_id, reservation_id, charge, psp_refund_ids,
//  ledger_transaction_ids, psp_amount: [{minor, currency}], ledger_amount, detail, repairable}
Value DriftToValue(const Drift& drift);
// {subject, workflow_id, status, psp_refund_ids, psp_amount, ledger_amount, detail}
Value PendingToValue(const PendingSubject& pending);
// "270.00 EUR" or "270.00 EUR + 1500 JPY"; "-" when empty.
std::string FormatAmounts(const Amounts& amounts);

}  // namespace steadfast::refund

#endif  // STEADFAST_PLUGINS_REFUND_RECONCILIATION_H_
