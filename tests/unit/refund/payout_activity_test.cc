// refund.psp_payout and refund.psp_reverse_payout over a scripted PSP: what
// they send (the activity's key as the PSP's idempotency key, the seller's
// account, the order as transfer group), the input they refuse before any
// call, and the PSP's errors handed to the retry policy unchanged.
#include <gtest/gtest.h>

#include <deque>
#include <memory>

#include "refund/activities.h"
#include "refund/refund_services.h"
#include "steadfast/clock.h"
#include "steadfast/logger.h"

namespace steadfast::refund {
namespace {

// Scripts payouts only; a refund call here is a test bug.
class PayoutPsp : public PspAdapter {
 public:
  std::deque<RemoteResult<PspTransfer>> transfers;
  std::deque<RemoteResult<PspTransfer>> reads;
  std::deque<RemoteResult<PspTransferReversal>> reversals;
  std::vector<TransferRequest> sent;
  std::vector<TransferReversalRequest> reversal_requests;

  RemoteResult<PspRefund> Refund(const RefundRequest&) override { return Unused(); }
  RemoteResult<PspRefund> GetRefund(std::string_view) override { return Unused(); }
  RemoteResult<RefundPage> ListRefunds(const ListRefundsRequest&) override { return Unused(); }
  RemoteResult<PspTransfer> Transfer(const TransferRequest& request) override {
    sent.push_back(request);
    return Next(transfers);
  }
  RemoteResult<PspTransfer> GetTransfer(std::string_view) override { return Next(reads); }
  RemoteResult<PspTransferReversal> ReverseTransfer(const TransferReversalRequest& request) override {
    reversal_requests.push_back(request);
    return Next(reversals);
  }

 private:
  static ActivityError Unused() { return ActivityError::NonRetryable("unused", "refunds are not scripted here"); }
  template <class T>
  static RemoteResult<T> Next(std::deque<RemoteResult<T>>& queue) {
    if (queue.empty()) return ActivityError::NonRetryable("unscripted", "no answer scripted");
    RemoteResult<T> next = std::move(queue.front());
    queue.pop_front();
    return next;
  }
};

PspTransfer Paid(int64_t minor, int64_t reversed = 0) {
  PspTransfer t;
  t.id = "tr_1";
  t.amount_minor = minor;
  t.amount_reversed = reversed;
  t.currency = "eur";
  t.destination = "acct_s1";
  t.transfer_group = "m-1";
  return t;
}

Value Eur(int64_t minor) { return Value::Map{{"minor", minor}, {"currency", "EUR"}}; }

class PayoutActivityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto services = std::make_shared<RefundServices>();
    auto psp = std::make_unique<PayoutPsp>();
    psp_ = psp.get();
    services->psp = std::move(psp);
    services_ = services;
  }

  ActivityResult Run(const ActivityFn& fn, Value input, const std::string& key) {
    ActivityContext::Params params;
    params.input = std::move(input);
    params.idempotency_key = key;
    params.workflow_id = "wf-1~seller_1";
    ActivityContext ctx(std::move(params), clock_, NullLogger::Instance(), nullptr);
    return fn(ctx);
  }
  ActivityResult Payout(Value input) {
    return Run(MakePspPayoutActivity(services_), std::move(input), "wf-1~seller_1/payout");
  }
  ActivityResult Reverse(Value input) {
    return Run(MakePspReversePayoutActivity(services_), std::move(input), "wf-1~seller_1/payout/compensate");
  }

  static Value Input() {
    return Value::Map{{"amount", Eur(4200)},
                      {"destination", "acct_s1"},
                      {"reference", "m-1"},
                      {"seller_id", "s1"},
                      {"metadata", Value::Map{{"lines", 2}}}};
  }

  ManualClock clock_{1'700'000'000'000};
  PayoutPsp* psp_ = nullptr;
  Services services_;
};

