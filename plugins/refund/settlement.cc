// Settlement values: the snapshot from a breakdown, the transactions it
// plans, their keys, ids and lifecycle.
#include "refund/settlement.h"

#include <fmt/format.h>

#include <array>

#include "steadfast/time_text.h"

namespace steadfast::refund {
namespace {

constexpr std::array<std::string_view, 5> kKindNames = {"booking", "guestrefund", "hostpayout", "deposit",
                                                        "depositreturn"};
constexpr std::array<std::string_view, 3> kStatusNames = {"pending", "completed", "failed"};

// The amount at `field` of the breakdown, in `currency` (set from the first
// amount read when empty).
Result<int64_t> AmountAt(const Value& v, std::string_view field, std::string& currency) {
  Result<Money> m = MoneyFromValue(v);
  if (!m.ok()) return Status::InvalidArgument(fmt::format("breakdown {}: {}", field, m.status().message()));
  if (currency.empty()) currency = m->currency;
  if (m->currency != currency) {
    return Status::InvalidArgument(
        fmt::format("breakdown {} is in {}, the breakdown in {}: currencies never mix", field, m->currency, currency));
  }
  return m->minor;
}

Value Amount(int64_t minor, const std::string& currency) { return MoneyToValue(Money{minor, currency}); }

Value Instant(TimeMs ms) { return ms == 0 ? Value() : Value(FormatRfc3339Utc(ms)); }

}  // namespace

std::string_view TransactionKindName(TransactionKind kind) { return kKindNames.at(static_cast<size_t>(kind)); }

bool IsRefundKind(TransactionKind kind) {
  return kind == TransactionKind::kGuestRefund || kind == TransactionKind::kDepositReturn;
}

std::optional<TransactionKind> ParseTransactionKind(std::string_view name) {
  for (size_t i = 0; i < kKindNames.size(); ++i) {
    if (kKindNames[i] == name) return static_cast<TransactionKind>(i);
  }
  return std::nullopt;
}

std::string_view TransactionStatusName(TransactionStatus status) {
  return kStatusNames.at(static_cast<size_t>(status));
}

std::optional<TransactionStatus> ParseTransactionStatus(std::string_view name) {
  for (size_t i = 0; i < kStatusNames.size(); ++i) {
    if (kStatusNames[i] == name) return static_cast<TransactionStatus>(i);
  }
  return std::nullopt;
}

bool AllowedTransition(TransactionStatus from, TransactionStatus to) {
  switch (from) {
    case TransactionStatus::kPending:
      return to == TransactionStatus::kCompleted || to == TransactionStatus::kFailed;
    case TransactionStatus::kFailed:
      // An admin executes it again: pending until the PSP answers.
      return to == TransactionStatus::kPending;
    case TransactionStatus::kCompleted:
      return false;
  }
  return false;
}

Result<CancellationDetails> CancellationDetailsFromBreakdown(const Value& b) {
  if (!b.is_map()) return Status::InvalidArgument("breakdown must be the refund.calculate_amount output (a map)");
  CancellationDetails d;
  d.reservation_id = b.Get("reservation_id").is_int() ? std::to_string(b.Get("reservation_id").AsInt())
                                                       : b.Get("reservation_id").StringOr("");
  d.currency = b.Get("currency").StringOr("");
  SF_ASSIGN_OR_RETURN(d.refund_to_guest, AmountAt(b.Get("refund_to_guest"), "refund_to_guest", d.currency));
  SF_ASSIGN_OR_RETURN(d.refund_total, AmountAt(b.Get("refund_total"), "refund_total", d.currency));
  SF_ASSIGN_OR_RETURN(d.payout_to_host, AmountAt(b.Get("payout_to_host"), "payout_to_host", d.currency));
  SF_ASSIGN_OR_RETURN(d.total, AmountAt(b.Get("paid_total"), "paid_total", d.currency));
  SF_ASSIGN_OR_RETURN(d.host_service_fee,
                      AmountAt(b.Get("settlement").Get("host_fee"), "settlement.host_fee", d.currency));
  if (!b.Get("lines").is_list()) return Status::InvalidArgument("breakdown lines must be a list");
  // refund_to_guest is exactly the sum of the lines, the guest service fee
  // line among them: the snapshot reports that line on its own and never
  // adds it to the guest's total again.
  int64_t sum = 0;
  bool fee_line = false;
  for (const Value& line : b.Get("lines").AsList()) {
    const std::string kind = line.Get("kind").StringOr("");
    SF_ASSIGN_OR_RETURN(int64_t refund, AmountAt(line.Get("refund"), "line " + kind + " refund", d.currency));
    SF_ASSIGN_OR_RETURN(sum, CheckedAdd(sum, refund));
    if (kind == "guest_service_fee") {
      d.guest_service_fee = refund;
      fee_line = true;
    }
  }
  if (!fee_line) return Status::InvalidArgument("breakdown has no guest_service_fee line");
  if (sum != d.refund_to_guest) {
    return Status::InvalidArgument(fmt::format(
        "breakdown lines add up to {} but refund_to_guest is {}: the guest service fee must be counted exactly once",
        FormatMoney(Money{sum, d.currency}), FormatMoney(Money{d.refund_to_guest, d.currency})));
  }
  if (d.guest_service_fee < 0 || d.guest_service_fee > d.refund_to_guest) {
    return Status::InvalidArgument("breakdown guest service fee portion is outside 0..refund_to_guest");
  }
  if (d.refund_total < 0 || d.payout_to_host < 0 || d.total < 0 || d.host_service_fee < 0) {
    return Status::InvalidArgument("breakdown totals must not be negative");
  }
  d.refund_method = b.Get("refund_method").StringOr("cash");
  if (d.refund_method != "cash" && d.refund_method != "voucher") {
    return Status::InvalidArgument("breakdown refund_method must be cash or voucher");
  }
  const Value& policy = b.Get("policy");
  if (policy.is_map() && policy.Get("name").is_string()) {
    d.policy = policy.Get("name").AsString();
    if (policy.Get("version").is_int()) d.policy += "@" + std::to_string(policy.Get("version").AsInt());
  }
  return d;
}

std::string TransactionKey(std::string_view reservation_id, TransactionKind kind, std::string_view instance) {
  return fmt::format("{}/{}/{}", reservation_id, TransactionKindName(kind), instance);
}

std::string TransactionIdFor(std::string_view key) {
  uint64_t h = 14695981039346656037ULL;  // FNV-1a 64
  for (unsigned char c : key) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return fmt::format("stx_{:016x}", h);
}

Result<std::vector<SettlementTransaction>> PlanSettlementTransactions(const CancellationDetails& d,
                                                                      const SettlementPlanInput& in) {
  if (in.reservation_id.empty()) return Status::InvalidArgument("reservation_id is required");
  const std::string instance = in.instance.empty() ? in.workflow_id : in.instance;
  if (instance.empty()) return Status::InvalidArgument("an instance (or the workflow id) is required");
  std::vector<SettlementTransaction> out;
  auto add = [&](TransactionKind kind, int64_t minor, TransactionStatus status) -> SettlementTransaction& {
    SettlementTransaction& t = out.emplace_back();
    t.idempotency_key = TransactionKey(in.reservation_id, kind, instance);
    t.id = TransactionIdFor(t.idempotency_key);
    t.reservation_id = in.reservation_id;
    t.kind = kind;
    t.status = status;
    t.amount = Money{minor, d.currency};
    t.workflow_id = in.workflow_id;
    t.created_ms = in.now_ms;
    t.updated_ms = in.now_ms;
    return t;
  };
  const bool cash_back = d.refund_method == "cash" && d.refund_total > 0;
  if ((d.total > 0 || cash_back) && in.charge.empty()) {
    return Status::InvalidArgument("charge (the booking's payment) is required to settle a paid reservation");
  }
  // A charge taken at payment: completed, its provider id the charge.
  auto charged = [&](TransactionKind kind, int64_t minor, const std::string& charge) {
    SettlementTransaction& t = add(kind, minor, TransactionStatus::kCompleted);
    t.charge = charge;
    t.provider_id = charge;
    t.executed_by = kExecutedByPsp;
    t.executed_ms = in.now_ms;
  };
  if (d.total > 0) charged(TransactionKind::kBooking, d.total, in.charge);
  if (cash_back) {
    if (in.refund_psp_key.empty()) return Status::InvalidArgument("the guest refund's PSP key is required");
    SettlementTransaction& refund = add(TransactionKind::kGuestRefund, d.refund_total, TransactionStatus::kPending);
    refund.charge = in.charge;
    refund.psp_idempotency_key = in.refund_psp_key;
  }
  if (d.payout_to_host > 0) {
    if (in.destination.empty()) {
      return Status::InvalidArgument("the host's account (destination, acct_...) is required to pay the host");
    }
    if (in.payout_psp_key.empty()) return Status::InvalidArgument("the host payout's PSP key is required");
    SettlementTransaction& payout = add(TransactionKind::kHostPayout, d.payout_to_host, TransactionStatus::kPending);
    payout.destination = in.destination;
    payout.psp_idempotency_key = in.payout_psp_key;
  }
  if (d.deposit > 0) {
    if (in.deposit_charge.empty()) return Status::InvalidArgument("the deposit's charge (ch_...) is required");
    charged(TransactionKind::kDeposit, d.deposit, in.deposit_charge);
  }
  if (d.deposit_returned > 0) {
    if (in.deposit_psp_key.empty()) return Status::InvalidArgument("the deposit return's PSP key is required");
    SettlementTransaction& back = add(TransactionKind::kDepositReturn, d.deposit_returned, TransactionStatus::kPending);
    back.charge = in.deposit_charge;
    back.psp_idempotency_key = in.deposit_psp_key;
  }
  return out;
}

Value TransactionToValue(const SettlementTransaction& t) {
  Value v;
  v["id"] = t.id;
  v["idempotency_key"] = t.idempotency_key;
  v["reservation_id"] = t.reservation_id;
  v["kind"] = std::string(TransactionKindName(t.kind));
  v["status"] = std::string(TransactionStatusName(t.status));
  v["amount"] = MoneyToValue(t.amount);
  v["charge"] = t.charge;
  v["destination"] = t.destination;
  v["psp_idempotency_key"] = t.psp_idempotency_key;
  v["provider_id"] = t.provider_id.empty() ? Value() : Value(t.provider_id);
  v["executed_by"] = t.executed_by.empty() ? Value() : Value(t.executed_by);
  v["executed_at"] = Instant(t.executed_ms);
  v["failure"] = t.failure_code.empty() ? Value()
                                        : Value(Value::Map{{"code", t.failure_code}, {"message", t.failure_message}});
  v["workflow_id"] = t.workflow_id;
  v["executions"] = t.executions;
  v["created_at"] = Instant(t.created_ms);
  v["updated_at"] = Instant(t.updated_ms);
  return v;
}

Value CancellationDetailsToValue(const CancellationDetails& d) {
  Value v;
  v["reservation_id"] = d.reservation_id;
  v["workflow_id"] = d.workflow_id;
  v["currency"] = d.currency;
  v["refund_to_guest"] = Amount(d.refund_to_guest, d.currency);
  v["payout_to_host"] = Amount(d.payout_to_host, d.currency);
  v["total"] = Amount(d.total, d.currency);
  v["guest_service_fee"] = Amount(d.guest_service_fee, d.currency);
  v["host_service_fee"] = Amount(d.host_service_fee, d.currency);
  v["refund_total"] = Amount(d.refund_total, d.currency);
  v["refund_method"] = d.refund_method;
  v["policy"] = d.policy;
  v["created_at"] = Instant(d.created_ms);
  if (d.deposit > 0) {
    v["deposit"] = Value::Map{{"held", Amount(d.deposit, d.currency)},
                              {"claimed", Amount(d.deposit_claimed, d.currency)},
                              {"returned", Amount(d.deposit_returned, d.currency)}};
  }
  return v;
}

Value TransactionListingToValue(const std::vector<SettlementTransaction>& transactions,
                                const std::vector<CancellationDetails>* snapshots) {
  Value::List list;
  for (const SettlementTransaction& t : transactions) list.push_back(TransactionToValue(t));
  Value out;
  out["transactions"] = std::move(list);
  if (snapshots != nullptr) {
    Value::List snaps;
    for (const CancellationDetails& d : *snapshots) snaps.push_back(CancellationDetailsToValue(d));
    out["snapshots"] = std::move(snaps);
  }
  return out;
}

}  // namespace steadfast::refund
