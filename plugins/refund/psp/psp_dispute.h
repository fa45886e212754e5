// Disputes (chargebacks) at the PSP, as the refund plugin sees them.
//
// A cardholder's bank disputes a charge; the PSP opens a dispute, which
// closes as won (the merchant keeps the money) or lost (the amount goes
// back to the cardholder). The plugin reads them by the PSP's change cursor
// (`since`): each new dispute and each status change once, in order, so a
// sync that keeps the cursor sees a dispute open and later sees it lost.
#ifndef STEADFAST_PLUGINS_REFUND_PSP_PSP_DISPUTE_H_
#define STEADFAST_PLUGINS_REFUND_PSP_PSP_DISPUTE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "steadfast/status.h"
#include "steadfast/value.h"

namespace steadfast::refund {

enum class DisputeStatus : int { kOpen = 0, kWon = 1, kLost = 2 };
// "open", "won", "lost".
std::string_view DisputeStatusName(DisputeStatus status);
// Ours ("open", "won", "lost") and Stripe's (needs_response, under_review,
// warning_needs_response, warning_under_review: open; warning_closed: won,
// as no money moved); nullopt for anything else.
std::optional<DisputeStatus> ParseDisputeStatus(std::string_view name);

struct PspDispute {
  std::string id;                 // "dp_..."
  std::string charge;             // "ch_..."
  std::string payment_intent;     // may be empty
  int64_t amount_minor = 0;       // > 0
  std::string currency;           // lower case
  std::string reason;             // the bank's, e.g. fraudulent
  DisputeStatus status = DisputeStatus::kOpen;
  int64_t created_s = 0;
  int64_t change = 0;             // the PSP's change number of this state
};

struct ListDisputesRequest {
  int64_t since = 0;              // changes after this number
  int limit = 100;                // 1..100
};

struct DisputePage {
  std::vector<PspDispute> disputes;  // in change order
  bool has_more = false;
  int64_t next_since = 0;            // the cursor after this page
};

// Stripe's dispute object (with the sandbox's change number).
Result<PspDispute> ParseStripeDispute(const Value& object);

}  // namespace steadfast::refund

#endif  // STEADFAST_PLUGINS_REFUND_PSP_PSP_DISPUTE_H_
