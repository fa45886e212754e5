// SettlementStore: the settlement tables of the refund plugin, kept by the
// engine (version 3 of RefundStore::Schema()):
//
//   refund_settlement_transactions  one row per (reservation, kind, instance) key:
//                                   booking / guestrefund / hostpayout, pending|completed|failed
//   refund_cancellation_details     one CancellationDetails snapshot per (reservation, workflow)
//   refund_settlement_audit         every admin execution of a transaction: who, why, what happened
//
// Who writes what, and when:
//  - refund.record_settlement writes the snapshot and the transactions in
//    the transaction that checkpoints its attempt (RecordAtCheckpoint):
//    they commit with the step or not at all. A replay upserts: a pending
//    row keeps its identity and takes the (same) amounts again; a row that
//    completed or failed is left as it is.
//  - refund.psp_refund and refund.psp_payout move the transaction whose
//    psp_idempotency_key is their own activity key at their checkpoint
//    (ApplyPspOutcomeAtCheckpoint): completed with the PSP's id, failed
//    with its code, or (still pending at the PSP) just the PSP's id. No row
//    with that key: nothing happens (the workflow records no settlement).
//  - an admin executes a pending or failed guestrefund/hostpayout
//    (BeginExecution, the PSP call, FinishExecution), each in a plugin
//    transaction of its own, audited.
// The PSP key of a transaction is what makes it exactly-once: a pending
// transaction is only ever executed under the key it already has (so a PSP
// operation a crashed step made is answered, not repeated); a failed one (a
// definitive refusal, nothing moved) is executed under a new key
// "<key>/execute/<n>", recorded before the call.
// Thread-safe (the storage handle is).
#ifndef STEADFAST_PLUGINS_REFUND_SETTLEMENT_STORE_H_
#define STEADFAST_PLUGINS_REFUND_SETTLEMENT_STORE_H_

#include <optional>
#include <string>
#include <vector>

#include "refund/ledger.h"
#include "refund/settlement.h"
#include "steadfast/activity.h"
#include "steadfast/clock.h"
#include "steadfast/status.h"
#include "steadfast/storage.h"

namespace steadfast::refund {

// The DDL of the settlement tables (RefundStore::Schema() version 3).
extern const char* const kSettlementSchemaSql;
// Version 7 (deposit_schema.cc): the deposit kinds, deposit columns; SQLite and PostgreSQL texts.
extern const char* const kDepositSchemaSql;
extern const char* const kDepositSchemaPostgresSql;

// What a workflow step's PSP call ended with, for the transaction keyed by
// its activity key.
struct PspOutcome {
  std::string psp_idempotency_key;  // the step's activity key
  TransactionKind kind = TransactionKind::kGuestRefund;
  // kCompleted: the PSP did it; kFailed: it refused for good; kPending: it
  // acknowledged it and has not settled it yet (only provider_id is kept).
  TransactionStatus status = TransactionStatus::kPending;
  std::string provider_id;  // "re_..." / "tr_..."; may be empty for a refusal
  std::string failure_code;
  std::string failure_message;
  TimeMs at_ms = 0;
};

struct TransactionFilter {
  std::string reservation_id;                // "" = any
  std::optional<TransactionStatus> status;   // nullopt = any
  std::optional<TransactionKind> kind;       // nullopt = any
};

// One audited admin action on a transaction.
struct SettlementAudit {
  std::string transaction_id;
  std::string actor;    // "cli:alice", or --as
  std::string action;   // "execute"
  std::string reason;
  std::string outcome;  // started | completed | failed | already_completed | refused
  std::string detail;   // the PSP's id, or its error
  TimeMs at_ms = 0;
};

// What the result of a refund.psp_refund (kind kGuestRefund) or
// refund.psp_payout (kHostPayout) attempt keyed `key` means for the
// transaction it moves: completed with the PSP's id; failed only on a
// definitive refusal after which nothing moved (refund_failed,
// invalid_charge, account_closed, ...: IsDefinitiveRefusal); pending with
// the PSP's id when it named one. nullopt when the result tells nothing
// (a retryable error, or a non-retryable one such as psp_amount_mismatch
// after which money may have moved: the transaction stays pending, and is
// only ever executed again under the same key).
std::optional<PspOutcome> PspOutcomeOf(TransactionKind kind, const ActivityResult& result, const std::string& key,
                                       TimeMs now_ms);
// Whether `code` is a PSP refusal after which nothing moved.
bool IsDefinitiveRefusal(TransactionKind kind, const std::string& code);

class SettlementStore {
 public:
  // Works on `storage`, which must outlive the store.
  explicit SettlementStore(PluginStorage& storage) : storage_(storage) {}
  SettlementStore(const SettlementStore&) = delete;
  SettlementStore& operator=(const SettlementStore&) = delete;

