// RefundStore over SQLite: schema, prepared statements, idempotent inserts.
#include "refund/refund_store.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <filesystem>

#include "refund/money.h"

namespace steadfast::refund {
namespace {

constexpr const char* kSchema = R"sql(
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

// A prepared statement, finalized on scope exit.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) : db_(db) { rc_ = sqlite3_prepare_v2(db, sql, -1, &st_, nullptr); }
  ~Stmt() { sqlite3_finalize(st_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  bool ok() const { return rc_ == SQLITE_OK; }
  Stmt& Bind(int i, const std::string& s) {
    sqlite3_bind_text(st_, i, s.c_str(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& Bind(int i, int64_t v) {
    sqlite3_bind_int64(st_, i, v);
    return *this;
  }
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int Step() { return sqlite3_step(st_); }
  std::string Text(int i) const {
    const unsigned char* t = sqlite3_column_text(st_, i);
    return t == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(t));
  }
  int64_t Int(int i) const { return sqlite3_column_int64(st_, i); }
  sqlite3_stmt* raw() const { return st_; }
  Status Error(const char* what) const {
    int code = sqlite3_errcode(db_);
    std::string m = fmt::format("refund store: {}: {}", what, sqlite3_errmsg(db_));
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED) return Status::Busy(m);
    return Status::Internal(m);
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* st_ = nullptr;
  int rc_ = SQLITE_ERROR;
};

Status Exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string m = err != nullptr ? err : "unknown error";
    sqlite3_free(err);
    int code = sqlite3_errcode(db);
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED) return Status::Busy("refund store: " + m);
    return Status::Internal("refund store: " + m);
  }
  return Status::Ok();
}

// BEGIN IMMEDIATE ... COMMIT, rolled back unless Commit() was called.
class Txn {
 public:
  explicit Txn(sqlite3* db) : db_(db) { status_ = Exec(db, "BEGIN IMMEDIATE"); }
  ~Txn() {
    if (status_.ok() && !done_) (void)Exec(db_, "ROLLBACK");
  }
  const Status& status() const { return status_; }
  Status Commit() {
    done_ = true;
    return Exec(db_, "COMMIT");
  }

 private:
  sqlite3* db_;
  Status status_;
  bool done_ = false;
};

RefundRecord ReadRecord(const Stmt& s) {
  RefundRecord r;
  r.idempotency_key = s.Text(0);
  r.workflow_id = s.Text(1);
  r.reservation_id = s.Text(2);
  r.customer_id = s.Text(3);
  r.payment_method = s.Text(4);
  r.psp_refund_id = s.Text(5);
  r.status = s.Text(6);
  r.amount_minor = s.Int(7);
  r.currency = s.Text(8);
  r.created_ms = s.Int(9);
  r.updated_ms = s.Int(10);
  return r;
}

constexpr const char* kRecordColumns =
    "idempotency_key, workflow_id, reservation_id, customer_id, payment_method, psp_refund_id, status, "
    "amount_minor, currency, created_ms, updated_ms";

Value ParseJsonOrNull(const std::string& text) {
  Result<Value> v = Value::FromJson(text);
  return v.ok() ? *v : Value();
}

}  // namespace

Result<std::unique_ptr<RefundStore>> RefundStore::OpenExisting(const std::string& path) {
  if (!std::filesystem::exists(path)) return Status::NotFound("no database at " + path);
  return Open(path);
}

Result<std::unique_ptr<RefundStore>> RefundStore::Open(const std::string& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) {
    std::string m = db != nullptr ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return Status::Unavailable(fmt::format("refund store: cannot open {}: {}", path, m));
  }
  sqlite3_busy_timeout(db, 10000);
  std::unique_ptr<RefundStore> store(new RefundStore(db));
  SF_RETURN_IF_ERROR(Exec(db, "PRAGMA journal_mode=WAL"));
  SF_RETURN_IF_ERROR(Exec(db, "PRAGMA synchronous=FULL"));
  SF_RETURN_IF_ERROR(Exec(db, kSchema));
  return store;
}

RefundStore::~RefundStore() { sqlite3_close(db_); }

