// Reconciliation of the settlement transactions against the PSP: does a
// transaction's lifecycle agree with what the PSP did?
//
//   settlement_unknown_at_psp    a completed guest refund whose refund id the
//                                PSP's refund list does not show as active, or
//                                a completed host payout whose transfer the PSP
//                                does not know: the books say money moved, the
//                                PSP does not
//   settlement_failed_at_psp     a completed transaction whose PSP operation
//                                failed at settlement (a refund failed or
//                                canceled, a payout failed): the books say
//                                money moved, the PSP gave it back
//   settlement_pending_but_done  a pending transaction whose PSP operation
//                                already happened (a succeeded refund of its
//                                workflow and reservation, or of its provider
//                                id; a transfer of its provider id paid): money
//                                moved, the transaction does not say so
//   settlement_pending_but_failed a pending transaction whose PSP operation
//                                failed at settlement, still pending here
//                                beyond the margin (the settlement sync has
//                                not moved it: is it running?)
//
// A pending transaction whose payout is still pending at the PSP (it
// settles asynchronously) is not a drift.
// Both need a person (nothing is repaired: the fix is an admin's execute,
// which gets the PSP's answer under the transaction's own key, or an
// investigation). Only transactions at rest are compared: one whose
// workflow is still in flight, or updated, or whose PSP refund was created,
// less than the settle margin ago may be between its PSP call and its
// checkpoint. A pending host payout whose
// transfer id is not known yet cannot be checked (the PSP adapter lists no
// transfers). Pure: `steadfast reconcile` gathers the inputs
// (docs/refunds.md, section 18).
#ifndef STEADFAST_PLUGINS_REFUND_SETTLEMENT_RECONCILIATION_H_
#define STEADFAST_PLUGINS_REFUND_SETTLEMENT_RECONCILIATION_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "refund/reconciliation.h"
#include "refund/settlement.h"
#include "steadfast/clock.h"
#include "steadfast/value.h"

namespace steadfast::refund {

inline constexpr char kSettlementUnknownAtPsp[] = "settlement_unknown_at_psp";
inline constexpr char kSettlementPendingButDone[] = "settlement_pending_but_done";
inline constexpr char kSettlementFailedAtPsp[] = "settlement_failed_at_psp";
inline constexpr char kSettlementPendingButFailed[] = "settlement_pending_but_failed";

struct SettlementReconciliationInput {
  std::vector<SettlementTransaction> transactions;
  std::vector<PspRefundFact> psp_refunds;  // the PSP's refund list, as reconcile reads it
  // transfer id -> its status at the PSP (looked up by id): "paid", "pending",
  // "failed", or "" when the PSP does not know it.
  std::map<std::string, std::string> transfers;
  std::set<std::string> in_flight_workflows;  // their transactions are not at rest: not compared
  TimeMs now_ms = 0;
  int64_t settle_margin_ms = kDefaultSettleMarginMs;
};

struct SettlementDrift {
  std::string kind;  // kSettlement*
  SettlementTransaction transaction;
  std::string psp_id;  // the PSP operation in question
  std::string detail;  // one sentence for people
};

// The drifts, ordered by kind, then transaction id.
std::vector<SettlementDrift> ReconcileSettlements(const SettlementReconciliationInput& input);

// {kind, transaction_id, reservation_id, transaction_kind, status, amount, psp_id, detail, repairable: false}
Value SettlementDriftToValue(const SettlementDrift& drift);

}  // namespace steadfast::refund

#endif  // STEADFAST_PLUGINS_REFUND_SETTLEMENT_RECONCILIATION_H_
