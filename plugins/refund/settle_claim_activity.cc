// refund.settle_claim: settle a decided claim with the reservation's
// cancellation: the money, the CancellationDetails snapshot and the
// transactions, written with the checkpoint.
//
// Input:  {claim_id, breakdown: <refund.calculate_amount output>, charge
//          ("ch_..."), host_account? ("acct_...", required when the host is
//          paid anything), deposit? (the reservation's {amount, charge}),
//          refund_step? (default "psp"), payout_step? (default "payout"),
//          deposit_step? (default "deposit")}
// Output: {claim_id, reservation_id, breakdown (as settled, for
//          refund.post_ledger), snapshot, transactions, already_refunded,
//          remaining, decided, claim_payout, uncovered, guest_refund,
//          refund_to_guest, host_payout, deposit, deposit_claimed,
//          deposit_returned (each {minor, currency}; the deposit ones 0
//          without a deposit), replayed}
//
// A security deposit is drawn on first (claim_settlement.h): the rest of
// it goes back by the deposit step (refund.return_deposit), as a pending
// depositreturn transaction tied to that step's key.
//
// The money is claim_settlement.h's: the claim is paid from what remains of
// the guest's refund after refunds made before by other workflows (read from
// the refund records), capped there (the part it cannot cover is reported as
// `uncovered`, never paid); the guest gets the rest back, the host its
// payout plus the claim payout. The reservation's cancellation request is
// claimed for this workflow first (as refund.check_eligibility does), so a
// reservation_refund or reservation_settlement of the same reservation is a
// duplicate_request, and this one is refused when another holds it.
//
// Written in the transaction that checkpoints this attempt: the claim
// settled with its payout, the snapshot, and the transactions (booking
// completed; guestrefund and hostpayout pending, tied to the refund and
// payout steps' keys, which refund.psp_refund and refund.psp_payout move at
// their checkpoints), exactly as refund.record_settlement writes them.
// Errors (non-retryable): invalid_input (a malformed breakdown, another
// currency or reservation than the claim's, a missing charge or host
// account, a voucher refund with a claim payout), claim_not_found,
// claim_not_decided, claim_conflict (another workflow's claim),
// duplicate_request; refund_store_error.
#include <fmt/format.h>

#include "refund/activities.h"
#include "refund/activity_support.h"
#include "refund/claim_settlement.h"
#include "refund/claim_store.h"
#include "refund/own_claim.h"
#include "refund/reservation.h"
#include "refund/settlement.h"
#include "refund/settlement_store.h"

