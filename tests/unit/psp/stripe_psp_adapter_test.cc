// StripePspAdapter over a scripted transport: what goes on the wire, what
// comes back, and that the secret key never leaks into errors.
#include "refund/psp/stripe_psp_adapter.h"

#include <cstdlib>
#include <deque>
#include <mutex>

#include <gtest/gtest.h>

#include "net/curl_transport.h"
#include "refund/psp/error_classification.h"
#include "refund/psp/http_client.h"

namespace steadfast::refund {
namespace {

constexpr const char* kKey = "sk_test_unit_secret_4242";

class FakeTransport : public HttpTransport {
 public:
  std::deque<TransportResult> replies;
  std::vector<HttpRequest> sent;

  TransportResult Send(const HttpRequest& request) override {
    std::lock_guard lock(mu_);
    sent.push_back(request);
    TransportResult reply = replies.front();
    replies.pop_front();
    return reply;
  }

  static HttpResponse Json(int status, std::string body, std::map<std::string, std::string> headers = {}) {
    HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    r.headers = std::move(headers);
    return r;
  }

 private:
  std::mutex mu_;
};

std::string Header(const HttpRequest& request, const std::string& name) {
  for (const auto& [key, value] : request.headers) {
    if (key == name) return value;
  }
  return "";
}

const char* kRefundJson = R"({"id":"re_123","object":"refund","amount":1500,"charge":"ch_1","created":1700000000,
  "currency":"usd","metadata":{"order":"o-1"},"payment_intent":"pi_1","reason":"duplicate","status":"succeeded"})";

class StripePspAdapterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StripeConfig config;
    config.base_url = "https://psp.example/";
    config.secret_key = kKey;
    config.timeout_ms = 1'234;
    auto created = StripePspAdapter::Create(config, transport_, clock_);
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    psp_ = std::move(created).value();
  }

  RefundRequest Request() {
    RefundRequest r;
    r.charge = "ch_1";
    r.amount_minor = 1'500;
    r.reason = RefundReason::kDuplicate;
    r.metadata = {{"order", "o-1"}, {"note", "a b&c"}};
    r.idempotency_key = "wf-1/psp";
    return r;
  }

  ManualClock clock_{1'700'000'000'000};
  FakeTransport transport_;
  std::unique_ptr<StripePspAdapter> psp_;
};

