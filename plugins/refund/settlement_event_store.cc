// SettlementEventStore over the engine's PluginStorage.
#include "refund/settlement_event_store.h"

#include <fmt/format.h>

#include <tuple>

#include "refund/deposit_posting.h"
#include "refund/refund_store.h"
#include "refund/settlement_store.h"

namespace steadfast::refund {

// Version 6 of the refund tables (RefundStore::Schema()); portable SQL.
const char* const kSettlementEventSchemaSql = R"sql(
CREATE TABLE IF NOT EXISTS refund_settlement_events (
  provider_id TEXT PRIMARY KEY,
  object_type TEXT NOT NULL CHECK (object_type IN ('refund', 'transfer')),
  status TEXT NOT NULL CHECK (status IN ('succeeded', 'paid', 'failed', 'canceled')),
  amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
  currency TEXT NOT NULL,
  failure_code TEXT NOT NULL DEFAULT '',
  psp_seq INTEGER NOT NULL,
  settled_ms INTEGER NOT NULL,
  recorded_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS refund_settlement_cursor (
  psp TEXT PRIMARY KEY,
  since INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS refund_settlement_transactions_provider
  ON refund_settlement_transactions(provider_id);
)sql";

namespace {

constexpr const char* kPsp = "default";

std::string Text(const Value& v) { return v.is_string() ? v.AsString() : std::string(); }
int64_t Int(const Value& v) { return v.is_int() ? v.AsInt() : 0; }

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  return s;
}

// Moves the pending transactions that recorded events settle.
Result<std::vector<SettledTransaction>> ApplyRecordedIn(PluginTransaction& tx, TimeMs now_ms) {
  SF_ASSIGN_OR_RETURN(
      std::vector<Row> rows,
      tx.Query("SELECT t.id, t.kind, e.status, e.failure_code, e.settled_ms, t.provider_id "
               "FROM refund_settlement_transactions t JOIN refund_settlement_events e ON e.provider_id = t.provider_id "
               "WHERE t.status = 'pending' AND t.provider_id <> '' AND e.amount_minor = t.amount_minor "
               "AND e.currency = t.currency AND ((t.kind IN ('guestrefund', 'depositreturn') AND e.object_type = 'refund') OR "
               "(t.kind = 'hostpayout' AND e.object_type = 'transfer')) ORDER BY e.psp_seq"));
  std::vector<SettledTransaction> moved;
  for (const Row& r : rows) {
    SettledTransaction s;
    s.transaction_id = Text(r[0]);
    s.kind = ParseTransactionKind(Text(r[1])).value_or(TransactionKind::kGuestRefund);
    const std::string status = Text(r[2]);
    s.status = status == "succeeded" || status == "paid" ? TransactionStatus::kCompleted : TransactionStatus::kFailed;
    s.failure_code = Text(r[3]);
    s.settled_ms = Int(r[4]);
    s.provider_id = Text(r[5]);
    if (s.status == TransactionStatus::kCompleted) {
      SF_RETURN_IF_ERROR(tx.Execute("UPDATE refund_settlement_transactions SET status = 'completed', executed_by = ?, "
                                    "executed_ms = ?, failure_code = '', failure_message = '', updated_ms = ? "
                                    "WHERE id = ? AND status = 'pending'",
                                    {std::string(kExecutedByPsp), s.settled_ms, now_ms, s.transaction_id})
                             .status());
      // A deposit return the PSP took as pending was not booked by its
      // step: book it with its completion, under the key the step and an
      // admin's execution use, so it is booked once whoever completes it.
      if (s.kind == TransactionKind::kDepositReturn) {
        SF_ASSIGN_OR_RETURN(SettlementTransaction t, SettlementStore::TransactionIn(tx, s.transaction_id));
        SF_ASSIGN_OR_RETURN(LedgerTransaction posting, DepositReturnPosting(t));
        SF_RETURN_IF_ERROR(RefundStore::PostIn(tx, posting, now_ms).status());
      }
    } else {
      const std::string code = s.failure_code.empty() ? status : s.failure_code;
      SF_RETURN_IF_ERROR(tx.Execute("UPDATE refund_settlement_transactions SET status = 'failed', executed_by = ?, "
                                    "executed_ms = ?, failure_code = ?, failure_message = ?, updated_ms = ? "
                                    "WHERE id = ? AND status = 'pending'",
                                    {std::string(kExecutedByPsp), s.settled_ms, code,
                                     fmt::format("the PSP settled {} as {}", s.provider_id, status), now_ms,
                                     s.transaction_id})
                             .status());
    }
    moved.push_back(std::move(s));
  }
  return moved;
}

}  // namespace

Result<int64_t> SettlementEventStore::Cursor() {
  SF_ASSIGN_OR_RETURN(std::vector<Row> rows,
                      storage_.Query("SELECT since FROM refund_settlement_cursor WHERE psp = ?", {std::string(kPsp)}));
  return rows.empty() ? 0 : Int(rows[0][0]);
}

Result<std::vector<SettledTransaction>> SettlementEventStore::RecordPage(const std::vector<PspSettlementEvent>& events,
                                                                        int64_t next_since, TimeMs now_ms) {
  std::vector<SettledTransaction> moved;
  SF_RETURN_IF_ERROR(storage_.Transact([&](PluginTransaction& tx) -> Status {
    for (const PspSettlementEvent& e : events) {
      SF_RETURN_IF_ERROR(
          tx.Execute("INSERT INTO refund_settlement_events (provider_id, object_type, status, amount_minor, currency, "
                     "failure_code, psp_seq, settled_ms, recorded_ms) VALUES (?,?,?,?,?,?,?,?,?) "
                     "ON CONFLICT (provider_id) DO NOTHING",
                     {e.object_id, e.object_type, e.status, e.amount_minor, Upper(e.currency), e.failure_code, e.seq,
                      e.settled_s * 1000, now_ms})
              .status());
    }
    SF_RETURN_IF_ERROR(tx.Execute("INSERT INTO refund_settlement_cursor (psp, since, updated_ms) VALUES (?,?,?) "
                                  "ON CONFLICT (psp) DO UPDATE SET since = excluded.since, "
                                  "updated_ms = excluded.updated_ms",
                                  {std::string(kPsp), next_since, now_ms})
                           .status());
    SF_ASSIGN_OR_RETURN(moved, ApplyRecordedIn(tx, now_ms));
    return Status::Ok();
  }));
  return moved;
}

Result<SettlementTransactionCounts> SettlementEventStore::CountByStatusAndKind() {
  SF_ASSIGN_OR_RETURN(std::vector<Row> rows,
                      storage_.Query("SELECT status, kind, COUNT(*) FROM refund_settlement_transactions "
                                     "GROUP BY status, kind ORDER BY status, kind"));
  SettlementTransactionCounts out;
  for (const Row& r : rows) out.emplace_back(Text(r[0]), Text(r[1]), Int(r[2]));
  return out;
}

}  // namespace steadfast::refund
