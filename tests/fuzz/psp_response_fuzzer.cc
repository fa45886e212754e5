// A hostile PSP: the refund plugin's PSP client (plugins/refund/psp/) fed
// whatever the PSP answers, through a fake HttpTransport that replays the
// fuzz input instead of a network.
//
// Input: answers separated by a line "%%". Each answer's first line is the
// status ("429"), or one of timeout | refused | lost | tls for a transport
// error; then header lines "> name: value" (lower-case names, as the
// transport delivers them); the rest is the body. After the last answer every exchange fails (connection refused).
// Every operation of the client is run on the same answers: Refund (plain,
// through the circuit breaker, and until settled), GetRefund, one page and
// the whole listing (ListAllRefunds), and the JSON client that speaks to
// the inventory and notification services.
// Properties: no exception, crash or endless loop; an accepted refund is
// the one asked for (positive amount, the requested amount and currency, an
// id); errors carry a code and never the secret key or bearer token.
#include <charconv>
#include <deque>
#include <string>
#include <vector>

#include "fuzz_check.h"
#include "refund/psp/circuit_breaking_psp_adapter.h"
#include "refund/psp/http_client.h"
#include "refund/psp/psp_adapter.h"
#include "refund/psp/settlement.h"
#include "refund/psp/stripe_psp_adapter.h"
#include "steadfast/clock.h"

namespace steadfast::refund {
namespace {

constexpr const char* kSecretKey = "sk_test_fuzz_secret_key_4242";
constexpr const char* kServiceToken = "svc_token_fuzz_7c1e9a";
constexpr int kMaxExchanges = 64;  // more means a client loops on a hostile answer

std::vector<TransportResult> ParseAnswers(std::string_view text) {
  std::vector<TransportResult> answers;
  for (bool more = true; more && answers.size() < kMaxExchanges;) {
    const size_t end = text.find("\n%%\n");
    more = end != std::string_view::npos;
    const std::string_view answer = text.substr(0, end);
    if (more) text.remove_prefix(end + 4);
    auto [status_text, rest] = fuzz::SplitOnce(answer, "\n");
    if (status_text == "timeout" || status_text == "refused" || status_text == "lost" || status_text == "tls") {
      TransportError e;
      e.kind = status_text == "timeout"   ? TransportErrorKind::kTimeout
               : status_text == "refused" ? TransportErrorKind::kConnectFailed
               : status_text == "lost"    ? TransportErrorKind::kConnectionLost
                                          : TransportErrorKind::kTlsVerification;
      e.message = "fuzz transport error";
      answers.emplace_back(e);
    } else {
      HttpResponse r;
      if (std::from_chars(status_text.data(), status_text.data() + status_text.size(), r.status).ec != std::errc()) {
        r.status = 200;
      }
      std::string_view body = rest;
      while (body.substr(0, 2) == "> ") {
        auto [line, after] = fuzz::SplitOnce(body.substr(2), "\n");
        auto [name, value] = fuzz::SplitOnce(line, ": ");
        r.headers[std::string(name)] = std::string(value);
        body = after;
      }
      r.body = std::string(body);
      answers.emplace_back(std::move(r));
    }
  }
  return answers;
}

class ReplayTransport final : public HttpTransport {
 public:
  explicit ReplayTransport(const std::vector<TransportResult>& answers) : answers_(answers) {}
  TransportResult Send(const HttpRequest&) override {
    FUZZ_CHECK(++calls_ <= kMaxExchanges);
    if (next_ < answers_.size()) return answers_[next_++];
    return TransportError{TransportErrorKind::kConnectFailed, "no more answers"};
  }

