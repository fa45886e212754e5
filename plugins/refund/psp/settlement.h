// RefundUntilSettled: one attempt of "refund, and know how it ended".
//
// Stripe refunds can stay `pending` for a while and settle (or fail) later.
// Rather than sleep inside an activity, an attempt reports a pending refund as
// the retryable error `refund_pending` (retry_after_ms = the poll interval,
// details.refund_id set), so the engine's durable retry does the waiting and
// the retry policy's max_attempts / schedule-to-close timeout bounds it. Each
// attempt re-sends the create with the same idempotency key (the PSP replays
// its first answer, so no second refund is ever made) and, when that answer
// is not final, reads the refund's current state.
//
//   succeeded                      -> the refund
//   pending / requires_action      -> retryable refund_pending
//   failed / canceled              -> non-retryable refund_failed (details: refund_id, failure_reason)
//   create or read failed          -> that error, unchanged
//   the read shows another refund  -> retryable psp_bad_response
//   ... or another amount/currency -> non-retryable psp_amount_mismatch
//
// The codes deliberately lack the "psp_" prefix: a slow settlement says
// nothing about the PSP's health and must not trip the circuit breaker.
#ifndef STEADFAST_PLUGINS_REFUND_PSP_SETTLEMENT_H_
#define STEADFAST_PLUGINS_REFUND_PSP_SETTLEMENT_H_

#include <cstdint>

#include "psp_adapter.h"

namespace steadfast::refund {

struct SettlementPolicy {
  int64_t poll_interval_ms = 5'000;  // suggested wait before the next attempt while pending
};

// Thread-safe if `psp` is.
RemoteResult<PspRefund> RefundUntilSettled(PspAdapter& psp, const RefundRequest& request,
                                           const SettlementPolicy& policy = {});

}  // namespace steadfast::refund

#endif  // STEADFAST_PLUGINS_REFUND_PSP_SETTLEMENT_H_
