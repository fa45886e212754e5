// SettlementStore over the engine's PluginStorage: the settlement tables,
// checkpoint writes of the workflow steps, audited admin executions.
#include "refund/settlement_store.h"

#include <fmt/format.h>

#include "refund/refund_store.h"

namespace steadfast::refund {

// Version 3 of the refund tables (RefundStore::Schema()). Ids are text
// derived from the key (settlement.h), so no auto-increment is needed.
const char* const kSettlementSchemaSql = R"sql(
CREATE TABLE IF NOT EXISTS refund_settlement_transactions (
  id TEXT PRIMARY KEY,
  idempotency_key TEXT NOT NULL UNIQUE,
  reservation_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('booking', 'guestrefund', 'hostpayout')),
  status TEXT NOT NULL CHECK (status IN ('pending', 'completed', 'failed')),
  amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
  currency TEXT NOT NULL,
  charge TEXT NOT NULL DEFAULT '',
  destination TEXT NOT NULL DEFAULT '',
  psp_idempotency_key TEXT NOT NULL DEFAULT '',
  provider_id TEXT NOT NULL DEFAULT '',
  executed_by TEXT NOT NULL DEFAULT '',
  executed_ms INTEGER NOT NULL DEFAULT 0,
  failure_code TEXT NOT NULL DEFAULT '',
  failure_message TEXT NOT NULL DEFAULT '',
  workflow_id TEXT NOT NULL,
  executions INTEGER NOT NULL DEFAULT 0,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS refund_settlement_transactions_reservation
  ON refund_settlement_transactions(reservation_id, kind);
CREATE INDEX IF NOT EXISTS refund_settlement_transactions_status ON refund_settlement_transactions(status);
CREATE INDEX IF NOT EXISTS refund_settlement_transactions_psp_key
  ON refund_settlement_transactions(psp_idempotency_key);
CREATE TABLE IF NOT EXISTS refund_cancellation_details (
  reservation_id TEXT NOT NULL,
  workflow_id TEXT NOT NULL,
  currency TEXT NOT NULL,
  refund_to_guest_minor INTEGER NOT NULL,
  payout_to_host_minor INTEGER NOT NULL,
  total_minor INTEGER NOT NULL,
  guest_service_fee_minor INTEGER NOT NULL,
  host_service_fee_minor INTEGER NOT NULL,
  refund_total_minor INTEGER NOT NULL,
  refund_method TEXT NOT NULL,
  policy TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  PRIMARY KEY (reservation_id, workflow_id));
CREATE TABLE IF NOT EXISTS refund_settlement_audit (
  transaction_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  reason TEXT NOT NULL,
  outcome TEXT NOT NULL,
  detail TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  PRIMARY KEY (transaction_id, seq));
)sql";

