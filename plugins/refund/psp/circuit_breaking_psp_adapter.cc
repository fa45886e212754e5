// CircuitBreakingPspAdapter: breaker bookkeeping around each PSP call.
#include "circuit_breaking_psp_adapter.h"

#include <string>

namespace steadfast::refund {

bool IsPspHealthFailure(const ActivityError& error) {
  return error.kind == ErrorKind::kRetryable && error.code.rfind("psp_", 0) == 0;
}

template <class T, class Call>
RemoteResult<T> CircuitBreakingPspAdapter::Guarded(Call&& call) {
  const CircuitBreaker::Permit permit = breaker_.Acquire();
  if (!permit.allowed) {
    ActivityError error = ActivityError::Retryable(
        "psp_circuit_open", "PSP circuit breaker is open after " +
                                std::to_string(breaker_.options().failure_threshold) +
                                " consecutive failures; failing fast");
    error.retry_after_ms = permit.retry_after_ms;
    return error;
  }
  RemoteResult<T> result = call();
  const bool failed = !result.ok() && IsPspHealthFailure(result.error());
  breaker_.Record(permit, failed ? CircuitBreaker::Outcome::kFailure : CircuitBreaker::Outcome::kSuccess);
  return result;
}

RemoteResult<PspRefund> CircuitBreakingPspAdapter::Refund(const RefundRequest& request) {
  return Guarded<PspRefund>([&] { return inner_->Refund(request); });
}

RemoteResult<PspRefund> CircuitBreakingPspAdapter::GetRefund(std::string_view refund_id) {
  return Guarded<PspRefund>([&] { return inner_->GetRefund(refund_id); });
}

RemoteResult<RefundPage> CircuitBreakingPspAdapter::ListRefunds(const ListRefundsRequest& request) {
  return Guarded<RefundPage>([&] { return inner_->ListRefunds(request); });
}

RemoteResult<SettlementEventPage> CircuitBreakingPspAdapter::ListSettlements(const ListSettlementsRequest& request) {
  return Guarded<SettlementEventPage>([&] { return inner_->ListSettlements(request); });
}

RemoteResult<DisputePage> CircuitBreakingPspAdapter::ListDisputes(const ListDisputesRequest& request) {
  return Guarded<DisputePage>([&] { return inner_->ListDisputes(request); });
}

// Payouts share the breaker: one PSP, one health.
RemoteResult<PspTransfer> CircuitBreakingPspAdapter::Transfer(const TransferRequest& request) {
  return Guarded<PspTransfer>([&] { return inner_->Transfer(request); });
}

RemoteResult<PspTransfer> CircuitBreakingPspAdapter::GetTransfer(std::string_view transfer_id) {
  return Guarded<PspTransfer>([&] { return inner_->GetTransfer(transfer_id); });
}

RemoteResult<PspTransferReversal> CircuitBreakingPspAdapter::ReverseTransfer(const TransferReversalRequest& request) {
  return Guarded<PspTransferReversal>([&] { return inner_->ReverseTransfer(request); });
}

}  // namespace steadfast::refund
