// Settlement of a cancelled reservation: the CancellationDetails snapshot
// and the money transactions (booking, guest refund, host payout) with
// their lifecycle, as values and pure rules (no store, no PSP).
//
// A settled cancellation is recorded once, by refund.record_settlement,
// from the breakdown refund.calculate_amount returned:
//   - a CancellationDetails snapshot: what the guest gets back, what the
//     host is paid, the total the guest paid, and the guest and host
//     service fees reported on their own (the guest service fee portion is
//     already inside refund_to_guest: it is reported, never added again);
//   - transactions, each keyed by (reservation, kind, instance):
//       booking      the guest's payment, completed at payment (the charge)
//       guestrefund  the cash given back through the PSP (refund_total)
//       hostpayout   what the host keeps, paid by a PSP transfer
//       deposit      the security deposit, completed at booking (its own charge)
//       depositreturn what goes back of the deposit: a PSP refund of the deposit's charge
//     guestrefund, hostpayout and depositreturn start pending and end completed (with the
//     PSP's refund or transfer id) or failed (with the PSP's code);
//     a failed one may be executed again by an admin (then pending again
//     until the PSP answers). The lifecycle is TransactionStatus with
//     AllowedTransition as its one rule.
// settlement_store.h keeps them; docs/refunds.md, "Settlement: snapshot and
// transactions", is the reference.
#ifndef STEADFAST_PLUGINS_REFUND_SETTLEMENT_H_
#define STEADFAST_PLUGINS_REFUND_SETTLEMENT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "refund/money.h"
#include "steadfast/clock.h"
#include "steadfast/status.h"
#include "steadfast/value.h"