namespace {

constexpr const char* kColumns =
    "id, idempotency_key, reservation_id, kind, status, amount_minor, currency, charge, destination, "
    "psp_idempotency_key, provider_id, executed_by, executed_ms, failure_code, failure_message, workflow_id, "
    "executions, created_ms, updated_ms";

std::string Text(const Value& v) { return v.is_string() ? v.AsString() : std::string(); }
int64_t Int(const Value& v) { return v.is_int() ? v.AsInt() : 0; }

Result<SettlementTransaction> ReadTransaction(const Row& r) {
  SettlementTransaction t;
  t.id = Text(r[0]);
  t.idempotency_key = Text(r[1]);
  t.reservation_id = Text(r[2]);
  std::optional<TransactionKind> kind = ParseTransactionKind(Text(r[3]));
  std::optional<TransactionStatus> status = ParseTransactionStatus(Text(r[4]));
  if (!kind || !status) return Status::Corruption("settlement transaction " + t.id + " has an unknown kind or status");
  t.kind = *kind;
  t.status = *status;
  t.amount = Money{Int(r[5]), Text(r[6])};
  t.charge = Text(r[7]);
  t.destination = Text(r[8]);
  t.psp_idempotency_key = Text(r[9]);
  t.provider_id = Text(r[10]);
  t.executed_by = Text(r[11]);
  t.executed_ms = Int(r[12]);
  t.failure_code = Text(r[13]);
  t.failure_message = Text(r[14]);
  t.workflow_id = Text(r[15]);
  t.executions = Int(r[16]);
  t.created_ms = Int(r[17]);
  t.updated_ms = Int(r[18]);
  return t;
}

Status UpsertTransaction(PluginTransaction& tx, const SettlementTransaction& t) {
  // A replay of the recording step finds its rows: a pending one takes the
  // (same) amounts again, anything that moved on is left alone.
  return tx
      .Execute(
          fmt::format("INSERT INTO refund_settlement_transactions ({}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
                      "ON CONFLICT (idempotency_key) DO UPDATE SET amount_minor = excluded.amount_minor, "
                      "currency = excluded.currency, charge = excluded.charge, destination = excluded.destination, "
                      "updated_ms = excluded.updated_ms WHERE refund_settlement_transactions.status = 'pending'",
                      kColumns),
          {t.id, t.idempotency_key, t.reservation_id, std::string(TransactionKindName(t.kind)),
           std::string(TransactionStatusName(t.status)), t.amount.minor, t.amount.currency, t.charge, t.destination,
           t.psp_idempotency_key, t.provider_id, t.executed_by, t.executed_ms, t.failure_code, t.failure_message,
           t.workflow_id, t.executions, t.created_ms, t.updated_ms})
      .status();
}

Status InsertSnapshot(PluginTransaction& tx, const CancellationDetails& d) {
  return tx
      .Execute("INSERT INTO refund_cancellation_details (reservation_id, workflow_id, currency, refund_to_guest_minor, "
               "payout_to_host_minor, total_minor, guest_service_fee_minor, host_service_fee_minor, "
               "refund_total_minor, refund_method, policy, created_ms, deposit_minor, deposit_claimed_minor, "
               "deposit_returned_minor) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
               "ON CONFLICT (reservation_id, workflow_id) DO NOTHING",
               {d.reservation_id, d.workflow_id, d.currency, d.refund_to_guest, d.payout_to_host, d.total,
                d.guest_service_fee, d.host_service_fee, d.refund_total, d.refund_method, d.policy, d.created_ms,
                d.deposit, d.deposit_claimed, d.deposit_returned})
      .status();
}

Status ApplyOutcomeIn(PluginTransaction& tx, const PspOutcome& o) {
  const std::string kind(TransactionKindName(o.kind));
  switch (o.status) {
    case TransactionStatus::kCompleted:
      // Also from failed: a success under the same key means money moved.
      return tx
          .Execute("UPDATE refund_settlement_transactions SET status = 'completed', provider_id = ?, "
                   "executed_by = ?, executed_ms = ?, failure_code = '', failure_message = '', updated_ms = ? "
                   "WHERE psp_idempotency_key = ? AND kind = ? AND status != 'completed'",
                   {o.provider_id, std::string(kExecutedByPsp), o.at_ms, o.at_ms, o.psp_idempotency_key, kind})
          .status();
    case TransactionStatus::kFailed:
      return tx
          .Execute("UPDATE refund_settlement_transactions SET status = 'failed', "
                   "provider_id = CASE WHEN ? = '' THEN provider_id ELSE ? END, executed_by = ?, executed_ms = ?, "
                   "failure_code = ?, failure_message = ?, updated_ms = ? "
                   "WHERE psp_idempotency_key = ? AND kind = ? AND status = 'pending'",
                   {o.provider_id, o.provider_id, std::string(kExecutedByPsp), o.at_ms, o.failure_code,
                    o.failure_message, o.at_ms, o.psp_idempotency_key, kind})
          .status();
    case TransactionStatus::kPending:
      if (o.provider_id.empty()) return Status::Ok();
      return tx
          .Execute("UPDATE refund_settlement_transactions SET provider_id = ?, updated_ms = ? "
                   "WHERE psp_idempotency_key = ? AND kind = ? AND status = 'pending'",
                   {o.provider_id, o.at_ms, o.psp_idempotency_key, kind})
          .status();
  }
  return Status::Ok();
}

Result<SettlementTransaction> ReadIn(PluginTransaction& tx, const std::string& id) {
  SF_ASSIGN_OR_RETURN(std::vector<Row> rows,
                      tx.Query(fmt::format("SELECT {} FROM refund_settlement_transactions WHERE id = ?", kColumns), {id}));
  if (rows.empty()) return Status::NotFound("no settlement transaction " + id);
  return ReadTransaction(rows[0]);
}

Status AuditIn(PluginTransaction& tx, const SettlementAudit& a) {
  return tx
      .Execute("INSERT INTO refund_settlement_audit (transaction_id, seq, actor, action, reason, outcome, detail, "
               "created_ms) SELECT ?, COALESCE(MAX(seq), 0) + 1, ?, ?, ?, ?, ?, ? FROM refund_settlement_audit "
               "WHERE transaction_id = ?",
               {a.transaction_id, a.actor, a.action, a.reason, a.outcome, a.detail, a.at_ms, a.transaction_id})
      .status();
}

}  // namespace

