// The refund calculator: reservation + policy + cancellation instant -> breakdown.
//
// Pure and deterministic: no clock, no I/O, integer arithmetic only. The
// rules, in the order they are applied, are spelled out in docs/refunds.md
// ("How a refund is calculated"); the short version:
//   1. notice = start - cancel_at on absolute instants picks the rule (the
//      grace rule first, when cancel_at - booked_at is within its limit);
//   2. the refundable rental is the unused units' share when prorated;
//   3. the refunded subtotal (rental + delivery - discount) is rounded once;
//   4. tax and (if refundable) the service fee follow in proportion to it;
//   5. the cancellation fee is deducted, capped at the refund;
//   6. a refund below the policy minimum becomes zero;
//   7. a voucher refund earns the policy's bonus;
//   8. the host keeps the unrefunded subtotal minus the host fee, plus its
//      share of the cancellation fee.
#ifndef STEADFAST_PLUGINS_REFUND_CALCULATOR_H_
#define STEADFAST_PLUGINS_REFUND_CALCULATOR_H_

#include "refund/breakdown.h"
#include "refund/policy.h"
#include "refund/reservation.h"
#include "steadfast/clock.h"
#include "steadfast/status.h"

namespace steadfast::refund {

// Computes the breakdown for cancelling `reservation` at `cancel_at_ms` under
// `policy`. Errors: FailedPrecondition when the policy declares per-currency
// amounts but not for the reservation's currency; InvalidArgument when an
// amount overflows int64. Thread-safe (touches nothing shared).
Result<RefundBreakdown> CalculateRefund(const Reservation& reservation, const RefundPolicy& policy, TimeMs cancel_at_ms);

}  // namespace steadfast::refund

#endif  // STEADFAST_PLUGINS_REFUND_CALCULATOR_H_
