// refund.return_deposit: give the guest back what remains of the security
// deposit, as a PSP refund of the deposit's own charge, exactly once.
//
// Input:  refund.psp_refund's ({charge: the deposit's charge, amount,
//          reservation_id, customer_id?, payment_method?, reason?, metadata:
//          {deposit: "return", ...}: the mark reconciliation reads})
// Output: refund.psp_refund's, plus returned: true; or, when the PSP refused
//          the refund for good (a definitive refusal, settlement_store.h),
//          {returned: false, refund_id (or null), error: {code, message}}
//
// The PSP call is refund.psp_refund's (same idempotency key rule, the same
// waiting for a pending refund, the refund record, the dispute check). At
// the same checkpoint, the settlement's depositreturn transaction whose PSP
// key is this step's key moves (completed with the refund id, or failed
// with the PSP's code), and a completed return is booked
// (DepositReturnPosting: deposit_liability to psp_clearing). A refusal does
// not fail the settlement: the claim and the guest's refund are settled
// already, so the workflow completes and the failed transaction is for an
// admin (`steadfast refund transactions execute`), whose execution books
// the return under the same key.
#include <fmt/format.h>

#include "refund/activities.h"
#include "refund/activity_support.h"
#include "refund/deposit_posting.h"
#include "refund/refund_store.h"
#include "refund/settlement_store.h"

namespace steadfast::refund {
namespace {

// The depositreturn transaction a settle step tied to PSP key `key`, if any.
Result<std::optional<SettlementTransaction>> TransactionOfKey(PluginStorage& storage, const std::string& reservation,
                                                              const std::string& key) {
  TransactionFilter f;
  f.reservation_id = reservation;
  f.kind = TransactionKind::kDepositReturn;
  SF_ASSIGN_OR_RETURN(std::vector<SettlementTransaction> found, SettlementStore(storage).Transactions(f));
  for (SettlementTransaction& t : found) {
    if (t.psp_idempotency_key == key) return std::optional<SettlementTransaction>(std::move(t));
  }
  return std::optional<SettlementTransaction>();
}

}  // namespace

ActivityFn MakeReturnDepositActivity(Services s) {
  ActivityFn refund = MakePspRefundActivity(s);
  return [refund](ActivityContext& ctx) -> ActivityResult {
    // Reconciliation tells the deposit's return from the booking's refund
    // of the same workflow and reservation by this mark on the PSP's refund.
    if (ctx.input().Get("metadata").Get("deposit").StringOr("") != "return") {
      return InvalidInput("metadata.deposit must be \"return\": it marks the PSP's refund as the deposit's return");
    }
    ActivityResult result = refund(ctx);
    if (ctx.storage() == nullptr) return result;
    const std::string key = ctx.idempotency_key();
    std::optional<PspOutcome> o = PspOutcomeOf(TransactionKind::kDepositReturn, result, key, ctx.clock().NowMs());
    if (!o) return result;
    SettlementStore::ApplyPspOutcomeAtCheckpoint(ctx, *o);
    if (o->status == TransactionStatus::kCompleted) {
      Result<std::optional<SettlementTransaction>> t =
          TransactionOfKey(*ctx.storage(), IdString(ctx.input().Get("reservation_id")), key);
      if (!t.ok()) return StoreError(t.status());
      if (t->has_value()) {
        Result<LedgerTransaction> posting = DepositReturnPosting(**t);
        if (!posting.ok()) return InvalidInput(posting.status().message());
        RefundStore refunds(*ctx.storage());
        Result<PostedTransaction> posted = refunds.PostAtCheckpoint(ctx, *posting, ctx.clock().NowMs());
        if (!posted.ok()) return StoreError(posted.status());
      }
    }
    if (result.ok()) {
      Value out = result.output();
      out["returned"] = true;
      return out;
    }
    if (o->status != TransactionStatus::kFailed) return result;
    ctx.logger().Warn(fmt::format("deposit return refused by the PSP ({}): recorded for an admin", o->failure_code));
    return Value(Value::Map{{"returned", false},
                            {"refund_id", o->provider_id.empty() ? Value() : Value(o->provider_id)},
                            {"error", Value::Map{{"code", o->failure_code}, {"message", o->failure_message}}}});
  };
}

}  // namespace steadfast::refund
