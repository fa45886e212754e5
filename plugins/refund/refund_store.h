// RefundStore: the refund plugin's tables, kept by the engine.
//
// The engine owns its store; the refund plugin declares its tables as
// versioned migrations (RefundStore::Schema(), applied by the engine when
// it opens the store and by `steadfast migrate`) and reaches them only
// through the engine's PluginStorage handle (steadfast/storage.h):
//
//   refund_records       one row per PSP refund (by activity key): eligibility
//                        ("already refunded"), risk velocity and reconciliation read it
//   refund_claims        one row per (reservation, kind): the workflow that
//                        owns the refund request ("duplicate request")
//   ledger_transactions  one balanced double-entry transaction per activity key
//   ledger_entries       its entries: account, direction, amount, currency
//   ledger_transaction_ids  the id of each key's transaction, reserved before it is posted
//   ledger_audit         who posted a transaction by hand or by `reconcile --repair`, when and why
//   manual_review_cases, rmas, loyalty_adjustments, reconciliation_runs
//   refund_disputes, refund_dispute_cursor  chargebacks from the PSP (dispute_store.h)
//
// Writes of the refund itself happen in the activity's checkpoint
// transaction (ActivityContext::AtCheckpoint): a workflow's ledger posting
// and its refund record commit exactly when the engine records the attempt,
// so they exist once by construction. Case records (review, RMA, loyalty)
// and claims are plugin-only transactions keyed by the activity key, so a
// repeat returns the first row. Thread-safe (the storage handle is).
#ifndef STEADFAST_PLUGINS_REFUND_REFUND_STORE_H_
#define STEADFAST_PLUGINS_REFUND_REFUND_STORE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "refund/ledger.h"
#include "steadfast/activity.h"
#include "steadfast/clock.h"
#include "steadfast/status.h"
#include "steadfast/storage.h"
#include "steadfast/value.h"

namespace steadfast::refund {

struct RefundRecord {
  std::string idempotency_key;  // the psp step's activity key (primary key)
  std::string workflow_id;
  std::string reservation_id;
  std::string customer_id;      // may be empty
  std::string payment_method;   // e.g. a card fingerprint or "pm_..."; may be empty
  std::string psp_refund_id;    // "re_..."
  std::string status;           // pending | succeeded | failed
  int64_t amount_minor = 0;
  std::string currency;         // upper case
  TimeMs created_ms = 0;
  TimeMs updated_ms = 0;
  std::string charge;           // "ch_..." refunded (schema v5; "" for older rows and payment-intent refunds)
};

// Why a ledger transaction was posted outside a workflow (a reconciliation
// repair): the audit row stored with it, in the same SQLite transaction.
struct LedgerAudit {
  std::string actor;                    // who: "cli:alice"
  std::string reason;                   // why, for people
  std::string drift_kind;               // e.g. "psp_not_in_ledger" (reconciliation.h)
  std::string subject;                  // the drift's subject: a workflow id or "psp:<refund id>"
  int64_t reverses_transaction_id = 0;  // the transaction this one reverses, 0 = none
  TimeMs at_ms = 0;                     // when
};

// A posted transaction as read back, with its audit row when it has one.
struct StoredTransaction {
  PostedTransaction posted;
  std::optional<LedgerAudit> audit;
};

// The outcome of one `steadfast reconcile` run. Kept in the plugin's tables
// so that /metrics of a serving process shows the last run's drift, whatever
// process ran it (docs/observability.md).
struct ReconciliationRun {
  TimeMs run_at = 0;
  std::string actor;
  std::map<std::string, int64_t> drifts_by_kind;            // drift left after any repair, by DriftKindName
  std::map<std::string, int64_t> amount_minor_by_currency;  // money in that drift, absolute
  int64_t repaired = 0;                                     // drifts repaired by this run
};

class RefundStore {
 public:
  // The refund plugin's tables as versioned migrations. Version 1 is the
  // schema the plugin created itself before the engine kept plugin state
  // (CREATE ... IF NOT EXISTS: it adopts such a database as it is).
  static PluginSchema Schema();

  // Works on `storage`, which must outlive the store.
  explicit RefundStore(PluginStorage& storage) : storage_(storage) {}
  RefundStore(const RefundStore&) = delete;
  RefundStore& operator=(const RefundStore&) = delete;

  // --- Refund records.
  // Inserts, or updates status/psp id/updated_ms of the row with the same key
  // (created_ms and the identity columns keep their first values).
  Status UpsertRefund(const RefundRecord& record);
  // The same, registered to run in the checkpoint transaction of ctx's attempt.
  static void UpsertRefundAtCheckpoint(ActivityContext& ctx, const RefundRecord& record);
  // Refunds of a reservation that are pending or succeeded, oldest first.
  Result<std::vector<RefundRecord>> ActiveRefundsOf(const std::string& reservation_id);
  // Pending or succeeded refunds with column == value created at or after
  // since_ms, not made by `exclude_workflow`. column: "customer_id" | "payment_method".
  // A security deposit's return (a refund of a deposit charge) is not the
  // guest asking for money back and is not counted.
  Result<int64_t> CountRecentRefunds(const std::string& column, const std::string& value, TimeMs since_ms,
                                     const std::string& exclude_workflow);
  Result<std::vector<RefundRecord>> AllRefunds();
  // Every refund recorded against `charge` (any status), oldest first.
  Result<std::vector<RefundRecord>> RefundsOfCharge(const std::string& charge);

