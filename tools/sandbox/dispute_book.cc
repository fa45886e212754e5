// DisputeBook: disputes, their effect on charges and their persistence.
#include "dispute_book.h"

#include <algorithm>

namespace steadfast::sandbox {

namespace {

constexpr std::string_view kSchema = R"sql(
CREATE TABLE IF NOT EXISTS disputes(
  id TEXT PRIMARY KEY,
  charge TEXT NOT NULL,
  payment_intent TEXT NOT NULL,
  amount INTEGER NOT NULL,
  currency TEXT NOT NULL,
  reason TEXT NOT NULL,
  status TEXT NOT NULL,
  created_s INTEGER NOT NULL,
  change_seq INTEGER NOT NULL UNIQUE);
)sql";

}  // namespace

std::string_view DisputeStatusName(DisputeStatus status) {
  switch (status) {
    case DisputeStatus::kNeedsResponse: return "needs_response";
    case DisputeStatus::kWon: return "won";
    case DisputeStatus::kLost: return "lost";
  }
  return "needs_response";
}

std::optional<DisputeStatus> ParseDisputeStatus(std::string_view name) {
  if (name == "needs_response" || name == "open") return DisputeStatus::kNeedsResponse;
  if (name == "won") return DisputeStatus::kWon;
  if (name == "lost") return DisputeStatus::kLost;
  return std::nullopt;
}

Status DisputeBook::Load() {
  SF_RETURN_IF_ERROR(db_.Exec(kSchema));
  SF_ASSIGN_OR_RETURN(auto stmt, db_.Prepare("SELECT id, charge, payment_intent, amount, currency, reason, status, "
                                             "created_s, change_seq FROM disputes ORDER BY change_seq"));
  while (true) {
    SF_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    Dispute d;
    d.id = stmt->ColumnText(0);
    d.charge = stmt->ColumnText(1);
    d.payment_intent = stmt->ColumnText(2);
    d.amount = stmt->ColumnInt(3);
    d.currency = stmt->ColumnText(4);
    d.reason = stmt->ColumnText(5);
    d.status = ParseDisputeStatus(stmt->ColumnText(6)).value_or(DisputeStatus::kNeedsResponse);
    d.created_s = stmt->ColumnInt(7);
    d.change_seq = stmt->ColumnInt(8);
    last_change_ = std::max(last_change_, d.change_seq);
    disputes_.push_back(std::move(d));
  }
  for (const Dispute& d : disputes_) ApplyToCharge(d.charge);
  return Status::Ok();
}

Result<Dispute> DisputeBook::Open(std::string_view charge_id, int64_t amount, std::string reason,
                                  DisputeStatus status, TimeMs now_ms) {
  const Charge* charge = charges_.FindCharge(charge_id);
  if (charge == nullptr) return Status::NotFound("no such charge: " + std::string(charge_id));
  if (amount < 1 || amount > charge->amount) {
    return Status::InvalidArgument("a dispute's amount must be in 1.." + std::to_string(charge->amount));
  }
  Dispute d;
  d.id = ids_.Next("dp");
  while (Find(d.id) != nullptr) d.id = ids_.Next("dp");
  d.charge = charge->id;
  d.payment_intent = charge->payment_intent;
  d.amount = amount;
  d.currency = charge->currency;
  d.reason = reason.empty() ? "general" : std::move(reason);
  d.status = status;
  d.created_s = now_ms / 1000;
  d.change_seq = last_change_ + 1;
  SF_RETURN_IF_ERROR(Save(d));
  last_change_ = d.change_seq;
  disputes_.push_back(d);
  ApplyToCharge(d.charge);
  return d;
}

Result<Dispute> DisputeBook::Close(std::string_view id, DisputeStatus status) {
  auto it = std::find_if(disputes_.begin(), disputes_.end(), [&](const Dispute& d) { return d.id == id; });
  if (it == disputes_.end()) return Status::NotFound("no such dispute: " + std::string(id));
  if (status == DisputeStatus::kNeedsResponse) return Status::InvalidArgument("a dispute closes as won or lost");
  if (it->status != DisputeStatus::kNeedsResponse) {
    return Status::FailedPrecondition("dispute " + it->id + " is already " + std::string(DisputeStatusName(it->status)));
  }
  Dispute closed = *it;
  closed.status = status;
  closed.change_seq = last_change_ + 1;
  SF_RETURN_IF_ERROR(Save(closed));
  last_change_ = closed.change_seq;
  // Keep the vector in change order: the closed dispute moves to the end.
  disputes_.erase(it);
  disputes_.push_back(closed);
  ApplyToCharge(closed.charge);
  return closed;
}

const Dispute* DisputeBook::Find(std::string_view id) const {
  for (const Dispute& d : disputes_) {
    if (d.id == id) return &d;
  }
  return nullptr;
}

std::vector<const Dispute*> DisputeBook::ChangedSince(int64_t since, std::string_view charge, size_t limit,
                                                      bool& has_more) const {
  std::vector<const Dispute*> page;
  has_more = false;
  for (const Dispute& d : disputes_) {
    if (d.change_seq <= since || (!charge.empty() && d.charge != charge)) continue;
    if (page.size() == limit) {
      has_more = true;
      break;
    }
    page.push_back(&d);
  }
  return page;
}

void DisputeBook::ApplyToCharge(std::string_view charge_id) {
  int64_t open = 0, lost = 0;
  for (const Dispute& d : disputes_) {
    if (d.charge != charge_id) continue;
    if (d.status == DisputeStatus::kNeedsResponse) open += d.amount;
    if (d.status == DisputeStatus::kLost) lost += d.amount;
  }
  charges_.SetDisputed(charge_id, open, lost);
}

Status DisputeBook::Save(const Dispute& d) {
  SF_ASSIGN_OR_RETURN(auto stmt, db_.Prepare("INSERT OR REPLACE INTO disputes(id, charge, payment_intent, amount, "
                                             "currency, reason, status, created_s, change_seq) "
                                             "VALUES(?,?,?,?,?,?,?,?,?)"));
  stmt->BindText(1, d.id);
  stmt->BindText(2, d.charge);
  stmt->BindText(3, d.payment_intent);
  stmt->BindInt(4, d.amount);
  stmt->BindText(5, d.currency);
  stmt->BindText(6, d.reason);
  stmt->BindText(7, DisputeStatusName(d.status));
  stmt->BindInt(8, d.created_s);
  stmt->BindInt(9, d.change_seq);
  return stmt->Run();
}

nlohmann::ordered_json DisputeToJson(const Dispute& d) {
  nlohmann::ordered_json j;
  j["id"] = d.id;
  j["object"] = "dispute";
  j["amount"] = d.amount;
  j["charge"] = d.charge;
  j["created"] = d.created_s;
  j["currency"] = d.currency;
  j["is_charge_refundable"] = false;
  j["payment_intent"] = d.payment_intent;
  j["reason"] = d.reason;
  j["status"] = DisputeStatusName(d.status);
  j["sandbox_change"] = d.change_seq;
  return j;
}

}  // namespace steadfast::sandbox
