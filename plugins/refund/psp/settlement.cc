// RefundUntilSettled: create-or-replay, then read the current state if needed.
#include "settlement.h"

#include <string>

namespace steadfast::refund {

namespace {

Value Details(const PspRefund& refund) {
  Value::Map details{{"refund_id", refund.id},
                     {"status", PspRefundStatusName(refund.status)},
                     {"amount", refund.amount_minor},
                     {"currency", refund.currency}};
  if (!refund.failure_reason.empty()) details["failure_reason"] = refund.failure_reason;
  return details;
}

}  // namespace

RemoteResult<PspRefund> RefundUntilSettled(PspAdapter& psp, const RefundRequest& request,
                                           const SettlementPolicy& policy) {
  RemoteResult<PspRefund> created = psp.Refund(request);
  if (!created.ok()) return created;
  PspRefund refund = std::move(created).value();
  if (refund.status != PspRefundStatus::kSucceeded) {
    // The create answer may be a replay of an old "pending": ask for now.
    RemoteResult<PspRefund> current = psp.GetRefund(refund.id);
    if (!current.ok()) return current;
    // The read must describe the refund just created: another refund is a
    // bad answer (try again), the same one with another amount or currency
    // is not believed (a person looks at it; the details name the refund).
    if (current->id != refund.id) {
      return ActivityError::Retryable("psp_bad_response",
                                      "asked for refund " + refund.id + ", the PSP answered with " + current->id);
    }
    if (current->amount_minor != refund.amount_minor || current->currency != refund.currency) {
      ActivityError changed = ActivityError::NonRetryable(
          "psp_amount_mismatch", "refund " + refund.id + " was created for " + std::to_string(refund.amount_minor) +
                                     " " + refund.currency + ", the PSP now reports " +
                                     std::to_string(current->amount_minor) + " " + current->currency);
      changed.details = Details(current.value());
      return changed;
    }
    const bool replayed = refund.replayed;
    refund = std::move(current).value();
    refund.replayed = replayed;
  }
  switch (refund.status) {
    case PspRefundStatus::kSucceeded:
      return refund;
    case PspRefundStatus::kPending:
    case PspRefundStatus::kRequiresAction: {
      ActivityError pending = ActivityError::Retryable(
          "refund_pending", "refund " + refund.id + " is " + std::string(PspRefundStatusName(refund.status)) +
                                " at the PSP; checking again later");
      pending.retry_after_ms = policy.poll_interval_ms;
      pending.details = Details(refund);
      return pending;
    }
    case PspRefundStatus::kFailed:
    case PspRefundStatus::kCanceled: {
      ActivityError failed = ActivityError::NonRetryable(
          "refund_failed", "refund " + refund.id + " " + std::string(PspRefundStatusName(refund.status)) +
                               (refund.failure_reason.empty() ? "" : ": " + refund.failure_reason));
      failed.details = Details(refund);
      return failed;
    }
  }
  return ActivityError::NonRetryable("refund_failed", "refund " + refund.id + " has an unknown status");
}

}  // namespace steadfast::refund
