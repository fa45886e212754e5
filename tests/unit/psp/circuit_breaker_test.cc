// CircuitBreaker and CircuitBreakingPspAdapter, driven by a ManualClock.
#include "refund/psp/circuit_breaker.h"

#include <atomic>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "refund/psp/circuit_breaking_psp_adapter.h"
#include "steadfast/clock.h"
#include "refund_only_psp.h"

namespace steadfast::refund {
namespace {

using Outcome = CircuitBreaker::Outcome;

class CircuitBreakerTest : public ::testing::Test {
 protected:
  ManualClock clock_;
  CircuitBreaker breaker_{CircuitBreakerOptions{.failure_threshold = 3, .open_duration_ms = 10'000}, clock_};

  void Fail() {
    auto permit = breaker_.Acquire();
    ASSERT_TRUE(permit.allowed);
    breaker_.Record(permit, Outcome::kFailure);
  }
};

TEST_F(CircuitBreakerTest, StartsClosedAndAllowsCalls) {
  EXPECT_EQ(breaker_.state(), CircuitState::kClosed);
  auto permit = breaker_.Acquire();
  EXPECT_TRUE(permit.allowed);
  EXPECT_FALSE(permit.probe);
}

TEST_F(CircuitBreakerTest, OpensAfterThresholdConsecutiveFailures) {
  Fail();
  Fail();
  EXPECT_EQ(breaker_.state(), CircuitState::kClosed);
  Fail();
  EXPECT_EQ(breaker_.state(), CircuitState::kOpen);
  auto refused = breaker_.Acquire();
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after_ms, 10'000);
  clock_.Advance(4'000);
  EXPECT_EQ(breaker_.Acquire().retry_after_ms, 6'000);
}

TEST_F(CircuitBreakerTest, SuccessResetsTheFailureCount) {
  Fail();
  Fail();
  auto ok = breaker_.Acquire();
  breaker_.Record(ok, Outcome::kSuccess);
  EXPECT_EQ(breaker_.consecutive_failures(), 0);
  Fail();
  Fail();
  EXPECT_EQ(breaker_.state(), CircuitState::kClosed);
}

TEST_F(CircuitBreakerTest, HalfOpenAllowsExactlyOneProbe) {
  for (int i = 0; i < 3; ++i) Fail();
  clock_.Advance(10'000);
  EXPECT_EQ(breaker_.state(), CircuitState::kHalfOpen);
  auto probe = breaker_.Acquire();
  EXPECT_TRUE(probe.allowed);
  EXPECT_TRUE(probe.probe);
  auto second = breaker_.Acquire();
  EXPECT_FALSE(second.allowed);
  EXPECT_GT(second.retry_after_ms, 0);
}

TEST_F(CircuitBreakerTest, ProbeSuccessCloses) {
  for (int i = 0; i < 3; ++i) Fail();
  clock_.Advance(10'000);
  auto probe = breaker_.Acquire();
  breaker_.Record(probe, Outcome::kSuccess);
  EXPECT_EQ(breaker_.state(), CircuitState::kClosed);
  EXPECT_EQ(breaker_.consecutive_failures(), 0);
  EXPECT_TRUE(breaker_.Acquire().allowed);
}

TEST_F(CircuitBreakerTest, ProbeFailureReopensForAFullDuration) {
  for (int i = 0; i < 3; ++i) Fail();
  clock_.Advance(15'000);
  auto probe = breaker_.Acquire();
  breaker_.Record(probe, Outcome::kFailure);
  EXPECT_EQ(breaker_.state(), CircuitState::kOpen);
  auto refused = breaker_.Acquire();
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after_ms, 10'000);
}

TEST_F(CircuitBreakerTest, StragglersFromBeforeTheOpeningAreIgnored) {
  auto straggler = breaker_.Acquire();  // admitted while closed
  for (int i = 0; i < 3; ++i) Fail();
  clock_.Advance(10'000);
  auto probe = breaker_.Acquire();
  breaker_.Record(straggler, Outcome::kSuccess);  // must not close the breaker
  EXPECT_EQ(breaker_.state(), CircuitState::kHalfOpen);
  breaker_.Record(probe, Outcome::kFailure);
  EXPECT_EQ(breaker_.state(), CircuitState::kOpen);
}

TEST_F(CircuitBreakerTest, RefusedPermitsAreIgnored) {
  for (int i = 0; i < 3; ++i) Fail();
  auto refused = breaker_.Acquire();
  breaker_.Record(refused, Outcome::kSuccess);
  EXPECT_EQ(breaker_.state(), CircuitState::kOpen);
}

TEST_F(CircuitBreakerTest, OptionsAreClamped) {
  CircuitBreaker odd(CircuitBreakerOptions{.failure_threshold = 0, .open_duration_ms = -5}, clock_);
  EXPECT_EQ(odd.options().failure_threshold, 1);
  EXPECT_EQ(odd.options().open_duration_ms, 0);
  auto permit = odd.Acquire();
  odd.Record(permit, Outcome::kFailure);
  EXPECT_EQ(odd.state(), CircuitState::kHalfOpen);  // zero duration: probe at once
}

TEST_F(CircuitBreakerTest, ConcurrentFailuresOpenItExactlyOnce) {
  CircuitBreaker shared(CircuitBreakerOptions{.failure_threshold = 50, .open_duration_ms = 1'000}, clock_);
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i) {
        auto permit = shared.Acquire();
        if (!permit.allowed) continue;
        allowed.fetch_add(1);
        shared.Record(permit, Outcome::kFailure);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(shared.state(), CircuitState::kOpen);
  EXPECT_GE(allowed.load(), 50);
  EXPECT_LE(allowed.load(), 50 + 8);  // at most one in-flight call per thread after the threshold
}

// A scripted PspAdapter: returns the queued results in order.
class ScriptedPsp : public RefundOnlyPsp {
 public:
  std::vector<RemoteResult<PspRefund>> script;
  int calls = 0;
  RemoteResult<PspRefund> Refund(const RefundRequest&) override { return script.at(static_cast<size_t>(calls++)); }
  RemoteResult<PspRefund> GetRefund(std::string_view) override { return script.at(static_cast<size_t>(calls++)); }
  RemoteResult<RefundPage> ListRefunds(const ListRefundsRequest&) override {
    ++calls;
    return RefundPage{};
  }
};

// Payouts go to the same PSP: an open breaker fails them fast too, and
// their own calls reach the wrapped adapter while it is closed.
TEST(CircuitBreakingPspAdapterTest, PayoutsShareTheBreaker) {
  ManualClock clock;
  auto scripted = std::make_unique<ScriptedPsp>();
  ScriptedPsp* psp = scripted.get();
  psp->script.push_back(ActivityError::Retryable("psp_unavailable", "503"));
  CircuitBreakingPspAdapter guarded(std::move(scripted),
                                    CircuitBreakerOptions{.failure_threshold = 1, .open_duration_ms = 5'000}, clock);
  EXPECT_EQ(guarded.Transfer(TransferRequest{}).error().code, "unused");  // reached the PSP
  EXPECT_EQ(psp->payout_calls, 1);
  EXPECT_EQ(guarded.Refund(RefundRequest{}).error().code, "psp_unavailable");
  EXPECT_EQ(guarded.Transfer(TransferRequest{}).error().code, "psp_circuit_open");
  EXPECT_EQ(guarded.ReverseTransfer(TransferReversalRequest{}).error().code, "psp_circuit_open");
  EXPECT_EQ(guarded.GetTransfer("tr_1").error().code, "psp_circuit_open");
  EXPECT_EQ(psp->payout_calls, 1) << "refused calls never reach the PSP";
}

TEST(CircuitBreakingPspAdapterTest, FailsFastWithRetryableCircuitOpen) {
  ManualClock clock;
  auto scripted = std::make_unique<ScriptedPsp>();
  ScriptedPsp* psp = scripted.get();
  for (int i = 0; i < 2; ++i) psp->script.push_back(ActivityError::Retryable("psp_unavailable", "503"));
  PspRefund refund;
  refund.id = "re_1";
  refund.status = PspRefundStatus::kSucceeded;
  psp->script.push_back(refund);
  CircuitBreakingPspAdapter guarded(std::move(scripted),
                                    CircuitBreakerOptions{.failure_threshold = 2, .open_duration_ms = 5'000}, clock);
  RefundRequest request;
  EXPECT_EQ(guarded.Refund(request).error().code, "psp_unavailable");
  EXPECT_EQ(guarded.Refund(request).error().code, "psp_unavailable");
  auto fast = guarded.Refund(request);
  ASSERT_FALSE(fast.ok());
  EXPECT_EQ(fast.error().kind, ErrorKind::kRetryable);
  EXPECT_EQ(fast.error().code, "psp_circuit_open");
  EXPECT_EQ(fast.error().retry_after_ms, 5'000);
  EXPECT_EQ(psp->calls, 2);  // the refused call never reached the PSP
  clock.Advance(5'000);
  EXPECT_TRUE(guarded.Refund(request).ok());
  EXPECT_EQ(guarded.breaker().state(), CircuitState::kClosed);
}

TEST(CircuitBreakingPspAdapterTest, BusinessRefusalsDoNotOpenIt) {
  ManualClock clock;
  auto scripted = std::make_unique<ScriptedPsp>();
  for (int i = 0; i < 5; ++i) {
    scripted->script.push_back(ActivityError::NonRetryable("amount_too_large", "too much"));
  }
  scripted->script.push_back(ActivityError::Retryable("idempotency_key_in_use", "busy"));
  CircuitBreakingPspAdapter guarded(std::move(scripted),
                                    CircuitBreakerOptions{.failure_threshold = 1, .open_duration_ms = 5'000}, clock);
  for (int i = 0; i < 6; ++i) EXPECT_FALSE(guarded.Refund(RefundRequest{}).ok());
  EXPECT_EQ(guarded.breaker().state(), CircuitState::kClosed);
}

TEST(CircuitBreakingPspAdapterTest, HealthFailureClassification) {
  EXPECT_TRUE(IsPspHealthFailure(ActivityError::Retryable("psp_timeout", "")));
  EXPECT_TRUE(IsPspHealthFailure(ActivityError::Retryable("psp_connection_lost", "")));
  EXPECT_TRUE(IsPspHealthFailure(ActivityError::Retryable("psp_rate_limited", "")));
  EXPECT_FALSE(IsPspHealthFailure(ActivityError::NonRetryable("psp_auth_failed", "")));
  EXPECT_FALSE(IsPspHealthFailure(ActivityError::NonRetryable("invalid_charge", "")));
  EXPECT_FALSE(IsPspHealthFailure(ActivityError::Retryable("idempotency_key_in_use", "")));
}

}  // namespace
}  // namespace steadfast::refund