bool IsDefinitiveRefusal(TransactionKind kind, const std::string& code) {
  static const char* const kRefund[] = {"refund_failed",   "invalid_charge",     "amount_too_large",
                                        "charge_already_refunded", "psp_auth_failed", "psp_not_configured",
                                        "invalid_input"};
  static const char* const kPayout[] = {"account_closed",     "resource_missing", "amount_too_large",
                                        "psp_auth_failed",    "psp_not_configured", "invalid_input",
                                        "invalid_transfer_request"};
  if (IsRefundKind(kind)) {
    for (const char* c : kRefund) if (code == c) return true;
  } else if (kind == TransactionKind::kHostPayout) {
    for (const char* c : kPayout) if (code == c) return true;
  }
  return false;
}

std::optional<PspOutcome> PspOutcomeOf(TransactionKind kind, const ActivityResult& result, const std::string& key,
                                       TimeMs now_ms) {
  PspOutcome o;
  o.psp_idempotency_key = key;
  o.kind = kind;
  o.at_ms = now_ms;
  const char* id_field = kind == TransactionKind::kHostPayout ? "transfer_id" : "refund_id";
  if (result.ok()) {
    const Value& out = result.output();
    o.provider_id = out.Get(id_field).StringOr("");
    if (kind == TransactionKind::kHostPayout && out.Get("status").StringOr("paid") == "pending") {
      o.status = TransactionStatus::kPending;  // accepted; its settlement event moves it
      return o;
    }
    if (kind == TransactionKind::kHostPayout && !out.Get("paid").BoolOr(true)) {
      // A refusal the payout step recorded instead of failing (on_refusal: record).
      o.status = TransactionStatus::kFailed;
      o.failure_code = out.Get("error").Get("code").StringOr("");
      o.failure_message = out.Get("error").Get("message").StringOr("");
      return o;
    }
    const bool settled = kind == TransactionKind::kHostPayout || out.Get("status").StringOr("") == "succeeded";
    o.status = settled ? TransactionStatus::kCompleted : TransactionStatus::kPending;
    return o;
  }
  const ActivityError& e = result.error();
  o.provider_id = e.details.Get(id_field).StringOr("");
  if (e.kind == ErrorKind::kNonRetryable && IsDefinitiveRefusal(kind, e.code)) {
    o.status = TransactionStatus::kFailed;
    o.failure_code = e.code;
    o.failure_message = e.message;
    return o;
  }
  if (o.provider_id.empty()) return std::nullopt;
  o.status = TransactionStatus::kPending;
  return o;
}

void SettlementStore::RecordAtCheckpoint(ActivityContext& ctx, const CancellationDetails& details,
                                         const std::vector<SettlementTransaction>& transactions) {
  ctx.AtCheckpoint([details, transactions](PluginTransaction& tx) -> Status {
    SF_RETURN_IF_ERROR(InsertSnapshot(tx, details));
    for (const SettlementTransaction& t : transactions) SF_RETURN_IF_ERROR(UpsertTransaction(tx, t));
    return Status::Ok();
  });
}

void SettlementStore::ApplyPspOutcomeAtCheckpoint(ActivityContext& ctx, const PspOutcome& outcome) {
  ctx.AtCheckpoint([outcome](PluginTransaction& tx) { return ApplyOutcomeIn(tx, outcome); });
}

Status SettlementStore::ApplyPspOutcome(const PspOutcome& outcome) {
  return storage_.Transact([&outcome](PluginTransaction& tx) { return ApplyOutcomeIn(tx, outcome); });
}

Result<std::vector<SettlementTransaction>> SettlementStore::Transactions(const TransactionFilter& f) {
  const std::string status = f.status ? std::string(TransactionStatusName(*f.status)) : "";
  const std::string kind = f.kind ? std::string(TransactionKindName(*f.kind)) : "";
  SF_ASSIGN_OR_RETURN(
      std::vector<Row> rows,
      storage_.Query(fmt::format("SELECT {} FROM refund_settlement_transactions WHERE (? = '' OR reservation_id = ?) "
                                 "AND (? = '' OR status = ?) AND (? = '' OR kind = ?) "
                                 "ORDER BY reservation_id, created_ms, kind, id",
                                 kColumns),
                     {f.reservation_id, f.reservation_id, status, status, kind, kind}));
  std::vector<SettlementTransaction> out;
  for (const Row& r : rows) {
    SF_ASSIGN_OR_RETURN(SettlementTransaction t, ReadTransaction(r));
    out.push_back(std::move(t));
  }
  return out;
}

