// ClaimStore over the engine's PluginStorage: the claim tables, keyed
// writes of the open/message activities, checkpoint writes of the decide
// and settle steps.
#include "refund/claim_store.h"

#include <fmt/format.h>

namespace steadfast::refund {

// Version 4 of the refund tables (RefundStore::Schema()): portable SQL
// (docs/plugins.md, "Writing the SQL"), the same text on SQLite and
// PostgreSQL. One claim per reservation (UNIQUE): a settlement pays the
// guest and the host once, so a second claim could only pay them again.
const char* const kClaimSchemaSql = R"sql(
CREATE TABLE IF NOT EXISTS refund_reservation_claims (
  id TEXT PRIMARY KEY,
  reservation_id TEXT NOT NULL UNIQUE,
  host_id TEXT NOT NULL DEFAULT '',
  currency TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('open', 'decided', 'settled')),
  opened_by TEXT NOT NULL DEFAULT '',
  workflow_id TEXT NOT NULL,
  decision TEXT NOT NULL DEFAULT '',
  already_refunded_minor INTEGER NOT NULL DEFAULT 0,
  remaining_minor INTEGER NOT NULL DEFAULT 0,
  claim_payout_minor INTEGER NOT NULL DEFAULT 0,
  uncovered_minor INTEGER NOT NULL DEFAULT 0,
  guest_refund_minor INTEGER NOT NULL DEFAULT 0,
  host_payout_minor INTEGER NOT NULL DEFAULT 0,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS refund_reservation_claims_status ON refund_reservation_claims(status);
CREATE TABLE IF NOT EXISTS refund_claim_items (
  claim_id TEXT NOT NULL,
  item_id TEXT NOT NULL,
  ord INTEGER NOT NULL,
  description TEXT NOT NULL,
  amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
  currency TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('requested', 'approved', 'reduced', 'rejected')),
  decided_minor INTEGER NOT NULL DEFAULT 0,
  decided_by TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (claim_id, item_id));
CREATE TABLE IF NOT EXISTS refund_claim_messages (
  claim_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  idempotency_key TEXT NOT NULL UNIQUE,
  author TEXT NOT NULL,
  body TEXT NOT NULL,
  at_ms INTEGER NOT NULL,
  PRIMARY KEY (claim_id, seq));
)sql";

