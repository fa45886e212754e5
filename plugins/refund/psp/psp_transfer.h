// Payouts to a seller's connected account at the PSP (Stripe Connect
// transfers) and their reversals, as the refund plugin sees them.
//
// A marketplace pays each seller what it keeps of an order with a transfer
// to the seller's connected account, grouped by order (transfer_group), and
// takes a payout back with a reversal when the order's cancellation does
// not finish. Both are created idempotently, keyed by the activity's
// idempotency key, like refunds. Money is int64 minor units; currencies are
// lower case as the PSP writes them.
#ifndef STEADFAST_PLUGINS_REFUND_PSP_PSP_TRANSFER_H_
#define STEADFAST_PLUGINS_REFUND_PSP_PSP_TRANSFER_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "steadfast/status.h"
#include "steadfast/value.h"

namespace steadfast::refund {

struct TransferRequest {
  int64_t amount_minor = 0;                    // > 0
  std::string currency;                        // ISO 4217; sent lower case
  std::string destination;                     // the seller's connected account, "acct_..."
  std::string transfer_group;                  // e.g. the order id; optional
  std::string description;                     // optional
  std::map<std::string, std::string> metadata;
  std::string idempotency_key;                 // required; the activity's key
};

struct PspTransfer {
  std::string id;                 // "tr_..."
  int64_t amount_minor = 0;
  std::string currency;           // lower case
  std::string destination;
  std::string transfer_group;     // may be empty
  int64_t amount_reversed = 0;
  int64_t created_s = 0;          // unix seconds
  std::map<std::string, std::string> metadata;
  bool replayed = false;          // the PSP answered with a saved response for this key
  // The payout's settlement: "paid" (also when the PSP says nothing: a
  // Stripe transfer is paid at once), "pending" (it settles later: a
  // settlement event tells how), or "failed" with failure_code.
  std::string status = "paid";
  std::string failure_code;
};

struct TransferReversalRequest {
  std::string transfer_id;                     // "tr_..."
  std::optional<int64_t> amount_minor;         // absent: all that remains
  std::map<std::string, std::string> metadata;
  std::string idempotency_key;                 // required; the compensation's key
};

struct PspTransferReversal {
  std::string id;                 // "trr_..."
  std::string transfer_id;
  int64_t amount_minor = 0;
  std::string currency;           // lower case
  bool replayed = false;
};

// Stripe's transfer and transfer_reversal objects; InvalidArgument when the
// object is not one (no id, a negative or missing amount, no currency).
Result<PspTransfer> ParseStripeTransfer(const Value& object);
Result<PspTransferReversal> ParseStripeTransferReversal(const Value& object);

}  // namespace steadfast::refund

#endif  // STEADFAST_PLUGINS_REFUND_PSP_PSP_TRANSFER_H_