 private:
  const std::vector<TransportResult>& answers_;
  size_t next_ = 0;
  int calls_ = 0;
};

// Set per input: whether the answers themselves quote a secret (then an
// error quoting the answer may show it: the PSP had it, nothing leaked).
bool answers_quote_a_secret = false;

void CheckError(const ActivityError& e) {
  FUZZ_CHECK(!e.code.empty());
  if (e.retry_after_ms) FUZZ_CHECK(*e.retry_after_ms >= 0);
  if (answers_quote_a_secret) return;
  for (const std::string& text : {e.message, e.details.ToJson()}) {
    FUZZ_CHECK(text.find(kSecretKey) == std::string::npos);
    FUZZ_CHECK(text.find(kServiceToken) == std::string::npos);
  }
}

void CheckRefund(const PspRefund& r) {
  FUZZ_CHECK(!r.id.empty());
  FUZZ_CHECK(!r.currency.empty());
  FUZZ_CHECK(r.amount_minor >= 0);
}

template <class T>
bool Check(const RemoteResult<T>& r) {
  if (!r.ok()) CheckError(r.error());
  return r.ok();
}

RefundRequest Request() {
  RefundRequest r;
  r.charge = "ch_3OZfuzz";
  r.amount_minor = 1'500;
  r.expected_currency = "eur";
  r.reason = RefundReason::kRequestedByCustomer;
  r.metadata = {{"reservation_id", "R-4411"}, {"workflow_id", "wf-fuzz"}};
  r.idempotency_key = "wf-fuzz/psp/1";
  return r;
}

// A refund the client accepted for Request(): exactly what was asked.
void CheckAnswersRequest(const PspRefund& r) {
  CheckRefund(r);
  FUZZ_CHECK(r.amount_minor == 1'500);
  FUZZ_CHECK(r.currency == "eur");
}

std::unique_ptr<StripePspAdapter> Stripe(HttpTransport& transport, const Clock& clock) {
  StripeConfig config;
  config.base_url = "https://psp.example";
  config.secret_key = kSecretKey;
  auto psp = StripePspAdapter::Create(config, transport, clock);
  FUZZ_CHECK(psp.ok());
  return std::move(psp).value();
}

}  // namespace
}  // namespace steadfast::refund

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace steadfast;
  using namespace steadfast::refund;
  const std::string_view text = fuzz::AsText(data, size);
  answers_quote_a_secret =
      text.find(kSecretKey) != std::string_view::npos || text.find(kServiceToken) != std::string_view::npos;
  const std::vector<TransportResult> answers = ParseAnswers(text);
  ManualClock clock;
  {
    ReplayTransport transport(answers);
    RemoteResult<PspRefund> r = Stripe(transport, clock)->Refund(Request());
    if (Check(r)) CheckAnswersRequest(*r);
  }
  {
    ReplayTransport transport(answers);
    CircuitBreakingPspAdapter breaker(Stripe(transport, clock), CircuitBreakerOptions{2, 1'000}, clock);
    for (int i = 0; i < 3; ++i) {
      RemoteResult<PspRefund> r = breaker.Refund(Request());
      if (Check(r)) CheckAnswersRequest(*r);
      clock.Advance(600);
    }
  }
  {
    ReplayTransport transport(answers);
    RemoteResult<PspRefund> r = RefundUntilSettled(*Stripe(transport, clock), Request());
    if (Check(r)) {
      CheckAnswersRequest(*r);
      FUZZ_CHECK(r->status == PspRefundStatus::kSucceeded);
    }
  }
  {
    ReplayTransport transport(answers);
    RemoteResult<PspRefund> r = Stripe(transport, clock)->GetRefund("re_3OZfuzz");
    if (Check(r)) CheckRefund(*r);
  }
  {
    ReplayTransport transport(answers);
    ListRefundsRequest list;
    list.charge = "ch_3OZfuzz";
    list.created_gte_s = 1'700'000'000;
    RemoteResult<RefundPage> page = Stripe(transport, clock)->ListRefunds(list);
    if (Check(page)) {
      for (const PspRefund& r : page->refunds) CheckRefund(r);
    }
  }
  {
    ReplayTransport transport(answers);
    RemoteResult<std::vector<PspRefund>> all = ListAllRefunds(*Stripe(transport, clock), ListRefundsRequest{}, 500);
    if (Check(all)) {
      FUZZ_CHECK(all->size() <= 500);
      for (const PspRefund& r : *all) CheckRefund(r);
    }
  }
  {
    ReplayTransport transport(answers);
    JsonHttpClientOptions options;
    options.service = "inventory";
    options.base_url = "http://inventory.example";
    options.bearer_token = kServiceToken;
    auto client = JsonHttpClient::Create(options, transport, clock);
    FUZZ_CHECK(client.ok());
    const Value hold = *Value::FromJson(R"({"reservation_id": "R-4411"})");
    RemoteResult<JsonResponse> posted = (*client)->PostJson("/v1/holds/H-1/release", hold, "wf-fuzz/inv");
    if (Check(posted)) FUZZ_CHECK(posted->status >= 200 && posted->status < 300);
    RemoteResult<JsonResponse> got = (*client)->GetJson("/v1/holds/H-1");
    if (Check(got)) FUZZ_CHECK(got->status >= 200 && got->status < 300);
  }
  return 0;
}
