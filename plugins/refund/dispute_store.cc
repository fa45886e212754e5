// DisputeStore over the engine's PluginStorage (dispute_store.h).
#include "refund/dispute_store.h"

#include <fmt/format.h>

namespace steadfast::refund {

const char* const kDisputeSchemaSql = R"sql(
CREATE TABLE IF NOT EXISTS refund_disputes (
  id TEXT PRIMARY KEY,
  charge TEXT NOT NULL,
  payment_intent TEXT NOT NULL DEFAULT '',
  amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
  currency TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL CHECK (status IN ('open', 'won', 'lost')),
  psp_created_s INTEGER NOT NULL DEFAULT 0,
  overlap TEXT NOT NULL CHECK (overlap IN ('none', 'refunded', 'refund_pending', 'refund_blocked')),
  overlap_minor INTEGER NOT NULL DEFAULT 0,
  refund_ids TEXT NOT NULL DEFAULT '',
  subject TEXT NOT NULL DEFAULT '',
  review_case_id TEXT NOT NULL DEFAULT '',
  first_seen_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS refund_disputes_charge ON refund_disputes(charge);
CREATE INDEX IF NOT EXISTS refund_disputes_status ON refund_disputes(status);
CREATE TABLE IF NOT EXISTS refund_dispute_cursor (
  psp TEXT PRIMARY KEY,
  since INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL);
ALTER TABLE refund_records ADD COLUMN charge TEXT NOT NULL DEFAULT '';
CREATE INDEX IF NOT EXISTS refund_records_charge ON refund_records(charge);
)sql";

namespace {

constexpr const char* kPsp = "default";
constexpr const char* kColumns =
    "id, charge, payment_intent, amount_minor, currency, reason, status, psp_created_s, overlap, overlap_minor, "
    "refund_ids, subject, review_case_id, first_seen_ms, updated_ms";

std::string Text(const Value& v) { return v.is_string() ? v.AsString() : std::string(); }
int64_t Int(const Value& v) { return v.is_int() ? v.AsInt() : 0; }

DisputeRow Read(const Row& r) {
  DisputeRow d;
  d.id = Text(r[0]);
  d.charge = Text(r[1]);
  d.payment_intent = Text(r[2]);
  d.amount_minor = Int(r[3]);
  d.currency = Text(r[4]);
  d.reason = Text(r[5]);
  d.status = Text(r[6]);
  d.psp_created_s = Int(r[7]);
  d.overlap = Text(r[8]);
  d.overlap_minor = Int(r[9]);
  d.refund_ids = Text(r[10]);
  d.subject = Text(r[11]);
  d.review_case_id = Text(r[12]);
  d.first_seen_ms = Int(r[13]);
  d.updated_ms = Int(r[14]);
  return d;
}

std::vector<DisputeRow> ReadAll(const std::vector<Row>& rows) {
  std::vector<DisputeRow> out;
  for (const Row& r : rows) out.push_back(Read(r));
  return out;
}

}  // namespace

Value DisputeRow::ToValue() const {
  Value::Map m;
  m["id"] = id;
  m["charge"] = charge;
  m["payment_intent"] = payment_intent;
  m["amount"] = Value::Map{{"minor", amount_minor}, {"currency", currency}};
  m["reason"] = reason;
  m["status"] = status;
  m["psp_created_s"] = psp_created_s;
  m["overlap"] = overlap;
  m["overlap_minor"] = overlap_minor;
  m["refund_ids"] = refund_ids;
  m["subject"] = subject;
  m["review_case_id"] = review_case_id;
  m["first_seen_ms"] = first_seen_ms;
  m["updated_ms"] = updated_ms;
  return m;
}

Result<int64_t> DisputeStore::Cursor() {
  SF_ASSIGN_OR_RETURN(std::vector<Row> rows, storage_.Query("SELECT since FROM refund_dispute_cursor WHERE psp = ?",
                                                            {std::string(kPsp)}));
  return rows.empty() ? 0 : Int(rows[0][0]);
}

Result<DisputeChanges> DisputeStore::RecordPage(const std::vector<DisputeRow>& rows, int64_t next_since,
                                                TimeMs now_ms) {
  DisputeChanges changes;
  SF_RETURN_IF_ERROR(storage_.Transact([&](PluginTransaction& tx) -> Status {
    changes = DisputeChanges{};
    for (const DisputeRow& d : rows) {
      SF_ASSIGN_OR_RETURN(std::vector<Row> known,
                          tx.Query("SELECT status FROM refund_disputes WHERE id = ?", {d.id}));
      if (known.empty()) {
        ++changes.new_disputes;
        if (d.status == "lost") ++changes.newly_lost;
      } else if (d.status == "lost" && Text(known[0][0]) != "lost") {
        ++changes.newly_lost;
      }
      SF_RETURN_IF_ERROR(
          tx.Execute(
                "INSERT INTO refund_disputes (id, charge, payment_intent, amount_minor, currency, reason, status, "
                "psp_created_s, overlap, overlap_minor, refund_ids, subject, review_case_id, first_seen_ms, "
                "updated_ms) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,'',?,?) "
                "ON CONFLICT (id) DO UPDATE SET status = excluded.status, updated_ms = excluded.updated_ms, "
                "overlap = CASE WHEN refund_disputes.overlap = 'none' THEN excluded.overlap "
                "ELSE refund_disputes.overlap END, "
                "overlap_minor = CASE WHEN refund_disputes.overlap = 'none' THEN excluded.overlap_minor "
                "ELSE refund_disputes.overlap_minor END, "
                "refund_ids = CASE WHEN refund_disputes.overlap = 'none' THEN excluded.refund_ids "
                "ELSE refund_disputes.refund_ids END, "
                "subject = CASE WHEN refund_disputes.subject = '' THEN excluded.subject "
                "ELSE refund_disputes.subject END",
                {d.id, d.charge, d.payment_intent, d.amount_minor, d.currency, d.reason, d.status, d.psp_created_s,
                 d.overlap, d.overlap_minor, d.refund_ids, d.subject, now_ms, now_ms})
              .status());
    }
    return tx.Execute("INSERT INTO refund_dispute_cursor (psp, since, updated_ms) VALUES (?,?,?) "
                      "ON CONFLICT (psp) DO UPDATE SET since = excluded.since, updated_ms = excluded.updated_ms",
                      {std::string(kPsp), next_since, now_ms})
        .status();
  }));
  return changes;
}

Result<std::vector<DisputeRow>> DisputeStore::AwaitingReview() {
  SF_ASSIGN_OR_RETURN(std::vector<Row> rows,
                      storage_.Query(fmt::format("SELECT {} FROM refund_disputes WHERE overlap <> 'none' AND "
                                                 "review_case_id = '' ORDER BY first_seen_ms, id",
                                                 kColumns)));
  return ReadAll(rows);
}

Status DisputeStore::SetReviewCase(const std::string& id, const std::string& case_id, TimeMs now_ms) {
  return storage_.Transact([&](PluginTransaction& tx) -> Status {
    return tx.Execute("UPDATE refund_disputes SET review_case_id = ?, updated_ms = ? WHERE id = ?",
                      {case_id, now_ms, id})
        .status();
  });
}

Result<std::vector<DisputeRow>> DisputeStore::OfCharge(const std::string& charge) {
  SF_ASSIGN_OR_RETURN(std::vector<Row> rows,
                      storage_.Query(fmt::format("SELECT {} FROM refund_disputes WHERE charge = ? "
                                                 "ORDER BY first_seen_ms, id",
                                                 kColumns),
                                     {charge}));
  return ReadAll(rows);
}

Result<std::vector<DisputeRow>> DisputeStore::List(const std::string& status) {
  if (status.empty()) {
    SF_ASSIGN_OR_RETURN(std::vector<Row> rows,
                        storage_.Query(fmt::format("SELECT {} FROM refund_disputes ORDER BY first_seen_ms DESC, id",
                                                   kColumns)));
    return ReadAll(rows);
  }
  SF_ASSIGN_OR_RETURN(std::vector<Row> rows,
                      storage_.Query(fmt::format("SELECT {} FROM refund_disputes WHERE status = ? "
                                                 "ORDER BY first_seen_ms DESC, id",
                                                 kColumns),
                                     {status}));
  return ReadAll(rows);
}

void DisputeStore::MarkRefundBlockedAtCheckpoint(ActivityContext& ctx, const std::string& charge,
                                                 const std::string& subject) {
  const TimeMs now = ctx.clock().NowMs();
  ctx.AtCheckpoint([charge, subject, now](PluginTransaction& tx) -> Status {
    return tx.Execute("UPDATE refund_disputes SET overlap = 'refund_blocked', subject = ?, updated_ms = ? "
                      "WHERE charge = ? AND overlap = 'none' AND status IN ('open', 'lost')",
                      {subject, now, charge})
        .status();
  });
}

}  // namespace steadfast::refund
