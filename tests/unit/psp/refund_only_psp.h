// RefundOnlyPsp: a base for test PspAdapters that script only refunds.
//
// Its payout calls answer the non-retryable `unused` error, so a test of
// refunds that reaches one by mistake fails on that code, never on a
// payout that looked made.
#ifndef STEADFAST_TESTS_UNIT_PSP_REFUND_ONLY_PSP_H_
#define STEADFAST_TESTS_UNIT_PSP_REFUND_ONLY_PSP_H_

#include <string_view>

#include "refund/psp/psp_adapter.h"

namespace steadfast::refund {

class RefundOnlyPsp : public PspAdapter {
 public:
  int payout_calls = 0;
  RemoteResult<PspTransfer> Transfer(const TransferRequest&) override { return Unused(); }
  RemoteResult<PspTransfer> GetTransfer(std::string_view) override { return Unused(); }
  RemoteResult<PspTransferReversal> ReverseTransfer(const TransferReversalRequest&) override { return Unused(); }

 private:
  ActivityError Unused() {
    ++payout_calls;
    return ActivityError::NonRetryable("unused", "payouts are not scripted in this test");
  }
};

}  // namespace steadfast::refund

#endif  // STEADFAST_TESTS_UNIT_PSP_REFUND_ONLY_PSP_H_
