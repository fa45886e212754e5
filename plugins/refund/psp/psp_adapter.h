// PspAdapter: how the refund plugin talks to a payment service provider.
//
// One interface per concept the refund activities need: create a refund
// (idempotently, keyed by the activity's idempotency key), read one back (to
// follow asynchronous settlement), and list them (for reconciliation); and a
// marketplace's payouts: transfer to a seller's connected account, read a
// transfer, reverse one (psp_transfer.h); and the disputes (chargebacks)
// opened against charges (psp_dispute.h).
// StripePspAdapter speaks Stripe's Refunds API; CircuitBreakingPspAdapter
// wraps any adapter with a circuit breaker; other providers implement the same
// interface. Failures are ActivityErrors already classified for the retry
// policy (see error_classification.h); money is int64 minor units.
#ifndef STEADFAST_PLUGINS_REFUND_PSP_PSP_ADAPTER_H_
#define STEADFAST_PLUGINS_REFUND_PSP_PSP_ADAPTER_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "psp_dispute.h"
#include "psp_settlement_event.h"
#include "psp_transfer.h"
#include "remote_result.h"
#include "steadfast/value.h"

namespace steadfast::refund {

enum class RefundReason : int { kUnspecified = 0, kDuplicate = 1, kFraudulent = 2, kRequestedByCustomer = 3 };
// "", "duplicate", "fraudulent", "requested_by_customer".
std::string_view RefundReasonName(RefundReason reason);
// Inverse of RefundReasonName; nullopt for anything else.
std::optional<RefundReason> ParseRefundReason(std::string_view name);

// A refund's lifecycle at the PSP. kPending may become kSucceeded or kFailed;
// Stripe can also move kSucceeded to kFailed later (reported by get/list).
enum class PspRefundStatus : int {
  kPending = 0,
  kSucceeded = 1,
  kFailed = 2,
  kCanceled = 3,
  kRequiresAction = 4,
};
// "pending", "succeeded", "failed", "canceled", "requires_action".
std::string_view PspRefundStatusName(PspRefundStatus status);
std::optional<PspRefundStatus> ParsePspRefundStatus(std::string_view name);

struct RefundRequest {
  std::string charge;                        // "ch_..."; exactly one of charge / payment_intent
  std::string payment_intent;                // "pi_..."
  std::optional<int64_t> amount_minor;       // minor units; absent = all that remains
  std::string expected_currency;             // e.g. "usd"; checked against the PSP's answer when set
  RefundReason reason = RefundReason::kUnspecified;
  std::map<std::string, std::string> metadata;
  std::string idempotency_key;               // required; the activity's key
};

struct PspRefund {
  std::string id;                 // "re_..."
  PspRefundStatus status = PspRefundStatus::kPending;
  int64_t amount_minor = 0;
  std::string currency;           // lower case, as the PSP writes it
  std::string charge;
  std::string payment_intent;     // may be empty
  RefundReason reason = RefundReason::kUnspecified;
  int64_t created_s = 0;          // unix seconds
  std::string failure_reason;     // set when failed
  std::map<std::string, std::string> metadata;
  bool replayed = false;          // the PSP answered with a saved response for this key

  // {"id", "status", "amount", "currency", "charge", ...} for activity outputs.
  Value ToValue() const;
};

struct ListRefundsRequest {
  int limit = 100;                 // 1..100 per page
  std::string starting_after;      // cursor: a refund id from the previous page
  std::string charge;              // only this charge's refunds
  std::string payment_intent;      // only this payment intent's refunds
  std::optional<int64_t> created_gte_s;  // "since": created at or after (unix seconds)
};

struct RefundPage {
  std::vector<PspRefund> refunds;  // newest first
  bool has_more = false;           // pass refunds.back().id as starting_after for the next page
};

class PspAdapter {
 public:
  virtual ~PspAdapter() = default;

  // Creates a refund, or returns the one already created with
  // request.idempotency_key. Blocks for at most the configured timeout.
  // Thread-safe.
  virtual RemoteResult<PspRefund> Refund(const RefundRequest& request) = 0;
  // Reads a refund's current state. Thread-safe.
  virtual RemoteResult<PspRefund> GetRefund(std::string_view refund_id) = 0;
  // One page of refunds, newest first. Thread-safe.
  virtual RemoteResult<RefundPage> ListRefunds(const ListRefundsRequest& request) = 0;

  // Pays `request.destination`, or returns the transfer already created
  // with request.idempotency_key. Blocks for at most the configured timeout.
  // Thread-safe.
  virtual RemoteResult<PspTransfer> Transfer(const TransferRequest& request) = 0;
  // Reads a transfer's current state (amount reversed). Thread-safe.
  virtual RemoteResult<PspTransfer> GetTransfer(std::string_view transfer_id) = 0;
  // Reverses (part of) a transfer, or returns the reversal already created
  // with request.idempotency_key. Thread-safe.
  virtual RemoteResult<PspTransferReversal> ReverseTransfer(const TransferReversalRequest& request) = 0;

  // One page of dispute changes after request.since, in change order.
  // Thread-safe. A provider whose adapter cannot list disputes answers the
  // non-retryable psp_disputes_unsupported (the default), so a dispute sync
  // against it fails loudly instead of reporting "no disputes".
  virtual RemoteResult<DisputePage> ListDisputes(const ListDisputesRequest& request);
  // One page of settlement events (refunds and payouts accepted as pending
  // that settled since) after request.since, in change order. Thread-safe.
  // The default answers the non-retryable psp_settlements_unsupported.
  virtual RemoteResult<SettlementEventPage> ListSettlements(const ListSettlementsRequest& request);
};

// Reading every refund is for reconciliation, which must never judge the
// books on part of the PSP's data.
inline constexpr size_t kMaxListedRefunds = 1'000'000;
inline constexpr char kPspListingIncomplete[] = "psp_listing_incomplete";

// Every refund matching `request`, following `has_more` page by page (newest
// first) until the PSP says there is no more. A listing that cannot be
// complete is an error, never a shorter list: more than `max_refunds`
// refunds, a page that says there is more but has no refunds, or a cursor
// that does not move on are the non-retryable psp_listing_incomplete; any
// page's own error is returned as is.
RemoteResult<std::vector<PspRefund>> ListAllRefunds(PspAdapter& psp, ListRefundsRequest request,
                                                    size_t max_refunds = kMaxListedRefunds);

}  // namespace steadfast::refund

#endif  // STEADFAST_PLUGINS_REFUND_PSP_PSP_ADAPTER_H_