namespace steadfast::refund {

// Serialized by name; the numbers are fixed.
enum class TransactionKind : int { kBooking = 0, kGuestRefund = 1, kHostPayout = 2, kDeposit = 3, kDepositReturn = 4 };
// "booking", "guestrefund", "hostpayout", "deposit", "depositreturn".
std::string_view TransactionKindName(TransactionKind kind);
// Whether the PSP moves it as a refund of a charge (guestrefund, depositreturn).
bool IsRefundKind(TransactionKind kind);
std::optional<TransactionKind> ParseTransactionKind(std::string_view name);

// pending -> completed | failed; failed -> pending (an admin executes it
// again); completed is final.
enum class TransactionStatus : int { kPending = 0, kCompleted = 1, kFailed = 2 };
// "pending", "completed", "failed".
std::string_view TransactionStatusName(TransactionStatus status);
std::optional<TransactionStatus> ParseTransactionStatus(std::string_view name);
// Whether a transaction may go from `from` to `to` (same status: no).
bool AllowedTransition(TransactionStatus from, TransactionStatus to);

// Who moved a transaction when the PSP's answer to a workflow step did.
inline constexpr char kExecutedByPsp[] = "psp";

struct SettlementTransaction {
  std::string id;               // "stx_" + 16 hex digits of the key's hash: stable across replays
  std::string idempotency_key;  // "<reservation>/<kind>/<instance>" (unique)
  std::string reservation_id;
  TransactionKind kind = TransactionKind::kBooking;
  TransactionStatus status = TransactionStatus::kPending;
  Money amount;                 // > 0, integer minor units
  std::string charge;           // booking, guestrefund, deposit, depositreturn: the charge paid / refunded ("ch_...")
  std::string destination;      // hostpayout: the host's connected account ("acct_...")
  std::string psp_idempotency_key;  // the Idempotency-Key any PSP call for it uses (see settlement_store.h)
  std::string provider_id;      // the PSP's refund ("re_...") or transfer ("tr_...") id, once known
  std::string executed_by;      // "psp" (a workflow step's PSP answer) or the admin's principal
  TimeMs executed_ms = 0;       // when it completed or failed; 0 while pending
  std::string failure_code;     // the PSP's code when failed ("account_closed")
  std::string failure_message;
  std::string workflow_id;      // the workflow that recorded it
  int64_t executions = 0;       // executions by an admin so far
  TimeMs created_ms = 0;
  TimeMs updated_ms = 0;
};

// The CancellationDetails snapshot of one settled reservation.
struct CancellationDetails {
  std::string reservation_id;
  std::string workflow_id;
  std::string currency;
  int64_t refund_to_guest = 0;    // value the guest receives (breakdown refund_to_guest; fee included once)
  int64_t payout_to_host = 0;     // breakdown payout_to_host
  int64_t total = 0;              // what the guest paid (breakdown paid_total)
  int64_t guest_service_fee = 0;  // the guest service fee portion refunded (inside refund_to_guest)
  int64_t host_service_fee = 0;   // the platform's fee on what the host keeps (settlement.host_fee)
  int64_t refund_total = 0;       // the part of the payment given back (cash through the PSP for cash refunds)
  std::string refund_method;      // cash | voucher
  std::string policy;             // "moderate@2"
  int64_t deposit = 0;            // the security deposit held (0: none); apart from total
  int64_t deposit_claimed = 0;    // drawn from it by a claim (inside payout_to_host)
  int64_t deposit_returned = 0;   // given back to the guest (apart from refund_to_guest)
  TimeMs created_ms = 0;
};

// The snapshot of a refund.calculate_amount breakdown (its activity
// output). InvalidArgument when the breakdown is malformed, mixes
// currencies, or its lines do not add up to refund_to_guest (the guest
// service fee would then be counted twice or not at all), or a guest
// service fee portion lies outside 0..refund_to_guest.
Result<CancellationDetails> CancellationDetailsFromBreakdown(const Value& breakdown);

// What refund.record_settlement records for a reservation.
struct SettlementPlanInput {
  std::string reservation_id;
  std::string workflow_id;
  std::string instance;               // the key's third part (default: the workflow id)
  std::string charge;                 // the booking's charge; required when anything is refunded in cash
  std::string destination;            // the host's account; required when payout_to_host > 0
  std::string refund_psp_key;         // the PSP key of the step that refunds the guest
  std::string payout_psp_key;         // the PSP key of the step that pays the host
  std::string deposit_charge;         // the deposit's charge; required when details.deposit > 0
  std::string deposit_psp_key;        // the PSP key of the step that returns the deposit
  TimeMs now_ms = 0;
};
// The transactions of a settlement: booking (completed: paid_total, when
// anything was paid), guestrefund (pending: refund_total, cash refunds
// only, when > 0), hostpayout (pending: payout_to_host, when > 0), deposit
// (completed: the deposit, when one is held), depositreturn (pending:
// deposit_returned, when > 0).
// InvalidArgument when a charge or destination they need is missing.
Result<std::vector<SettlementTransaction>> PlanSettlementTransactions(const CancellationDetails& details,
                                                                      const SettlementPlanInput& in);

// "<reservation>/<kind>/<instance>".
std::string TransactionKey(std::string_view reservation_id, TransactionKind kind, std::string_view instance);
// "stx_" + 16 lower-case hex digits of FNV-1a-64 of the key.
std::string TransactionIdFor(std::string_view idempotency_key);

// {id, idempotency_key, reservation_id, kind, status, amount: {minor, currency},
//  charge, destination, psp_idempotency_key, provider_id, executed_by, executed_at (RFC 3339 or null),
//  failure: {code, message} | null, workflow_id, executions, created_at, updated_at}
Value TransactionToValue(const SettlementTransaction& t);
// {reservation_id, workflow_id, currency, refund_to_guest, payout_to_host, total,
//  guest_service_fee, host_service_fee, refund_total (each {minor, currency}), refund_method, policy, created_at}
//  and, with a deposit, deposit: {held, claimed, returned}
Value CancellationDetailsToValue(const CancellationDetails& d);
// {"transactions": [...]} and, when `snapshots` is given (a listing by
// reservation), "snapshots": [...]: `refund transactions list --json` and
// GET /v1/plugins/refund/transactions answer it.
Value TransactionListingToValue(const std::vector<SettlementTransaction>& transactions,
                                const std::vector<CancellationDetails>* snapshots);

}  // namespace steadfast::refund

#endif  // STEADFAST_PLUGINS_REFUND_SETTLEMENT_H_