TEST_F(StripePspAdapterTest, PostsAFormEncodedRefundWithKeyAndAuth) {
  transport_.replies.push_back(FakeTransport::Json(200, kRefundJson));
  auto refund = psp_->Refund(Request());
  ASSERT_TRUE(refund.ok()) << refund.error().message;
  ASSERT_EQ(transport_.sent.size(), 1u);
  const HttpRequest& sent = transport_.sent[0];
  EXPECT_EQ(sent.method, HttpMethod::kPost);
  EXPECT_EQ(sent.url, "https://psp.example/v1/refunds");
  EXPECT_EQ(sent.timeout_ms, 1'234);
  EXPECT_EQ(sent.max_response_bytes, kMaxRemoteResponseBytes);  // docs/SECURITY.md: a PSP's answer is bounded
  EXPECT_EQ(Header(sent, "Authorization"), std::string("Bearer ") + kKey);
  EXPECT_EQ(Header(sent, "Idempotency-Key"), "wf-1/psp");
  EXPECT_EQ(Header(sent, "Content-Type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(sent.body,
            "charge=ch_1&amount=1500&reason=duplicate&metadata%5Bnote%5D=a%20b%26c&metadata%5Border%5D=o-1");

  EXPECT_EQ(refund->id, "re_123");
  EXPECT_EQ(refund->status, PspRefundStatus::kSucceeded);
  EXPECT_EQ(refund->amount_minor, 1'500);
  EXPECT_EQ(refund->reason, RefundReason::kDuplicate);
  EXPECT_EQ(refund->metadata.at("order"), "o-1");
  EXPECT_EQ(refund->created_s, 1'700'000'000);
  EXPECT_FALSE(refund->replayed);
  EXPECT_EQ(refund->ToValue().Get("status").StringOr(""), "succeeded");
}

TEST_F(StripePspAdapterTest, ReportsReplays) {
  transport_.replies.push_back(FakeTransport::Json(200, kRefundJson, {{"idempotent-replayed", "true"}}));
  auto refund = psp_->Refund(Request());
  ASSERT_TRUE(refund.ok());
  EXPECT_TRUE(refund->replayed);
}

TEST_F(StripePspAdapterTest, ValidatesLocallyWithoutCallingThePsp) {
  RefundRequest no_key = Request();
  no_key.idempotency_key.clear();
  RefundRequest both = Request();
  both.payment_intent = "pi_1";
  RefundRequest zero = Request();
  zero.amount_minor = 0;
  RefundRequest long_key = Request();
  long_key.idempotency_key = std::string(256, 'k');
  for (const RefundRequest& bad : {no_key, both, zero, long_key}) {
    auto result = psp_->Refund(bad);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().kind, ErrorKind::kNonRetryable);
    EXPECT_EQ(result.error().code, "invalid_refund_request");
  }
  EXPECT_TRUE(transport_.sent.empty());
}

TEST_F(StripePspAdapterTest, MissingChargeBecomesInvalidCharge) {
  transport_.replies.push_back(FakeTransport::Json(
      404, R"({"error":{"type":"invalid_request_error","code":"resource_missing","param":"charge","message":"No such charge: 'ch_1'"}})"));
  auto refund = psp_->Refund(Request());
  ASSERT_FALSE(refund.ok());
  EXPECT_EQ(refund.error().kind, ErrorKind::kNonRetryable);
  EXPECT_EQ(refund.error().code, "invalid_charge");
  EXPECT_EQ(refund.error().details.Get("code").StringOr(""), "resource_missing");
}

TEST_F(StripePspAdapterTest, GarbledSuccessIsRetryableBadResponse) {
  transport_.replies.push_back(FakeTransport::Json(200, "<html>proxy</html>"));
  transport_.replies.push_back(FakeTransport::Json(200, R"({"object":"charge","id":"ch_1"})"));
  for (int i = 0; i < 2; ++i) {
    auto refund = psp_->Refund(Request());
    ASSERT_FALSE(refund.ok());
    EXPECT_EQ(refund.error().kind, ErrorKind::kRetryable);
    EXPECT_EQ(refund.error().code, "psp_bad_response");
  }
}

TEST_F(StripePspAdapterTest, UnknownStatusNeedsAHuman) {
  std::string body = kRefundJson;
  body.replace(body.find("succeeded"), 9, "teleported");
  transport_.replies.push_back(FakeTransport::Json(200, body));
  auto refund = psp_->Refund(Request());
  ASSERT_FALSE(refund.ok());
  EXPECT_EQ(refund.error().kind, ErrorKind::kNonRetryable);
  EXPECT_EQ(refund.error().code, "psp_unexpected_status");
  EXPECT_EQ(refund.error().details.Get("refund_id").StringOr(""), "re_123");
}

TEST_F(StripePspAdapterTest, CurrencyMismatchIsReportedWithTheRefundId) {
  transport_.replies.push_back(FakeTransport::Json(200, kRefundJson));
  RefundRequest request = Request();
  request.expected_currency = "EUR";
  auto refund = psp_->Refund(request);
  ASSERT_FALSE(refund.ok());
  EXPECT_EQ(refund.error().code, "psp_currency_mismatch");
  EXPECT_EQ(refund.error().details.Get("refund_id").StringOr(""), "re_123");
}

// Found by the psp_response fuzzer (tests/fuzz/corpus/psp_response/regress-amount-*):
// a refund of another amount than asked for, or of a negative one, was accepted.
TEST_F(StripePspAdapterTest, ARefundOfAnotherAmountIsNotBelieved) {
  transport_.replies.push_back(FakeTransport::Json(200, R"({"id":"re_9","object":"refund","amount":1501,
    "charge":"ch_1","currency":"usd","status":"succeeded"})"));
  auto refund = psp_->Refund(Request());
  ASSERT_FALSE(refund.ok());
  EXPECT_EQ(refund.error().code, "psp_amount_mismatch");
  EXPECT_EQ(refund.error().kind, ErrorKind::kNonRetryable);
  EXPECT_EQ(refund.error().details.Get("refund_id").StringOr(""), "re_9");
  EXPECT_EQ(refund.error().details.Get("expected_amount").IntOr(0), 1'500);

  transport_.replies.push_back(FakeTransport::Json(200, R"({"id":"re_9","object":"refund","amount":-1500,
    "charge":"ch_1","currency":"usd","status":"succeeded"})"));
  auto negative = psp_->GetRefund("re_9");
  ASSERT_FALSE(negative.ok());
  EXPECT_EQ(negative.error().code, "psp_bad_response");
}

TEST_F(StripePspAdapterTest, TheSecretNeverAppearsInErrors) {
  transport_.replies.push_back(TransportError{TransportErrorKind::kTimeout, "Operation timed out after 1234 ms"});
  transport_.replies.push_back(FakeTransport::Json(
      401, R"({"error":{"type":"invalid_request_error","message":"Invalid API Key provided: ****4242"}})"));
  for (int i = 0; i < 2; ++i) {
    auto refund = psp_->Refund(Request());
    ASSERT_FALSE(refund.ok());
    EXPECT_EQ(refund.error().message.find(kKey), std::string::npos);
    EXPECT_EQ(refund.error().details.ToJson().find(kKey), std::string::npos);
  }
}

TEST_F(StripePspAdapterTest, GetAndListBuildStripeUrls) {
  transport_.replies.push_back(FakeTransport::Json(200, kRefundJson));
  transport_.replies.push_back(FakeTransport::Json(
      200, std::string(R"({"object":"list","has_more":true,"url":"/v1/refunds","data":[)") + kRefundJson + "]}"));
  ASSERT_TRUE(psp_->GetRefund("re_123").ok());
  EXPECT_EQ(transport_.sent[0].method, HttpMethod::kGet);
  EXPECT_EQ(transport_.sent[0].url, "https://psp.example/v1/refunds/re_123");

  ListRefundsRequest list;
  list.limit = 2;
  list.starting_after = "re_9";
  list.charge = "ch_1";
  list.created_gte_s = 1'700'000'000;
  auto page = psp_->ListRefunds(list);
  ASSERT_TRUE(page.ok()) << page.error().message;
  EXPECT_EQ(transport_.sent[1].url,
            "https://psp.example/v1/refunds?limit=2&starting_after=re_9&charge=ch_1&created%5Bgte%5D=1700000000");
  EXPECT_TRUE(page->has_more);
  ASSERT_EQ(page->refunds.size(), 1u);
  EXPECT_EQ(page->refunds[0].id, "re_123");
}

// A list without has_more cannot tell its last page from a cut-off one.
TEST_F(StripePspAdapterTest, ListWithoutHasMoreIsABadResponse) {
  transport_.replies.push_back(FakeTransport::Json(
      200, std::string(R"({"object":"list","url":"/v1/refunds","data":[)") + kRefundJson + "]}"));
  auto page = psp_->ListRefunds(ListRefundsRequest{});
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().code, "psp_bad_response");
}

const char* kDisputeJson = R"({"id":"dp_1","object":"dispute","amount":1500,"charge":"ch_1","created":1700000000,
  "currency":"USD","payment_intent":"pi_1","reason":"fraudulent","status":"needs_response","sandbox_change":7})";

TEST_F(StripePspAdapterTest, ListsDisputesFromTheCursorWithTheKey) {
  transport_.replies.push_back(FakeTransport::Json(
      200, std::string(R"({"object":"list","has_more":false,"next_since":7,"url":"/v1/disputes","data":[)") +
               kDisputeJson + "]}"));
  ListDisputesRequest request;
  request.since = 6;
  request.limit = 50;
  auto page = psp_->ListDisputes(request);
  ASSERT_TRUE(page.ok()) << page.error().message;
  ASSERT_EQ(transport_.sent.size(), 1u);
  EXPECT_EQ(transport_.sent[0].method, HttpMethod::kGet);
  EXPECT_EQ(transport_.sent[0].url, "https://psp.example/v1/disputes?since=6&limit=50");
  EXPECT_EQ(Header(transport_.sent[0], "Authorization"), std::string("Bearer ") + kKey);
  EXPECT_FALSE(page->has_more);
  EXPECT_EQ(page->next_since, 7);
  ASSERT_EQ(page->disputes.size(), 1u);
  const PspDispute& d = page->disputes[0];
  EXPECT_EQ(d.id, "dp_1");
  EXPECT_EQ(d.charge, "ch_1");
  EXPECT_EQ(d.amount_minor, 1500);
  EXPECT_EQ(d.currency, "usd");
  EXPECT_EQ(d.status, DisputeStatus::kOpen) << "Stripe's needs_response is open";
  EXPECT_EQ(d.change, 7);
}

// A page the sync could not trust is retryable psp_bad_response, never a
// shorter list: no cursor, a cursor going back, a dispute without amount.
TEST_F(StripePspAdapterTest, ADisputePageThatCannotBeTrustedIsABadResponse) {
  const std::string item = kDisputeJson;
  std::string no_amount = item;
  no_amount.replace(no_amount.find("\"amount\":1500,"), 14, "");
  for (const std::string& body :
       {std::string(R"({"object":"list","has_more":false,"data":[)") + item + "]}",
        std::string(R"({"object":"list","has_more":false,"next_since":3,"data":[)") + item + "]}",
        std::string(R"({"object":"list","has_more":false,"next_since":7,"data":[)") + no_amount + "]}",
        std::string(R"({"object":"list","has_more":false,"next_since":7,"data":[{"object":"refund"}]})")}) {
    transport_.replies.push_back(FakeTransport::Json(200, body));
    ListDisputesRequest request;
    request.since = 5;
    auto page = psp_->ListDisputes(request);
    ASSERT_FALSE(page.ok()) << body;
    EXPECT_EQ(page.error().code, "psp_bad_response") << body;
    EXPECT_EQ(page.error().kind, ErrorKind::kRetryable) << body;
  }
  ListDisputesRequest bad;
  bad.limit = 0;
  EXPECT_EQ(psp_->ListDisputes(bad).error().code, "invalid_refund_request");
}

TEST(StripePspAdapterCreateTest, SecretKeyFromEnvironmentOrRefused) {
  FakeTransport transport;
  ManualClock clock;
  StripeConfig config;
  config.secret_key_env = "STEADFAST_PSP_UNIT_TEST_KEY";
  unsetenv("STEADFAST_PSP_UNIT_TEST_KEY");
  EXPECT_FALSE(StripePspAdapter::Create(config, transport, clock).ok());
  setenv("STEADFAST_PSP_UNIT_TEST_KEY", kKey, 1);
  EXPECT_TRUE(StripePspAdapter::Create(config, transport, clock).ok());
  unsetenv("STEADFAST_PSP_UNIT_TEST_KEY");
  config.secret_key = kKey;
  config.base_url = "ftp://psp.example";
  EXPECT_FALSE(StripePspAdapter::Create(config, transport, clock).ok());
}

TEST(StripePspAdapterCreateTest, ConfigFromValue) {
  auto config = StripeConfigFromValue(Value::Map{{"base_url", "http://127.0.0.1:12111"},
                                                 {"timeout_ms", 2'000},
                                                 {"secret_key_env", "SANDBOX_KEY"}});
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->base_url, "http://127.0.0.1:12111");
  EXPECT_EQ(config->timeout_ms, 2'000);
  EXPECT_EQ(config->secret_key_env, "SANDBOX_KEY");
  EXPECT_FALSE(StripeConfigFromValue(Value::Map{{"timeout_ms", -1}}).ok());
  EXPECT_FALSE(StripeConfigFromValue(Value::Map{{"base_url", 3}}).ok());
}

TEST(JsonHttpClientTest, PostsJsonWithKeyAndClassifiesWithItsServiceName) {
  FakeTransport transport;
  ManualClock clock;
  JsonHttpClientOptions options;
  options.service = "inventory";
  options.base_url = "http://inv.example";
  options.bearer_token = "tok";
  auto client = JsonHttpClient::Create(options, transport, clock);
  ASSERT_TRUE(client.ok());
  transport.replies.push_back(FakeTransport::Json(200, R"({"id":"invrel_1"})", {{"idempotent-replayed", "true"}}));
  transport.replies.push_back(FakeTransport::Json(503, ""));
  auto ok = (*client)->PostJson("/inventory/release", Value::Map{{"reservation_id", "r-1"}}, "wf/restock");
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(ok->replayed);
  EXPECT_EQ(ok->body.Get("id").StringOr(""), "invrel_1");
  EXPECT_EQ(transport.sent[0].body, R"({"reservation_id":"r-1"})");
  EXPECT_EQ(Header(transport.sent[0], "Idempotency-Key"), "wf/restock");
  EXPECT_EQ(Header(transport.sent[0], "Authorization"), "Bearer tok");
  auto down = (*client)->PostJson("/inventory/release", Value::Map{}, "wf/restock");
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.error().code, "inventory_unavailable");
  auto keyless = (*client)->PostJson("/inventory/release", Value::Map{}, "");
  ASSERT_FALSE(keyless.ok());
  EXPECT_EQ(keyless.error().kind, ErrorKind::kNonRetryable);
  EXPECT_EQ(transport.sent.size(), 2u);
  EXPECT_EQ(transport.sent[0].max_response_bytes, kMaxRemoteResponseBytes);  // docs/SECURITY.md: bounded answers
}

TEST(FormUrlEncodeTest, EncodesEverythingOutsideTheUnreservedSet) {
  EXPECT_EQ(FormUrlEncode({{"metadata[k]", "a b/c?d=é"}, {"x", "-._~"}}), "metadata%5Bk%5D=a%20b%2Fc%3Fd%3D%C3%A9&x=-._~");
}

// ---------------------------------------------------------------- transfers (payouts)

const char* kTransferJson = R"({"id":"tr_1","object":"transfer","amount":4200,"amount_reversed":0,
  "created":1700000000,"currency":"eur","destination":"acct_s1","metadata":{"seller_id":"s1"},
  "reversed":false,"transfer_group":"m-1"})";

