// The refund activities (one .cc each) and the pure rules some of them
// apply, exposed for unit tests. Inputs, outputs and error codes are
// documented in docs/refunds.md, "Activities"; every activity keys what it
// does outside by ctx.idempotency_key(), so retries and restarts return the
// first result.
#ifndef STEADFAST_PLUGINS_REFUND_ACTIVITIES_H_
#define STEADFAST_PLUGINS_REFUND_ACTIVITIES_H_

#include <memory>
#include <string>
#include <vector>

#include "refund/refund_services.h"
#include "refund/refund_store.h"
#include "steadfast/activity.h"
#include "steadfast/clock.h"
#include "steadfast/registry.h"
#include "steadfast/value.h"

namespace steadfast::refund {

using Services = std::shared_ptr<const RefundServices>;

ActivityFn MakeCheckEligibilityActivity(Services s);   // refund.check_eligibility
ActivityFn MakeAssessRiskActivity(Services s);         // refund.assess_risk
ActivityFn MakePspRefundActivity(Services s);          // refund.psp_refund
ActivityFn MakePspPayoutActivity(Services s);          // refund.psp_payout
ActivityFn MakePspReversePayoutActivity(Services s);   // refund.psp_reverse_payout
ActivityFn MakeReleaseInventoryActivity(Services s);   // refund.release_inventory
ActivityFn MakeReholdInventoryActivity(Services s);    // refund.rehold_inventory
ActivityFn MakeNotifyCustomerActivity(Services s);     // refund.notify_customer
ActivityFn MakePostLedgerActivity(Services s);         // refund.post_ledger
ActivityFn MakeOpenManualReviewActivity(Services s);   // refund.open_manual_review
ActivityFn MakeCreateReturnLabelActivity(Services s);  // refund.create_return_label
ActivityFn MakeCloseRmaActivity(Services s);           // refund.close_rma
ActivityFn MakeAdjustLoyaltyActivity(Services s);      // refund.adjust_loyalty
ActivityFn MakeReleaseClaimActivity(Services s);       // refund.release_claim
ActivityFn MakeRecordUnfinishedRefundActivity(Services s);  // refund.record_unfinished_refund
ActivityFn MakeReconcileActivity(Services s);          // refund.reconcile (reconcile_activity.cc)
ActivityFn MakeRecordSettlementActivity(Services s);   // refund.record_settlement
ActivityFn MakeOpenClaimActivity(Services s);          // refund.open_claim
ActivityFn MakeAddClaimMessageActivity(Services s);    // refund.add_claim_message
ActivityFn MakeDecideClaimActivity(Services s);        // refund.decide_claim
ActivityFn MakeSettleClaimActivity(Services s);        // refund.settle_claim
ActivityFn MakeReturnDepositActivity(Services s);      // refund.return_deposit
ActivityFn MakeSyncDisputesActivity(Services s);       // refund.sync_disputes
ActivityFn MakeSyncSettlementsActivity(Services s);    // refund.sync_settlements

// The work of refund.post_ledger and refund.open_manual_review on a given
// input, keyed by `key`, for activities that do it as part of their own.
ActivityResult PostLedger(const Services& s, ActivityContext& ctx, const Value& in, const std::string& key);
ActivityResult OpenManualReview(const Services& s, ActivityContext& ctx, const Value& in, const std::string& key);

// --- Eligibility rules (refund.check_eligibility without the store).
struct EligibilityRules {
  int64_t return_window_ms = 30LL * 24 * 3600 * 1000;
  std::vector<std::string> non_returnable_categories;
};
// Judges input {reservation, request: {kind, items?, requested_at?}} at
// now_ms given the reservation's active refunds made by other workflows.
// Returns the activity output ({eligible, reason, ...}; see docs) or a
// non-retryable invalid_input error for malformed input. Does not check
// duplicate requests (that needs the store's claim).
ActivityResult EvaluateEligibility(const Value& input, const EligibilityRules& rules, TimeMs now_ms,
                                   const std::vector<RefundRecord>& prior_refunds);

// --- Receipt wording (refund.notify_customer).
struct ReceiptFacts {
  std::string reservation_id;
  int64_t amount_minor = 0;
  std::string currency;
  std::string method = "cash";      // cash | voucher
  std::string psp_status;           // succeeded | pending | "" (voucher)
  std::string card_hint;            // e.g. "the card you paid with"; optional
  std::string recipient_role = "customer";  // customer | buyer | seller
  int64_t payout_adjustment_minor = 0;      // seller: change of their payout (<= 0)
};
struct Receipt {
  std::string subject;
  std::string body;
  bool provisional = false;
  std::string expected_timing;
};
Receipt ComposeReceipt(const ReceiptFacts& facts);

}  // namespace steadfast::refund

#endif  // STEADFAST_PLUGINS_REFUND_ACTIVITIES_H_
