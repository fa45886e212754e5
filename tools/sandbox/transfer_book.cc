// TransferBook: transfers, reversals and their persistence.
#include "transfer_book.h"

#include <algorithm>

namespace steadfast::sandbox {

namespace {

constexpr std::string_view kSchema = R"sql(
CREATE TABLE IF NOT EXISTS transfers(
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  amount INTEGER NOT NULL,
  currency TEXT NOT NULL,
  destination TEXT NOT NULL,
  transfer_group TEXT NOT NULL,
  description TEXT NOT NULL,
  metadata TEXT NOT NULL,
  amount_reversed INTEGER NOT NULL,
  created_s INTEGER NOT NULL,
  idempotency_key TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS transfer_reversals(
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  transfer TEXT NOT NULL,
  amount INTEGER NOT NULL,
  currency TEXT NOT NULL,
  metadata TEXT NOT NULL,
  created_s INTEGER NOT NULL,
  idempotency_key TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS transfer_settlements(
  transfer TEXT PRIMARY KEY,
  status TEXT NOT NULL,
  settle_at_ms INTEGER NOT NULL,
  planned_failure TEXT NOT NULL,
  failure_code TEXT NOT NULL);
)sql";

PayoutStatus ParsePayoutStatus(const std::string& name) {
  if (name == "pending") return PayoutStatus::kPending;
  if (name == "failed") return PayoutStatus::kFailed;
  return PayoutStatus::kPaid;
}

}  // namespace

bool IsClosedAccount(std::string_view destination) {
  return destination.substr(0, kClosedAccountPrefix.size()) == kClosedAccountPrefix;
}

bool IsFrozenAccount(std::string_view destination) {
  return destination.substr(0, kFrozenAccountPrefix.size()) == kFrozenAccountPrefix;
}

std::string_view PayoutStatusName(PayoutStatus status) {
  switch (status) {
    case PayoutStatus::kPending: return "pending";
    case PayoutStatus::kPaid: return "paid";
    case PayoutStatus::kFailed: return "failed";
  }
  return "paid";
}

Status TransferBook::Load() {
  SF_RETURN_IF_ERROR(db_.Exec(kSchema));
  {
    SF_ASSIGN_OR_RETURN(auto stmt, db_.Prepare("SELECT seq, id, amount, currency, destination, transfer_group, "
                                               "description, metadata, amount_reversed, created_s, idempotency_key "
                                               "FROM transfers ORDER BY seq"));
    while (true) {
      SF_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      Transfer t;
      t.seq = stmt->ColumnInt(0);
      t.id = stmt->ColumnText(1);
      t.amount = stmt->ColumnInt(2);
      t.currency = stmt->ColumnText(3);
      t.destination = stmt->ColumnText(4);
      t.transfer_group = stmt->ColumnText(5);
      t.description = stmt->ColumnText(6);
      t.metadata = MetadataFromText(stmt->ColumnText(7));
      t.amount_reversed = stmt->ColumnInt(8);
      t.created_s = stmt->ColumnInt(9);
      t.idempotency_key = stmt->ColumnText(10);
      transfer_index_[t.id] = transfers_.size();
      transfers_.push_back(std::move(t));
    }
  }
  {
    // A transfer without a row here was paid at once (or made before payouts could wait).
    SF_ASSIGN_OR_RETURN(auto stmt, db_.Prepare("SELECT transfer, status, settle_at_ms, planned_failure, failure_code "
                                               "FROM transfer_settlements"));
    while (true) {
      SF_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      auto it = transfer_index_.find(stmt->ColumnText(0));
      if (it == transfer_index_.end()) continue;
      Transfer& t = transfers_[it->second];
      t.status = ParsePayoutStatus(stmt->ColumnText(1));
      t.settle_at_ms = stmt->ColumnInt(2);
      t.planned_failure = stmt->ColumnText(3);
      t.failure_code = stmt->ColumnText(4);
    }
  }
  SF_ASSIGN_OR_RETURN(auto stmt, db_.Prepare("SELECT seq, id, transfer, amount, currency, metadata, created_s, "
                                             "idempotency_key FROM transfer_reversals ORDER BY seq"));
  while (true) {
    SF_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) return Status::Ok();
    TransferReversal r;
    r.seq = stmt->ColumnInt(0);
    r.id = stmt->ColumnText(1);
    r.transfer = stmt->ColumnText(2);
    r.amount = stmt->ColumnInt(3);
    r.currency = stmt->ColumnText(4);
    r.metadata = MetadataFromText(stmt->ColumnText(5));
    r.created_s = stmt->ColumnInt(6);
    r.idempotency_key = stmt->ColumnText(7);
    reversals_.push_back(std::move(r));
  }
}

Result<Transfer> TransferBook::AddTransfer(Transfer t, TimeMs now_ms, int64_t payout_delay_ms) {
  t.seq = transfers_.empty() ? 1 : transfers_.back().seq + 1;
  t.id = ids_.Next("tr");
  while (transfer_index_.count(t.id) != 0) t.id = ids_.Next("tr");
  t.amount_reversed = 0;
  t.created_s = now_ms / 1000;
  // Failures are always asynchronous (pending first), as at Stripe.
  if (IsFrozenAccount(t.destination)) t.planned_failure = "account_frozen";
  const bool waits = payout_delay_ms > 0 || !t.planned_failure.empty();
  t.status = waits ? PayoutStatus::kPending : PayoutStatus::kPaid;
  t.settle_at_ms = now_ms + payout_delay_ms;
  SF_RETURN_IF_ERROR(db_.Exec("BEGIN"));
  Status saved = SaveTransfer(t);
  if (saved.ok() && waits) saved = SaveSettlement(t);
  if (!saved.ok()) {
    (void)db_.Exec("ROLLBACK");
    return saved;
  }
  SF_RETURN_IF_ERROR(db_.Exec("COMMIT"));
  transfer_index_[t.id] = transfers_.size();
  transfers_.push_back(t);
  return t;
}

Status TransferBook::SettleDue(TimeMs now_ms, SettlementFeed& feed, bool now) {
  for (Transfer& t : transfers_) {
    if (t.status != PayoutStatus::kPending || (t.settle_at_ms > now_ms && !now)) continue;
    Transfer settled = t;
    settled.status = t.planned_failure.empty() ? PayoutStatus::kPaid : PayoutStatus::kFailed;
    settled.failure_code = t.planned_failure;
    SettlementEvent event{0, "transfer", settled.id, std::string(PayoutStatusName(settled.status)), settled.amount,
                          settled.currency, settled.failure_code, now_ms / 1000, settled.metadata};
    SF_RETURN_IF_ERROR(db_.Exec("BEGIN"));
    Status saved = SaveSettlement(settled);
    Result<SettlementEvent> numbered = saved.ok() ? feed.Save(std::move(event)) : Result<SettlementEvent>(saved);
    if (!numbered.ok()) {
      (void)db_.Exec("ROLLBACK");
      return numbered.status();
    }
    SF_RETURN_IF_ERROR(db_.Exec("COMMIT"));
    feed.Committed(std::move(*numbered));
    t = std::move(settled);
  }
  return Status::Ok();
}

Status TransferBook::SaveSettlement(const Transfer& t) {
  SF_ASSIGN_OR_RETURN(auto stmt, db_.Prepare("INSERT OR REPLACE INTO transfer_settlements(transfer, status, "
                                             "settle_at_ms, planned_failure, failure_code) VALUES(?,?,?,?,?)"));
  const std::string status(PayoutStatusName(t.status));  // bound without a copy: must outlive Run()
  stmt->BindText(1, t.id);
  stmt->BindText(2, status);
  stmt->BindInt(3, t.settle_at_ms);
  stmt->BindText(4, t.planned_failure);
  stmt->BindText(5, t.failure_code);
  return stmt->Run();
}

Result<TransferReversal> TransferBook::AddReversal(std::string_view transfer_id, int64_t amount, Metadata metadata,
                                                   std::string idempotency_key, TimeMs now_ms) {
  auto it = transfer_index_.find(transfer_id);
  if (it == transfer_index_.end()) return Status::NotFound("no such transfer: " + std::string(transfer_id));
  Transfer& transfer = transfers_[it->second];
  if (amount <= 0 || amount > transfer.amount - transfer.amount_reversed) {
    return Status::FailedPrecondition("reversal of " + std::to_string(amount) + " exceeds what remains of " +
                                      transfer.id);
  }
  TransferReversal r;
  r.seq = reversals_.empty() ? 1 : reversals_.back().seq + 1;
  r.id = ids_.Next("trr");
  r.transfer = transfer.id;
  r.amount = amount;
  r.currency = transfer.currency;
  r.metadata = std::move(metadata);
  r.created_s = now_ms / 1000;
  r.idempotency_key = std::move(idempotency_key);

  Transfer updated = transfer;
  updated.amount_reversed += amount;
  // One transaction: a reversal never exists without its transfer's new total.
  SF_RETURN_IF_ERROR(db_.Exec("BEGIN"));
  Status saved = SaveReversal(r);
  if (saved.ok()) saved = SaveTransfer(updated);
  if (!saved.ok()) {
    (void)db_.Exec("ROLLBACK");
    return saved;
  }
  SF_RETURN_IF_ERROR(db_.Exec("COMMIT"));
  transfer = std::move(updated);
  reversals_.push_back(r);
  return r;
}

const Transfer* TransferBook::FindTransfer(std::string_view id) const {
  auto it = transfer_index_.find(id);
  return it == transfer_index_.end() ? nullptr : &transfers_[it->second];
}

std::vector<const TransferReversal*> TransferBook::ReversalsOf(std::string_view transfer_id) const {
  std::vector<const TransferReversal*> out;
  for (const TransferReversal& r : reversals_) {
    if (r.transfer == transfer_id) out.push_back(&r);
  }
  return out;
}

Status TransferBook::SaveTransfer(const Transfer& t) {
  SF_ASSIGN_OR_RETURN(auto stmt, db_.Prepare("INSERT OR REPLACE INTO transfers(seq, id, amount, currency, "
                                             "destination, transfer_group, description, metadata, amount_reversed, "
                                             "created_s, idempotency_key) VALUES(?,?,?,?,?,?,?,?,?,?,?)"));
  const std::string metadata = MetadataToText(t.metadata);  // bound without a copy: must outlive Run()
  stmt->BindInt(1, t.seq);
  stmt->BindText(2, t.id);
  stmt->BindInt(3, t.amount);
  stmt->BindText(4, t.currency);
  stmt->BindText(5, t.destination);
  stmt->BindText(6, t.transfer_group);
  stmt->BindText(7, t.description);
  stmt->BindText(8, metadata);
  stmt->BindInt(9, t.amount_reversed);
  stmt->BindInt(10, t.created_s);
  stmt->BindText(11, t.idempotency_key);
  return stmt->Run();
}

Status TransferBook::SaveReversal(const TransferReversal& r) {
  SF_ASSIGN_OR_RETURN(auto stmt, db_.Prepare("INSERT INTO transfer_reversals(seq, id, transfer, amount, currency, "
                                             "metadata, created_s, idempotency_key) VALUES(?,?,?,?,?,?,?,?)"));
  const std::string metadata = MetadataToText(r.metadata);  // bound without a copy: must outlive Run()
  stmt->BindInt(1, r.seq);
  stmt->BindText(2, r.id);
  stmt->BindText(3, r.transfer);
  stmt->BindInt(4, r.amount);
  stmt->BindText(5, r.currency);
  stmt->BindText(6, metadata);
  stmt->BindInt(7, r.created_s);
  stmt->BindText(8, r.idempotency_key);
  return stmt->Run();
}

nlohmann::ordered_json TransferReversalToJson(const TransferReversal& r) {
  nlohmann::ordered_json j;
  j["id"] = r.id;
  j["object"] = "transfer_reversal";
  j["amount"] = r.amount;
  j["balance_transaction"] = nullptr;
  j["created"] = r.created_s;
  j["currency"] = r.currency;
  j["destination_payment_refund"] = nullptr;
  j["metadata"] = MetadataJson(r.metadata);
  j["source_refund"] = nullptr;
  j["transfer"] = r.transfer;
  return j;
}

nlohmann::ordered_json TransferToJson(const Transfer& t, const std::vector<const TransferReversal*>& reversals) {
  nlohmann::ordered_json list;
  list["object"] = "list";
  list["data"] = nlohmann::ordered_json::array();
  // Stripe lists a transfer's reversals newest first.
  for (auto it = reversals.rbegin(); it != reversals.rend(); ++it) list["data"].push_back(TransferReversalToJson(**it));
  list["has_more"] = false;
  list["total_count"] = reversals.size();
  list["url"] = "/v1/transfers/" + t.id + "/reversals";

  nlohmann::ordered_json j;
  j["id"] = t.id;
  j["object"] = "transfer";
  j["amount"] = t.amount;
  j["amount_reversed"] = t.amount_reversed;
  j["balance_transaction"] = nullptr;
  j["created"] = t.created_s;
  j["currency"] = t.currency;
  if (t.description.empty()) {
    j["description"] = nullptr;
  } else {
    j["description"] = t.description;
  }
  j["destination"] = t.destination;
  j["livemode"] = false;
  j["metadata"] = MetadataJson(t.metadata);
  j["reversals"] = std::move(list);
  j["reversed"] = t.amount_reversed == t.amount;
  j["source_transaction"] = nullptr;
  // A payout's settlement (Stripe's payout fields; the sandbox's transfers are payouts).
  j["status"] = PayoutStatusName(t.status);
  if (t.failure_code.empty()) {
    j["failure_code"] = nullptr;
  } else {
    j["failure_code"] = t.failure_code;
  }
  if (t.transfer_group.empty()) {
    j["transfer_group"] = nullptr;
  } else {
    j["transfer_group"] = t.transfer_group;
  }
  return j;
}

}  // namespace steadfast::sandbox