TEST_F(PayoutActivityTest, PaysTheSellerUnderTheActivityKey) {
  psp_->transfers.push_back(Paid(4200));
  ActivityResult r = Payout(Input());
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(psp_->sent.size(), 1u);
  const TransferRequest& sent = psp_->sent[0];
  EXPECT_EQ(sent.idempotency_key, "wf-1~seller_1/payout");
  EXPECT_EQ(sent.amount_minor, 4200);
  EXPECT_EQ(sent.currency, "EUR");
  EXPECT_EQ(sent.destination, "acct_s1");
  EXPECT_EQ(sent.transfer_group, "m-1") << "the order groups its sellers' payouts";
  EXPECT_EQ(sent.metadata.at("seller_id"), "s1");
  EXPECT_EQ(sent.metadata.at("workflow_id"), "wf-1~seller_1");
  EXPECT_EQ(sent.metadata.at("lines"), "2");
  EXPECT_EQ(r.output().Get("transfer_id").StringOr(""), "tr_1");
  EXPECT_EQ(r.output().Get("amount"), Eur(4200));
  EXPECT_EQ(r.output().Get("destination").StringOr(""), "acct_s1");
}

TEST_F(PayoutActivityTest, RefusesBadInputWithoutCallingThePsp) {
  Value zero = Input();
  zero["amount"] = Eur(0);
  Value no_amount = Input();
  no_amount.MutableMap().erase("amount");
  Value float_amount = Input();
  float_amount["amount"] = Value::Map{{"minor", 42.5}, {"currency", "EUR"}};
  Value bank = Input();
  bank["destination"] = "ba_123";
  Value bare = Input();
  bare["destination"] = "acct_";
  Value no_reference = Input();
  no_reference.MutableMap().erase("reference");
  for (const Value& bad : {zero, no_amount, float_amount, bank, bare, no_reference}) {
    ActivityResult r = Payout(bad);
    ASSERT_FALSE(r.ok()) << bad.ToJson();
    EXPECT_EQ(r.error().code, "invalid_input") << bad.ToJson();
    EXPECT_EQ(r.error().kind, ErrorKind::kNonRetryable);
  }
  EXPECT_TRUE(psp_->sent.empty());
}

TEST_F(PayoutActivityTest, HandsThePspsClassificationToTheRetryPolicy) {
  psp_->transfers.push_back(ActivityError::NonRetryable("account_closed", "closed"));
  ActivityResult closed = Payout(Input());
  ASSERT_FALSE(closed.ok());
  EXPECT_EQ(closed.error().code, "account_closed");
  EXPECT_EQ(closed.error().kind, ErrorKind::kNonRetryable);

  ActivityError limited = ActivityError::Retryable("psp_rate_limited", "429");
  limited.retry_after_ms = 2000;
  psp_->transfers.push_back(limited);
  ActivityResult retry = Payout(Input());
  ASSERT_FALSE(retry.ok());
  EXPECT_EQ(retry.error().kind, ErrorKind::kRetryable);
  EXPECT_EQ(retry.error().retry_after_ms, 2000);
}

TEST_F(PayoutActivityTest, WithoutAPspItFailsForGood) {
  auto services = std::make_shared<RefundServices>();
  services->psp_problem = "no PSP configured";
  ActivityContext::Params params;
  params.input = Input();
  params.idempotency_key = "k";
  ActivityContext ctx(std::move(params), clock_, NullLogger::Instance(), nullptr);
  ActivityResult r = MakePspPayoutActivity(services)(ctx);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "psp_not_configured");
}

TEST_F(PayoutActivityTest, ReversesThePayoutNamedByTheDefaultCompensationInput) {
  PspTransferReversal reversal;
  reversal.id = "trr_1";
  reversal.transfer_id = "tr_1";
  reversal.amount_minor = 4200;
  reversal.currency = "eur";
  psp_->reversals.push_back(reversal);
  // What the engine passes when the step declares no compensate_with.
  Value compensation = Value::Map{{"input", Input()},
                                  {"output", Value::Map{{"transfer_id", "tr_1"}, {"amount", Eur(4200)}}}};
  ActivityResult r = Reverse(compensation);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(psp_->reversal_requests.size(), 1u);
  EXPECT_EQ(psp_->reversal_requests[0].transfer_id, "tr_1");
  EXPECT_EQ(psp_->reversal_requests[0].amount_minor, std::optional<int64_t>(4200));
  EXPECT_EQ(psp_->reversal_requests[0].idempotency_key, "wf-1~seller_1/payout/compensate");
  EXPECT_EQ(r.output().Get("reversal_id").StringOr(""), "trr_1");
  EXPECT_EQ(r.output().Get("amount"), Eur(4200));
  EXPECT_EQ(r.output().Get("already_reversed"), Value(false));
}

