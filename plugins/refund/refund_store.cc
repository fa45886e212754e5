// RefundStore over the engine's PluginStorage: the schema as migrations,
// parameterised statements, checkpoint writes for the refund's own effects.
#include "refund/refund_store.h"

#include <fmt/format.h>

#include "refund/money.h"
#include "refund/claim_store.h"
#include "refund/dispute_store.h"
#include "refund/settlement_event_store.h"
#include "refund/settlement_store.h"

namespace steadfast::refund {
namespace {

// Version 1: the tables exactly as the plugin created them itself before
// the engine kept plugin state, so a database made then is adopted as is.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE IF NOT EXISTS refund_records (
  idempotency_key TEXT PRIMARY KEY,
  workflow_id TEXT NOT NULL,
  reservation_id TEXT NOT NULL,
  customer_id TEXT NOT NULL DEFAULT '',
  payment_method TEXT NOT NULL DEFAULT '',
  psp_refund_id TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL,
  amount_minor INTEGER NOT NULL,
  currency TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS refund_records_reservation ON refund_records(reservation_id);
CREATE INDEX IF NOT EXISTS refund_records_customer ON refund_records(customer_id, created_ms);
CREATE INDEX IF NOT EXISTS refund_records_method ON refund_records(payment_method, created_ms);
CREATE TABLE IF NOT EXISTS refund_claims (
  reservation_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  workflow_id TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  PRIMARY KEY (reservation_id, kind));
CREATE TABLE IF NOT EXISTS ledger_transactions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  idempotency_key TEXT NOT NULL UNIQUE,
  workflow_id TEXT NOT NULL,
  reference TEXT NOT NULL,
  kind TEXT NOT NULL,
  description TEXT NOT NULL,
  posted_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS ledger_entries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  transaction_id INTEGER NOT NULL REFERENCES ledger_transactions(id),
  account TEXT NOT NULL,
  direction TEXT NOT NULL CHECK (direction IN ('debit', 'credit')),
  amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
  currency TEXT NOT NULL,
  memo TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS ledger_entries_txn ON ledger_entries(transaction_id);
CREATE TABLE IF NOT EXISTS ledger_audit (
  transaction_id INTEGER PRIMARY KEY REFERENCES ledger_transactions(id),
  actor TEXT NOT NULL,
  reason TEXT NOT NULL,
  drift_kind TEXT NOT NULL,
  subject TEXT NOT NULL,
  reverses_transaction_id INTEGER NOT NULL DEFAULT 0,
  created_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS reconciliation_runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  run_at_ms INTEGER NOT NULL,
  actor TEXT NOT NULL,
  drifts TEXT NOT NULL,
  amounts TEXT NOT NULL,
  repaired INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS manual_review_cases (
  id TEXT PRIMARY KEY,
  idempotency_key TEXT NOT NULL UNIQUE,
  workflow_id TEXT NOT NULL,
  subject TEXT NOT NULL,
  reason TEXT NOT NULL,
  details TEXT NOT NULL,
  status TEXT NOT NULL,
  created_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS rmas (
  id TEXT PRIMARY KEY,
  idempotency_key TEXT NOT NULL UNIQUE,
  workflow_id TEXT NOT NULL,
  order_id TEXT NOT NULL,
  status TEXT NOT NULL,
  close_reason TEXT NOT NULL DEFAULT '',
  details TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS loyalty_adjustments (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  idempotency_key TEXT NOT NULL UNIQUE,
  customer_id TEXT NOT NULL,
  points INTEGER NOT NULL,
  reason TEXT NOT NULL,
  created_ms INTEGER NOT NULL);
)sql";

// Version 2: the id of each key's ledger transaction, reserved before the
// posting commits in an activity's checkpoint (so the activity's output can
// name it). Seeded with the ids already posted, so new ones come after them.
constexpr const char* kSchemaV2 = R"sql(
CREATE TABLE IF NOT EXISTS ledger_transaction_ids (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  idempotency_key TEXT NOT NULL UNIQUE);
INSERT INTO ledger_transaction_ids (id, idempotency_key)
  SELECT id, idempotency_key FROM ledger_transactions
  WHERE idempotency_key NOT IN (SELECT idempotency_key FROM ledger_transaction_ids);
)sql";

std::string Text(const Value& v) { return v.is_string() ? v.AsString() : std::string(); }
int64_t Int(const Value& v) { return v.is_int() ? v.AsInt() : 0; }

constexpr const char* kRecordColumns =
    "idempotency_key, workflow_id, reservation_id, customer_id, payment_method, psp_refund_id, status, "
    "amount_minor, currency, created_ms, updated_ms, charge";

RefundRecord ReadRecord(const Row& r) {
  RefundRecord out;
  out.idempotency_key = Text(r[0]);
  out.workflow_id = Text(r[1]);
  out.reservation_id = Text(r[2]);
  out.customer_id = Text(r[3]);
  out.payment_method = Text(r[4]);
  out.psp_refund_id = Text(r[5]);
  out.status = Text(r[6]);
  out.amount_minor = Int(r[7]);
  out.currency = Text(r[8]);
  out.created_ms = Int(r[9]);
  out.updated_ms = Int(r[10]);
  out.charge = Text(r[11]);
  return out;
}

Direction ParseDirection(const Value& v) { return Text(v) == "debit" ? Direction::kDebit : Direction::kCredit; }

Value ParseJsonOrNull(const std::string& text) {
  Result<Value> v = Value::FromJson(text);
  return v.ok() ? *v : Value();
}

Status UpsertRefundIn(PluginTransaction& tx, const RefundRecord& r) {
  return tx.Execute(
               "INSERT INTO refund_records (idempotency_key, workflow_id, reservation_id, customer_id, payment_method, "
               "psp_refund_id, status, amount_minor, currency, created_ms, updated_ms, charge) "
               "VALUES (?,?,?,?,?,?,?,?,?,?,?,?) "
               "ON CONFLICT (idempotency_key) DO UPDATE SET psp_refund_id = excluded.psp_refund_id, "
               "status = excluded.status, amount_minor = excluded.amount_minor, updated_ms = excluded.updated_ms, "
               "charge = CASE WHEN excluded.charge <> '' THEN excluded.charge ELSE refund_records.charge END",
               {r.idempotency_key, r.workflow_id, r.reservation_id, r.customer_id, r.payment_method, r.psp_refund_id,
                r.status, r.amount_minor, r.currency, r.created_ms, r.updated_ms, r.charge})
      .status();
}

// The transaction posted under key, with its entries; nullopt if none.
// `query` is a storage's or a transaction's Query.
template <class QueryFn>
Result<std::optional<PostedTransaction>> FindPosted(QueryFn&& query, const std::string& key) {
  SF_ASSIGN_OR_RETURN(std::vector<Row> rows,
                      query("SELECT id, workflow_id, reference, kind, description, posted_ms FROM ledger_transactions "
                            "WHERE idempotency_key = ?",
                            {key}));
  if (rows.empty()) return std::optional<PostedTransaction>();
  PostedTransaction posted;
  const Row& r = rows[0];
  posted.id = Int(r[0]);
  posted.replayed = true;
  posted.txn.idempotency_key = key;
  posted.txn.workflow_id = Text(r[1]);
  posted.txn.reference = Text(r[2]);
  posted.txn.kind = Text(r[3]);
  posted.txn.description = Text(r[4]);
  posted.posted_ms = Int(r[5]);
  SF_ASSIGN_OR_RETURN(std::vector<Row> entries,
                      query("SELECT account, direction, amount_minor, currency, memo FROM ledger_entries "
                            "WHERE transaction_id = ? ORDER BY id",
                            {posted.id}));
  for (const Row& e : entries) {
    posted.txn.entries.push_back(LedgerEntry{Text(e[0]), ParseDirection(e[1]), Int(e[2]), Text(e[3]), Text(e[4])});
  }
  return std::optional<PostedTransaction>(std::move(posted));
}

// The earlier posting of txn's key as a replay, or Conflict when its
// entries differ (a changed input is not silently dropped).
Result<PostedTransaction> AsReplay(PostedTransaction posted, const LedgerTransaction& txn) {
  auto same = [](const LedgerEntry& a, const LedgerEntry& b) {
    return a.account == b.account && a.direction == b.direction && a.amount_minor == b.amount_minor &&
           a.currency == b.currency;
  };
  bool equal = posted.txn.entries.size() == txn.entries.size();
  for (size_t i = 0; equal && i < txn.entries.size(); ++i) equal = same(posted.txn.entries[i], txn.entries[i]);
  if (!equal) {
    return Status::Conflict(
        fmt::format("ledger transaction {} was already posted with other entries", txn.idempotency_key));
  }
  return posted;
}

// Inserts the transaction, its entries and the audit row under `id`. A
// posting of the key already there with the same id (the same posting) is
// left as it is; any other is Conflict, and nothing is written.
Status InsertPosting(PluginTransaction& tx, int64_t id, const LedgerTransaction& txn, TimeMs now_ms,
                     const LedgerAudit* audit) {
  auto query = [&tx](std::string_view sql, const std::vector<Value>& params) { return tx.Query(sql, params); };
  SF_ASSIGN_OR_RETURN(std::optional<PostedTransaction> existing, FindPosted(query, txn.idempotency_key));
  if (existing.has_value()) {
    SF_ASSIGN_OR_RETURN(PostedTransaction replay, AsReplay(std::move(*existing), txn));
    if (replay.id == id) return Status::Ok();
    return Status::Conflict(fmt::format("ledger transaction {} was posted as {} meanwhile, not {}",
                                        txn.idempotency_key, replay.id, id));
  }
  SF_RETURN_IF_ERROR(tx.Execute("INSERT INTO ledger_transactions (id, idempotency_key, workflow_id, reference, kind, "
                                "description, posted_ms) VALUES (?,?,?,?,?,?,?)",
                                {id, txn.idempotency_key, txn.workflow_id, txn.reference, txn.kind, txn.description,
                                 now_ms})
                         .status());
  for (const LedgerEntry& e : txn.entries) {
    SF_RETURN_IF_ERROR(tx.Execute("INSERT INTO ledger_entries (transaction_id, account, direction, amount_minor, "
                                  "currency, memo) VALUES (?,?,?,?,?,?)",
                                  {id, e.account, std::string(DirectionName(e.direction)), e.amount_minor, e.currency,
                                   e.memo})
                           .status());
  }
  if (audit != nullptr) {
    SF_RETURN_IF_ERROR(tx.Execute("INSERT INTO ledger_audit (transaction_id, actor, reason, drift_kind, subject, "
                                  "reverses_transaction_id, created_ms) VALUES (?,?,?,?,?,?,?)",
                                  {id, audit->actor, audit->reason, audit->drift_kind, audit->subject,
                                   audit->reverses_transaction_id, audit->at_ms != 0 ? audit->at_ms : now_ms})
                           .status());
  }
  return Status::Ok();
}

Result<int64_t> ReserveIdIn(PluginTransaction& tx, const std::string& key) {
  SF_RETURN_IF_ERROR(
      tx.Execute("INSERT INTO ledger_transaction_ids (idempotency_key) VALUES (?) ON CONFLICT (idempotency_key) "
                 "DO NOTHING",
                 {key})
          .status());
  SF_ASSIGN_OR_RETURN(std::vector<Row> rows,
                      tx.Query("SELECT id FROM ledger_transaction_ids WHERE idempotency_key = ?", {key}));
  if (rows.empty()) return Status::Internal("ledger transaction id of " + key + " was not reserved");
  return Int(rows[0][0]);
}

Value CountsToValue(const std::map<std::string, int64_t>& counts) {
  Value::Map m;
  for (const auto& [k, v] : counts) m[k] = v;
  return m;
}

std::map<std::string, int64_t> CountsFromJson(const std::string& json) {
  std::map<std::string, int64_t> out;
  Result<Value> v = Value::FromJson(json);
  if (!v.ok() || !v->is_map()) return out;
  for (const auto& [k, n] : v->AsMap()) out[k] = n.IntOr(0);
  return out;
}

}  // namespace

PluginSchema RefundStore::Schema() {
  PluginSchema schema;
  schema.plugin = "refund";
  schema.migrations.push_back(
      {1, "refund records, claims, ledger, audit, reconciliation runs, review cases, RMAs, loyalty", kSchemaV1});
  schema.migrations.push_back({2, "ledger transaction ids reserved per key before posting", kSchemaV2});
  schema.migrations.push_back(
      {3, "settlement: transactions (booking, guest refund, host payout), cancellation details, audit",
       kSettlementSchemaSql});
  schema.migrations.push_back({4, "claims: reservation claims, their items and evidence messages", kClaimSchemaSql});
  schema.migrations.push_back(
      {5, "disputes: chargebacks from the PSP, their overlap with refunds, the sync cursor; refunds keep their charge",
       kDisputeSchemaSql});
  schema.migrations.push_back(
      {6, "settlements: the PSP's settlement events of pending refunds and payouts, the sync cursor",
       kSettlementEventSchemaSql});
  schema.migrations.push_back({7,
                               "security deposits: deposit and depositreturn transactions, what a settlement drew "
                               "from a deposit and returned",
                               kDepositSchemaSql, kDepositSchemaPostgresSql});
  return schema;
}

Status RefundStore::UpsertRefund(const RefundRecord& r) {
  return storage_.Transact([&r](PluginTransaction& tx) { return UpsertRefundIn(tx, r); });
}

void RefundStore::UpsertRefundAtCheckpoint(ActivityContext& ctx, const RefundRecord& record) {
  ctx.AtCheckpoint([record](PluginTransaction& tx) { return UpsertRefundIn(tx, record); });
}

Result<std::vector<RefundRecord>> RefundStore::ActiveRefundsOf(const std::string& reservation_id) {
  SF_ASSIGN_OR_RETURN(std::vector<Row> rows,
                      storage_.Query(fmt::format("SELECT {} FROM refund_records WHERE reservation_id = ? AND status IN "
                                                 "('pending', 'succeeded') ORDER BY created_ms",
                                                 kRecordColumns),
                                     {reservation_id}));
  std::vector<RefundRecord> out;
  for (const Row& r : rows) out.push_back(ReadRecord(r));
  return out;
}

Result<int64_t> RefundStore::CountRecentRefunds(const std::string& column, const std::string& value,
                                                TimeMs since_ms, const std::string& exclude_workflow) {
  if (column != "customer_id" && column != "payment_method") {
    return Status::InvalidArgument("velocity is counted per customer_id or payment_method");
  }
  SF_ASSIGN_OR_RETURN(std::vector<Row> rows,
                      storage_.Query(fmt::format("SELECT COUNT(*) FROM refund_records r WHERE {} = ? AND created_ms >= ? "
                                                 "AND workflow_id != ? AND status IN ('pending', 'succeeded') "
                                                 "AND NOT EXISTS (SELECT 1 FROM refund_settlement_transactions t "
                                                 "WHERE t.reservation_id = r.reservation_id AND t.kind = 'deposit' "
                                                 "AND t.charge = r.charge)",
                                                 column),
                                     {value, since_ms, exclude_workflow}));
  return rows.empty() ? 0 : Int(rows[0][0]);
}

Result<std::vector<RefundRecord>> RefundStore::RefundsOfCharge(const std::string& charge) {
  SF_ASSIGN_OR_RETURN(std::vector<Row> rows,
                      storage_.Query(fmt::format("SELECT {} FROM refund_records WHERE charge = ? ORDER BY created_ms",
                                                 kRecordColumns),
                                     {charge}));
  std::vector<RefundRecord> out;
  for (const Row& r : rows) out.push_back(ReadRecord(r));
  return out;
}

Result<std::vector<RefundRecord>> RefundStore::AllRefunds() {
  SF_ASSIGN_OR_RETURN(std::vector<Row> rows,
                      storage_.Query(fmt::format("SELECT {} FROM refund_records ORDER BY created_ms", kRecordColumns)));
  std::vector<RefundRecord> out;
  for (const Row& r : rows) out.push_back(ReadRecord(r));
  return out;
}

Result<std::string> RefundStore::ClaimRequest(const std::string& reservation_id, const std::string& kind,
                                              const std::string& workflow_id, TimeMs now_ms) {
  std::string owner;
  SF_RETURN_IF_ERROR(storage_.Transact([&](PluginTransaction& tx) -> Status {
    SF_RETURN_IF_ERROR(tx.Execute("INSERT INTO refund_claims (reservation_id, kind, workflow_id, created_ms) "
                                  "VALUES (?,?,?,?) ON CONFLICT (reservation_id, kind) DO NOTHING",
                                  {reservation_id, kind, workflow_id, now_ms})
                           .status());
    SF_ASSIGN_OR_RETURN(std::vector<Row> rows, tx.Query("SELECT workflow_id FROM refund_claims WHERE reservation_id "
                                                        "= ? AND kind = ?",
                                                        {reservation_id, kind}));
    if (rows.empty()) return Status::Internal("refund claim vanished while being read");
    owner = Text(rows[0][0]);
    return Status::Ok();
  }));
  return owner;
}

Result<bool> RefundStore::ReleaseClaim(const std::string& reservation_id, const std::string& kind,
                                       const std::string& workflow_id) {
  int64_t dropped = 0;
  SF_RETURN_IF_ERROR(storage_.Transact([&](PluginTransaction& tx) -> Status {
    SF_ASSIGN_OR_RETURN(dropped, tx.Execute("DELETE FROM refund_claims WHERE reservation_id = ? AND kind = ? AND "
                                            "workflow_id = ?",
                                            {reservation_id, kind, workflow_id}));
    return Status::Ok();
  }));
  return dropped > 0;
}

Result<int64_t> RefundStore::ReserveTransactionId(const std::string& key) {
  int64_t id = 0;
  SF_RETURN_IF_ERROR(storage_.Transact([&](PluginTransaction& tx) -> Status {
    SF_ASSIGN_OR_RETURN(id, ReserveIdIn(tx, key));
    return Status::Ok();
  }));
  return id;
}

namespace {

Result<PostedTransaction> PostWithin(PluginTransaction& tx, const LedgerTransaction& txn, TimeMs now_ms,
                                     const LedgerAudit* audit) {
  auto query = [&tx](std::string_view sql, const std::vector<Value>& params) { return tx.Query(sql, params); };
  SF_ASSIGN_OR_RETURN(std::optional<PostedTransaction> existing, FindPosted(query, txn.idempotency_key));
  if (existing.has_value()) return AsReplay(std::move(*existing), txn);
  SF_ASSIGN_OR_RETURN(int64_t id, ReserveIdIn(tx, txn.idempotency_key));
  SF_RETURN_IF_ERROR(InsertPosting(tx, id, txn, now_ms, audit));
  return PostedTransaction{id, false, txn, now_ms};
}

}  // namespace

Result<PostedTransaction> RefundStore::PostTransaction(const LedgerTransaction& txn_in, TimeMs now_ms,
                                                       const LedgerAudit* audit) {
  SF_RETURN_IF_ERROR(ValidateTransaction(txn_in));
  PostedTransaction posted;
  SF_RETURN_IF_ERROR(storage_.Transact([&](PluginTransaction& tx) -> Status {
    SF_ASSIGN_OR_RETURN(posted, PostWithin(tx, txn_in, now_ms, audit));
    return Status::Ok();
  }));
  return posted;
}

Result<PostedTransaction> RefundStore::PostIn(PluginTransaction& tx, const LedgerTransaction& txn, TimeMs now_ms) {
  SF_RETURN_IF_ERROR(ValidateTransaction(txn));
  return PostWithin(tx, txn, now_ms, nullptr);
}

Result<PostedTransaction> RefundStore::PostAtCheckpoint(ActivityContext& ctx, const LedgerTransaction& txn,
                                                        TimeMs now_ms) {
  SF_RETURN_IF_ERROR(ValidateTransaction(txn));
  auto query = [this](std::string_view sql, const std::vector<Value>& params) { return storage_.Query(sql, params); };
  SF_ASSIGN_OR_RETURN(std::optional<PostedTransaction> existing, FindPosted(query, txn.idempotency_key));
  // Posted already (by a database from before postings were checkpoint
  // writes, or by hand under this key): report it, post nothing.
  if (existing.has_value()) return AsReplay(std::move(*existing), txn);
  // Reserving the id is not the posting: a crash after it leaves only the
  // reservation, which the next attempt (same key) reuses.
  SF_ASSIGN_OR_RETURN(int64_t id, ReserveTransactionId(txn.idempotency_key));
  ctx.AtCheckpoint([id, txn, now_ms](PluginTransaction& tx) { return InsertPosting(tx, id, txn, now_ms, nullptr); });
  return PostedTransaction{id, false, txn, now_ms};
}

Result<std::optional<PostedTransaction>> RefundStore::WorkflowPosting(const std::string& workflow_id,
                                                                      const std::string& reference,
                                                                      const std::string& kind) {
  SF_ASSIGN_OR_RETURN(std::vector<Row> rows,
                      storage_.Query("SELECT t.idempotency_key FROM ledger_transactions t "
                                     "LEFT JOIN ledger_audit a ON a.transaction_id = t.id "
                                     "WHERE t.workflow_id = ? AND t.reference = ? AND t.kind = ? "
                                     "AND a.transaction_id IS NULL ORDER BY t.id LIMIT 1",
                                     {workflow_id, reference, kind}));
  if (rows.empty()) return std::optional<PostedTransaction>();
  auto query = [this](std::string_view sql, const std::vector<Value>& params) { return storage_.Query(sql, params); };
  return FindPosted(query, Text(rows[0][0]));
}

Result<std::vector<PostedEntry>> RefundStore::LedgerEntries(const std::string& workflow_id) {
  SF_ASSIGN_OR_RETURN(
      std::vector<Row> rows,
      storage_.Query("SELECT t.id, t.workflow_id, t.reference, e.account, e.direction, e.amount_minor, e.currency, "
                     "e.memo, t.kind FROM ledger_entries e JOIN ledger_transactions t ON t.id = e.transaction_id "
                     "WHERE ? = '' OR t.workflow_id = ? ORDER BY e.id",
                     {workflow_id, workflow_id}));
  std::vector<PostedEntry> out;
  for (const Row& r : rows) {
    PostedEntry p;
    p.transaction_id = Int(r[0]);
    p.workflow_id = Text(r[1]);
    p.reference = Text(r[2]);
    p.entry = LedgerEntry{Text(r[3]), ParseDirection(r[4]), Int(r[5]), Text(r[6]), Text(r[7])};
    p.kind = Text(r[8]);
    out.push_back(std::move(p));
  }
  return out;
}

Result<std::vector<StoredTransaction>> RefundStore::LedgerTransactions() {
  SF_ASSIGN_OR_RETURN(
      std::vector<Row> rows,
      storage_.Query("SELECT t.id, t.idempotency_key, t.workflow_id, t.reference, t.kind, t.description, t.posted_ms, "
                     "a.actor, a.reason, a.drift_kind, a.subject, a.reverses_transaction_id, a.created_ms "
                     "FROM ledger_transactions t LEFT JOIN ledger_audit a ON a.transaction_id = t.id ORDER BY t.id"));
  std::vector<StoredTransaction> out;
  std::map<int64_t, size_t> index;  // transaction id -> position in out
  for (const Row& r : rows) {
    StoredTransaction t;
    t.posted.id = Int(r[0]);
    t.posted.txn.idempotency_key = Text(r[1]);
    t.posted.txn.workflow_id = Text(r[2]);
    t.posted.txn.reference = Text(r[3]);
    t.posted.txn.kind = Text(r[4]);
    t.posted.txn.description = Text(r[5]);
    t.posted.posted_ms = Int(r[6]);
    if (!r[7].is_null()) t.audit = LedgerAudit{Text(r[7]), Text(r[8]), Text(r[9]), Text(r[10]), Int(r[11]), Int(r[12])};
    index[t.posted.id] = out.size();
    out.push_back(std::move(t));
  }
  // Read after the transactions: an entry of a transaction posted in
  // between has no transaction in `out` and is skipped, as before.
  SF_ASSIGN_OR_RETURN(std::vector<Row> entries,
                      storage_.Query("SELECT transaction_id, account, direction, amount_minor, currency, memo "
                                     "FROM ledger_entries ORDER BY id"));
  for (const Row& e : entries) {
    auto it = index.find(Int(e[0]));
    if (it == index.end()) continue;
    out[it->second].posted.txn.entries.push_back(
        LedgerEntry{Text(e[1]), ParseDirection(e[2]), Int(e[3]), Text(e[4]), Text(e[5])});
  }
  return out;
}

Result<std::map<std::pair<std::string, std::string>, int64_t>> RefundStore::LedgerBalance(
    const std::string& workflow_id) {
  SF_ASSIGN_OR_RETURN(std::vector<PostedEntry> entries, LedgerEntries(workflow_id));
  std::map<std::pair<std::string, std::string>, int64_t> out;
  for (const PostedEntry& p : entries) {
    int64_t& b = out[{p.entry.account, p.entry.currency}];
    SF_ASSIGN_OR_RETURN(b, p.entry.direction == Direction::kDebit ? CheckedAdd(b, p.entry.amount_minor)
                                                                  : CheckedSub(b, p.entry.amount_minor));
  }
  return out;
}

Result<RefundStore::CaseRow> RefundStore::InsertManualReview(const std::string& key, const std::string& workflow_id,
                                                             const std::string& subject, const std::string& reason,
                                                             const Value& details, TimeMs now_ms) {
  const std::string id = "mr_" + key;
  CaseRow row;
  SF_RETURN_IF_ERROR(storage_.Transact([&](PluginTransaction& tx) -> Status {
    SF_ASSIGN_OR_RETURN(int64_t inserted,
                        tx.Execute("INSERT INTO manual_review_cases (id, idempotency_key, workflow_id, subject, reason, "
                                   "details, status, created_ms) VALUES (?,?,?,?,?,?,'open',?) "
                                   "ON CONFLICT (idempotency_key) DO NOTHING",
                                   {id, key, workflow_id, subject, reason, details.ToJson(), now_ms}));
    SF_ASSIGN_OR_RETURN(std::vector<Row> rows,
                        tx.Query("SELECT id, subject, reason, details, status FROM manual_review_cases "
                                 "WHERE idempotency_key = ?",
                                 {key}));
    if (rows.empty()) return Status::Internal("manual review case " + key + " not found after insert");
    const Row& r = rows[0];
    row.id = Text(r[0]);
    row.replayed = inserted == 0;
    row.data["case_id"] = row.id;
    row.data["subject"] = Text(r[1]);
    row.data["reason"] = Text(r[2]);
    row.data["details"] = ParseJsonOrNull(Text(r[3]));
    row.data["status"] = Text(r[4]);
    return Status::Ok();
  }));
  return row;
}

Result<int64_t> RefundStore::CountManualReviews(const std::string& workflow_id) {
  SF_ASSIGN_OR_RETURN(std::vector<Row> rows,
                      storage_.Query("SELECT COUNT(*) FROM manual_review_cases WHERE workflow_id = ?", {workflow_id}));
  return rows.empty() ? 0 : Int(rows[0][0]);
}

Result<RefundStore::CaseRow> RefundStore::OpenRma(const std::string& key, const std::string& workflow_id,
                                                  const std::string& order_id, const Value& details, TimeMs now_ms) {
  const std::string id = "rma_" + key;
  CaseRow row;
  SF_RETURN_IF_ERROR(storage_.Transact([&](PluginTransaction& tx) -> Status {
    SF_ASSIGN_OR_RETURN(int64_t inserted,
                        tx.Execute("INSERT INTO rmas (id, idempotency_key, workflow_id, order_id, status, details, "
                                   "created_ms, updated_ms) VALUES (?,?,?,?,'open',?,?,?) "
                                   "ON CONFLICT (idempotency_key) DO NOTHING",
                                   {id, key, workflow_id, order_id, details.ToJson(), now_ms, now_ms}));
    SF_ASSIGN_OR_RETURN(std::vector<Row> rows,
                        tx.Query("SELECT id, order_id, status, details FROM rmas WHERE idempotency_key = ?", {key}));
    if (rows.empty()) return Status::Internal("RMA " + key + " not found after insert");
    const Row& r = rows[0];
    row.id = Text(r[0]);
    row.replayed = inserted == 0;
    row.data = ParseJsonOrNull(Text(r[3]));
    row.data["rma_id"] = row.id;
    row.data["order_id"] = Text(r[1]);
    row.data["status"] = Text(r[2]);
    return Status::Ok();
  }));
  return row;
}

Result<RefundStore::CaseRow> RefundStore::CloseRma(const std::string& rma_id, const std::string& reason,
                                                   TimeMs now_ms) {
  CaseRow row;
  SF_RETURN_IF_ERROR(storage_.Transact([&](PluginTransaction& tx) -> Status {
    SF_ASSIGN_OR_RETURN(int64_t changed,
                        tx.Execute("UPDATE rmas SET status = 'closed', close_reason = ?, updated_ms = ? "
                                   "WHERE id = ? AND status != 'closed'",
                                   {reason, now_ms, rma_id}));
    SF_ASSIGN_OR_RETURN(std::vector<Row> rows,
                        tx.Query("SELECT id, order_id, status, close_reason FROM rmas WHERE id = ?", {rma_id}));
    if (rows.empty()) return Status::NotFound("no RMA " + rma_id);
    const Row& r = rows[0];
    row.id = Text(r[0]);
    row.replayed = changed == 0;
    row.data["rma_id"] = row.id;
    row.data["order_id"] = Text(r[1]);
    row.data["status"] = Text(r[2]);
    row.data["close_reason"] = Text(r[3]);
    return Status::Ok();
  }));
  return row;
}

Result<std::string> RefundStore::RmaStatus(const std::string& rma_id) {
  SF_ASSIGN_OR_RETURN(std::vector<Row> rows, storage_.Query("SELECT status FROM rmas WHERE id = ?", {rma_id}));
  if (rows.empty()) return Status::NotFound("no RMA " + rma_id);
  return Text(rows[0][0]);
}

Result<RefundStore::CaseRow> RefundStore::AdjustLoyalty(const std::string& key, const std::string& customer_id,
                                                        int64_t points, const std::string& reason, TimeMs now_ms) {
  CaseRow row;
  SF_RETURN_IF_ERROR(storage_.Transact([&](PluginTransaction& tx) -> Status {
    SF_ASSIGN_OR_RETURN(int64_t inserted,
                        tx.Execute("INSERT INTO loyalty_adjustments (idempotency_key, customer_id, points, reason, "
                                   "created_ms) VALUES (?,?,?,?,?) ON CONFLICT (idempotency_key) DO NOTHING",
                                   {key, customer_id, points, reason, now_ms}));
    SF_ASSIGN_OR_RETURN(std::vector<Row> rows,
                        tx.Query("SELECT id, customer_id, points FROM loyalty_adjustments WHERE idempotency_key = ?",
                                 {key}));
    if (rows.empty()) return Status::Internal("loyalty adjustment " + key + " not found after insert");
    row.id = "loy_" + std::to_string(Int(rows[0][0]));
    row.replayed = inserted == 0;
    const std::string customer = Text(rows[0][1]);
    row.data["adjustment_id"] = row.id;
    row.data["customer_id"] = customer;
    row.data["points"] = Int(rows[0][2]);
    SF_ASSIGN_OR_RETURN(std::vector<Row> balance,
                        tx.Query("SELECT COALESCE(SUM(points), 0) FROM loyalty_adjustments WHERE customer_id = ?",
                                 {customer}));
    row.data["balance"] = balance.empty() ? 0 : Int(balance[0][0]);
    return Status::Ok();
  }));
  return row;
}

Status RefundStore::RecordReconciliationRun(const ReconciliationRun& run) {
  return storage_.Transact([&run](PluginTransaction& tx) {
    return tx
        .Execute("INSERT INTO reconciliation_runs (run_at_ms, actor, drifts, amounts, repaired) VALUES (?,?,?,?,?)",
                 {run.run_at, run.actor, CountsToValue(run.drifts_by_kind).ToJson(),
                  CountsToValue(run.amount_minor_by_currency).ToJson(), run.repaired})
        .status();
  });
}

Result<std::optional<ReconciliationRun>> RefundStore::LastReconciliationRun() {
  SF_ASSIGN_OR_RETURN(std::vector<Row> rows,
                      storage_.Query("SELECT run_at_ms, actor, drifts, amounts, repaired FROM reconciliation_runs "
                                     "ORDER BY run_at_ms DESC, id DESC LIMIT 1"));
  if (rows.empty()) return std::optional<ReconciliationRun>();
  const Row& r = rows[0];
  ReconciliationRun run;
  run.run_at = Int(r[0]);
  run.actor = Text(r[1]);
  run.drifts_by_kind = CountsFromJson(Text(r[2]));
  run.amount_minor_by_currency = CountsFromJson(Text(r[3]));
  run.repaired = Int(r[4]);
  return std::optional<ReconciliationRun>(std::move(run));
}

}  // namespace steadfast::refund
