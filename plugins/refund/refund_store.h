// RefundStore: the refund plugin's own tables in the engine's SQLite file.
//
// The engine owns its tables (instances, tasks, history); the refund plugin
// keeps what it knows about money and cases beside them, over its own
// connection (WAL lets both write the same file):
//
//   refund_records       one row per PSP refund (by activity key): eligibility
//                        ("already refunded"), risk velocity and reconciliation read it
//   refund_claims        one row per (reservation, kind): the workflow that
//                        owns the refund request ("duplicate request")
//   ledger_transactions  one balanced double-entry transaction per activity key
//   ledger_entries       its entries: account, direction, amount, currency
//   ledger_audit         who posted a transaction by hand or by `reconcile --repair`, when and why
//   manual_review_cases, rmas, return_labels, loyalty_adjustments
//
// Every write is keyed by the activity's idempotency key (UNIQUE), so a
// repeat returns the first row instead of adding a second one. Thread-safe:
// one connection, one mutex. The file is opened lazily on first use so that
// registering the plugin (e.g. for `steadfast validate`) touches nothing.
#ifndef STEADFAST_PLUGINS_REFUND_REFUND_STORE_H_
#define STEADFAST_PLUGINS_REFUND_REFUND_STORE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "refund/ledger.h"
#include "steadfast/clock.h"
#include "steadfast/status.h"
#include "steadfast/value.h"

struct sqlite3;

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
  // Opens (creating the tables if needed) the SQLite file at `path`.
  // Unavailable/Internal when SQLite cannot open it.
  static Result<std::unique_ptr<RefundStore>> Open(const std::string& path);
  // The same for a database that must already exist (the CLI's readers):
  // NotFound "no database at <path>" instead of creating an empty file.
  static Result<std::unique_ptr<RefundStore>> OpenExisting(const std::string& path);
  ~RefundStore();
  RefundStore(const RefundStore&) = delete;
  RefundStore& operator=(const RefundStore&) = delete;

  // --- Refund records.
  // Inserts, or updates status/psp id/updated_ms of the row with the same key
  // (created_ms and the identity columns keep their first values).
  Status UpsertRefund(const RefundRecord& record);
  // Refunds of a reservation that are pending or succeeded, oldest first.
  Result<std::vector<RefundRecord>> ActiveRefundsOf(const std::string& reservation_id);
  // Pending or succeeded refunds with column == value created at or after
  // since_ms, not made by `exclude_workflow`. column: "customer_id" | "payment_method".
  Result<int64_t> CountRecentRefunds(const std::string& column, const std::string& value, TimeMs since_ms,
                                     const std::string& exclude_workflow);
  Result<std::vector<RefundRecord>> AllRefunds();

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
  explicit RefundStore(sqlite3* db) : db_(db) {}
  std::mutex mu_;
  sqlite3* db_;  // guarded by mu_
};

// Opens a RefundStore on first use (the engine may create the file after the
// plugin registers). Thread-safe.
class LazyRefundStore {
 public:
  explicit LazyRefundStore(std::string path) : path_(std::move(path)) {}
  // The store, or Unavailable (no database configured / cannot open).
  Result<RefundStore*> Get();
  const std::string& path() const { return path_; }

 private:
  std::mutex mu_;
  std::string path_;
  std::unique_ptr<RefundStore> store_;  // guarded by mu_
};

}  // namespace steadfast::refund

#endif  // STEADFAST_PLUGINS_REFUND_REFUND_STORE_H_
