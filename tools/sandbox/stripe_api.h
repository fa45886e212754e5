// StripeApi: the sandbox's subset of Stripe's API, as Stripe documents it.
//
//   POST /v1/refunds          create (form: charge | payment_intent, amount,
//                             reason, metadata[k]); Idempotency-Key honoured
//   GET  /v1/refunds/{id}     retrieve
//   GET  /v1/refunds          list (limit, starting_after, ending_before,
//                             charge, payment_intent, created[gt|gte|lt|lte])
//   GET  /v1/charges/{id}     retrieve a seeded charge (amount_refunded etc.)
//
// Errors are Stripe's: 400 parameter_missing / parameter_invalid_integer /
// parameter_unknown (not saved for idempotency), 404 resource_missing,
// 400 charge_already_refunded, 400 amount_too_large (saved, as execution had
// begun). Not thread-safe: SandboxService calls it under its mutex.
#ifndef STEADFAST_TOOLS_SANDBOX_STRIPE_API_H_
#define STEADFAST_TOOLS_SANDBOX_STRIPE_API_H_

#include <string_view>

#include "api_support.h"
#include "idempotency_store.h"
#include "refund_book.h"
#include "sandbox_http.h"

namespace steadfast::sandbox {

class StripeApi {
 public:
  StripeApi(RefundBook& book, IdempotencyStore& idempotency) : book_(book), idempotency_(idempotency) {}

  Outcome CreateRefund(const SandboxRequest& request, const CallContext& ctx, const SettlementConfig& settlement);
  Outcome GetRefund(std::string_view id);
  Outcome ListRefunds(const SandboxRequest& request);
  Outcome GetCharge(std::string_view id);

 private:
  Execution ExecuteRefund(const SandboxRequest& request, const CallContext& ctx, const SettlementConfig& settlement);

  RefundBook& book_;
  IdempotencyStore& idempotency_;
};

}  // namespace steadfast::sandbox

#endif  // STEADFAST_TOOLS_SANDBOX_STRIPE_API_H_