Result<SettlementStore::Listed> SettlementStore::ListPlanned(const std::vector<SettlementTransaction>& planned) {
  Listed out;
  for (const SettlementTransaction& t : planned) {
    Result<SettlementTransaction> existing = Transaction(t.id);
    if (existing.ok()) {
      out.any_recorded = true;
      out.transactions.push_back(TransactionToValue(existing->status == TransactionStatus::kPending ? t : *existing));
      continue;
    }
    if (existing.status().code() != StatusCode::kNotFound) return existing.status();
    out.transactions.push_back(TransactionToValue(t));
  }
  return out;
}

Result<SettlementTransaction> SettlementStore::Transaction(const std::string& id) {
  SF_ASSIGN_OR_RETURN(
      std::vector<Row> rows,
      storage_.Query(fmt::format("SELECT {} FROM refund_settlement_transactions WHERE id = ?", kColumns), {id}));
  if (rows.empty()) return Status::NotFound("no settlement transaction " + id);
  return ReadTransaction(rows[0]);
}

Result<std::vector<CancellationDetails>> SettlementStore::Snapshots(const std::string& reservation_id) {
  SF_ASSIGN_OR_RETURN(
      std::vector<Row> rows,
      storage_.Query("SELECT reservation_id, workflow_id, currency, refund_to_guest_minor, payout_to_host_minor, "
                     "total_minor, guest_service_fee_minor, host_service_fee_minor, refund_total_minor, "
                     "refund_method, policy, created_ms, deposit_minor, deposit_claimed_minor, deposit_returned_minor "
                     "FROM refund_cancellation_details WHERE reservation_id = ? "
                     "ORDER BY created_ms, workflow_id",
                     {reservation_id}));
  std::vector<CancellationDetails> out;
  for (const Row& r : rows) {
    CancellationDetails& d = out.emplace_back();
    d.reservation_id = Text(r[0]);
    d.workflow_id = Text(r[1]);
    d.currency = Text(r[2]);
    d.refund_to_guest = Int(r[3]);
    d.payout_to_host = Int(r[4]);
    d.total = Int(r[5]);
    d.guest_service_fee = Int(r[6]);
    d.host_service_fee = Int(r[7]);
    d.refund_total = Int(r[8]);
    d.refund_method = Text(r[9]);
    d.policy = Text(r[10]);
    d.created_ms = Int(r[11]);
    d.deposit = Int(r[12]);
    d.deposit_claimed = Int(r[13]);
    d.deposit_returned = Int(r[14]);
  }
  return out;
}

Result<SettlementTransaction> SettlementStore::BeginExecution(const std::string& id, const std::string& actor,
                                                              const std::string& reason,
                                                              const std::string& destination, TimeMs now_ms) {
  SettlementTransaction out;
  SF_RETURN_IF_ERROR(storage_.Transact([&](PluginTransaction& tx) -> Status {
    SF_ASSIGN_OR_RETURN(out, ReadIn(tx, id));
    SettlementAudit audit{id, actor, "execute", reason, "started", "", now_ms};
    if (out.kind == TransactionKind::kBooking || out.kind == TransactionKind::kDeposit) {
      return Status::FailedPrecondition(fmt::format(
          "a {} transaction is completed at payment: there is nothing to execute", TransactionKindName(out.kind)));
    }
    if (out.status == TransactionStatus::kCompleted) {
      audit.outcome = "already_completed";
      audit.detail = out.provider_id;
      return AuditIn(tx, audit);
    }
    if (!destination.empty() &&
        (out.kind != TransactionKind::kHostPayout || out.status != TransactionStatus::kFailed)) {
      return Status::FailedPrecondition(
          "a new destination is only taken for a failed host payout (a pending one keeps its PSP request as it is)");
    }
    if (out.status == TransactionStatus::kFailed) {
      // The PSP refused it for good: nothing moved under the old key, and
      // the PSP would answer that key with the same refusal. A new key,
      // recorded before the call, so a crash during it is answered by the
      // PSP on the next execution instead of paying again.
      out.psp_idempotency_key = fmt::format("{}/execute/{}", out.idempotency_key, out.executions + 1);
      if (!destination.empty()) out.destination = destination;
      out.status = TransactionStatus::kPending;
      audit.detail = "after " + out.failure_code + "; PSP key " + out.psp_idempotency_key;
    } else {
      audit.detail = "PSP key " + out.psp_idempotency_key;
    }
    out.executions += 1;
    out.updated_ms = now_ms;
    SF_RETURN_IF_ERROR(tx.Execute("UPDATE refund_settlement_transactions SET status = 'pending', "
                                  "psp_idempotency_key = ?, destination = ?, executions = ?, updated_ms = ? "
                                  "WHERE id = ?",
                                  {out.psp_idempotency_key, out.destination, out.executions, now_ms, id})
                           .status());
    return AuditIn(tx, audit);
  }));
  return out;
}