  // Registers the snapshot and the transactions as writes of ctx's
  // checkpoint (see the file comment for replays).
  static void RecordAtCheckpoint(ActivityContext& ctx, const CancellationDetails& details,
                                 const std::vector<SettlementTransaction>& transactions);
  // Registers the outcome as a write of ctx's checkpoint: a pending (or,
  // for completed, failed) transaction with that PSP key and kind moves;
  // a completed one never changes.
  static void ApplyPspOutcomeAtCheckpoint(ActivityContext& ctx, const PspOutcome& outcome);
  // The same in a transaction of its own (tests, tools).
  Status ApplyPspOutcome(const PspOutcome& outcome);

  // Transactions matching filter, by reservation then creation.
  Result<std::vector<SettlementTransaction>> Transactions(const TransactionFilter& filter = {});
  // NotFound for an unknown id.
  Result<SettlementTransaction> Transaction(const std::string& id);
  // The same inside `tx`, a plugin transaction the caller runs.
  static Result<SettlementTransaction> TransactionIn(PluginTransaction& tx, const std::string& id);
  // The planned transactions as a settling step reports them: one already
  // recorded (a replay) as it is now unless still pending, the others as
  // planned; `any_recorded` says whether any was there.
  struct Listed {
    Value::List transactions;
    bool any_recorded = false;
  };
  Result<Listed> ListPlanned(const std::vector<SettlementTransaction>& planned);
  // A reservation's snapshots, oldest first.
  Result<std::vector<CancellationDetails>> Snapshots(const std::string& reservation_id);

  // Starts an admin execution of transaction `id`, in one plugin
  // transaction with its audit row ("started"; "already_completed" for a
  // completed one, which is returned unchanged and must not be executed).
  // A failed one becomes pending under a new PSP key "<key>/execute/<n>"
  // (and `destination`, when given, for a host payout); a pending one keeps
  // its key. Either way executions grows by one. NotFound for an unknown
  // id; FailedPrecondition for a booking (completed at payment) or a
  // destination given for anything but a failed host payout.
  Result<SettlementTransaction> BeginExecution(const std::string& id, const std::string& actor,
                                               const std::string& reason, const std::string& destination,
                                               TimeMs now_ms);
  // Records the PSP's answer to the execution BeginExecution started
  // (outcome.psp_idempotency_key must be the key it returned), with its
  // audit row. Conflict when the transaction is no longer pending under that key.
  // With `posting` and a completed outcome, the ledger posting of what the
  // execution moved is made in the same plugin transaction (idempotent by
  // its key), so the transaction completes with its booking or not at all.
  Status FinishExecution(const std::string& id, const std::string& actor, const std::string& reason,
                         const PspOutcome& outcome, const LedgerTransaction* posting = nullptr);
  // A transaction's audit rows, oldest first.
  Result<std::vector<SettlementAudit>> Audit(const std::string& id);

 private:
  PluginStorage& storage_;
};

}  // namespace steadfast::refund

#endif  // STEADFAST_PLUGINS_REFUND_SETTLEMENT_STORE_H_