TransferRequest Payout() {
  TransferRequest r;
  r.amount_minor = 4'200;
  r.currency = "EUR";
  r.destination = "acct_s1";
  r.transfer_group = "m-1";
  r.metadata = {{"seller_id", "s1"}};
  r.idempotency_key = "wf-1~seller_1/payout";
  return r;
}

TEST_F(StripePspAdapterTest, PostsATransferWithKeyAndReadsItBack) {
  transport_.replies.push_back(FakeTransport::Json(200, kTransferJson, {{"idempotent-replayed", "true"}}));
  auto transfer = psp_->Transfer(Payout());
  ASSERT_TRUE(transfer.ok()) << transfer.error().message;
  const HttpRequest& sent = transport_.sent.at(0);
  EXPECT_EQ(sent.method, HttpMethod::kPost);
  EXPECT_EQ(sent.url, "https://psp.example/v1/transfers");
  EXPECT_EQ(Header(sent, "Idempotency-Key"), "wf-1~seller_1/payout");
  EXPECT_EQ(Header(sent, "Authorization"), std::string("Bearer ") + kKey);
  EXPECT_EQ(sent.body,
            "amount=4200&currency=eur&destination=acct_s1&transfer_group=m-1&metadata%5Bseller_id%5D=s1");
  EXPECT_EQ(transfer->id, "tr_1");
  EXPECT_EQ(transfer->amount_minor, 4'200);
  EXPECT_EQ(transfer->destination, "acct_s1");
  EXPECT_TRUE(transfer->replayed);

  transport_.replies.push_back(FakeTransport::Json(200, kTransferJson));
  auto read = psp_->GetTransfer("tr_1");
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(transport_.sent.at(1).url, "https://psp.example/v1/transfers/tr_1");
  EXPECT_EQ(transport_.sent.at(1).method, HttpMethod::kGet);
}

TEST_F(StripePspAdapterTest, ATransferIsValidatedLocallyWithoutCallingThePsp) {
  TransferRequest no_key = Payout();
  no_key.idempotency_key.clear();
  TransferRequest zero = Payout();
  zero.amount_minor = 0;
  TransferRequest bank = Payout();
  bank.destination = "ba_1";
  TransferRequest currency = Payout();
  currency.currency = "EURO";
  for (const TransferRequest& bad : {no_key, zero, bank, currency}) {
    auto result = psp_->Transfer(bad);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().kind, ErrorKind::kNonRetryable);
    EXPECT_EQ(result.error().code, "invalid_transfer_request");
  }
  EXPECT_TRUE(transport_.sent.empty());
}