  // --- Refund request claims. Records `workflow_id` as the owner of the
  // (reservation, kind) request unless someone already is; returns the owner.
  Result<std::string> ClaimRequest(const std::string& reservation_id, const std::string& kind,
                                   const std::string& workflow_id, TimeMs now_ms);
  // Drops the claim of (reservation, kind) if `workflow_id` holds it, so the
  // request can be made again after that workflow gave up. Returns whether a
  // claim was dropped (false: none, or another workflow's; both are fine).
  Result<bool> ReleaseClaim(const std::string& reservation_id, const std::string& kind,
                            const std::string& workflow_id);

  // --- Ledger. Posts a balanced transaction (ValidateTransaction first:
  // InvalidArgument when unbalanced or malformed). Idempotent by key: a
  // repeat returns the first transaction (replayed = true), even if the new
  // entries differ (Conflict then, so a changed input is not silently dropped).
  // With `audit`, its row is written in the same SQLite transaction (a
  // replay writes nothing).
  Result<PostedTransaction> PostTransaction(const LedgerTransaction& txn, TimeMs now_ms,
                                            const LedgerAudit* audit = nullptr);
  // Posts txn in the checkpoint transaction of ctx's attempt: the posting
  // commits exactly when the attempt's outcome does. Returns what will be
  // posted (its id reserved for the key beforehand, so it is known now), or
  // the earlier posting of the key (replayed) without registering anything.
  // Errors as PostTransaction, before anything is registered.
  Result<PostedTransaction> PostAtCheckpoint(ActivityContext& ctx, const LedgerTransaction& txn, TimeMs now_ms);
  // Posts txn inside `tx`, a plugin transaction the caller runs (so the
  // posting commits with the caller's other writes or not at all).
  // Idempotent by key as PostTransaction; errors as PostTransaction.
  static Result<PostedTransaction> PostIn(PluginTransaction& tx, const LedgerTransaction& txn, TimeMs now_ms);
  // The first posting a workflow made for `reference` and `kind` itself
  // (not a reconcile repair, which has an audit row), as a replay; nullopt
  // when it made none.
  Result<std::optional<PostedTransaction>> WorkflowPosting(const std::string& workflow_id,
                                                           const std::string& reference, const std::string& kind);
  // Every transaction with its entries and audit row, in posting order.
  Result<std::vector<StoredTransaction>> LedgerTransactions();
  // Entries, oldest first; only those of `workflow_id` when non-empty.
  Result<std::vector<PostedEntry>> LedgerEntries(const std::string& workflow_id = "");
  // Signed balance (debits positive) per (account, currency) over all entries,
  // or one workflow's.
  Result<std::map<std::pair<std::string, std::string>, int64_t>> LedgerBalance(const std::string& workflow_id = "");

  // --- Case records (manual review, RMA, return label, loyalty). Each insert
  // is keyed by the activity key; a repeat returns the first row's id.
  struct CaseRow {
    std::string id;
    bool replayed = false;
    Value data;  // the stored JSON
  };
  Result<CaseRow> InsertManualReview(const std::string& key, const std::string& workflow_id,
                                     const std::string& subject, const std::string& reason, const Value& details,
                                     TimeMs now_ms);
  Result<int64_t> CountManualReviews(const std::string& workflow_id);
  Result<CaseRow> OpenRma(const std::string& key, const std::string& workflow_id, const std::string& order_id,
                          const Value& details, TimeMs now_ms);
  // Sets the RMA's status ("closed") with a reason; NotFound when unknown.
  // Idempotent: closing a closed RMA returns it unchanged.
  Result<CaseRow> CloseRma(const std::string& rma_id, const std::string& reason, TimeMs now_ms);
  Result<std::string> RmaStatus(const std::string& rma_id);
  // Loyalty: records `points` (negative = deducted) for a customer once per
  // key; returns the customer's balance after it in data.balance.
  Result<CaseRow> AdjustLoyalty(const std::string& key, const std::string& customer_id, int64_t points,
                                const std::string& reason, TimeMs now_ms);

  // --- Reconciliation runs (an append-only log of their outcomes).
  Status RecordReconciliationRun(const ReconciliationRun& run);
  // The most recent run (highest run_at, then the latest recorded); nullopt if none.
  Result<std::optional<ReconciliationRun>> LastReconciliationRun();

 private:
  // The id of key's transaction, reserved in ledger_transaction_ids if new.
  Result<int64_t> ReserveTransactionId(const std::string& key);
  PluginStorage& storage_;
};

}  // namespace steadfast::refund

#endif  // STEADFAST_PLUGINS_REFUND_REFUND_STORE_H_