namespace steadfast::refund {

ActivityFn MakeSettleClaimActivity(Services) {
  return [](ActivityContext& ctx) -> ActivityResult {
    const Value& in = ctx.input();
    const std::string claim_id = IdString(in.Get("claim_id"));
    std::variant<ReservationClaim, ActivityError> own = LoadOwnClaim(ctx, claim_id);
    if (const ActivityError* error = std::get_if<ActivityError>(&own)) return *error;
    ReservationClaim* claim = &std::get<ReservationClaim>(own);
    if (claim->status == ClaimStatus::kOpen) {
      return ActivityError::NonRetryable("claim_not_decided", "claim " + claim_id + " has not been decided");
    }
    const Value& breakdown = in.Get("breakdown");
    const std::string reservation = IdString(breakdown.Get("reservation_id"));
    if (reservation != claim->reservation_id) {
      return InvalidInput(fmt::format("the breakdown is of reservation {}, the claim of {}", reservation,
                                      claim->reservation_id));
    }
    if (breakdown.Get("currency").StringOr("") != claim->currency) {
      return InvalidInput(fmt::format("the breakdown is in {}, the claim in {}: currencies never mix",
                                      breakdown.Get("currency").StringOr("?"), claim->currency));
    }

    RefundStore refunds(*ctx.storage());
    const TimeMs now = ctx.clock().NowMs();
    Result<std::string> owner = refunds.ClaimRequest(claim->reservation_id, "cancellation", ctx.workflow_id(), now);
    if (!owner.ok()) return StoreError(owner.status());
    if (*owner != ctx.workflow_id()) {
      return ActivityError::NonRetryable("duplicate_request",
                                         fmt::format("the cancellation of {} is handled by workflow {}",
                                                     claim->reservation_id, *owner));
    }
    Result<std::optional<SecurityDeposit>> deposit = SecurityDepositFromValue(in.Get("deposit"), claim->currency);
    if (!deposit.ok()) return InvalidInput(deposit.status().message());
    const std::string charge = in.Get("charge").StringOr("");
    if (*deposit && (*deposit)->charge == charge) {
      return InvalidInput("the deposit's charge is the booking's: a deposit is held as a charge of its own");
    }
    // Refunds of this reservation's booking made before, by other workflows
    // (a deposit returned before is no refund of the booking).
    Result<std::vector<RefundRecord>> prior = refunds.ActiveRefundsOf(claim->reservation_id);
    if (!prior.ok()) return StoreError(prior.status());
    int64_t already = 0;
    for (const RefundRecord& r : *prior) {
      if (r.workflow_id == ctx.workflow_id()) continue;
      if (*deposit && r.charge == (*deposit)->charge) continue;
      if (r.currency != claim->currency) {
        return InvalidInput(fmt::format("reservation {} was refunded in {} before, the claim is in {}",
                                        claim->reservation_id, r.currency, claim->currency));
      }
      Result<int64_t> sum = CheckedAdd(already, r.amount_minor);
      if (!sum.ok()) return InvalidInput(sum.status().message());
      already = *sum;
    }

    Result<int64_t> decided = DecidedTotal(*claim);
    if (!decided.ok()) return InvalidInput(decided.status().message());
    Result<Money> refund_total = MoneyFromValue(breakdown.Get("refund_total"));
    Result<Money> payout_to_host = MoneyFromValue(breakdown.Get("payout_to_host"));
    if (!refund_total.ok()) return InvalidInput("breakdown refund_total: " + refund_total.status().message());
    if (!payout_to_host.ok()) return InvalidInput("breakdown payout_to_host: " + payout_to_host.status().message());
    ClaimSettlementInput money{claim->currency, breakdown.Get("refund_method").StringOr("cash"), refund_total->minor,
                               payout_to_host->minor, already, *decided,
                               *deposit ? (*deposit)->amount_minor : 0};
    Result<ClaimPayout> p = ComputeClaimSettlement(money);
    if (!p.ok()) return InvalidInput(p.status().message());
    Result<Value> settled = SettledBreakdown(breakdown, *p);
    if (!settled.ok()) return InvalidInput(settled.status().message());
    Result<CancellationDetails> details = ClaimSnapshot(breakdown, *p);
    if (!details.ok()) return InvalidInput(details.status().message());
    details->reservation_id = claim->reservation_id;
    details->workflow_id = ctx.workflow_id();
    details->created_ms = now;

    SettlementPlanInput plan;
    plan.reservation_id = claim->reservation_id;
    plan.workflow_id = ctx.workflow_id();
    plan.charge = charge;
    plan.destination = in.Get("host_account").StringOr("");
    plan.refund_psp_key = SiblingStepKey(ctx, in.Get("refund_step").StringOr("psp"));
    plan.payout_psp_key = SiblingStepKey(ctx, in.Get("payout_step").StringOr("payout"));
    if (*deposit) {
      plan.deposit_charge = (*deposit)->charge;
      plan.deposit_psp_key = SiblingStepKey(ctx, in.Get("deposit_step").StringOr("deposit"));
    }
    plan.now_ms = now;
    Result<std::vector<SettlementTransaction>> txns = PlanSettlementTransactions(*details, plan);
    if (!txns.ok()) return InvalidInput(txns.status().message());

    // What a replay finds already there is reported as it is now.
    SettlementStore settlements(*ctx.storage());
    Result<SettlementStore::Listed> existing = settlements.ListPlanned(*txns);
    if (!existing.ok()) return StoreError(existing.status());
    Value::List& listed = existing->transactions;
    const bool replayed = existing->any_recorded || claim->status == ClaimStatus::kSettled;
    SettlementStore::RecordAtCheckpoint(ctx, *details, *txns);
    ClaimStore::RecordSettlementAtCheckpoint(ctx, claim_id, *p, now);

    const std::string& c = claim->currency;
    ctx.SetTraceAttribute("refund.reservation_id", claim->reservation_id);
    ctx.logger().Info(fmt::format(
        "claim {} of {} settled: {} to the guest, {} to the host (claim {} of {} decided, {} from the deposit, {} of it "
        "returned){}",
        claim_id, claim->reservation_id, FormatMoney(Money{p->guest_refund, c}), FormatMoney(Money{p->host_payout, c}),
        FormatMoney(Money{p->claim_payout, c}), FormatMoney(Money{*decided, c}),
        FormatMoney(Money{p->deposit_claimed, c}), FormatMoney(Money{p->deposit_returned, c}),
        replayed ? " (replayed)" : ""));
    auto m = [&c](int64_t minor) { return MoneyToValue(Money{minor, c}); };
    Value out;
    out["claim_id"] = claim_id;
    out["reservation_id"] = claim->reservation_id;
    out["breakdown"] = std::move(*settled);
    out["snapshot"] = CancellationDetailsToValue(*details);
    out["transactions"] = std::move(listed);
    out["already_refunded"] = m(p->already_refunded);
    out["remaining"] = m(p->remaining);
    out["decided"] = m(*decided);
    out["claim_payout"] = m(p->claim_payout);
    out["uncovered"] = m(p->uncovered);
    out["guest_refund"] = m(p->guest_refund);
    out["refund_to_guest"] = m(details->refund_to_guest);
    out["host_payout"] = m(p->host_payout);
    out["deposit"] = m(p->deposit);
    out["deposit_claimed"] = m(p->deposit_claimed);
    out["deposit_returned"] = m(p->deposit_returned);
    out["replayed"] = replayed;
    return out;
  };
}

}  // namespace steadfast::refund
