// The Stripe adapter against the real steadfast-sandbox over loopback HTTP.
//
// Each test starts its own sandbox process (port 0, fresh SQLite file), seeds
// charges through /sandbox/charges, injects faults through /sandbox/faults,
// drives StripePspAdapter (and JsonHttpClient for inventory/notifications),
// and checks both what the client saw and what the sandbox recorded in
// /sandbox/stats: above all, exactly one refund per idempotency key whatever
// faults were played.
#include <chrono>
#include <set>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "refund/psp/circuit_breaking_psp_adapter.h"
#include "net/curl_transport.h"
#include "refund/psp/http_client.h"
#include "refund/psp/settlement.h"
#include "refund/psp/stripe_psp_adapter.h"
#include "sandbox_process.h"
#include "steadfast/clock.h"

namespace steadfast::refund {
namespace {

using integration::SandboxProcess;

class SandboxTest : public ::testing::Test {
 protected:
  void StartSandbox(const std::vector<std::string>& args = {}) {
    ASSERT_TRUE(sandbox_.Start(args).ok());
    psp_ = MakeAdapter(SandboxProcess::kSecretKey, 2'000);
    control_ = MakeJsonClient("sandbox", "");
    stripe_json_ = MakeJsonClient("psp", SandboxProcess::kSecretKey);
  }

  void SetUp() override { StartSandbox(); }

  std::unique_ptr<StripePspAdapter> MakeAdapter(const std::string& key, int64_t timeout_ms) {
    StripeConfig config;
    config.base_url = sandbox_.base_url();
    config.secret_key = key;
    config.timeout_ms = timeout_ms;
    config.connect_timeout_ms = 1'000;
    auto adapter = StripePspAdapter::Create(config, net::CurlTransport::Instance(), SystemClock::Instance());
    EXPECT_TRUE(adapter.ok()) << adapter.status().ToString();
    return std::move(adapter).value();
  }

  std::unique_ptr<JsonHttpClient> MakeJsonClient(const std::string& service, const std::string& token) {
    JsonHttpClientOptions options;
    options.service = service;
    options.base_url = sandbox_.base_url();
    options.bearer_token = token;
    options.timeout_ms = 2'000;
    auto client = JsonHttpClient::Create(options, net::CurlTransport::Instance(), SystemClock::Instance());
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    return std::move(client).value();
  }

  void SeedCharge(const std::string& id, int64_t amount, const std::string& currency = "usd",
                  Value::Map extra = {}) {
    Value::Map body{{"id", id}, {"amount", amount}, {"currency", currency}};
    for (auto& [key, value] : extra) body[key] = std::move(value);
    auto seeded = control_->PostJson("/sandbox/charges", body, "seed-" + id);
    ASSERT_TRUE(seeded.ok()) << seeded.error().message;
    ASSERT_EQ(seeded->body.Get("id").StringOr(""), id);
  }

  void SetFaults(const Value::Map& faults) {
    auto set = control_->PostJson("/sandbox/faults", faults, "faults");
    ASSERT_TRUE(set.ok()) << set.error().message;
  }

  Value Stats() {
    auto stats = control_->GetJson("/sandbox/stats");
    EXPECT_TRUE(stats.ok());
    return stats.ok() ? stats->body : Value();
  }

  int64_t RefundCount() { return Stats().Get("refunds").Get("count").IntOr(-1); }
  int64_t RefundCountFor(const std::string& charge) {
    return Stats().Get("refunds").Get("by_charge").Get(charge).Get("count").IntOr(0);
  }

  static RefundRequest Request(const std::string& charge, std::optional<int64_t> amount, const std::string& key) {
    RefundRequest request;
    request.charge = charge;
    request.amount_minor = amount;
    request.idempotency_key = key;
    return request;
  }

  SandboxProcess sandbox_;
  std::unique_ptr<StripePspAdapter> psp_;
  std::unique_ptr<JsonHttpClient> control_;
  std::unique_ptr<JsonHttpClient> stripe_json_;
};

TEST_F(SandboxTest, RefundSucceeds) {
  SeedCharge("ch_ok", 10'000, "eur");
  RefundRequest request = Request("ch_ok", 2'500, "wf-1/psp");
  request.reason = RefundReason::kRequestedByCustomer;
  request.metadata = {{"reservation_id", "r-1"}, {"note", "late & cancelled [2]"}};
  request.expected_currency = "EUR";

  auto refund = psp_->Refund(request);
  ASSERT_TRUE(refund.ok()) << refund.error().code << ": " << refund.error().message;
  EXPECT_EQ(refund->id.rfind("re_", 0), 0u);
  EXPECT_EQ(refund->status, PspRefundStatus::kSucceeded);
  EXPECT_EQ(refund->amount_minor, 2'500);
  EXPECT_EQ(refund->currency, "eur");
  EXPECT_EQ(refund->charge, "ch_ok");
  EXPECT_EQ(refund->reason, RefundReason::kRequestedByCustomer);
  EXPECT_EQ(refund->metadata, request.metadata);  // brackets, spaces and & survive form encoding
  EXPECT_FALSE(refund->replayed);

  auto charge = stripe_json_->GetJson("/v1/charges/ch_ok");
  ASSERT_TRUE(charge.ok());
  EXPECT_EQ(charge->body.Get("amount_refunded").IntOr(-1), 2'500);
}

TEST_F(SandboxTest, FullRefundWithoutAmountTakesWhatRemains) {
  SeedCharge("ch_full", 4'200);
  ASSERT_TRUE(psp_->Refund(Request("ch_full", 200, "k-part")).ok());
  auto rest = psp_->Refund(Request("ch_full", std::nullopt, "k-rest"));
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(rest->amount_minor, 4'000);
}

TEST_F(SandboxTest, RefundByPaymentIntent) {
  SeedCharge("ch_pi", 900, "jpy", {{"payment_intent", "pi_abc"}});
  RefundRequest request;
  request.payment_intent = "pi_abc";
  request.amount_minor = 900;
  request.idempotency_key = "k-pi";
  auto refund = psp_->Refund(request);
  ASSERT_TRUE(refund.ok()) << refund.error().message;
  EXPECT_EQ(refund->charge, "ch_pi");
  EXPECT_EQ(refund->payment_intent, "pi_abc");
  EXPECT_EQ(refund->currency, "jpy");
}

TEST_F(SandboxTest, SameKeyReplaysTheSameRefund) {
  SeedCharge("ch_replay", 1'000);
  auto first = psp_->Refund(Request("ch_replay", 300, "wf-2/psp"));
  auto second = psp_->Refund(Request("ch_replay", 300, "wf-2/psp"));
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(first->id, second->id);
  EXPECT_FALSE(first->replayed);
  EXPECT_TRUE(second->replayed);
  const Value stats = Stats();
  EXPECT_EQ(stats.Get("refunds").Get("count").IntOr(-1), 1);
  EXPECT_EQ(stats.Get("refunds").Get("by_charge").Get("ch_replay").Get("amount_refunded").IntOr(-1), 300);
  EXPECT_EQ(stats.Get("replays").IntOr(-1), 1);
}

TEST_F(SandboxTest, SameKeyDifferentBodyIsNonRetryable) {
  SeedCharge("ch_mismatch", 1'000);
  ASSERT_TRUE(psp_->Refund(Request("ch_mismatch", 300, "wf-3/psp")).ok());
  auto reused = psp_->Refund(Request("ch_mismatch", 400, "wf-3/psp"));
  ASSERT_FALSE(reused.ok());
  EXPECT_EQ(reused.error().kind, ErrorKind::kNonRetryable);
  EXPECT_EQ(reused.error().code, "idempotency_error");
  EXPECT_EQ(reused.error().details.Get("http_status").IntOr(0), 400);
  EXPECT_EQ(RefundCount(), 1);
}

TEST_F(SandboxTest, OverRefundIsAmountTooLargeAndFullyRefundedIsAlreadyRefunded) {
  SeedCharge("ch_over", 1'000);
  ASSERT_TRUE(psp_->Refund(Request("ch_over", 700, "k-700")).ok());
  auto over = psp_->Refund(Request("ch_over", 301, "k-301"));
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().kind, ErrorKind::kNonRetryable);
  EXPECT_EQ(over.error().code, "amount_too_large");
  EXPECT_EQ(over.error().details.Get("param").StringOr(""), "amount");

  ASSERT_TRUE(psp_->Refund(Request("ch_over", 300, "k-300")).ok());
  auto again = psp_->Refund(Request("ch_over", 1, "k-1"));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().kind, ErrorKind::kNonRetryable);
  EXPECT_EQ(again.error().code, "charge_already_refunded");
  EXPECT_EQ(RefundCountFor("ch_over"), 2);
}

TEST_F(SandboxTest, UnknownChargeIsInvalidCharge) {
  auto refund = psp_->Refund(Request("ch_missing", 100, "k-missing"));
  ASSERT_FALSE(refund.ok());
  EXPECT_EQ(refund.error().kind, ErrorKind::kNonRetryable);
  EXPECT_EQ(refund.error().code, "invalid_charge");
  EXPECT_EQ(refund.error().details.Get("code").StringOr(""), "resource_missing");
  EXPECT_EQ(refund.error().details.Get("http_status").IntOr(0), 404);

  RefundRequest by_intent;
  by_intent.payment_intent = "pi_missing";
  by_intent.idempotency_key = "k-missing-pi";
  auto intent = psp_->Refund(by_intent);
  ASSERT_FALSE(intent.ok());
  EXPECT_EQ(intent.error().code, "invalid_charge");
  EXPECT_EQ(RefundCount(), 0);
}

TEST_F(SandboxTest, UnknownRefundIsNotFound) {
  auto refund = psp_->GetRefund("re_doesnotexist");
  ASSERT_FALSE(refund.ok());
  EXPECT_EQ(refund.error().kind, ErrorKind::kNonRetryable);
  EXPECT_EQ(refund.error().code, "resource_missing");
}

TEST_F(SandboxTest, WrongSecretKeyIsAuthFailureAndNeverEchoed) {
  const std::string wrong = "sk_test_wrong_key_do_not_print_0000";
  auto psp = MakeAdapter(wrong, 2'000);
  SeedCharge("ch_auth", 100);
  auto refund = psp->Refund(Request("ch_auth", 100, "k-auth"));
  ASSERT_FALSE(refund.ok());
  EXPECT_EQ(refund.error().kind, ErrorKind::kNonRetryable);
  EXPECT_EQ(refund.error().code, "psp_auth_failed");
  EXPECT_EQ(refund.error().message.find(wrong), std::string::npos);
  EXPECT_EQ(refund.error().details.ToJson().find(wrong), std::string::npos);
  EXPECT_EQ(RefundCount(), 0);
}

TEST_F(SandboxTest, ServerErrorBurstIsRetryableThenTheRetrySucceeds) {
  SeedCharge("ch_5xx", 1'000);
  SetFaults({{"burst_5xx", 2}});
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto failed = psp_->Refund(Request("ch_5xx", 500, "wf-5/psp"));
    ASSERT_FALSE(failed.ok());
    EXPECT_EQ(failed.error().kind, ErrorKind::kRetryable);
    EXPECT_EQ(failed.error().code, "psp_unavailable");
    EXPECT_EQ(failed.error().details.Get("http_status").IntOr(0), 500);
  }
  auto refund = psp_->Refund(Request("ch_5xx", 500, "wf-5/psp"));
  ASSERT_TRUE(refund.ok()) << refund.error().message;
  const Value stats = Stats();
  EXPECT_EQ(stats.Get("faults").Get("5xx").IntOr(-1), 2);
  EXPECT_EQ(stats.Get("refunds").Get("count").IntOr(-1), 1);
}

TEST_F(SandboxTest, RateLimitIsRetryableWithRetryAfter) {
  SeedCharge("ch_429", 1'000);
  SetFaults({{"rate_limit_next", 1}, {"retry_after_s", 3}});
  auto limited = psp_->Refund(Request("ch_429", 100, "wf-6/psp"));
  ASSERT_FALSE(limited.ok());
  EXPECT_EQ(limited.error().kind, ErrorKind::kRetryable);
  EXPECT_EQ(limited.error().code, "psp_rate_limited");
  ASSERT_TRUE(limited.error().retry_after_ms.has_value());
  EXPECT_EQ(*limited.error().retry_after_ms, 3'000);
  EXPECT_EQ(RefundCount(), 0);
  EXPECT_TRUE(psp_->Refund(Request("ch_429", 100, "wf-6/psp")).ok());
}

TEST_F(SandboxTest, LatencyBeyondTheClientTimeoutIsRetryableTimeout) {
  SeedCharge("ch_slow", 1'000);
  auto impatient = MakeAdapter(SandboxProcess::kSecretKey, 300);
  SetFaults({{"latency_ms", 1'000}});
  const auto started = std::chrono::steady_clock::now();
  auto read = impatient->ListRefunds(ListRefundsRequest{});
  const auto waited = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().kind, ErrorKind::kRetryable);
  EXPECT_EQ(read.error().code, "psp_timeout");
  EXPECT_LT(waited, std::chrono::milliseconds(900));
}

TEST_F(SandboxTest, HeldRequestTimesOutCommitsLaterAndTheRetryGetsTheSameRefund) {
  SeedCharge("ch_hold", 1'000);
  auto impatient = MakeAdapter(SandboxProcess::kSecretKey, 300);
  SetFaults({{"timeout_next", 1}, {"timeout_hold_ms", 1'200}});
  auto timed_out = impatient->Refund(Request("ch_hold", 600, "wf-7/psp"));
  ASSERT_FALSE(timed_out.ok());
  EXPECT_EQ(timed_out.error().kind, ErrorKind::kRetryable);
  EXPECT_EQ(timed_out.error().code, "psp_timeout");

  // While the first request is still held, its key is in use: retry later.
  auto concurrent = psp_->Refund(Request("ch_hold", 600, "wf-7/psp"));
  ASSERT_FALSE(concurrent.ok());
  EXPECT_EQ(concurrent.error().kind, ErrorKind::kRetryable);
  EXPECT_EQ(concurrent.error().code, "idempotency_key_in_use");

  std::this_thread::sleep_for(std::chrono::milliseconds(1'300));
  auto retried = psp_->Refund(Request("ch_hold", 600, "wf-7/psp"));
  ASSERT_TRUE(retried.ok()) << retried.error().message;
  EXPECT_TRUE(retried->replayed);
  EXPECT_EQ(RefundCountFor("ch_hold"), 1);
  EXPECT_EQ(Stats().Get("faults").Get("timeout").IntOr(-1), 1);
}

TEST_F(SandboxTest, LostResponseIsRetryableAndTheRetryReturnsTheSameRefund) {
  SeedCharge("ch_lost", 1'000);
  SetFaults({{"drop_next", 1}});
  auto lost = psp_->Refund(Request("ch_lost", 400, "wf-8/psp"));
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.error().kind, ErrorKind::kRetryable);
  EXPECT_EQ(lost.error().code, "psp_connection_lost");
  // The sandbox committed the refund before dropping the connection.
  EXPECT_EQ(RefundCountFor("ch_lost"), 1);
  ListRefundsRequest by_charge;
  by_charge.charge = "ch_lost";
  auto listed = psp_->ListRefunds(by_charge);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->refunds.size(), 1u);

  auto retried = psp_->Refund(Request("ch_lost", 400, "wf-8/psp"));
  ASSERT_TRUE(retried.ok()) << retried.error().message;
  EXPECT_TRUE(retried->replayed);
  EXPECT_EQ(retried->id, listed->refunds.front().id);
  EXPECT_EQ(RefundCountFor("ch_lost"), 1);
  EXPECT_EQ(Stats().Get("faults").Get("dropped").IntOr(-1), 1);
}

TEST_F(SandboxTest, DelayedSettlementGoesFromPendingToSucceeded) {
  const Status stopped = sandbox_.Stop();
  ASSERT_TRUE(stopped.ok()) << stopped.ToString();
  StartSandbox({"--settle-delay-ms", "400"});
  SeedCharge("ch_async", 1'000);
  auto refund = psp_->Refund(Request("ch_async", 1'000, "wf-9/psp"));
  ASSERT_TRUE(refund.ok());
  EXPECT_EQ(refund->status, PspRefundStatus::kPending);
  auto early = psp_->GetRefund(refund->id);
  ASSERT_TRUE(early.ok());
  EXPECT_EQ(early->status, PspRefundStatus::kPending);

  PspRefundStatus status = PspRefundStatus::kPending;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (status == PspRefundStatus::kPending && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto polled = psp_->GetRefund(refund->id);
    ASSERT_TRUE(polled.ok());
    status = polled->status;
  }
  EXPECT_EQ(status, PspRefundStatus::kSucceeded);
  // A replay of the create returns the first response (pending), as Stripe does.
  auto replay = psp_->Refund(Request("ch_async", 1'000, "wf-9/psp"));
  ASSERT_TRUE(replay.ok());
  EXPECT_EQ(replay->status, PspRefundStatus::kPending);
  EXPECT_TRUE(replay->replayed);
}

TEST_F(SandboxTest, RefundUntilSettledLetsRetriesDoTheWaiting) {
  const Status stopped = sandbox_.Stop();
  ASSERT_TRUE(stopped.ok()) << stopped.ToString();
  StartSandbox({"--settle-delay-ms", "300"});
  SeedCharge("ch_settle", 1'000);
  const RefundRequest request = Request("ch_settle", 1'000, "wf-15/psp");
  const SettlementPolicy policy{.poll_interval_ms = 100};

  auto first = RefundUntilSettled(*psp_, request, policy);
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.error().kind, ErrorKind::kRetryable);
  EXPECT_EQ(first.error().code, "refund_pending");
  EXPECT_EQ(first.error().retry_after_ms, 100);

  // What the engine's retry loop would do: wait retry_after_ms, try again.
  RemoteResult<PspRefund> attempt = first;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!attempt.ok() && attempt.error().code == "refund_pending" && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(*attempt.error().retry_after_ms));
    attempt = RefundUntilSettled(*psp_, request, policy);
  }
  ASSERT_TRUE(attempt.ok()) << attempt.error().code;
  EXPECT_EQ(attempt->status, PspRefundStatus::kSucceeded);
  EXPECT_TRUE(attempt->replayed);
  EXPECT_EQ(RefundCountFor("ch_settle"), 1);
}

TEST_F(SandboxTest, AsynchronousFailureGivesTheAmountBack) {
  SeedCharge("ch_fail", 800, "usd", {{"refund_failure", "lost_or_stolen_card"}});
  auto refund = psp_->Refund(Request("ch_fail", 800, "wf-10/psp"));
  ASSERT_TRUE(refund.ok());
  EXPECT_EQ(refund->status, PspRefundStatus::kPending);  // failures are always asynchronous
  auto settled = psp_->GetRefund(refund->id);
  ASSERT_TRUE(settled.ok());
  EXPECT_EQ(settled->status, PspRefundStatus::kFailed);
  EXPECT_EQ(settled->failure_reason, "lost_or_stolen_card");
  auto charge = stripe_json_->GetJson("/v1/charges/ch_fail");
  ASSERT_TRUE(charge.ok());
  EXPECT_EQ(charge->body.Get("amount_refunded").IntOr(-1), 0);
}

TEST_F(SandboxTest, ListPaginatesNewestFirstWithFilters) {
  SeedCharge("ch_a", 10'000);
  SeedCharge("ch_b", 10'000);
  std::vector<std::string> created;
  for (int i = 0; i < 7; ++i) {
    const std::string charge = i % 3 == 2 ? "ch_b" : "ch_a";
    auto refund = psp_->Refund(Request(charge, 100 + i, "list-" + std::to_string(i)));
    ASSERT_TRUE(refund.ok());
    created.push_back(refund->id);
  }

  std::vector<std::string> seen;
  ListRefundsRequest request;
  request.limit = 3;
  int pages = 0;
  while (true) {
    auto page = psp_->ListRefunds(request);
    ASSERT_TRUE(page.ok()) << page.error().message;
    ++pages;
    for (const PspRefund& r : page->refunds) seen.push_back(r.id);
    if (!page->has_more) break;
    request.starting_after = page->refunds.back().id;
  }
  EXPECT_EQ(pages, 3);
  const std::vector<std::string> newest_first(created.rbegin(), created.rend());
  EXPECT_EQ(seen, newest_first);

  ListRefundsRequest one_at_a_time;
  one_at_a_time.limit = 1;
  one_at_a_time.charge = "ch_b";
  auto only_b = ListAllRefunds(*psp_, one_at_a_time);
  ASSERT_TRUE(only_b.ok());
  ASSERT_EQ(only_b->size(), 2u);
  EXPECT_EQ((*only_b)[0].id, created[5]);
  EXPECT_EQ((*only_b)[1].id, created[2]);

  const int64_t far_future = 4'102'444'800;  // 2100-01-01
  ListRefundsRequest since;
  since.created_gte_s = far_future;
  auto none = psp_->ListRefunds(since);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->refunds.empty());
  EXPECT_FALSE(none->has_more);
}

TEST_F(SandboxTest, CircuitBreakerFailsFastWhileTheSandboxFails) {
  SeedCharge("ch_cb", 1'000);
  ManualClock clock;
  CircuitBreakingPspAdapter guarded(MakeAdapter(SandboxProcess::kSecretKey, 2'000),
                                    CircuitBreakerOptions{.failure_threshold = 2, .open_duration_ms = 60'000}, clock);
  SetFaults({{"burst_5xx", 100}});
  for (int i = 0; i < 2; ++i) {
    auto failed = guarded.Refund(Request("ch_cb", 100, "wf-cb/psp"));
    ASSERT_FALSE(failed.ok());
    EXPECT_EQ(failed.error().code, "psp_unavailable");
  }
  auto fast = guarded.Refund(Request("ch_cb", 100, "wf-cb/psp"));
  ASSERT_FALSE(fast.ok());
  EXPECT_EQ(fast.error().kind, ErrorKind::kRetryable);
  EXPECT_EQ(fast.error().code, "psp_circuit_open");
  EXPECT_EQ(fast.error().retry_after_ms.value_or(0), 60'000);
  EXPECT_EQ(Stats().Get("faults").Get("5xx").IntOr(-1), 2);  // the third call never left the process

  SetFaults({{"burst_5xx", 0}});
  clock.Advance(60'000);
  auto probe = guarded.Refund(Request("ch_cb", 100, "wf-cb/psp"));
  ASSERT_TRUE(probe.ok()) << probe.error().message;
  EXPECT_EQ(guarded.breaker().state(), CircuitState::kClosed);
  EXPECT_EQ(RefundCount(), 1);
}

TEST_F(SandboxTest, StateSurvivesASandboxRestart) {
  SeedCharge("ch_persist", 1'000);
  auto first = psp_->Refund(Request("ch_persist", 250, "wf-11/psp"));
  ASSERT_TRUE(first.ok());
  const Status stopped = sandbox_.Stop();
  ASSERT_TRUE(stopped.ok()) << stopped.ToString();
  StartSandbox();
  auto replay = psp_->Refund(Request("ch_persist", 250, "wf-11/psp"));
  ASSERT_TRUE(replay.ok());
  EXPECT_EQ(replay->id, first->id);
  EXPECT_TRUE(replay->replayed);
  auto over = psp_->Refund(Request("ch_persist", 751, "wf-12/psp"));
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().code, "amount_too_large");
}

TEST_F(SandboxTest, InventoryAndNotificationsAreIdempotentAndRecorded) {
  auto inventory = MakeJsonClient("inventory", "");
  auto notify = MakeJsonClient("notification", "");
  const Value release = Value::Map{{"reservation_id", "r-42"},
                                   {"items", Value::List{Value::Map{{"sku", "room-1"}, {"quantity", 1}}}}};
  auto first = inventory->PostJson("/inventory/release", release, "wf-13/restock");
  auto again = inventory->PostJson("/inventory/release", release, "wf-13/restock");
  ASSERT_TRUE(first.ok()) << first.error().message;
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(first->body.Get("id").StringOr("a"), again->body.Get("id").StringOr("b"));
  EXPECT_FALSE(first->replayed);
  EXPECT_TRUE(again->replayed);

  auto changed = inventory->PostJson("/inventory/release", Value::Map{{"reservation_id", "r-43"}}, "wf-13/restock");
  ASSERT_FALSE(changed.ok());
  EXPECT_EQ(changed.error().kind, ErrorKind::kNonRetryable);
  EXPECT_EQ(changed.error().code, "idempotency_error");

  auto incomplete = notify->PostJson("/notifications", Value::Map{{"to", "guest@example.com"}}, "wf-13/notify");
  ASSERT_FALSE(incomplete.ok());
  EXPECT_EQ(incomplete.error().kind, ErrorKind::kNonRetryable);
  EXPECT_EQ(incomplete.error().code, "parameter_missing");

  SetFaults({{"drop_next", 1}});
  const Value receipt = Value::Map{{"to", "guest@example.com"},
                                   {"template", "refund_receipt"},
                                   {"amount", 2'500},
                                   {"currency", "eur"}};
  auto dropped = notify->PostJson("/notifications", receipt, "wf-13/notify");
  ASSERT_FALSE(dropped.ok());
  EXPECT_EQ(dropped.error().kind, ErrorKind::kRetryable);
  EXPECT_EQ(dropped.error().code, "notification_connection_lost");
  auto sent = notify->PostJson("/notifications", receipt, "wf-13/notify");
  ASSERT_TRUE(sent.ok()) << sent.error().message;
  EXPECT_TRUE(sent->replayed);
  EXPECT_EQ(sent->body.Get("status").StringOr(""), "sent");

  const Value stats = Stats();
  EXPECT_EQ(stats.Get("inventory").Get("releases").IntOr(-1), 1);
  EXPECT_EQ(stats.Get("inventory").Get("releases_by_reservation").Get("r-42").IntOr(-1), 1);
  EXPECT_EQ(stats.Get("notifications").Get("count").IntOr(-1), 1);
}

TEST_F(SandboxTest, CallLogRecordsEveryCall) {
  SeedCharge("ch_log", 500);
  ASSERT_TRUE(psp_->Refund(Request("ch_log", 500, "wf-14/psp")).ok());
  auto calls = control_->GetJson("/sandbox/calls?path_prefix=/v1/refunds");
  ASSERT_TRUE(calls.ok());
  const Value::List& data = calls->body.Get("data").AsList();
  ASSERT_EQ(data.size(), 1u);
  EXPECT_EQ(data[0].Get("method").StringOr(""), "POST");
  EXPECT_EQ(data[0].Get("idempotency_key").StringOr(""), "wf-14/psp");
  EXPECT_EQ(data[0].Get("status").IntOr(0), 200);
  EXPECT_EQ(data[0].Get("object_id").StringOr("").rfind("re_", 0), 0u);
}

TEST_F(SandboxTest, SigtermStopsTheSandboxCleanly) {
  const Status stopped = sandbox_.Stop();
  EXPECT_TRUE(stopped.ok()) << stopped.ToString();
}

}  // namespace
}  // namespace steadfast::refund