Status RefundStore::UpsertRefund(const RefundRecord& r) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(db_,
         "INSERT INTO refund_records (idempotency_key, workflow_id, reservation_id, customer_id, payment_method, "
         "psp_refund_id, status, amount_minor, currency, created_ms, updated_ms) VALUES (?,?,?,?,?,?,?,?,?,?,?) "
         "ON CONFLICT(idempotency_key) DO UPDATE SET psp_refund_id = excluded.psp_refund_id, "
         "status = excluded.status, amount_minor = excluded.amount_minor, updated_ms = excluded.updated_ms");
  if (!s.ok()) return s.Error("prepare upsert refund");
  s.Bind(1, r.idempotency_key).Bind(2, r.workflow_id).Bind(3, r.reservation_id).Bind(4, r.customer_id);
  s.Bind(5, r.payment_method).Bind(6, r.psp_refund_id).Bind(7, r.status).Bind(8, r.amount_minor);
  s.Bind(9, r.currency).Bind(10, r.created_ms).Bind(11, r.updated_ms);
  if (s.Step() != SQLITE_DONE) return s.Error("upsert refund");
  return Status::Ok();
}

Result<std::vector<RefundRecord>> RefundStore::ActiveRefundsOf(const std::string& reservation_id) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string sql = fmt::format(
      "SELECT {} FROM refund_records WHERE reservation_id = ? AND status IN ('pending', 'succeeded') "
      "ORDER BY created_ms",
      kRecordColumns);
  Stmt s(db_, sql.c_str());
  if (!s.ok()) return s.Error("prepare refunds of reservation");
  s.Bind(1, reservation_id);
  std::vector<RefundRecord> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) out.push_back(ReadRecord(s));
  if (rc != SQLITE_DONE) return s.Error("refunds of reservation");
  return out;
}

Result<int64_t> RefundStore::CountRecentRefunds(const std::string& column, const std::string& value,
                                                TimeMs since_ms, const std::string& exclude_workflow) {
  if (column != "customer_id" && column != "payment_method") {
    return Status::InvalidArgument("velocity is counted per customer_id or payment_method");
  }
  std::lock_guard<std::mutex> lock(mu_);
  std::string sql = fmt::format(
      "SELECT COUNT(*) FROM refund_records WHERE {} = ? AND created_ms >= ? AND workflow_id != ? "
      "AND status IN ('pending', 'succeeded')",
      column);
  Stmt s(db_, sql.c_str());
  if (!s.ok()) return s.Error("prepare count refunds");
  s.Bind(1, value).Bind(2, since_ms).Bind(3, exclude_workflow);
  if (s.Step() != SQLITE_ROW) return s.Error("count refunds");
  return s.Int(0);
}

Result<std::vector<RefundRecord>> RefundStore::AllRefunds() {
  std::lock_guard<std::mutex> lock(mu_);
  std::string sql = fmt::format("SELECT {} FROM refund_records ORDER BY created_ms", kRecordColumns);
  Stmt s(db_, sql.c_str());
  if (!s.ok()) return s.Error("prepare all refunds");
  std::vector<RefundRecord> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) out.push_back(ReadRecord(s));
  if (rc != SQLITE_DONE) return s.Error("all refunds");
  return out;
}

Result<std::string> RefundStore::ClaimRequest(const std::string& reservation_id, const std::string& kind,
                                              const std::string& workflow_id, TimeMs now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  Txn txn(db_);
  SF_RETURN_IF_ERROR(txn.status());
  {
    Stmt ins(db_, "INSERT OR IGNORE INTO refund_claims (reservation_id, kind, workflow_id, created_ms) VALUES (?,?,?,?)");
    if (!ins.ok()) return ins.Error("prepare claim");
    ins.Bind(1, reservation_id).Bind(2, kind).Bind(3, workflow_id).Bind(4, now_ms);
    if (ins.Step() != SQLITE_DONE) return ins.Error("claim");
  }
  std::string owner;
  {
    Stmt sel(db_, "SELECT workflow_id FROM refund_claims WHERE reservation_id = ? AND kind = ?");
    if (!sel.ok()) return sel.Error("prepare read claim");
    sel.Bind(1, reservation_id).Bind(2, kind);
    if (sel.Step() != SQLITE_ROW) return sel.Error("read claim");
    owner = sel.Text(0);
  }
  SF_RETURN_IF_ERROR(txn.Commit());
  return owner;
}

