// Settlement transactions against the PSP's refunds and transfers.
#include "refund/settlement_reconciliation.h"

#include <fmt/format.h>

#include <algorithm>

namespace steadfast::refund {
namespace {

bool Active(const PspRefundFact& r) { return r.status == "succeeded" || r.status == "pending"; }
bool Failed(const PspRefundFact& r) { return r.status == "failed" || r.status == "canceled"; }

}  // namespace

std::vector<SettlementDrift> ReconcileSettlements(const SettlementReconciliationInput& in) {
  const TimeMs at_rest = in.now_ms - in.settle_margin_ms;
  std::vector<SettlementDrift> out;
  for (const SettlementTransaction& t : in.transactions) {
    // Charges are taken at booking, outside the PSP's refund and transfer lists.
    if (t.kind == TransactionKind::kBooking || t.kind == TransactionKind::kDeposit ||
        t.status == TransactionStatus::kFailed) {
      continue;
    }
    // May be between its PSP call and its checkpoint.
    if (t.updated_ms > at_rest || in.in_flight_workflows.count(t.workflow_id) > 0) continue;
    const std::string amount = FormatMoney(t.amount);
    if (IsRefundKind(t.kind)) {
      // A deposit return is a refund of the deposit's charge, checked as a guest refund is.
      const char* what = t.kind == TransactionKind::kGuestRefund ? "guest refund" : "deposit return";
      auto same_id = [&](const PspRefundFact& r) { return !t.provider_id.empty() && r.id == t.provider_id; };
      auto failed = std::find_if(in.psp_refunds.begin(), in.psp_refunds.end(),
                                 [&](const PspRefundFact& r) { return same_id(r) && Failed(r); });
      if (failed != in.psp_refunds.end()) {
        const bool completed = t.status == TransactionStatus::kCompleted;
        out.push_back({completed ? kSettlementFailedAtPsp : kSettlementPendingButFailed, t, t.provider_id,
                       fmt::format("{} {} of {} is {}, but the PSP's refund {} {}", what, t.id, amount,
                                   completed ? "completed" : "pending", t.provider_id, failed->status)});
        continue;
      }
      if (t.status == TransactionStatus::kCompleted) {
        auto it = std::find_if(in.psp_refunds.begin(), in.psp_refunds.end(),
                               [&](const PspRefundFact& r) { return r.id == t.provider_id && Active(r); });
        if (it == in.psp_refunds.end()) {
          out.push_back({kSettlementUnknownAtPsp, t, t.provider_id,
                         fmt::format("{} {} of {} is completed as {}, which the PSP does not list as active",
                                     what, t.id, amount, t.provider_id.empty() ? "(no id)" : t.provider_id)});
        }
        continue;
      }
      for (const PspRefundFact& r : in.psp_refunds) {
        if (r.status != "succeeded" || r.created_ms > at_rest) continue;
        const bool same_id = !t.provider_id.empty() && r.id == t.provider_id;
        // The same workflow refunds the booking's charge and the deposit's:
        // a refund of the other charge is not this one's.
        const bool same_step = !t.workflow_id.empty() && r.workflow_id == t.workflow_id &&
                               r.reservation_id == t.reservation_id &&
                               (t.charge.empty() || r.charge.empty() || r.charge == t.charge);
        if (!same_id && !same_step) continue;
        out.push_back({kSettlementPendingButDone, t, r.id,
                       fmt::format("{} {} of {} is pending, but the PSP refunded {} ({}) for it", what, t.id,
                                   amount, FormatMoney(Money{r.amount_minor, r.currency}), r.id)});
        break;
      }
      continue;
    }
    // Host payouts: looked up by transfer id.
    if (t.provider_id.empty()) continue;
    auto known = in.transfers.find(t.provider_id);
    if (known == in.transfers.end()) continue;
    const std::string& at_psp = known->second;
    const bool completed = t.status == TransactionStatus::kCompleted;
    if (completed && at_psp.empty()) {
      out.push_back({kSettlementUnknownAtPsp, t, t.provider_id,
                     fmt::format("host payout {} of {} is completed as {}, which the PSP does not know", t.id, amount,
                                 t.provider_id)});
    } else if (at_psp == "failed") {
      out.push_back({completed ? kSettlementFailedAtPsp : kSettlementPendingButFailed, t, t.provider_id,
                     fmt::format("host payout {} of {} is {}, but the PSP's payout {} failed", t.id, amount,
                                 completed ? "completed" : "pending", t.provider_id)});
    } else if (!completed && at_psp == "paid") {
      out.push_back({kSettlementPendingButDone, t, t.provider_id,
                     fmt::format("host payout {} of {} is pending, but the PSP paid transfer {} for it", t.id, amount,
                                 t.provider_id)});
    }
  }
  std::sort(out.begin(), out.end(), [](const SettlementDrift& a, const SettlementDrift& b) {
    return a.kind != b.kind ? a.kind < b.kind : a.transaction.id < b.transaction.id;
  });
  return out;
}

Value SettlementDriftToValue(const SettlementDrift& d) {
  Value v;
  v["kind"] = d.kind;
  v["transaction_id"] = d.transaction.id;
  v["reservation_id"] = d.transaction.reservation_id;
  v["transaction_kind"] = std::string(TransactionKindName(d.transaction.kind));
  v["status"] = std::string(TransactionStatusName(d.transaction.status));
  v["amount"] = MoneyToValue(d.transaction.amount);
  v["psp_id"] = d.psp_id;
  v["detail"] = d.detail;
  v["repairable"] = false;
  return v;
}

}  // namespace steadfast::refund