namespace {

constexpr const char* kClaimColumns =
    "id, reservation_id, host_id, currency, status, opened_by, workflow_id, decision, already_refunded_minor, "
    "remaining_minor, claim_payout_minor, uncovered_minor, guest_refund_minor, host_payout_minor, created_ms, "
    "updated_ms, deposit_minor, deposit_claimed_minor, deposit_returned_minor";

std::string Text(const Value& v) { return v.is_string() ? v.AsString() : std::string(); }
int64_t Int(const Value& v) { return v.is_int() ? v.AsInt() : 0; }

Result<ReservationClaim> ReadClaimRow(const Row& r) {
  ReservationClaim c;
  c.id = Text(r[0]);
  c.reservation_id = Text(r[1]);
  c.host_id = Text(r[2]);
  c.currency = Text(r[3]);
  std::optional<ClaimStatus> status = ParseClaimStatus(Text(r[4]));
  if (!status) return Status::Corruption("claim " + c.id + " has an unknown status");
  c.status = *status;
  c.opened_by = Text(r[5]);
  c.workflow_id = Text(r[6]);
  c.decision = Text(r[7]);
  c.payout = ClaimPayout{Int(r[8]),  Int(r[9]),  Int(r[10]), Int(r[11]), Int(r[12]),
                         Int(r[13]), Int(r[16]), Int(r[17]), Int(r[18])};
  c.created_ms = Int(r[14]);
  c.updated_ms = Int(r[15]);
  return c;
}

// The claim's items and messages; `query` is a storage's or a transaction's Query.
template <class QueryFn>
Status ReadDetails(QueryFn&& query, ReservationClaim& c) {
  SF_ASSIGN_OR_RETURN(std::vector<Row> items,
                      query("SELECT item_id, description, amount_minor, currency, status, decided_minor, decided_by "
                            "FROM refund_claim_items WHERE claim_id = ? ORDER BY ord",
                            {c.id}));
  for (const Row& r : items) {
    ClaimItem& i = c.items.emplace_back();
    i.id = Text(r[0]);
    i.description = Text(r[1]);
    i.amount = Money{Int(r[2]), Text(r[3])};
    std::optional<ClaimItemStatus> s = ParseClaimItemStatus(Text(r[4]));
    if (!s) return Status::Corruption("claim " + c.id + " item " + i.id + " has an unknown status");
    i.status = *s;
    i.decided_minor = Int(r[5]);
    i.decided_by = Text(r[6]);
  }
  SF_ASSIGN_OR_RETURN(std::vector<Row> messages,
                      query("SELECT seq, author, body, at_ms FROM refund_claim_messages WHERE claim_id = ? ORDER BY seq",
                            {c.id}));
  for (const Row& r : messages) c.messages.push_back(ClaimMessage{Int(r[0]), Text(r[1]), Text(r[2]), Int(r[3])});
  return Status::Ok();
}

template <class QueryFn>
Result<std::optional<ReservationClaim>> FindClaim(QueryFn&& query, std::string_view where, const Value& key) {
  SF_ASSIGN_OR_RETURN(std::vector<Row> rows,
                      query(fmt::format("SELECT {} FROM refund_reservation_claims WHERE {} = ?", kClaimColumns, where),
                            {key}));
  if (rows.empty()) return std::optional<ReservationClaim>();
  SF_ASSIGN_OR_RETURN(ReservationClaim c, ReadClaimRow(rows[0]));
  SF_RETURN_IF_ERROR(ReadDetails(query, c));
  return std::optional<ReservationClaim>(std::move(c));
}

Status InsertMessageIn(PluginTransaction& tx, const std::string& claim_id, const std::string& key,
                       const std::string& author, const std::string& text, TimeMs at_ms) {
  return tx
      .Execute("INSERT INTO refund_claim_messages (claim_id, seq, idempotency_key, author, body, at_ms) "
               "SELECT ?, COALESCE(MAX(seq), 0) + 1, ?, ?, ?, ? FROM refund_claim_messages WHERE claim_id = ? "
               "ON CONFLICT (idempotency_key) DO NOTHING",
               {claim_id, key, author, text, at_ms, claim_id})
      .status();
}

Status RecordDecisionIn(PluginTransaction& tx, const ReservationClaim& c) {
  SF_ASSIGN_OR_RETURN(int64_t moved,
                      tx.Execute("UPDATE refund_reservation_claims SET status = 'decided', decision = ?, updated_ms = ? "
                                 "WHERE id = ? AND status = 'open'",
                                 {c.decision, c.updated_ms, c.id}));
  if (moved == 0) return Status::Ok();  // decided already: a replay changes nothing
  for (const ClaimItem& i : c.items) {
    SF_RETURN_IF_ERROR(tx.Execute("UPDATE refund_claim_items SET status = ?, decided_minor = ?, decided_by = ? "
                                  "WHERE claim_id = ? AND item_id = ?",
                                  {std::string(ClaimItemStatusName(i.status)), i.decided_minor, i.decided_by, c.id,
                                   i.id})
                           .status());
  }
  return Status::Ok();
}

Status RecordSettlementIn(PluginTransaction& tx, const std::string& id, const ClaimPayout& p, TimeMs now_ms) {
  return tx
      .Execute("UPDATE refund_reservation_claims SET status = 'settled', already_refunded_minor = ?, "
               "remaining_minor = ?, claim_payout_minor = ?, uncovered_minor = ?, guest_refund_minor = ?, "
               "host_payout_minor = ?, deposit_minor = ?, deposit_claimed_minor = ?, deposit_returned_minor = ?, "
               "updated_ms = ? WHERE id = ? AND status = 'decided'",
               {p.already_refunded, p.remaining, p.claim_payout, p.uncovered, p.guest_refund, p.host_payout, p.deposit,
                p.deposit_claimed, p.deposit_returned, now_ms, id})
      .status();
}

}  // namespace

Result<ClaimStore::Opened> ClaimStore::Open(const ReservationClaim& claim) {
  Opened out;
  SF_RETURN_IF_ERROR(storage_.Transact([&](PluginTransaction& tx) -> Status {
    auto query = [&tx](std::string_view sql, const std::vector<Value>& params) { return tx.Query(sql, params); };
    SF_ASSIGN_OR_RETURN(std::optional<ReservationClaim> existing, FindClaim(query, "id", claim.id));
    if (!existing) {
      SF_ASSIGN_OR_RETURN(existing, FindClaim(query, "reservation_id", claim.reservation_id));
      if (existing) {
        return Status::Conflict(fmt::format("reservation {} has claim {} already (one claim per reservation)",
                                            claim.reservation_id, existing->id));
      }
    } else {
      if (existing->reservation_id != claim.reservation_id) {
        return Status::Conflict(fmt::format("claim {} is of reservation {}, not {}", claim.id,
                                            existing->reservation_id, claim.reservation_id));
      }
      out.claim = std::move(*existing);
      out.replayed = true;
      return Status::Ok();
    }
    SF_RETURN_IF_ERROR(tx.Execute(fmt::format("INSERT INTO refund_reservation_claims ({}) VALUES "
                                              "(?,?,?,?,'open',?,?,'',0,0,0,0,0,0,?,?,0,0,0)",
                                              kClaimColumns),
                                  {claim.id, claim.reservation_id, claim.host_id, claim.currency, claim.opened_by,
                                   claim.workflow_id, claim.created_ms, claim.created_ms})
                           .status());
    for (size_t n = 0; n < claim.items.size(); ++n) {
      const ClaimItem& i = claim.items[n];
      SF_RETURN_IF_ERROR(tx.Execute("INSERT INTO refund_claim_items (claim_id, item_id, ord, description, "
                                    "amount_minor, currency, status) VALUES (?,?,?,?,?,?,'requested')",
                                    {claim.id, i.id, static_cast<int64_t>(n), i.description, i.amount.minor,
                                     i.amount.currency})
                             .status());
    }
    for (size_t n = 0; n < claim.messages.size(); ++n) {
      const ClaimMessage& m = claim.messages[n];
      SF_RETURN_IF_ERROR(InsertMessageIn(tx, claim.id, fmt::format("{}/open/{}", claim.id, n + 1), m.author, m.text,
                                         m.at_ms != 0 ? m.at_ms : claim.created_ms));
    }
    SF_ASSIGN_OR_RETURN(existing, FindClaim(query, "id", claim.id));
    if (!existing) return Status::Internal("claim " + claim.id + " not found after insert");
    out.claim = std::move(*existing);
    return Status::Ok();
  }));
  return out;
}

