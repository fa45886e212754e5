// refund.psp_refund: move the money back through the PSP, exactly once.
//
// Input:  {charge | payment_intent, amount: {minor, currency}, reason?,
//          metadata?: {k: v}, reservation_id, customer_id?, payment_method?,
//          accept_pending?: bool (default false)}
// Output: {refund_id, status, amount, charge, payment_intent, replayed, provisional}
//
// The PSP request carries Idempotency-Key = ctx.idempotency_key(), so every
// attempt, after any crash, lost response or timeout, names the same refund:
// the PSP answers a repeat with the first refund instead of making another.
//
// Asynchronous settlement: a refund the PSP reports `pending` is polled
// (GET /v1/refunds/{id}) inside the attempt for at most psp.settle_wait; if it
// is still pending then, the attempt returns the retryable `refund_pending`
// (retry_after_ms = psp.pending_retry_after) so the engine's durable retry
// timer does the longer waiting, bounded by the step's retry policy and
// schedule_to_close, and survives restarts. With accept_pending: true the
// step instead completes with status pending and provisional: true (the
// receipt then says so).
//
// Errors: the adapter's classification (psp_unavailable, psp_timeout,
// psp_connection_lost, psp_rate_limited, psp_circuit_open: retryable;
// invalid_charge, amount_too_large, charge_already_refunded, psp_auth_failed:
// non-retryable), refund_pending (retryable), refund_failed (non-retryable:
// the PSP failed the refund at settlement), psp_not_configured, invalid_input.
// Every refund the PSP acknowledged is recorded in refund_records (pending,
// succeeded or failed), which eligibility, risk velocity and reconciliation
// read. The record is written in the transaction that checkpoints the
// attempt (success or failure alike); an attempt abandoned at its timeout
// records nothing, and its retry (same key, same PSP refund) records it.
// At the same checkpoint, the settlement's guestrefund transaction whose
// PSP key is this step's key (refund.record_settlement) becomes completed
// (with the refund id) or, on a definitive refusal, failed (settlement_store.h).
//
// Disputes: before the first attempt calls the PSP, a charge with an open or
// lost dispute in refund_disputes (refund.sync_disputes) is not refunded:
// the bank returns, or may return, that money itself. The step fails with
// the non-retryable `charge_disputed` (details: dispute_id, dispute_status,
// charge), the dispute is marked refund_blocked at the checkpoint, and the
// workflow's compensation hands the cancellation to a person. Later attempts
// skip the check: they may repeat a request the PSP already executed, which
// must be read back under its key, and the PSP itself refuses a new refund of
// a charge under an open dispute (`charge_disputed`, also non-retryable).
#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "refund/activities.h"
#include "refund/activity_support.h"
#include "refund/dispute_overlap.h"
#include "refund/dispute_store.h"
#include "refund/psp/settlement.h"
#include "refund/settlement_store.h"

namespace steadfast::refund {
namespace {

std::string Upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}
std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

Value Output(const PspRefund& r, bool provisional) {
  Value out;
  out["refund_id"] = r.id;
  out["status"] = PspRefundStatusName(r.status);
  out["amount"] = MoneyToValue(Money{r.amount_minor, Upper(r.currency)});
  out["charge"] = r.charge;
  out["payment_intent"] = r.payment_intent;
  out["replayed"] = r.replayed;
  out["provisional"] = provisional;
  return out;
}

}  // namespace

