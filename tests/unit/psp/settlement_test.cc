// RefundUntilSettled over a scripted adapter.
#include "refund/psp/settlement.h"
#include "refund_only_psp.h"

#include <deque>

#include <gtest/gtest.h>

namespace steadfast::refund {
namespace {

PspRefund Refund(PspRefundStatus status, bool replayed = false, std::string failure = "") {
  PspRefund r;
  r.id = "re_1";
  r.status = status;
  r.amount_minor = 700;
  r.currency = "usd";
  r.replayed = replayed;
  r.failure_reason = std::move(failure);
  return r;
}

class SettlingPsp : public RefundOnlyPsp {
 public:
  std::deque<RemoteResult<PspRefund>> creates;
  std::deque<RemoteResult<PspRefund>> reads;
  int create_calls = 0;
  int read_calls = 0;

  RemoteResult<PspRefund> Refund(const RefundRequest&) override {
    ++create_calls;
    auto next = creates.front();
    creates.pop_front();
    return next;
  }
  RemoteResult<PspRefund> GetRefund(std::string_view) override {
    ++read_calls;
    auto next = reads.front();
    reads.pop_front();
    return next;
  }
  RemoteResult<RefundPage> ListRefunds(const ListRefundsRequest&) override { return RefundPage{}; }
};

TEST(SettlementTest, ImmediateSuccessNeedsNoRead) {
  SettlingPsp psp;
  psp.creates.push_back(Refund(PspRefundStatus::kSucceeded));
  auto result = RefundUntilSettled(psp, RefundRequest{});
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(psp.read_calls, 0);
}

TEST(SettlementTest, PendingIsRetryableWithThePollInterval) {
  SettlingPsp psp;
  psp.creates.push_back(Refund(PspRefundStatus::kPending));
  psp.reads.push_back(Refund(PspRefundStatus::kPending));
  auto result = RefundUntilSettled(psp, RefundRequest{}, SettlementPolicy{.poll_interval_ms = 2'500});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, ErrorKind::kRetryable);
  EXPECT_EQ(result.error().code, "refund_pending");
  EXPECT_EQ(result.error().retry_after_ms, 2'500);
  EXPECT_EQ(result.error().details.Get("refund_id").StringOr(""), "re_1");
}

TEST(SettlementTest, AReplayedPendingAnswerIsCheckedAgainstTheCurrentState) {
  SettlingPsp psp;
  psp.creates.push_back(Refund(PspRefundStatus::kPending, /*replayed=*/true));
  psp.reads.push_back(Refund(PspRefundStatus::kSucceeded));
  auto result = RefundUntilSettled(psp, RefundRequest{});
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->status, PspRefundStatus::kSucceeded);
  EXPECT_TRUE(result->replayed);
}

TEST(SettlementTest, FailedSettlementIsNonRetryableWithTheReason) {
  SettlingPsp psp;
  psp.creates.push_back(Refund(PspRefundStatus::kPending));
  psp.reads.push_back(Refund(PspRefundStatus::kFailed, false, "lost_or_stolen_card"));
  auto result = RefundUntilSettled(psp, RefundRequest{});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, ErrorKind::kNonRetryable);
  EXPECT_EQ(result.error().code, "refund_failed");
  EXPECT_EQ(result.error().details.Get("failure_reason").StringOr(""), "lost_or_stolen_card");
}

// Found by the psp_response fuzzer (tests/fuzz/corpus/psp_response/regress-amount-*):
// the follow-up read was believed whatever refund or amount it described.
TEST(SettlementTest, AReadDescribingAnotherRefundOrAmountIsNotBelieved) {
  SettlingPsp other;
  other.creates.push_back(Refund(PspRefundStatus::kPending));
  PspRefund someone_elses = Refund(PspRefundStatus::kSucceeded);
  someone_elses.id = "re_2";
  other.reads.push_back(someone_elses);
  auto wrong_id = RefundUntilSettled(other, RefundRequest{});
  ASSERT_FALSE(wrong_id.ok());
  EXPECT_EQ(wrong_id.error().code, "psp_bad_response");
  EXPECT_EQ(wrong_id.error().kind, ErrorKind::kRetryable);

  SettlingPsp grown;
  grown.creates.push_back(Refund(PspRefundStatus::kPending));
  PspRefund more = Refund(PspRefundStatus::kSucceeded);
  more.amount_minor = 70'000;
  grown.reads.push_back(more);
  auto wrong_amount = RefundUntilSettled(grown, RefundRequest{});
  ASSERT_FALSE(wrong_amount.ok());
  EXPECT_EQ(wrong_amount.error().code, "psp_amount_mismatch");
  EXPECT_EQ(wrong_amount.error().kind, ErrorKind::kNonRetryable);
  EXPECT_EQ(wrong_amount.error().details.Get("refund_id").StringOr(""), "re_1");
  EXPECT_EQ(wrong_amount.error().details.Get("amount").IntOr(0), 70'000);
}

TEST(SettlementTest, ErrorsPassThroughUnchanged) {
  SettlingPsp psp;
  psp.creates.push_back(ActivityError::Retryable("psp_timeout", "slow"));
  EXPECT_EQ(RefundUntilSettled(psp, RefundRequest{}).error().code, "psp_timeout");
  psp.creates.push_back(Refund(PspRefundStatus::kPending));
  psp.reads.push_back(ActivityError::Retryable("psp_unavailable", "503"));
  EXPECT_EQ(RefundUntilSettled(psp, RefundRequest{}).error().code, "psp_unavailable");
}

}  // namespace
}  // namespace steadfast::refund
