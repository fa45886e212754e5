// RefundBook: charges, refunds, settlement and their persistence.
#include "refund_book.h"

#include <algorithm>

namespace steadfast::sandbox {

namespace {

constexpr std::string_view kSchema = R"sql(
CREATE TABLE IF NOT EXISTS charges(
  id TEXT PRIMARY KEY,
  payment_intent TEXT NOT NULL UNIQUE,
  amount INTEGER NOT NULL,
  currency TEXT NOT NULL,
  amount_refunded INTEGER NOT NULL,
  created_s INTEGER NOT NULL,
  refund_failure TEXT NOT NULL,
  metadata TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS refunds(
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  charge TEXT NOT NULL,
  payment_intent TEXT NOT NULL,
  amount INTEGER NOT NULL,
  currency TEXT NOT NULL,
  status TEXT NOT NULL,
  reason TEXT NOT NULL,
  metadata TEXT NOT NULL,
  created_s INTEGER NOT NULL,
  settle_at_ms INTEGER NOT NULL,
  planned_failure TEXT NOT NULL,
  failure_reason TEXT NOT NULL,
  idempotency_key TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS refunds_by_charge ON refunds(charge);
)sql";

RefundStatus StatusFromName(std::string_view name) {
  if (name == "succeeded") return RefundStatus::kSucceeded;
  if (name == "failed") return RefundStatus::kFailed;
  return RefundStatus::kPending;
}

}  // namespace

Status ValidateSettlement(const SettlementConfig& config) {
  if (config.delay_ms < 0 || config.delay_ms > 86'400'000) {
    return Status::InvalidArgument("settlement delay_ms must be in [0, 86400000]");
  }
  if (config.payout_delay_ms < 0 || config.payout_delay_ms > 86'400'000) {
    return Status::InvalidArgument("settlement payout_delay_ms must be in [0, 86400000]");
  }
  if (!(config.fail_rate >= 0.0 && config.fail_rate <= 1.0)) {
    return Status::InvalidArgument("settlement fail_rate must be in [0, 1]");
  }
  return Status::Ok();
}

Result<SettlementConfig> PatchSettlement(const SettlementConfig& base, const nlohmann::json& patch) {
  if (!patch.is_object()) return Status::InvalidArgument("settlement must be a JSON object");
  SettlementConfig c = base;
  for (const auto& [key, value] : patch.items()) {
    if (key == "delay_ms") {
      if (!value.is_number_integer()) return Status::InvalidArgument("delay_ms must be an integer");
      c.delay_ms = value.get<int64_t>();
    } else if (key == "payout_delay_ms") {
      if (!value.is_number_integer()) return Status::InvalidArgument("payout_delay_ms must be an integer");
      c.payout_delay_ms = value.get<int64_t>();
    } else if (key == "fail_rate") {
      if (!value.is_number()) return Status::InvalidArgument("fail_rate must be a number");
      c.fail_rate = value.get<double>();
    } else {
      return Status::InvalidArgument("unknown settlement setting '" + key + "'");
    }
  }
  SF_RETURN_IF_ERROR(ValidateSettlement(c));
  return c;
}

nlohmann::json SettlementToJson(const SettlementConfig& config) {
  return nlohmann::json{
      {"delay_ms", config.delay_ms}, {"fail_rate", config.fail_rate}, {"payout_delay_ms", config.payout_delay_ms}};
}

std::string_view RefundStatusName(RefundStatus status) {
  switch (status) {
    case RefundStatus::kPending: return "pending";
    case RefundStatus::kSucceeded: return "succeeded";
    case RefundStatus::kFailed: return "failed";
  }
  return "pending";
}

Status RefundBook::Load() {
  SF_RETURN_IF_ERROR(db_.Exec(kSchema));
  {
    SF_ASSIGN_OR_RETURN(auto stmt, db_.Prepare("SELECT id, payment_intent, amount, currency, amount_refunded, "
                                               "created_s, refund_failure, metadata FROM charges"));
    while (true) {
      SF_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      Charge c;
      c.id = stmt->ColumnText(0);
      c.payment_intent = stmt->ColumnText(1);
      c.amount = stmt->ColumnInt(2);
      c.currency = stmt->ColumnText(3);
      c.amount_refunded = stmt->ColumnInt(4);
      c.created_s = stmt->ColumnInt(5);
      c.refund_failure = stmt->ColumnText(6);
      c.metadata = MetadataFromText(stmt->ColumnText(7));
      charges_[c.id] = std::move(c);
    }
  }
  SF_ASSIGN_OR_RETURN(auto stmt, db_.Prepare("SELECT seq, id, charge, payment_intent, amount, currency, status, "
                                             "reason, metadata, created_s, settle_at_ms, planned_failure, "
                                             "failure_reason, idempotency_key FROM refunds ORDER BY seq"));
  while (true) {
    SF_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) return Status::Ok();
    Refund r;
    r.seq = stmt->ColumnInt(0);
    r.id = stmt->ColumnText(1);
    r.charge = stmt->ColumnText(2);
    r.payment_intent = stmt->ColumnText(3);
    r.amount = stmt->ColumnInt(4);
    r.currency = stmt->ColumnText(5);
    r.status = StatusFromName(stmt->ColumnText(6));
    r.reason = stmt->ColumnText(7);
    r.metadata = MetadataFromText(stmt->ColumnText(8));
    r.created_s = stmt->ColumnInt(9);
    r.settle_at_ms = stmt->ColumnInt(10);
    r.planned_failure = stmt->ColumnText(11);
    r.failure_reason = stmt->ColumnText(12);
    r.idempotency_key = stmt->ColumnText(13);
    next_seq_ = std::max(next_seq_, r.seq + 1);
    refund_index_[r.id] = refunds_.size();
    refunds_.push_back(std::move(r));
  }
}

const Charge* RefundBook::FindCharge(std::string_view id) const {
  auto it = charges_.find(id);
  return it == charges_.end() ? nullptr : &it->second;
}

const Charge* RefundBook::FindChargeByPaymentIntent(std::string_view payment_intent) const {
  for (const auto& [id, charge] : charges_) {
    if (charge.payment_intent == payment_intent) return &charge;
  }
  return nullptr;
}

Result<Charge> RefundBook::AddCharge(Charge charge, TimeMs now_ms) {
  if (charge.id.empty()) charge.id = ids_.Next("ch");
  if (const Charge* existing = FindCharge(charge.id)) {
    // Re-seeding the same charge is harmless; an omitted payment intent matches any.
    const bool same = existing->amount == charge.amount && existing->currency == charge.currency &&
                      (charge.payment_intent.empty() || existing->payment_intent == charge.payment_intent) &&
                      existing->refund_failure == charge.refund_failure && existing->metadata == charge.metadata;
    if (same) return Status::AlreadyExists(charge.id);
    return Status::Conflict("charge " + charge.id + " already exists with different attributes");
  }
  if (charge.payment_intent.empty()) charge.payment_intent = ids_.Next("pi");
  if (FindChargeByPaymentIntent(charge.payment_intent) != nullptr) {
    return Status::Conflict("payment intent " + charge.payment_intent + " already has a charge");
  }
  charge.amount_refunded = 0;
  charge.created_s = now_ms / 1000;
  SF_RETURN_IF_ERROR(SaveCharge(charge));
  charges_[charge.id] = charge;
  return charge;
}

Result<Refund> RefundBook::AddRefund(std::string_view charge_id, int64_t amount, std::string reason,
                                     Metadata metadata, std::string idempotency_key,
                                     const SettlementConfig& settlement, TimeMs now_ms) {
  auto it = charges_.find(charge_id);
  if (it == charges_.end()) return Status::NotFound("no such charge: " + std::string(charge_id));
  Charge& charge = it->second;
  if (amount <= 0 || amount > Remaining(charge)) {
    return Status::FailedPrecondition("refund of " + std::to_string(amount) + " exceeds the " +
                                      std::to_string(Remaining(charge)) + " that remains on " + charge.id);
  }
  Refund r;
  r.seq = next_seq_;
  r.id = ids_.Next("re");
  while (refund_index_.count(r.id) != 0) r.id = ids_.Next("re");
  r.charge = charge.id;
  r.payment_intent = charge.payment_intent;
  r.amount = amount;
  r.currency = charge.currency;
  r.reason = std::move(reason);
  r.metadata = std::move(metadata);
  r.created_s = now_ms / 1000;
  r.idempotency_key = std::move(idempotency_key);
  if (!charge.refund_failure.empty()) {
    r.planned_failure = charge.refund_failure;
  } else if (settlement.fail_rate > 0.0 && ids_.Uniform() < settlement.fail_rate) {
    r.planned_failure = "expired_or_canceled_card";
  }
  // Failures are always asynchronous (pending first), as at Stripe.
  if (settlement.delay_ms == 0 && r.planned_failure.empty()) {
    r.status = RefundStatus::kSucceeded;
    r.settle_at_ms = now_ms;
  } else {
    r.status = RefundStatus::kPending;
    r.settle_at_ms = now_ms + settlement.delay_ms;
  }

  Charge updated = charge;
  updated.amount_refunded += amount;
  SF_RETURN_IF_ERROR(db_.Exec("BEGIN"));
  Status saved = SaveRefund(r);
  if (saved.ok()) saved = SaveCharge(updated);
  if (!saved.ok()) {
    (void)db_.Exec("ROLLBACK");
    return saved;
  }
  SF_RETURN_IF_ERROR(db_.Exec("COMMIT"));
  charge = std::move(updated);
  ++next_seq_;
  refund_index_[r.id] = refunds_.size();
  refunds_.push_back(r);
  return r;
}

void RefundBook::SetDisputed(std::string_view charge_id, int64_t open_amount, int64_t lost_amount) {
  auto it = charges_.find(charge_id);
  if (it == charges_.end()) return;
  it->second.amount_disputed_open = open_amount;
  it->second.amount_disputed_lost = lost_amount;
}

const Refund* RefundBook::FindRefund(std::string_view id) const {
  auto it = refund_index_.find(id);
  return it == refund_index_.end() ? nullptr : &refunds_[it->second];
}

Status RefundBook::SettleDue(TimeMs now_ms, SettlementFeed& feed, bool now) {
  for (Refund& r : refunds_) {
    if (r.status != RefundStatus::kPending || (r.settle_at_ms > now_ms && !now)) continue;
    Refund settled = r;
    Charge charge = charges_.at(r.charge);
    if (r.planned_failure.empty()) {
      settled.status = RefundStatus::kSucceeded;
    } else {
      settled.status = RefundStatus::kFailed;
      settled.failure_reason = r.planned_failure;
      charge.amount_refunded -= r.amount;  // a failed refund gives its amount back
    }
    SettlementEvent event{0, "refund", settled.id, std::string(RefundStatusName(settled.status)), settled.amount,
                          settled.currency, settled.failure_reason, now_ms / 1000, settled.metadata};
    SF_RETURN_IF_ERROR(db_.Exec("BEGIN"));
    Status saved = SaveRefund(settled);
    if (saved.ok()) saved = SaveCharge(charge);
    Result<SettlementEvent> numbered = saved.ok() ? feed.Save(std::move(event)) : Result<SettlementEvent>(saved);
    if (!numbered.ok()) {
      (void)db_.Exec("ROLLBACK");
      return numbered.status();
    }
    SF_RETURN_IF_ERROR(db_.Exec("COMMIT"));
    feed.Committed(std::move(*numbered));
    r = std::move(settled);
    charges_[charge.id] = std::move(charge);
  }
  return Status::Ok();
}

Status RefundBook::SaveCharge(const Charge& c) {
  SF_ASSIGN_OR_RETURN(auto stmt, db_.Prepare("INSERT OR REPLACE INTO charges(id, payment_intent, amount, currency, "
                                             "amount_refunded, created_s, refund_failure, metadata) "
                                             "VALUES(?,?,?,?,?,?,?,?)"));
  const std::string metadata = MetadataToText(c.metadata);  // bound without a copy: must outlive Run()
  stmt->BindText(1, c.id);
  stmt->BindText(2, c.payment_intent);
  stmt->BindInt(3, c.amount);
  stmt->BindText(4, c.currency);
  stmt->BindInt(5, c.amount_refunded);
  stmt->BindInt(6, c.created_s);
  stmt->BindText(7, c.refund_failure);
  stmt->BindText(8, metadata);
  return stmt->Run();
}

Status RefundBook::SaveRefund(const Refund& r) {
  SF_ASSIGN_OR_RETURN(auto stmt, db_.Prepare("INSERT OR REPLACE INTO refunds(seq, id, charge, payment_intent, amount, "
                                             "currency, status, reason, metadata, created_s, settle_at_ms, "
                                             "planned_failure, failure_reason, idempotency_key) "
                                             "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
  const std::string metadata = MetadataToText(r.metadata);  // bound without a copy: must outlive Run()
  stmt->BindInt(1, r.seq);
  stmt->BindText(2, r.id);
  stmt->BindText(3, r.charge);
  stmt->BindText(4, r.payment_intent);
  stmt->BindInt(5, r.amount);
  stmt->BindText(6, r.currency);
  stmt->BindText(7, RefundStatusName(r.status));
  stmt->BindText(8, r.reason);
  stmt->BindText(9, metadata);
  stmt->BindInt(10, r.created_s);
  stmt->BindInt(11, r.settle_at_ms);
  stmt->BindText(12, r.planned_failure);
  stmt->BindText(13, r.failure_reason);
  stmt->BindText(14, r.idempotency_key);
  return stmt->Run();
}

nlohmann::ordered_json ChargeToJson(const Charge& c) {
  nlohmann::ordered_json j;
  j["id"] = c.id;
  j["object"] = "charge";
  j["amount"] = c.amount;
  j["amount_captured"] = c.amount;
  j["amount_refunded"] = c.amount_refunded;
  j["captured"] = true;
  j["created"] = c.created_s;
  j["currency"] = c.currency;
  j["disputed"] = c.amount_disputed_open > 0 || c.amount_disputed_lost > 0;
  j["metadata"] = MetadataJson(c.metadata);
  j["paid"] = true;
  j["payment_intent"] = c.payment_intent;
  j["refunded"] = c.amount_refunded == c.amount;
  j["status"] = "succeeded";
  return j;
}

nlohmann::ordered_json RefundToJson(const Refund& r) {
  nlohmann::ordered_json j;
  j["id"] = r.id;
  j["object"] = "refund";
  j["amount"] = r.amount;
  j["balance_transaction"] = nullptr;
  j["charge"] = r.charge;
  j["created"] = r.created_s;
  j["currency"] = r.currency;
  if (r.status == RefundStatus::kFailed) j["failure_reason"] = r.failure_reason;
  j["metadata"] = MetadataJson(r.metadata);
  j["payment_intent"] = r.payment_intent;
  if (r.reason.empty()) {
    j["reason"] = nullptr;
  } else {
    j["reason"] = r.reason;
  }
  j["receipt_number"] = nullptr;
  j["source_transfer_reversal"] = nullptr;
  j["status"] = RefundStatusName(r.status);
  j["transfer_reversal"] = nullptr;
  return j;
}

}  // namespace steadfast::sandbox
