// CircuitBreakingPspAdapter: a PspAdapter that fails fast while the PSP is down.
//
// Wraps another adapter with a CircuitBreaker. A call counts as a failure when
// it says the PSP is unhealthy: a retryable error with a "psp_" code (5xx,
// 429, timeouts, connection errors, unparseable answers). Successes and
// business refusals (amount_too_large, invalid_charge, ...) count as health,
// and so does 409 idempotency_key_in_use. While the breaker is open every
// call returns, without touching the network, the retryable error
// `psp_circuit_open` with retry_after_ms set to the time left before a probe.
// Thread-safe if the wrapped adapter is.
#ifndef STEADFAST_PLUGINS_REFUND_PSP_CIRCUIT_BREAKING_PSP_ADAPTER_H_
#define STEADFAST_PLUGINS_REFUND_PSP_CIRCUIT_BREAKING_PSP_ADAPTER_H_

#include <memory>
#include <string_view>

#include "circuit_breaker.h"
#include "psp_adapter.h"
#include "steadfast/clock.h"

namespace steadfast::refund {

class CircuitBreakingPspAdapter final : public PspAdapter {
 public:
  // `clock` must outlive the adapter.
  CircuitBreakingPspAdapter(std::unique_ptr<PspAdapter> inner, CircuitBreakerOptions options, const Clock& clock)
      : inner_(std::move(inner)), breaker_(options, clock) {}

  RemoteResult<PspRefund> Refund(const RefundRequest& request) override;
  RemoteResult<PspRefund> GetRefund(std::string_view refund_id) override;
  RemoteResult<RefundPage> ListRefunds(const ListRefundsRequest& request) override;
  RemoteResult<PspTransfer> Transfer(const TransferRequest& request) override;
  RemoteResult<PspTransfer> GetTransfer(std::string_view transfer_id) override;
  RemoteResult<PspTransferReversal> ReverseTransfer(const TransferReversalRequest& request) override;
  RemoteResult<DisputePage> ListDisputes(const ListDisputesRequest& request) override;
  RemoteResult<SettlementEventPage> ListSettlements(const ListSettlementsRequest& request) override;

  const CircuitBreaker& breaker() const { return breaker_; }

 private:
  template <class T, class Call>
  RemoteResult<T> Guarded(Call&& call);

  std::unique_ptr<PspAdapter> inner_;
  CircuitBreaker breaker_;
};

// True when `error` means the PSP itself is unhealthy (see above).
bool IsPspHealthFailure(const ActivityError& error);

}  // namespace steadfast::refund

#endif  // STEADFAST_PLUGINS_REFUND_PSP_CIRCUIT_BREAKING_PSP_ADAPTER_H_
