// refund.record_settlement: write a cancelled reservation's settlement, the
// CancellationDetails snapshot and its transactions, with the checkpoint.
//
// Input:  {reservation_id, breakdown: <refund.calculate_amount output>,
//          charge (the booking's charge, "ch_..."), host_account? ("acct_...";
//          required when the host is paid anything), refund_step? (default
//          "psp"), payout_step? (default "payout"), instance? (default: the
//          workflow id), deposit? (the reservation's: refused when set)}
// Output: {snapshot: <CancellationDetails>, transactions: [<transaction>], replayed}
//
// The transactions are booking (completed: the guest's payment),
// guestrefund (pending: refund_total, cash refunds only) and hostpayout
// (pending: payout_to_host), each keyed "<reservation>/<kind>/<instance>".
// Each pending one is tied to the workflow step that will move it by that
// step's activity key ("<workflow key prefix>/<refund_step>"), which is also
// the PSP's Idempotency-Key of that step: refund.psp_refund and
// refund.psp_payout then mark it completed or failed at their own
// checkpoint, and an admin executing it while it is pending uses the same
// key, so the PSP answers with the step's refund or transfer instead of
// moving money twice (settlement_store.h).
//
// Everything is written in the transaction that checkpoints this attempt:
// the snapshot and the transactions commit with the step or not at all. A
// replay (a retry after a lost checkpoint, an operator's retry) upserts the
// same rows and never moves a transaction back.
// Errors (non-retryable): invalid_input (a malformed breakdown, one whose
// lines do not add up to refund_to_guest, a missing charge or host
// account); refund_store_error.
#include <fmt/format.h>

#include "refund/activities.h"
#include "refund/activity_support.h"
#include "refund/settlement.h"
#include "refund/settlement_store.h"

namespace steadfast::refund {
ActivityFn MakeRecordSettlementActivity(Services) {
  return [](ActivityContext& ctx) -> ActivityResult {
    const Value& in = ctx.input();
    // Settling here would keep the deposit: only claim_settlement returns it.
    if (!in.Get("deposit").is_null()) {
      return InvalidInput("a reservation with a security deposit settles through claim_settlement, which returns the "
                          "deposit (a claim without items returns all of it)");
    }
    Result<CancellationDetails> details = CancellationDetailsFromBreakdown(in.Get("breakdown"));
    if (!details.ok()) return InvalidInput(details.status().message());
    SettlementPlanInput plan;
    plan.reservation_id = IdString(in.Get("reservation_id"));
    if (plan.reservation_id.empty()) plan.reservation_id = details->reservation_id;
    if (plan.reservation_id.empty()) return InvalidInput("reservation_id is required");
    if (!details->reservation_id.empty() && details->reservation_id != plan.reservation_id) {
      return InvalidInput(fmt::format("the breakdown is of reservation {}, not {}", details->reservation_id,
                                      plan.reservation_id));
    }
    details->reservation_id = plan.reservation_id;
    details->workflow_id = ctx.workflow_id();
    details->created_ms = ctx.clock().NowMs();
    plan.workflow_id = ctx.workflow_id();
    plan.instance = IdString(in.Get("instance"));
    plan.charge = in.Get("charge").StringOr("");
    plan.destination = in.Get("host_account").StringOr("");
    plan.refund_psp_key = SiblingStepKey(ctx, in.Get("refund_step").StringOr("psp"));
    plan.payout_psp_key = SiblingStepKey(ctx, in.Get("payout_step").StringOr("payout"));
    plan.now_ms = details->created_ms;
    Result<std::vector<SettlementTransaction>> txns = PlanSettlementTransactions(*details, plan);
    if (!txns.ok()) return InvalidInput(txns.status().message());

    if (ctx.storage() == nullptr) return StoreError(Status::Unavailable("no plugin storage for this attempt"));
    // What a replay finds already there is reported as it is now.
    SettlementStore settlements(*ctx.storage());
    Result<SettlementStore::Listed> existing = settlements.ListPlanned(*txns);
    if (!existing.ok()) return StoreError(existing.status());
    Value::List& listed = existing->transactions;
    const bool replayed = existing->any_recorded;
    SettlementStore::RecordAtCheckpoint(ctx, *details, *txns);
    ctx.SetTraceAttribute("refund.reservation_id", plan.reservation_id);
    ctx.logger().Info(fmt::format("settlement of {}: refund {} to the guest, {} to the host, {} transaction(s){}",
                                  plan.reservation_id, FormatMoney(Money{details->refund_to_guest, details->currency}),
                                  FormatMoney(Money{details->payout_to_host, details->currency}), txns->size(),
                                  replayed ? " (replayed)" : ""));
    Value out;
    out["snapshot"] = CancellationDetailsToValue(*details);
    out["transactions"] = std::move(listed);
    out["replayed"] = replayed;
    return out;
  };
}

}  // namespace steadfast::refund