Result<bool> RefundStore::ReleaseClaim(const std::string& reservation_id, const std::string& kind,
                                       const std::string& workflow_id) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt del(db_, "DELETE FROM refund_claims WHERE reservation_id = ? AND kind = ? AND workflow_id = ?");
  if (!del.ok()) return del.Error("prepare release claim");
  del.Bind(1, reservation_id).Bind(2, kind).Bind(3, workflow_id);
  if (del.Step() != SQLITE_DONE) return del.Error("release claim");
  return sqlite3_changes(db_) > 0;
}

Result<PostedTransaction> RefundStore::PostTransaction(const LedgerTransaction& txn_in, TimeMs now_ms,
                                                       const LedgerAudit* audit) {
  SF_RETURN_IF_ERROR(ValidateTransaction(txn_in));
  std::lock_guard<std::mutex> lock(mu_);
  Txn txn(db_);
  SF_RETURN_IF_ERROR(txn.status());
  PostedTransaction posted;
  {
    Stmt sel(db_,
             "SELECT id, workflow_id, reference, kind, description, posted_ms FROM ledger_transactions "
             "WHERE idempotency_key = ?");
    if (!sel.ok()) return sel.Error("prepare find transaction");
    sel.Bind(1, txn_in.idempotency_key);
    int rc = sel.Step();
    if (rc == SQLITE_ROW) {
      posted.id = sel.Int(0);
      posted.replayed = true;
      posted.txn.idempotency_key = txn_in.idempotency_key;
      posted.txn.workflow_id = sel.Text(1);
      posted.txn.reference = sel.Text(2);
      posted.txn.kind = sel.Text(3);
      posted.txn.description = sel.Text(4);
      posted.posted_ms = sel.Int(5);
    } else if (rc != SQLITE_DONE) {
      return sel.Error("find transaction");
    }
  }
  if (posted.replayed) {
    Stmt es(db_,
            "SELECT account, direction, amount_minor, currency, memo FROM ledger_entries WHERE transaction_id = ? "
            "ORDER BY id");
    if (!es.ok()) return es.Error("prepare read entries");
    es.Bind(1, posted.id);
    int rc;
    while ((rc = es.Step()) == SQLITE_ROW) {
      posted.txn.entries.push_back(LedgerEntry{es.Text(0), es.Text(1) == "debit" ? Direction::kDebit : Direction::kCredit,
                                               es.Int(2), es.Text(3), es.Text(4)});
    }
    if (rc != SQLITE_DONE) return es.Error("read entries");
    auto same = [](const LedgerEntry& a, const LedgerEntry& b) {
      return a.account == b.account && a.direction == b.direction && a.amount_minor == b.amount_minor &&
             a.currency == b.currency;
    };
    bool equal = posted.txn.entries.size() == txn_in.entries.size();
    for (size_t i = 0; equal && i < txn_in.entries.size(); ++i) equal = same(posted.txn.entries[i], txn_in.entries[i]);
    if (!equal) {
      return Status::Conflict(fmt::format("ledger transaction {} was already posted with other entries",
                                          txn_in.idempotency_key));
    }
    return posted;
  }
  {
    Stmt ins(db_,
             "INSERT INTO ledger_transactions (idempotency_key, workflow_id, reference, kind, description, posted_ms) "
             "VALUES (?,?,?,?,?,?)");
    if (!ins.ok()) return ins.Error("prepare insert transaction");
    ins.Bind(1, txn_in.idempotency_key).Bind(2, txn_in.workflow_id).Bind(3, txn_in.reference);
    ins.Bind(4, txn_in.kind).Bind(5, txn_in.description).Bind(6, now_ms);
    if (ins.Step() != SQLITE_DONE) return ins.Error("insert transaction");
    posted.id = sqlite3_last_insert_rowid(db_);
  }
  for (const LedgerEntry& e : txn_in.entries) {
    Stmt ins(db_,
             "INSERT INTO ledger_entries (transaction_id, account, direction, amount_minor, currency, memo) "
             "VALUES (?,?,?,?,?,?)");
    if (!ins.ok()) return ins.Error("prepare insert entry");
    ins.Bind(1, posted.id).Bind(2, e.account).Bind(3, std::string(DirectionName(e.direction)));
    ins.Bind(4, e.amount_minor).Bind(5, e.currency).Bind(6, e.memo);
    if (ins.Step() != SQLITE_DONE) return ins.Error("insert entry");
  }
  if (audit != nullptr) {
    Stmt ins(db_,
             "INSERT INTO ledger_audit (transaction_id, actor, reason, drift_kind, subject, reverses_transaction_id, "
             "created_ms) VALUES (?,?,?,?,?,?,?)");
    if (!ins.ok()) return ins.Error("prepare insert audit");
    ins.Bind(1, posted.id).Bind(2, audit->actor).Bind(3, audit->reason).Bind(4, audit->drift_kind);
    ins.Bind(5, audit->subject).Bind(6, audit->reverses_transaction_id).Bind(7, audit->at_ms != 0 ? audit->at_ms : now_ms);
    if (ins.Step() != SQLITE_DONE) return ins.Error("insert audit");
  }
  SF_RETURN_IF_ERROR(txn.Commit());
  posted.txn = txn_in;
  posted.posted_ms = now_ms;
  return posted;
}

