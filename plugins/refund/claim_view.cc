// A claim with its settlement or settlement preview.
#include "refund/claim_view.h"

#include <vector>

#include "refund/money.h"
#include "refund/reservation.h"
#include "steadfast/history.h"

namespace steadfast::refund {
namespace {

// What the claim's workflow knows: the cancellation breakdown it computed
// (its refund.calculate_amount step; null when it has none yet) and the
// reservation's security deposit (its input; null when none).
struct WorkflowFacts {
  Value breakdown;
  Value deposit;
};
Result<WorkflowFacts> ReadWorkflow(WorkflowReader& workflows, const std::string& workflow_id) {
  WorkflowFacts out;
  Result<std::vector<HistoryEvent>> history = workflows.History(workflow_id);
  if (!history.ok()) {
    if (history.status().code() == StatusCode::kNotFound) return out;
    return history.status();
  }
  std::string amount_step;
  for (const HistoryEvent& e : *history) {
    if (e.type == history::kWorkflowStarted) {
      out.deposit = e.data.Get("input").Get("reservation").Get("deposit");
    } else if (e.type == history::kStepScheduled &&
               e.data.Get("activity").StringOr("") == "refund.calculate_amount") {
      amount_step = e.step_id;
    } else if (e.type == history::kAttemptSucceeded && !amount_step.empty() && e.step_id == amount_step) {
      out.breakdown = e.data.Get("output");
    }
  }
  return out;
}

// What settling the claim would pay now, as refund.settle_claim computes
// it: null when its workflow has no cancellation breakdown yet.
Result<std::optional<ClaimPayout>> Preview(RefundStore& refunds, const ReservationClaim& c, const WorkflowFacts& w) {
  const Value& breakdown = w.breakdown;
  if (!breakdown.is_map()) return std::optional<ClaimPayout>();
  SF_ASSIGN_OR_RETURN(std::optional<SecurityDeposit> deposit, SecurityDepositFromValue(w.deposit, c.currency));
  SF_ASSIGN_OR_RETURN(std::vector<RefundRecord> prior, refunds.ActiveRefundsOf(c.reservation_id));
  int64_t already = 0;
  for (const RefundRecord& r : prior) {
    if (deposit && r.charge == deposit->charge) continue;  // the deposit's return, not a refund of the booking
    if (r.workflow_id != c.workflow_id && r.currency == c.currency) already += r.amount_minor;
  }
  SF_ASSIGN_OR_RETURN(int64_t decided, c.status == ClaimStatus::kOpen ? ClaimedTotal(c) : DecidedTotal(c));
  SF_ASSIGN_OR_RETURN(Money refund_total, MoneyFromValue(breakdown.Get("refund_total")));
  SF_ASSIGN_OR_RETURN(Money payout, MoneyFromValue(breakdown.Get("payout_to_host")));
  SF_ASSIGN_OR_RETURN(ClaimPayout p, ComputeClaimSettlement(ClaimSettlementInput{
                                         c.currency, breakdown.Get("refund_method").StringOr("cash"),
                                         refund_total.minor, payout.minor, already, decided,
                                         deposit ? deposit->amount_minor : 0}));
  return std::optional<ClaimPayout>(p);
}

}  // namespace

Value ClaimView::ToValue() const {
  Value out = ClaimToValue(claim);
  out["settlement"] = settlement ? ClaimPayoutToValue(*settlement, claim.currency) : Value();
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
  WorkflowFacts facts;
  if (workflows != nullptr) {
    SF_ASSIGN_OR_RETURN(facts, ReadWorkflow(*workflows, c.workflow_id));
  }
  Result<std::optional<ClaimPayout>> preview = Preview(refunds, c, facts);
  if (!preview.ok()) return Status(preview.status().code(), "preview: " + preview.status().message());
  view.settlement = *preview;
  view.basis = c.status == ClaimStatus::kOpen ? "preview, if approved as asked" : "preview of the decided claim";
  return view;
}

}  // namespace steadfast::refund