ActivityFn MakePspRefundActivity(Services s) {
  ActivityFn refund = [s](ActivityContext& ctx) -> ActivityResult {
    const Value& in = ctx.input();
    if (!s->psp) return ActivityError::NonRetryable("psp_not_configured", s->psp_problem);
    Result<Money> amount = MoneyFromValue(in.Get("amount"));
    if (!amount.ok()) return InvalidInput("amount: " + amount.status().message());
    if (amount->minor <= 0) return InvalidInput("amount must be positive (skip the step for a zero refund)");
    RefundRequest req;
    req.charge = in.Get("charge").StringOr("");
    req.payment_intent = in.Get("payment_intent").StringOr("");
    if (req.charge.empty() == req.payment_intent.empty()) {
      return InvalidInput("exactly one of charge or payment_intent is required");
    }
    req.amount_minor = amount->minor;
    req.expected_currency = Lower(amount->currency);
    ctx.SetTraceAttribute("refund.amount_minor", amount->minor);
    ctx.SetTraceAttribute("refund.currency", amount->currency);
    ctx.SetTraceAttribute("psp.name", "stripe");
    const std::string reason = in.Get("reason").StringOr("requested_by_customer");
    std::optional<RefundReason> parsed = ParseRefundReason(reason);
    if (!parsed) return InvalidInput("reason must be duplicate, fraudulent or requested_by_customer");
    req.reason = *parsed;
    if (in.Get("metadata").is_map()) {
      for (const auto& [k, v] : in.Get("metadata").AsMap()) {
        if (!v.is_null()) req.metadata[k] = v.is_string() ? v.AsString() : v.ToJson();
      }
    }
    const std::string reservation_id = IdString(in.Get("reservation_id"));
    if (reservation_id.empty()) return InvalidInput("reservation_id is required");
    req.metadata["reservation_id"] = reservation_id;
    ctx.SetTraceAttribute("refund.reservation_id", reservation_id);
    if (auto rma = req.metadata.find("rma"); rma != req.metadata.end()) ctx.SetTraceAttribute("rma.id", rma->second);
    req.metadata["workflow_id"] = ctx.workflow_id();
    req.idempotency_key = ctx.idempotency_key();

    Result<RefundStore*> store = s->Store();
    if (!store.ok()) return StoreError(store.status());
    RefundRecord record;
    record.idempotency_key = ctx.idempotency_key();
    record.workflow_id = ctx.workflow_id();
    record.reservation_id = reservation_id;
    record.customer_id = IdString(in.Get("customer_id"));
    record.payment_method = in.Get("payment_method").StringOr("");
    record.amount_minor = amount->minor;
    record.currency = amount->currency;
    record.created_ms = ctx.clock().NowMs();
    record.charge = req.charge;

    if (!req.charge.empty() && ctx.attempt() == 1 && ctx.storage() != nullptr) {
      Result<std::vector<DisputeRow>> rows = DisputeStore(*ctx.storage()).OfCharge(req.charge);
      if (!rows.ok()) return StoreError(rows.status());
      std::vector<DisputeOnCharge> on_charge;
      for (const DisputeRow& d : *rows) on_charge.push_back({d.id, d.status, d.amount_minor});
      if (std::optional<DisputeOnCharge> blocking = RefundBlockedBy(on_charge)) {
        DisputeStore::MarkRefundBlockedAtCheckpoint(ctx, req.charge, reservation_id);
        ctx.logger().Warn(fmt::format("refund of {} not sent: dispute {} is {}", req.charge, blocking->id,
                                      blocking->status));
        ActivityError disputed = ActivityError::NonRetryable(
            "charge_disputed", fmt::format("charge {} has a dispute ({}, {}): the refund was not sent, a person "
                                           "decides",
                                           req.charge, blocking->id, blocking->status));
        disputed.details = Value::Map{
            {"dispute_id", blocking->id}, {"dispute_status", blocking->status}, {"charge", req.charge}};
        return disputed;
      }
    }
    auto save = [&](const std::string& refund_id, std::string_view status) -> Status {
      ctx.SetTraceAttribute("psp.refund_id", refund_id);
      ctx.SetTraceAttribute("psp.refund_status", std::string(status));
      record.psp_refund_id = refund_id;
      record.status = std::string(status);
      record.updated_ms = ctx.clock().NowMs();
      // Written with the attempt's checkpoint, whatever its outcome: the
      // record exists exactly when the engine has recorded this attempt.
      RefundStore::UpsertRefundAtCheckpoint(ctx, record);
      return Status::Ok();
    };

    SettlementPolicy policy;
    policy.poll_interval_ms = s->config.psp.pending_retry_after_ms;
    RemoteResult<PspRefund> first = RefundUntilSettled(*s->psp, req, policy);
    if (first.ok()) {
      if (record.charge.empty()) record.charge = first->charge;
      if (Status st = save(first->id, "succeeded"); !st.ok()) return StoreError(st);
      ctx.logger().Info(fmt::format("refund {} succeeded{}", first->id, first->replayed ? " (replayed)" : ""));
      return Output(*first, false);
    }
    ActivityError err = first.error();
    const std::string refund_id = err.details.Get("refund_id").StringOr("");
    if (err.code == "refund_failed") {
      if (!refund_id.empty()) {
        if (Status st = save(refund_id, "failed"); !st.ok()) return StoreError(st);
      }
      return err;
    }
    if (err.code != "refund_pending") return err;

    // Pending: record it, then follow it for a bounded time within this attempt.
    if (Status st = save(refund_id, "pending"); !st.ok()) return StoreError(st);
    const int64_t budget = std::min<int64_t>(s->config.psp.settle_wait_ms, ctx.remaining_ms() - 1000);
    const TimeMs until = ctx.clock().NowMs() + std::max<int64_t>(0, budget);
    PspRefund last;
    bool have_last = false;
    while (ctx.clock().NowMs() < until) {
      if (!SleepUnlessCancelled(ctx, s->config.psp.poll_interval_ms)) return err;
      RemoteResult<PspRefund> now = s->psp->GetRefund(refund_id);
      if (!now.ok()) continue;  // a failed poll changes nothing: poll again or fall back to the durable retry
      last = *now;
      have_last = true;
      if (now->status == PspRefundStatus::kSucceeded) {
        if (Status st = save(refund_id, "succeeded"); !st.ok()) return StoreError(st);
        ctx.logger().Info(fmt::format("refund {} settled", refund_id));
        return Output(*now, false);
      }
      if (now->status == PspRefundStatus::kFailed || now->status == PspRefundStatus::kCanceled) {
        if (Status st = save(refund_id, "failed"); !st.ok()) return StoreError(st);
        ActivityError failed = ActivityError::NonRetryable(
            "refund_failed", fmt::format("refund {} {}{}", refund_id, PspRefundStatusName(now->status),
                                         now->failure_reason.empty() ? "" : ": " + now->failure_reason));
        failed.details = err.details;
        failed.details["status"] = PspRefundStatusName(now->status);
        failed.details["failure_reason"] = now->failure_reason;
        return failed;
      }
    }
    if (in.Get("accept_pending").BoolOr(false) && have_last) {
      ctx.logger().Info(fmt::format("refund {} still pending; accepted as provisional", refund_id));
      return Output(last, true);
    }
    return err;
  };
  // The settlement's guestrefund transaction tied to this step's key (if
  // the workflow recorded one: refund.record_settlement) moves at the same
  // checkpoint as the refund record.
  return [refund](ActivityContext& ctx) -> ActivityResult {
    ActivityResult result = refund(ctx);
    if (ctx.storage() != nullptr) {
      if (std::optional<PspOutcome> o =
              PspOutcomeOf(TransactionKind::kGuestRefund, result, ctx.idempotency_key(), ctx.clock().NowMs())) {
        SettlementStore::ApplyPspOutcomeAtCheckpoint(ctx, *o);
      }
    }
    return result;
  };
}

}  // namespace steadfast::refund
