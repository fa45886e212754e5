// refund.psp_payout: pay a marketplace seller through the PSP, exactly once.
//
// Input:  {amount: {minor, currency}, destination: "acct_..." (the seller's
//          connected account), reference (the order or sub-order id),
//          transfer_group? (default: reference), seller_id?, description?,
//          metadata?: {k: v}}
// Output: {transfer_id, amount, destination, transfer_group, replayed,
//          status: paid | pending, paid: status == paid}
//
// The PSP request (POST /v1/transfers) carries Idempotency-Key =
// ctx.idempotency_key(), as refund.psp_refund's does, so every attempt,
// after any crash, lost response or timeout, names the same transfer: the
// PSP answers a repeat with the first transfer instead of paying twice.
// A payout the PSP accepts as `pending` (it settles later, as Stripe's
// payouts do) completes the step: the transfer exists and is the PSP's to
// settle; the settlement's hostpayout transaction stays pending with the
// transfer id until refund.sync_settlements reads how it settled.
//
// It posts nothing to the ledger: the refund's own posting
// (refund.post_ledger with the breakdown) already books what the seller
// loses, `host_payout_adjustment`, and the ledger does not carry the order's
// original payout for this transfer to settle; a payout credited to
// psp_clearing would read, to `steadfast reconcile`, as a refund the PSP
// never made. The PSP's transfer is the record (GET /v1/transfers/{id}).
//
// Errors: the adapter's classification, as for refunds (psp_unavailable,
// psp_timeout, psp_connection_lost, psp_rate_limited, psp_circuit_open,
// idempotency_key_in_use: retryable; account_closed and Stripe's other 4xx
// codes, psp_auth_failed, psp_amount_mismatch, psp_currency_mismatch,
// psp_destination_mismatch: non-retryable), psp_not_configured,
// invalid_input. With on_refusal: record (default fail), a definitive
// refusal (account_closed, resource_missing, ...) is not an error: the step
// succeeds with {paid: false, transfer_id: null, error: {code, message}} so
// a settlement workflow finishes and an admin executes the payout later.
// At the checkpoint, the settlement's hostpayout transaction whose PSP key
// is this step's key (refund.record_settlement) becomes completed (with the
// transfer id) or failed (settlement_store.h); other workflows have none.
#include <fmt/format.h>

#include "refund/activities.h"
#include "refund/activity_support.h"
#include "refund/settlement_store.h"

namespace steadfast::refund {

ActivityFn MakePspPayoutActivity(Services s) {
  ActivityFn payout = [s](ActivityContext& ctx) -> ActivityResult {
    const Value& in = ctx.input();
    if (!s->psp) return ActivityError::NonRetryable("psp_not_configured", s->psp_problem);
    Result<Money> amount = MoneyFromValue(in.Get("amount"));
    if (!amount.ok()) return InvalidInput("amount: " + amount.status().message());
    if (amount->minor <= 0) return InvalidInput("amount must be positive (skip the step for a zero payout)");
    TransferRequest req;
    req.amount_minor = amount->minor;
    req.currency = amount->currency;
    req.destination = in.Get("destination").StringOr("");
    if (req.destination.rfind("acct_", 0) != 0 || req.destination.size() <= 5) {
      return InvalidInput("destination must be the seller's connected account id (acct_...)");
    }
    const std::string reference = IdString(in.Get("reference"));
    if (reference.empty()) return InvalidInput("reference (the order id) is required");
    req.transfer_group = in.Get("transfer_group").StringOr(reference);
    req.description = in.Get("description").StringOr("");
    if (in.Get("metadata").is_map()) {
      for (const auto& [k, v] : in.Get("metadata").AsMap()) {
        if (!v.is_null()) req.metadata[k] = v.is_string() ? v.AsString() : v.ToJson();
      }
    }
    req.metadata["reference"] = reference;
    if (const std::string seller = IdString(in.Get("seller_id")); !seller.empty()) req.metadata["seller_id"] = seller;
    req.metadata["workflow_id"] = ctx.workflow_id();
    req.idempotency_key = ctx.idempotency_key();
    ctx.SetTraceAttribute("payout.amount_minor", amount->minor);
    ctx.SetTraceAttribute("payout.currency", amount->currency);
    ctx.SetTraceAttribute("psp.name", "stripe");

    RemoteResult<PspTransfer> transfer = s->psp->Transfer(req);
    if (!transfer.ok()) {
      const ActivityError& e = transfer.error();
      // A settlement's payout may record a definitive refusal instead of
      // failing the workflow: an admin executes the transaction later.
      if (in.Get("on_refusal").StringOr("fail") == "record" && e.kind == ErrorKind::kNonRetryable &&
          IsDefinitiveRefusal(TransactionKind::kHostPayout, e.code)) {
        ctx.logger().Warn(fmt::format("payout of {} to {} refused: {}: {} (recorded)", FormatAmount(*amount),
                                      req.destination, e.code, e.message));
        Value out;
        out["paid"] = false;
        out["transfer_id"] = Value();
        out["amount"] = MoneyToValue(*amount);
        out["destination"] = req.destination;
        out["transfer_group"] = req.transfer_group;
        out["error"] = Value::Map{{"code", e.code}, {"message", e.message}};
        out["replayed"] = false;
        return out;
      }
      return e;
    }
    ctx.SetTraceAttribute("psp.transfer_id", transfer->id);
    ctx.logger().Info(fmt::format("payout {} of {} to {}{}", transfer->id, FormatAmount(*amount), req.destination,
                                  transfer->replayed ? " (replayed)" : ""));
    Value out;
    out["transfer_id"] = transfer->id;
    out["amount"] = MoneyToValue(*amount);
    out["destination"] = transfer->destination;
    out["transfer_group"] = transfer->transfer_group;
    out["replayed"] = transfer->replayed;
    out["status"] = transfer->status;
    out["paid"] = transfer->status == "paid";
    return out;
  };
  // The settlement's hostpayout transaction tied to this step's key (if the
  // workflow recorded one: refund.record_settlement) moves at this checkpoint.
  return [payout](ActivityContext& ctx) -> ActivityResult {
    ActivityResult result = payout(ctx);
    if (ctx.storage() != nullptr) {
      if (std::optional<PspOutcome> o =
              PspOutcomeOf(TransactionKind::kHostPayout, result, ctx.idempotency_key(), ctx.clock().NowMs())) {
        SettlementStore::ApplyPspOutcomeAtCheckpoint(ctx, *o);
      }
    }
    return result;
  };
}

}  // namespace steadfast::refund