Result<ReservationClaim> ClaimStore::Claim(const std::string& id) {
  auto query = [this](std::string_view sql, const std::vector<Value>& params) { return storage_.Query(sql, params); };
  SF_ASSIGN_OR_RETURN(std::optional<ReservationClaim> c, FindClaim(query, "id", id));
  if (!c) return Status::NotFound("no claim " + id);
  return std::move(*c);
}

Result<std::vector<ReservationClaim>> ClaimStore::Claims(const ClaimFilter& f) {
  const std::string status = f.status ? std::string(ClaimStatusName(*f.status)) : "";
  SF_ASSIGN_OR_RETURN(std::vector<Row> rows,
                      storage_.Query(fmt::format("SELECT {} FROM refund_reservation_claims WHERE (? = '' OR "
                                                 "reservation_id = ?) AND (? = '' OR status = ?) "
                                                 "ORDER BY reservation_id, created_ms, id",
                                                 kClaimColumns),
                                     {f.reservation_id, f.reservation_id, status, status}));
  auto query = [this](std::string_view sql, const std::vector<Value>& params) { return storage_.Query(sql, params); };
  std::vector<ReservationClaim> out;
  for (const Row& r : rows) {
    SF_ASSIGN_OR_RETURN(ReservationClaim c, ReadClaimRow(r));
    SF_RETURN_IF_ERROR(ReadDetails(query, c));
    out.push_back(std::move(c));
  }
  return out;
}

Result<ClaimStore::Added> ClaimStore::AddMessage(const std::string& claim_id, const std::string& key,
                                                 const std::string& author, const std::string& text, TimeMs now_ms) {
  Added out;
  SF_RETURN_IF_ERROR(storage_.Transact([&](PluginTransaction& tx) -> Status {
    SF_ASSIGN_OR_RETURN(std::vector<Row> claim,
                        tx.Query("SELECT id FROM refund_reservation_claims WHERE id = ?", {claim_id}));
    if (claim.empty()) return Status::NotFound("no claim " + claim_id);
    SF_ASSIGN_OR_RETURN(std::vector<Row> before,
                        tx.Query("SELECT seq FROM refund_claim_messages WHERE idempotency_key = ?", {key}));
    out.replayed = !before.empty();
    if (!out.replayed) SF_RETURN_IF_ERROR(InsertMessageIn(tx, claim_id, key, author, text, now_ms));
    SF_ASSIGN_OR_RETURN(std::vector<Row> rows,
                        tx.Query("SELECT claim_id, seq, author, body, at_ms FROM refund_claim_messages "
                                 "WHERE idempotency_key = ?",
                                 {key}));
    if (rows.empty()) return Status::Internal("claim message " + key + " not found after insert");
    if (Text(rows[0][0]) != claim_id) {
      return Status::Conflict(fmt::format("message key {} was used for claim {}", key, Text(rows[0][0])));
    }
    out.message = ClaimMessage{Int(rows[0][1]), Text(rows[0][2]), Text(rows[0][3]), Int(rows[0][4])};
    return Status::Ok();
  }));
  return out;
}

void ClaimStore::RecordDecisionAtCheckpoint(ActivityContext& ctx, const ReservationClaim& decided) {
  ctx.AtCheckpoint([decided](PluginTransaction& tx) { return RecordDecisionIn(tx, decided); });
}

Status ClaimStore::RecordDecision(const ReservationClaim& decided) {
  return storage_.Transact([&decided](PluginTransaction& tx) { return RecordDecisionIn(tx, decided); });
}

void ClaimStore::RecordSettlementAtCheckpoint(ActivityContext& ctx, const std::string& claim_id,
                                              const ClaimPayout& p, TimeMs now_ms) {
  ctx.AtCheckpoint([claim_id, p, now_ms](PluginTransaction& tx) { return RecordSettlementIn(tx, claim_id, p, now_ms); });
}

Status ClaimStore::RecordSettlement(const std::string& claim_id, const ClaimPayout& p, TimeMs now_ms) {
  return storage_.Transact([&](PluginTransaction& tx) { return RecordSettlementIn(tx, claim_id, p, now_ms); });
}

}  // namespace steadfast::refund
