// Dispute overlap: does a chargeback return money a refund already returns?
//
// A cardholder who was refunded can still dispute the charge; if the PSP
// loses the dispute, the same money goes back twice (once by the refund,
// once by the bank). Two rules keep that from happening:
//
//   FindOverlap        at sync time: a dispute against a charge with a
//                      succeeded (refunded) or pending (refund_pending)
//                      refund is an overlap; a person contests the dispute
//                      with the refund as evidence.
//   RefundBlockedBy    before the PSP refund call: an open or lost dispute
//                      on the charge means the refund is not sent; the
//                      workflow routes the cancellation to a person.
//
// Pure functions over the plugin's rows (no I/O), unit-tested on their own.
#ifndef STEADFAST_PLUGINS_REFUND_DISPUTE_OVERLAP_H_
#define STEADFAST_PLUGINS_REFUND_DISPUTE_OVERLAP_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "refund/refund_store.h"

namespace steadfast::refund {

// How a dispute meets the refunds of its charge.
enum class DisputeOverlap : int {
  kNone = 0,           // nothing refunded or refunding: the dispute is recorded only
  kRefunded = 1,       // a succeeded refund on the charge
  kRefundPending = 2,  // a refund pending at the PSP
  kRefundBlocked = 3,  // a refund workflow reached the PSP step and was stopped by the dispute
};
// "none", "refunded", "refund_pending", "refund_blocked".
std::string_view DisputeOverlapName(DisputeOverlap overlap);
std::optional<DisputeOverlap> ParseDisputeOverlap(std::string_view name);

struct OverlapFinding {
  DisputeOverlap overlap = DisputeOverlap::kNone;
  int64_t overlap_minor = 0;            // min(dispute amount, refunded + pending): the money at risk twice
  std::vector<std::string> refund_ids;  // the PSP refunds concerned
  std::string subject;                  // the reservation/order of the first of them
};

// The refunds are those recorded against the dispute's charge (any
// status); failed ones returned nothing and do not count. Refunds in
// another currency than the dispute's are not comparable and do not count.
OverlapFinding FindOverlap(int64_t dispute_minor, const std::string& dispute_currency,
                           const std::vector<RefundRecord>& refunds_of_charge);

// A dispute as the guard sees it.
struct DisputeOnCharge {
  std::string id;
  std::string status;  // open | won | lost
  int64_t amount_minor = 0;
};

// The dispute that forbids refunding the charge now (the first open or
// lost one), or nullopt when a refund may go (none, or all won).
std::optional<DisputeOnCharge> RefundBlockedBy(const std::vector<DisputeOnCharge>& disputes);

}  // namespace steadfast::refund

#endif  // STEADFAST_PLUGINS_REFUND_DISPUTE_OVERLAP_H_