Result<std::vector<PostedEntry>> RefundStore::LedgerEntries(const std::string& workflow_id) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(db_,
         "SELECT t.id, t.workflow_id, t.reference, e.account, e.direction, e.amount_minor, e.currency, e.memo "
         "FROM ledger_entries e JOIN ledger_transactions t ON t.id = e.transaction_id "
         "WHERE ? = '' OR t.workflow_id = ? ORDER BY e.id");
  if (!s.ok()) return s.Error("prepare ledger entries");
  s.Bind(1, workflow_id).Bind(2, workflow_id);
  std::vector<PostedEntry> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) {
    PostedEntry p;
    p.transaction_id = s.Int(0);
    p.workflow_id = s.Text(1);
    p.reference = s.Text(2);
    p.entry = LedgerEntry{s.Text(3), s.Text(4) == "debit" ? Direction::kDebit : Direction::kCredit, s.Int(5),
                          s.Text(6), s.Text(7)};
    out.push_back(std::move(p));
  }
  if (rc != SQLITE_DONE) return s.Error("ledger entries");
  return out;
}

Result<std::vector<StoredTransaction>> RefundStore::LedgerTransactions() {
  std::vector<StoredTransaction> out;
  std::map<int64_t, size_t> index;  // transaction id -> position in out
  std::lock_guard<std::mutex> lock(mu_);
  {
    Stmt s(db_,
           "SELECT t.id, t.idempotency_key, t.workflow_id, t.reference, t.kind, t.description, t.posted_ms, "
           "a.actor, a.reason, a.drift_kind, a.subject, a.reverses_transaction_id, a.created_ms "
           "FROM ledger_transactions t LEFT JOIN ledger_audit a ON a.transaction_id = t.id ORDER BY t.id");
    if (!s.ok()) return s.Error("prepare ledger transactions");
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) {
      StoredTransaction t;
      t.posted.id = s.Int(0);
      t.posted.txn.idempotency_key = s.Text(1);
      t.posted.txn.workflow_id = s.Text(2);
      t.posted.txn.reference = s.Text(3);
      t.posted.txn.kind = s.Text(4);
      t.posted.txn.description = s.Text(5);
      t.posted.posted_ms = s.Int(6);
      if (sqlite3_column_type(s.raw(), 7) != SQLITE_NULL) {
        t.audit = LedgerAudit{s.Text(7), s.Text(8), s.Text(9), s.Text(10), s.Int(11), s.Int(12)};
      }
      index[t.posted.id] = out.size();
      out.push_back(std::move(t));
    }
    if (rc != SQLITE_DONE) return s.Error("ledger transactions");
  }
  Stmt e(db_, "SELECT transaction_id, account, direction, amount_minor, currency, memo FROM ledger_entries ORDER BY id");
  if (!e.ok()) return e.Error("prepare ledger entries");
  int rc;
  while ((rc = e.Step()) == SQLITE_ROW) {
    auto it = index.find(e.Int(0));
    if (it == index.end()) continue;
    out[it->second].posted.txn.entries.push_back(LedgerEntry{
        e.Text(1), e.Text(2) == "debit" ? Direction::kDebit : Direction::kCredit, e.Int(3), e.Text(4), e.Text(5)});
  }
  if (rc != SQLITE_DONE) return e.Error("ledger entries");
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
  std::lock_guard<std::mutex> lock(mu_);
  const std::string id = "mr_" + key;
  Stmt ins(db_,
           "INSERT OR IGNORE INTO manual_review_cases (id, idempotency_key, workflow_id, subject, reason, details, "
           "status, created_ms) VALUES (?,?,?,?,?,?,'open',?)");
  if (!ins.ok()) return ins.Error("prepare manual review");
  ins.Bind(1, id).Bind(2, key).Bind(3, workflow_id).Bind(4, subject).Bind(5, reason).Bind(6, details.ToJson());
  ins.Bind(7, now_ms);
  if (ins.Step() != SQLITE_DONE) return ins.Error("insert manual review");
  const bool inserted = sqlite3_changes(db_) > 0;
  Stmt sel(db_, "SELECT id, subject, reason, details, status FROM manual_review_cases WHERE idempotency_key = ?");
  if (!sel.ok()) return sel.Error("prepare read manual review");
  sel.Bind(1, key);
  if (sel.Step() != SQLITE_ROW) return sel.Error("read manual review");
  CaseRow row;
  row.id = sel.Text(0);
  row.replayed = !inserted;
  row.data["case_id"] = row.id;
  row.data["subject"] = sel.Text(1);
  row.data["reason"] = sel.Text(2);
  row.data["details"] = ParseJsonOrNull(sel.Text(3));
  row.data["status"] = sel.Text(4);
  return row;
}

