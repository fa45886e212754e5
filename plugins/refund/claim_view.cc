// A claim with its settlement or settlement preview.
#include "refund/claim_view.h"

#include <vector>

#include "refund/money.h"
#include "steadfast/history.h"

namespace steadfast::refund {
namespace {

// The cancellation breakdown the claim's workflow computed (its
// refund.calculate_amount step), or null when it has none yet.
Result<Value> WorkflowBreakdown(WorkflowReader& workflows, const std::string& workflow_id) {
  Result<std::vector<HistoryEvent>> history = workflows.History(workflow_id);
  if (!history.ok()) return history.status().code() == StatusCode::kNotFound ? Value() : Result<Value>(history.status());
  std::string amount_step;
  Value breakdown;
  for (const HistoryEvent& e : *history) {
    if (e.type == history::kStepScheduled && e.data.Get("activity").StringOr("") == "refund.calculate_amount") {
      amount_step = e.step_id;
    } else if (e.type == history::kAttemptSucceeded && !amount_step.empty() && e.step_id == amount_step) {
      breakdown = e.data.Get("output");
    }
  }
  return breakdown;
}

// What settling the claim would pay now: null when its workflow has no
// cancellation breakdown yet.
Result<std::optional<ClaimPayout>> Preview(RefundStore& refunds, const ReservationClaim& c, const Value& breakdown) {
  if (!breakdown.is_map()) return std::optional<ClaimPayout>();
  SF_ASSIGN_OR_RETURN(std::vector<RefundRecord> prior, refunds.ActiveRefundsOf(c.reservation_id));
  int64_t already = 0;
  for (const RefundRecord& r : prior) {
    if (r.workflow_id != c.workflow_id && r.currency == c.currency) already += r.amount_minor;
  }
  SF_ASSIGN_OR_RETURN(int64_t decided, c.status == ClaimStatus::kOpen ? ClaimedTotal(c) : DecidedTotal(c));
  SF_ASSIGN_OR_RETURN(Money refund_total, MoneyFromValue(breakdown.Get("refund_total")));
  SF_ASSIGN_OR_RETURN(Money payout, MoneyFromValue(breakdown.Get("payout_to_host")));
  SF_ASSIGN_OR_RETURN(ClaimPayout p,
                      ComputeClaimSettlement(ClaimSettlementInput{c.currency, breakdown.Get("refund_method").StringOr("cash"),
                                                                  refund_total.minor, payout.minor, already, decided}));
  return std::optional<ClaimPayout>(p);
}

Value PayoutToValue(const ClaimPayout& p, const std::string& currency) {
  auto m = [&currency](int64_t minor) { return MoneyToValue(Money{minor, currency}); };
  return Value::Map{{"already_refunded", m(p.already_refunded)}, {"remaining", m(p.remaining)},
                    {"claim_payout", m(p.claim_payout)},         {"uncovered", m(p.uncovered)},
                    {"guest_refund", m(p.guest_refund)},         {"host_payout", m(p.host_payout)}};
}

}  // namespace

Value ClaimView::ToValue() const {
  Value out = ClaimToValue(claim);
  out["settlement"] = settlement ? PayoutToValue(*settlement, claim.currency) : Value();
  out["settlement_basis"] = settlement ? Value(basis) : Value();
  return out;
}

Result<ClaimView> ViewClaim(ClaimStore& claims, RefundStore& refunds, WorkflowReader* workflows,
                            const std::string& claim_id) {
  ClaimView view;
  SF_ASSIGN_OR_RETURN(view.claim, claims.Claim(claim_id));
  const ReservationClaim& c = view.claim;
  if (c.status == ClaimStatus::kSettled) {
    view.settlement = c.payout;
    view.basis = "settled";
    return view;
  }
  Value breakdown;
  if (workflows != nullptr) {
    SF_ASSIGN_OR_RETURN(breakdown, WorkflowBreakdown(*workflows, c.workflow_id));
  }
  Result<std::optional<ClaimPayout>> preview = Preview(refunds, c, breakdown);
  if (!preview.ok()) return Status(preview.status().code(), "preview: " + preview.status().message());
  view.settlement = *preview;
  view.basis = c.status == ClaimStatus::kOpen ? "preview, if approved as asked" : "preview of the decided claim";
  return view;
}

}  // namespace steadfast::refund