TEST_F(StripePspAdapterTest, AClosedAccountIsNonRetryableAndAnOutageRetryable) {
  transport_.replies.push_back(FakeTransport::Json(
      400, R"({"error":{"type":"invalid_request_error","code":"account_closed","param":"destination",
               "message":"closed"}})"));
  auto closed = psp_->Transfer(Payout());
  ASSERT_FALSE(closed.ok());
  EXPECT_EQ(closed.error().kind, ErrorKind::kNonRetryable);
  EXPECT_EQ(closed.error().code, "account_closed");
  transport_.replies.push_back(FakeTransport::Json(503, "{}"));
  auto down = psp_->Transfer(Payout());
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.error().kind, ErrorKind::kRetryable);
  EXPECT_EQ(down.error().code, "psp_unavailable");
  transport_.replies.push_back(FakeTransport::Json(429, "{}", {{"retry-after", "2"}}));
  auto limited = psp_->Transfer(Payout());
  ASSERT_FALSE(limited.ok());
  EXPECT_EQ(limited.error().code, "psp_rate_limited");
  EXPECT_EQ(limited.error().retry_after_ms, 2'000);
}

TEST_F(StripePspAdapterTest, ATransferOfAnotherAmountOrDestinationIsNotBelieved) {
  TransferRequest more = Payout();
  more.amount_minor = 4'201;
  transport_.replies.push_back(FakeTransport::Json(200, kTransferJson));
  auto amount = psp_->Transfer(more);
  ASSERT_FALSE(amount.ok());
  EXPECT_EQ(amount.error().code, "psp_amount_mismatch");
  EXPECT_EQ(amount.error().details.Get("transfer_id").StringOr(""), "tr_1");
  TransferRequest other = Payout();
  other.destination = "acct_s2";
  transport_.replies.push_back(FakeTransport::Json(200, kTransferJson));
  EXPECT_EQ(psp_->Transfer(other).error().code, "psp_destination_mismatch");
  transport_.replies.push_back(FakeTransport::Json(200, R"({"object":"refund","id":"re_1"})"));
  EXPECT_EQ(psp_->Transfer(Payout()).error().code, "psp_bad_response");
}