Result<int64_t> RefundStore::CountManualReviews(const std::string& workflow_id) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(db_, "SELECT COUNT(*) FROM manual_review_cases WHERE workflow_id = ?");
  if (!s.ok()) return s.Error("prepare count manual reviews");
  s.Bind(1, workflow_id);
  if (s.Step() != SQLITE_ROW) return s.Error("count manual reviews");
  return s.Int(0);
}

Result<RefundStore::CaseRow> RefundStore::OpenRma(const std::string& key, const std::string& workflow_id,
                                                  const std::string& order_id, const Value& details, TimeMs now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::string id = "rma_" + key;
  Stmt ins(db_,
           "INSERT OR IGNORE INTO rmas (id, idempotency_key, workflow_id, order_id, status, details, created_ms, "
           "updated_ms) VALUES (?,?,?,?,'open',?,?,?)");
  if (!ins.ok()) return ins.Error("prepare rma");
  ins.Bind(1, id).Bind(2, key).Bind(3, workflow_id).Bind(4, order_id).Bind(5, details.ToJson()).Bind(6, now_ms);
  ins.Bind(7, now_ms);
  if (ins.Step() != SQLITE_DONE) return ins.Error("insert rma");
  const bool inserted = sqlite3_changes(db_) > 0;
  Stmt sel(db_, "SELECT id, order_id, status, details FROM rmas WHERE idempotency_key = ?");
  if (!sel.ok()) return sel.Error("prepare read rma");
  sel.Bind(1, key);
  if (sel.Step() != SQLITE_ROW) return sel.Error("read rma");
  CaseRow row;
  row.id = sel.Text(0);
  row.replayed = !inserted;
  row.data = ParseJsonOrNull(sel.Text(3));
  row.data["rma_id"] = row.id;
  row.data["order_id"] = sel.Text(1);
  row.data["status"] = sel.Text(2);
  return row;
}

Result<RefundStore::CaseRow> RefundStore::CloseRma(const std::string& rma_id, const std::string& reason,
                                                   TimeMs now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt upd(db_, "UPDATE rmas SET status = 'closed', close_reason = ?, updated_ms = ? WHERE id = ? AND status != 'closed'");
  if (!upd.ok()) return upd.Error("prepare close rma");
  upd.Bind(1, reason).Bind(2, now_ms).Bind(3, rma_id);
  if (upd.Step() != SQLITE_DONE) return upd.Error("close rma");
  const bool changed = sqlite3_changes(db_) > 0;
  Stmt sel(db_, "SELECT id, order_id, status, close_reason FROM rmas WHERE id = ?");
  if (!sel.ok()) return sel.Error("prepare read rma");
  sel.Bind(1, rma_id);
  int rc = sel.Step();
  if (rc == SQLITE_DONE) return Status::NotFound("no RMA " + rma_id);
  if (rc != SQLITE_ROW) return sel.Error("read rma");
  CaseRow row;
  row.id = sel.Text(0);
  row.replayed = !changed;
  row.data["rma_id"] = row.id;
  row.data["order_id"] = sel.Text(1);
  row.data["status"] = sel.Text(2);
  row.data["close_reason"] = sel.Text(3);
  return row;
}

