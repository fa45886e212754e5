// StripePspAdapter: PspAdapter speaking Stripe's Refunds API as documented.
//
//   Refund     -> POST /v1/refunds (form: charge | payment_intent, amount,
//                 reason, metadata[k]) with `Idempotency-Key: <activity key>`
//   GetRefund  -> GET /v1/refunds/{id}
//   ListRefunds-> GET /v1/refunds?limit&starting_after&charge&payment_intent&created[gte]
//   Transfer   -> POST /v1/transfers (form: amount, currency, destination,
//                 transfer_group, description, metadata[k]) with the key
//   GetTransfer-> GET /v1/transfers/{id}
//   ReverseTransfer -> POST /v1/transfers/{id}/reversals (amount, metadata[k]) with the key
//   (the transfer methods live in stripe_transfers.cc)
//   ListDisputes -> GET /v1/disputes?since&limit (stripe_disputes.cc; the
//                 sandbox's change cursor, see docs/sandbox.md)
//   ListSettlements -> GET /v1/settlements?since&limit (stripe_settlement_events.cc;
//                 the sandbox's feed of pending refunds and payouts that settled)
//
// Authenticates with `Authorization: Bearer <secret key>`; the key comes from
// the config or the environment variable it names and is never logged or put
// in an error. With a real test-mode key and base_url https://api.stripe.com
// it works against Stripe itself; tests point it at steadfast-sandbox.
//
// Errors follow error_classification.h with service "psp", plus the refund
// domain's codes: a missing charge or payment intent (Stripe's
// resource_missing on create) becomes `invalid_charge`; amount_too_large and
// charge_already_refunded keep Stripe's codes (all non-retryable; Stripe's
// code stays in details.code). A 2xx body that is not a refund is retryable
// `psp_bad_response` (so is a refund with a negative amount); a refund in a
// currency other than the expected one is non-retryable
// `psp_currency_mismatch`, one of another amount than asked for
// non-retryable `psp_amount_mismatch` (details carry the refund id).
// Transfers: Stripe's codes as the classification gives them (e.g.
// account_closed, non-retryable); a transfer answered for another amount,
// currency or destination than asked is non-retryable psp_amount_mismatch,
// psp_currency_mismatch or psp_destination_mismatch (details carry its id).
#ifndef STEADFAST_PLUGINS_REFUND_PSP_STRIPE_PSP_ADAPTER_H_
#define STEADFAST_PLUGINS_REFUND_PSP_STRIPE_PSP_ADAPTER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "steadfast/http_transport.h"
#include "psp_adapter.h"
#include "steadfast/clock.h"
#include "steadfast/status.h"
#include "steadfast/value.h"

namespace steadfast::refund {

struct StripeConfig {
  std::string base_url = "https://api.stripe.com";    // no trailing slash needed
  std::string secret_key;                              // prefer secret_key_env; never logged
  std::string secret_key_env = "STRIPE_SECRET_KEY";    // read when secret_key is empty
  int64_t timeout_ms = 30'000;                         // per HTTP exchange
  int64_t connect_timeout_ms = 5'000;
  std::string stripe_version;                          // optional Stripe-Version header
  std::string user_agent = "steadfast-refund/0.1";
};

// Reads {"base_url", "secret_key_env", "secret_key", "timeout_ms",
// "connect_timeout_ms", "stripe_version"} (all optional) over the defaults.
// InvalidArgument on wrong types or non-positive timeouts.
Result<StripeConfig> StripeConfigFromValue(const Value& config);

class StripePspAdapter final : public PspAdapter {
 public:
  // InvalidArgument when no secret key is configured or found in the
  // environment, or base_url is not http(s). `transport` and `clock` must
  // outlive the adapter.
  static Result<std::unique_ptr<StripePspAdapter>> Create(StripeConfig config, HttpTransport& transport,
                                                          const Clock& clock);
  StripePspAdapter(const StripePspAdapter&) = delete;
  StripePspAdapter& operator=(const StripePspAdapter&) = delete;

  RemoteResult<PspRefund> Refund(const RefundRequest& request) override;
  RemoteResult<PspRefund> GetRefund(std::string_view refund_id) override;
  RemoteResult<RefundPage> ListRefunds(const ListRefundsRequest& request) override;
  RemoteResult<PspTransfer> Transfer(const TransferRequest& request) override;
  RemoteResult<PspTransfer> GetTransfer(std::string_view transfer_id) override;
  RemoteResult<PspTransferReversal> ReverseTransfer(const TransferReversalRequest& request) override;
  RemoteResult<DisputePage> ListDisputes(const ListDisputesRequest& request) override;
  RemoteResult<SettlementEventPage> ListSettlements(const ListSettlementsRequest& request) override;

 private:
  StripePspAdapter(StripeConfig config, HttpTransport& transport, const Clock& clock)
      : config_(std::move(config)), transport_(transport), clock_(clock) {}
  HttpRequest NewRequest(HttpMethod method, std::string path) const;
  // Sends and returns the 2xx response, or the classified error.
  RemoteResult<HttpResponse> Exchange(const HttpRequest& request);
  // One page of a list read by change cursor (disputes, settlement events):
  // GET path?since&limit, checked to be a list with has_more and a
  // next_since that never goes back (stripe_cursor_list.cc). `what` names
  // the list in errors.
  struct CursorPage {
    Value::List items;  // the objects, each for the caller to parse
    bool has_more = false;
    int64_t next_since = 0;
  };
  RemoteResult<CursorPage> ListByCursor(std::string_view path, std::string_view what, int64_t since, int limit);
  // A form POST with an Idempotency-Key (refunds, transfers, reversals).
  HttpRequest NewIdempotentPost(std::string path, const std::vector<std::pair<std::string, std::string>>& form,
                                const std::string& idempotency_key) const;

  const StripeConfig config_;  // secret_key resolved at Create
  HttpTransport& transport_;
  const Clock& clock_;
};

// Parses one Stripe refund object; InvalidArgument when it is not one.
Result<PspRefund> ParseStripeRefund(const Value& object);

}  // namespace steadfast::refund

#endif  // STEADFAST_PLUGINS_REFUND_PSP_STRIPE_PSP_ADAPTER_H_