TEST_F(StripePspAdapterTest, ReversesATransferWithItsOwnKey) {
  transport_.replies.push_back(FakeTransport::Json(
      200, R"({"id":"trr_1","object":"transfer_reversal","amount":4200,"currency":"eur","transfer":"tr_1"})"));
  TransferReversalRequest request;
  request.transfer_id = "tr_1";
  request.amount_minor = 4'200;
  request.idempotency_key = "wf-1~seller_1/payout/compensate";
  auto reversal = psp_->ReverseTransfer(request);
  ASSERT_TRUE(reversal.ok()) << reversal.error().message;
  const HttpRequest& sent = transport_.sent.at(0);
  EXPECT_EQ(sent.url, "https://psp.example/v1/transfers/tr_1/reversals");
  EXPECT_EQ(Header(sent, "Idempotency-Key"), "wf-1~seller_1/payout/compensate");
  EXPECT_EQ(sent.body, "amount=4200");
  EXPECT_EQ(reversal->id, "trr_1");
  EXPECT_EQ(reversal->amount_minor, 4'200);

  TransferReversalRequest no_key = request;
  no_key.idempotency_key.clear();
  EXPECT_EQ(psp_->ReverseTransfer(no_key).error().code, "invalid_transfer_request");
  EXPECT_EQ(transport_.sent.size(), 1u);
}

}  // namespace
}  // namespace steadfast::refund
