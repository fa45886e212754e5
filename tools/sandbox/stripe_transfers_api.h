// StripeTransfersApi: the sandbox's subset of Stripe Connect's transfers, as
// Stripe documents them: how a marketplace pays a seller's connected account
// and takes a payout back.
//
//   POST /v1/transfers                  create (form: amount, currency,
//                                       destination, transfer_group,
//                                       description, metadata[k]);
//                                       Idempotency-Key honoured
//   GET  /v1/transfers/{id}             retrieve (reversals embedded)
//   POST /v1/transfers/{id}/reversals   reverse (form: amount (default: all
//                                       that remains), metadata[k]);
//                                       Idempotency-Key honoured
//
// Errors are Stripe's: 400 parameter_missing / parameter_invalid_integer /
// parameter_unknown and a malformed destination or currency (not saved for
// idempotency); 404 resource_missing for an unknown transfer; 400
// account_closed for a destination starting with "acct_closed" (see
// transfer_book.h), 400 transfer_already_reversed and amount_too_large for a
// reversal beyond what remains (saved, as execution had begun). Not
// thread-safe: SandboxService calls it under its mutex.
#ifndef STEADFAST_TOOLS_SANDBOX_STRIPE_TRANSFERS_API_H_
#define STEADFAST_TOOLS_SANDBOX_STRIPE_TRANSFERS_API_H_

#include <string_view>

#include "api_support.h"
#include "idempotency_store.h"
#include "sandbox_http.h"
#include "transfer_book.h"

namespace steadfast::sandbox {

class StripeTransfersApi {
 public:
  StripeTransfersApi(TransferBook& book, IdempotencyStore& idempotency) : book_(book), idempotency_(idempotency) {}

  // payout_delay_ms: how long the payout stays pending (SettlementConfig).
  Outcome CreateTransfer(const SandboxRequest& request, const CallContext& ctx, int64_t payout_delay_ms = 0);
  Outcome GetTransfer(std::string_view id);
  Outcome CreateReversal(std::string_view transfer_id, const SandboxRequest& request, const CallContext& ctx);

 private:
  Execution ExecuteTransfer(const SandboxRequest& request, const CallContext& ctx, int64_t payout_delay_ms);
  Execution ExecuteReversal(std::string_view transfer_id, const SandboxRequest& request, const CallContext& ctx);

  TransferBook& book_;
  IdempotencyStore& idempotency_;
};

}  // namespace steadfast::sandbox

#endif  // STEADFAST_TOOLS_SANDBOX_STRIPE_TRANSFERS_API_H_