Result<std::string> RefundStore::RmaStatus(const std::string& rma_id) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt sel(db_, "SELECT status FROM rmas WHERE id = ?");
  if (!sel.ok()) return sel.Error("prepare rma status");
  sel.Bind(1, rma_id);
  int rc = sel.Step();
  if (rc == SQLITE_DONE) return Status::NotFound("no RMA " + rma_id);
  if (rc != SQLITE_ROW) return sel.Error("rma status");
  return sel.Text(0);
}

Result<RefundStore::CaseRow> RefundStore::AdjustLoyalty(const std::string& key, const std::string& customer_id,
                                                        int64_t points, const std::string& reason, TimeMs now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  Txn txn(db_);
  SF_RETURN_IF_ERROR(txn.status());
  Stmt ins(db_,
           "INSERT OR IGNORE INTO loyalty_adjustments (idempotency_key, customer_id, points, reason, created_ms) "
           "VALUES (?,?,?,?,?)");
  if (!ins.ok()) return ins.Error("prepare loyalty");
  ins.Bind(1, key).Bind(2, customer_id).Bind(3, points).Bind(4, reason).Bind(5, now_ms);
  if (ins.Step() != SQLITE_DONE) return ins.Error("insert loyalty");
  const bool inserted = sqlite3_changes(db_) > 0;
  Stmt sel(db_, "SELECT id, customer_id, points FROM loyalty_adjustments WHERE idempotency_key = ?");
  if (!sel.ok()) return sel.Error("prepare read loyalty");
  sel.Bind(1, key);
  if (sel.Step() != SQLITE_ROW) return sel.Error("read loyalty");
  CaseRow row;
  row.id = "loy_" + std::to_string(sel.Int(0));
  row.replayed = !inserted;
  const std::string customer = sel.Text(1);
  row.data["adjustment_id"] = row.id;
  row.data["customer_id"] = customer;
  row.data["points"] = sel.Int(2);
  Stmt bal(db_, "SELECT COALESCE(SUM(points), 0) FROM loyalty_adjustments WHERE customer_id = ?");
  if (!bal.ok()) return bal.Error("prepare loyalty balance");
  bal.Bind(1, customer);
  if (bal.Step() != SQLITE_ROW) return bal.Error("loyalty balance");
  row.data["balance"] = bal.Int(0);
  SF_RETURN_IF_ERROR(txn.Commit());
  return row;
}

Result<RefundStore*> LazyRefundStore::Get() {
  std::lock_guard<std::mutex> lock(mu_);
  if (store_) return store_.get();
  if (path_.empty()) {
    return Status::Unavailable("the refund plugin has no database (PluginContext.database_path / refund.database)");
  }
  SF_ASSIGN_OR_RETURN(store_, RefundStore::Open(path_));
  return store_.get();
}

}  // namespace steadfast::refund

namespace steadfast::refund {
namespace {

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

Status RefundStore::RecordReconciliationRun(const ReconciliationRun& run) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(db_, "INSERT INTO reconciliation_runs (run_at_ms, actor, drifts, amounts, repaired) VALUES (?,?,?,?,?)");
  if (!s.ok()) return s.Error("prepare record reconciliation run");
  s.Bind(1, run.run_at).Bind(2, run.actor).Bind(3, CountsToValue(run.drifts_by_kind).ToJson());
  s.Bind(4, CountsToValue(run.amount_minor_by_currency).ToJson()).Bind(5, run.repaired);
  if (s.Step() != SQLITE_DONE) return s.Error("record reconciliation run");
  return Status::Ok();
}

Result<std::optional<ReconciliationRun>> RefundStore::LastReconciliationRun() {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(db_,
         "SELECT run_at_ms, actor, drifts, amounts, repaired FROM reconciliation_runs "
         "ORDER BY run_at_ms DESC, id DESC LIMIT 1");
  if (!s.ok()) return s.Error("prepare last reconciliation run");
  int rc = s.Step();
  if (rc == SQLITE_DONE) return std::optional<ReconciliationRun>();
  if (rc != SQLITE_ROW) return s.Error("read last reconciliation run");
  ReconciliationRun run;
  run.run_at = s.Int(0);
  run.actor = s.Text(1);
  run.drifts_by_kind = CountsFromJson(s.Text(2));
  run.amount_minor_by_currency = CountsFromJson(s.Text(3));
  run.repaired = s.Int(4);
  return std::optional<ReconciliationRun>(std::move(run));
}

}  // namespace steadfast::refund
