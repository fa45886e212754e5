// refund.psp_reverse_payout (compensation of refund.psp_payout): take a
// seller's payout back when the order's cancellation does not finish.
//
// Input:  {transfer_id, amount?: {minor, currency}, reason?}, or the default
//          compensation input {input, output: <refund.psp_payout output>}
//          (transfer_id and amount are then read from `output`)
// Output: {transfer_id, reversal_id, amount, replayed, already_reversed}
//
// POST /v1/transfers/{id}/reversals with Idempotency-Key =
// ctx.idempotency_key() (the compensation's own key), so a retry or a
// restart names the same reversal and the payout is taken back once.
// Without an amount, all that remains of the transfer is reversed. A
// transfer that is already fully reversed (by a person, say) is read back
// and reported with already_reversed: true: what the compensation wants is
// true, and reversing nothing is not a failure.
//
// Errors: the adapter's classification (retryable transport/5xx/429/
// circuit_open; non-retryable resource_missing for an unknown transfer,
// amount_too_large, psp_auth_failed, psp_amount_mismatch),
// psp_not_configured, invalid_input.
#include <fmt/format.h>

#include "refund/activities.h"
#include "refund/activity_support.h"

namespace steadfast::refund {
namespace {

// The PSP writes currencies in lower case; money carries ISO's upper case.
std::string Upper(std::string text) {
  for (char& c : text) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return text;
}

}  // namespace

ActivityFn MakePspReversePayoutActivity(Services s) {
  return [s](ActivityContext& ctx) -> ActivityResult {
    const Value& given = ctx.input();
    // The default compensation input nests the payout's output under `output`.
    const Value& in = given.Find("transfer_id") == nullptr && given.Get("output").is_map() ? given.Get("output")
                                                                                            : given;
    if (!s->psp) return ActivityError::NonRetryable("psp_not_configured", s->psp_problem);
    TransferReversalRequest req;
    req.transfer_id = in.Get("transfer_id").StringOr("");
    if (req.transfer_id.empty()) return InvalidInput("transfer_id (the payout to reverse) is required");
    std::optional<Money> amount;
    if (!in.Get("amount").is_null()) {
      Result<Money> parsed = MoneyFromValue(in.Get("amount"));
      if (!parsed.ok()) return InvalidInput("amount: " + parsed.status().message());
      if (parsed->minor <= 0) return InvalidInput("amount must be positive");
      amount = *parsed;
      req.amount_minor = parsed->minor;
    }
    if (const std::string reason = given.Get("reason").StringOr(""); !reason.empty()) req.metadata["reason"] = reason;
    req.metadata["workflow_id"] = ctx.workflow_id();
    req.idempotency_key = ctx.idempotency_key();
    ctx.SetTraceAttribute("psp.transfer_id", req.transfer_id);

    Value out;
    out["transfer_id"] = req.transfer_id;
    RemoteResult<PspTransferReversal> reversal = s->psp->ReverseTransfer(req);
    if (!reversal.ok()) {
      if (reversal.error().code != "transfer_already_reversed") return reversal.error();
      // Someone took it back already: believe it only once the PSP says so.
      RemoteResult<PspTransfer> transfer = s->psp->GetTransfer(req.transfer_id);
      if (!transfer.ok()) return transfer.error();
      if (transfer->amount_reversed != transfer->amount_minor) return reversal.error();
      ctx.logger().Info(fmt::format("payout {} was reversed already", req.transfer_id));
      out["reversal_id"] = "";
      out["amount"] = MoneyToValue(Money{transfer->amount_reversed, amount ? amount->currency : Upper(transfer->currency)});
      out["replayed"] = false;
      out["already_reversed"] = true;
      return out;
    }
    ctx.logger().Info(fmt::format("payout {} reversed by {} ({} minor units){}", req.transfer_id, reversal->id,
                                  reversal->amount_minor, reversal->replayed ? " (replayed)" : ""));
    out["reversal_id"] = reversal->id;
    out["amount"] = MoneyToValue(Money{reversal->amount_minor, amount ? amount->currency : Upper(reversal->currency)});
    out["replayed"] = reversal->replayed;
    out["already_reversed"] = false;
    return out;
  };
}

}  // namespace steadfast::refund
