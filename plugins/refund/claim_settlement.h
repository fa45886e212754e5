// The money of a claim's settlement: what the guest gets back, what the host
// is paid and what the claim pays, from the cancellation breakdown (the
// reservation under its policy), what was refunded before and the decided
// claim. Pure integer arithmetic in minor units; no store, no PSP.
//
// The claim is paid out of the security deposit first, then out of what
// would go back to the guest, never out of the platform's or the tax
// authority's share:
//   deposit_claimed  = min(decided, deposit)               (0 without a deposit)
//   deposit_returned = deposit - deposit_claimed           (a refund of the deposit's charge)
//   remaining        = max(0, refund_total - already_refunded)
//   from_refund      = min(decided - deposit_claimed, remaining)
//   claim_payout     = deposit_claimed + from_refund       (capped, never refused)
//   uncovered        = decided - claim_payout             (reported for a person)
//   guest_refund     = remaining - from_refund            (cash through the PSP)
//   host_payout      = payout_to_host + claim_payout      (one payout through the PSP)
// so a claim never pays out more than what remains of the deposit and of the
// refund (a reservation already partly refunded caps it), and guest_refund +
// from_refund + already_refunded never exceeds the policy's refund_total. Voucher refunds settle only
// without a claim payout or earlier refunds (their bonus is a share of the
// voucher and is not re-derived here): InvalidArgument otherwise.
#ifndef STEADFAST_PLUGINS_REFUND_CLAIM_SETTLEMENT_H_
#define STEADFAST_PLUGINS_REFUND_CLAIM_SETTLEMENT_H_

#include <cstdint>
#include <string>

#include "refund/claim.h"
#include "refund/settlement.h"
#include "steadfast/status.h"
#include "steadfast/value.h"

namespace steadfast::refund {

struct ClaimSettlementInput {
  std::string currency;
  std::string refund_method = "cash";  // cash | voucher (the breakdown's)
  int64_t refund_total = 0;      // the policy's refund of the payment (breakdown refund_total)
  int64_t payout_to_host = 0;    // the policy's payout to the host (breakdown payout_to_host)
  int64_t already_refunded = 0;  // refunds of this reservation made by other workflows
  int64_t decided = 0;           // the decided claim (approved + reduced amounts)
  int64_t deposit = 0;           // the security deposit held for the guest (0: none)
};

// The rule in the file comment. InvalidArgument for negative amounts, an
// overflow, or a voucher refund with a claim payout or earlier refunds.
Result<ClaimPayout> ComputeClaimSettlement(const ClaimSettlementInput& in);

// The breakdown (refund.calculate_amount's output) as settled with the
// claim: refund_total and refund_to_guest lowered by what was refunded
// before and the claim payout, payout_to_host and host_payout_adjustment
// raised by the claim payout, and two lines appended so that the lines
// still add up to refund_to_guest: `prior_refunds` and `claim` (each
// paid 0, refund <= 0; `claim` holds only the part drawn from the refund).
// refund.post_ledger books it balanced as any breakdown; `claim: {decided,
// payout, uncovered, already_refunded}` records the claim and, with a
// deposit, `deposit: {held, claimed, returned}` what the ledger books on
// deposit_liability (ledger.h).
Result<Value> SettledBreakdown(const Value& breakdown, const ClaimPayout& p);

// The CancellationDetails snapshot of the settled breakdown: what the guest
// gets back (guest_refund plus any voucher bonus), what the host is paid
// (with the claim payout), what the guest paid, the guest service fee
// portion (inside refund_to_guest, never more than it) and the host fee.
Result<CancellationDetails> ClaimSnapshot(const Value& breakdown, const ClaimPayout& p);

}  // namespace steadfast::refund

#endif  // STEADFAST_PLUGINS_REFUND_CLAIM_SETTLEMENT_H_