TEST_F(PayoutActivityTest, AFullyReversedPayoutIsUndoneAlreadyButAPartOneIsNot) {
  psp_->reversals.push_back(ActivityError::NonRetryable("transfer_already_reversed", "reversed"));
  psp_->reads.push_back(Paid(4200, 4200));
  ActivityResult done = Reverse(Value::Map{{"transfer_id", "tr_1"}});
  ASSERT_TRUE(done.ok()) << done.error().message;
  EXPECT_EQ(done.output().Get("already_reversed"), Value(true));
  EXPECT_EQ(done.output().Get("amount"), Eur(4200));

  // The PSP says "reversed" but its transfer says otherwise: not believed.
  psp_->reversals.push_back(ActivityError::NonRetryable("transfer_already_reversed", "reversed"));
  psp_->reads.push_back(Paid(4200, 1000));
  ActivityResult part = Reverse(Value::Map{{"transfer_id", "tr_1"}});
  ASSERT_FALSE(part.ok());
  EXPECT_EQ(part.error().code, "transfer_already_reversed");
}

TEST_F(PayoutActivityTest, AReversalWithoutATransferOrWithABadAmountIsRefused) {
  EXPECT_EQ(Reverse(Value::Map{}).error().code, "invalid_input");
  EXPECT_EQ(Reverse(Value::Map{{"transfer_id", "tr_1"}, {"amount", Eur(-5)}}).error().code, "invalid_input");
  EXPECT_TRUE(psp_->reversal_requests.empty());
  psp_->reversals.push_back(ActivityError::Retryable("psp_unavailable", "503"));
  ActivityResult down = Reverse(Value::Map{{"transfer_id", "tr_1"}});
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.error().kind, ErrorKind::kRetryable);
}

// A settlement (reservation_settlement.yaml) records a definitive refusal
// instead of failing: the hostpayout transaction is left failed for an admin.
TEST_F(PayoutActivityTest, OnRefusalRecordTurnsADefinitiveRefusalIntoAnUnpaidOutput) {
  Value in = Input();
  in["on_refusal"] = "record";
  psp_->transfers.push_back(ActivityError::NonRetryable("account_closed", "the account is closed"));
  ActivityResult r = Payout(in);
  ASSERT_TRUE(r.ok()) << r.error().code;
  EXPECT_EQ(r.output().Get("paid"), Value(false));
  EXPECT_TRUE(r.output().Get("transfer_id").is_null());
  EXPECT_EQ(r.output().Get("error").Get("code"), Value("account_closed"));
  EXPECT_EQ(r.output().Get("amount"), Eur(4200));

  // A transient error still goes to the retry policy.
  psp_->transfers.push_back(ActivityError::Retryable("psp_unavailable", "HTTP 503"));
  ActivityResult transient = Payout(in);
  ASSERT_FALSE(transient.ok());
  EXPECT_EQ(transient.error().code, "psp_unavailable");
  // Without on_refusal (every other workflow) a refusal fails the step, as before.
  psp_->transfers.push_back(ActivityError::NonRetryable("account_closed", "the account is closed"));
  ActivityResult refused = Payout(Input());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "account_closed");
  // A payout that went through says so.
  psp_->transfers.push_back(Paid(4200));
  ActivityResult paid = Payout(in);
  ASSERT_TRUE(paid.ok());
  EXPECT_EQ(paid.output().Get("paid"), Value(true));
}

}  // namespace
}  // namespace steadfast::refund
