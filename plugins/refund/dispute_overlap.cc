// Dispute overlap rules (dispute_overlap.h).
#include "refund/dispute_overlap.h"

#include <algorithm>
#include <cctype>

namespace steadfast::refund {
namespace {

bool SameCurrency(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(a[i])) != std::toupper(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

}  // namespace

std::string_view DisputeOverlapName(DisputeOverlap overlap) {
  switch (overlap) {
    case DisputeOverlap::kNone: return "none";
    case DisputeOverlap::kRefunded: return "refunded";
    case DisputeOverlap::kRefundPending: return "refund_pending";
    case DisputeOverlap::kRefundBlocked: return "refund_blocked";
  }
  return "none";
}

std::optional<DisputeOverlap> ParseDisputeOverlap(std::string_view name) {
  for (DisputeOverlap o : {DisputeOverlap::kNone, DisputeOverlap::kRefunded, DisputeOverlap::kRefundPending,
                           DisputeOverlap::kRefundBlocked}) {
    if (DisputeOverlapName(o) == name) return o;
  }
  return std::nullopt;
}

OverlapFinding FindOverlap(int64_t dispute_minor, const std::string& dispute_currency,
                           const std::vector<RefundRecord>& refunds_of_charge) {
  OverlapFinding f;
  int64_t succeeded = 0, pending = 0;
  for (const RefundRecord& r : refunds_of_charge) {
    if (!SameCurrency(r.currency, dispute_currency) || r.amount_minor <= 0) continue;
    if (r.status == "succeeded") {
      succeeded += r.amount_minor;
    } else if (r.status == "pending") {
      pending += r.amount_minor;
    } else {
      continue;
    }
    f.refund_ids.push_back(r.psp_refund_id);
    if (f.subject.empty()) f.subject = r.reservation_id;
  }
  if (succeeded > 0) {
    f.overlap = DisputeOverlap::kRefunded;
  } else if (pending > 0) {
    f.overlap = DisputeOverlap::kRefundPending;
  }
  f.overlap_minor = std::min(dispute_minor, succeeded + pending);
  return f;
}

std::optional<DisputeOnCharge> RefundBlockedBy(const std::vector<DisputeOnCharge>& disputes) {
  for (const DisputeOnCharge& d : disputes) {
    if (d.status == "open" || d.status == "lost") return d;
  }
  return std::nullopt;
}

}  // namespace steadfast::refund