Status SettlementStore::FinishExecution(const std::string& id, const std::string& actor, const std::string& reason,
                                        const PspOutcome& o, const LedgerTransaction* posting) {
  return storage_.Transact([&](PluginTransaction& tx) -> Status {
    SF_ASSIGN_OR_RETURN(SettlementTransaction t, ReadIn(tx, id));
    if (t.status != TransactionStatus::kPending || t.psp_idempotency_key != o.psp_idempotency_key) {
      return Status::Conflict(fmt::format("settlement transaction {} is {} under PSP key {} now, not pending under {}",
                                          id, TransactionStatusName(t.status), t.psp_idempotency_key,
                                          o.psp_idempotency_key));
    }
    SettlementAudit audit{id, actor, "execute", reason, std::string(TransactionStatusName(o.status)), "", o.at_ms};
    if (o.status == TransactionStatus::kCompleted) {
      audit.detail = o.provider_id;
      SF_RETURN_IF_ERROR(tx.Execute("UPDATE refund_settlement_transactions SET status = 'completed', provider_id = ?, "
                                    "executed_by = ?, executed_ms = ?, failure_code = '', failure_message = '', "
                                    "updated_ms = ? WHERE id = ?",
                                    {o.provider_id, actor, o.at_ms, o.at_ms, id})
                             .status());
      if (posting != nullptr) {
        // Conflict: its key was booked already, with other entries; the
        // completion (money moved) is recorded all the same.
        Result<PostedTransaction> posted = RefundStore::PostIn(tx, *posting, o.at_ms);
        if (!posted.ok() && posted.status().code() != StatusCode::kConflict) return posted.status();
      }
    } else if (o.status == TransactionStatus::kFailed) {
      audit.detail = o.failure_code + ": " + o.failure_message;
      SF_RETURN_IF_ERROR(tx.Execute("UPDATE refund_settlement_transactions SET status = 'failed', "
                                    "provider_id = CASE WHEN ? = '' THEN provider_id ELSE ? END, executed_by = ?, "
                                    "executed_ms = ?, failure_code = ?, failure_message = ?, updated_ms = ? WHERE id = ?",
                                    {o.provider_id, o.provider_id, actor, o.at_ms, o.failure_code, o.failure_message,
                                     o.at_ms, id})
                             .status());
    } else {
      audit.outcome = "pending";
      audit.detail = o.failure_code.empty() ? o.provider_id : o.failure_code + ": " + o.failure_message;
      if (!o.provider_id.empty()) {
        SF_RETURN_IF_ERROR(tx.Execute("UPDATE refund_settlement_transactions SET provider_id = ?, updated_ms = ? "
                                      "WHERE id = ?",
                                      {o.provider_id, o.at_ms, id})
                               .status());
      }
    }
    return AuditIn(tx, audit);
  });
}

Result<std::vector<SettlementAudit>> SettlementStore::Audit(const std::string& id) {
  SF_ASSIGN_OR_RETURN(std::vector<Row> rows,
                      storage_.Query("SELECT transaction_id, actor, action, reason, outcome, detail, created_ms "
                                     "FROM refund_settlement_audit WHERE transaction_id = ? ORDER BY seq",
                                     {id}));
  std::vector<SettlementAudit> out;
  for (const Row& r : rows) {
    out.push_back(SettlementAudit{Text(r[0]), Text(r[1]), Text(r[2]), Text(r[3]), Text(r[4]), Text(r[5]), Int(r[6])});
  }
  return out;
}

Result<SettlementTransaction> SettlementStore::TransactionIn(PluginTransaction& tx, const std::string& id) {
  return ReadIn(tx, id);
}

}  // namespace steadfast::refund
