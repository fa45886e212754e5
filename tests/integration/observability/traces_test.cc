// Traces of a real refund: `steadfast serve` exporting OTLP/HTTP JSON to an
// in-process receiver that checks every payload as a collector would, the
// refund plugin calling the real sandbox PSP, which records the traceparent
// header of every call it receives.
//
// One refund is started with the caller's traceparent; the sandbox loses
// the first refund response, so the PSP step runs twice. Then a second
// instance is started linked to the first.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "otlp_receiver.h"
#include "sandbox_process.h"
#include "test_server.h"
#include "core/trace_context.h"

namespace steadfast {
namespace {

using testing::kOpsToken;
using testing::ReceivedSpan;
using testing::Reply;
using testing::Send;
using testing::ServerOptions;
using testing::TestServer;

const std::string kSource = STEADFAST_SOURCE_ROOT;
constexpr const char* kCallerTrace = "0af7651916cd43dd8448eb211c80319c";
constexpr const char* kCallerSpan = "b7ad6b7169203331";

// The shipped refund workflows against the sandbox, exporting to `endpoint`.
ServerOptions TracedRefunds(const std::string& psp, const std::string& endpoint) {
  ServerOptions o;
  o.config_extra = "workflows_dir: " + kSource + "/workflows\n" + integration::RefundPluginConfig(kSource, psp) +
                   "tracing: { otlp_endpoint: \"" + endpoint + "\", flush_interval: 50ms, service_name: refunds-test }\n";
  o.env = {{"STEADFAST_PSP_SECRET_KEY", integration::SandboxProcess::kSecretKey}};
  return o;
}

class TracesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    receiver_ = testing::OtlpReceiver::Start();
    ASSERT_TRUE(sandbox_.Start().ok());
    psp_ = sandbox_.base_url();
    ASSERT_LT(testing::SeedSandboxCharge(psp_, "ch_r1001", 27000, "EUR").status, 300);
  }

  // Spans of one trace by name (several per name for retried steps).
  std::multimap<std::string, ReceivedSpan> SpansOf(const std::string& trace_id) const {
    std::multimap<std::string, ReceivedSpan> out;
    for (const ReceivedSpan& s : receiver_->Spans()) {
      if (s.trace_id == trace_id) out.emplace(s.name, s);
    }
    return out;
  }

  std::unique_ptr<testing::OtlpReceiver> receiver_;
  integration::SandboxProcess sandbox_;
  std::string psp_;
};

TEST_F(TracesTest, ARefundIsOneTraceFromTheCallerThroughThePsp) {
  ASSERT_LT(Send(psp_, testing::MakeCall("POST", "/sandbox/faults", "",
                                         R"({"drop_next": 1, "scope": ["/v1/refunds"]})"))
                .status,
            300);
  TestServer s(TracedRefunds(psp_, receiver_->url()));
  ASSERT_FALSE(s.url().empty());
  EXPECT_THAT(s.Log(), ::testing::HasSubstr("exporting traces to " + receiver_->url() + "/v1/traces"));
  auto input = Value::FromJson(testing::ReadFile(kSource + "/workflows/examples/reservation.json"));
  ASSERT_TRUE(input.ok());
  testing::Call start = testing::MakeCall(
      "POST", "/v1/workflows", kOpsToken,
      Value(Value::Map{{"workflow", "reservation_refund"}, {"id", "wf-refund"}, {"input", *input}}).ToJson());
  const std::string caller = std::string("00-") + kCallerTrace + "-" + kCallerSpan + "-01";
  start.headers.push_back({"traceparent", caller});
  Reply started = Send(s.url(), start);
  ASSERT_EQ(started.status, 201) << started.body;
  EXPECT_EQ(started.json.Get("trace_id").StringOr(""), kCallerTrace);
  ASSERT_TRUE(s.WaitUntil("wf-refund", "completed", 60000)) << s.Log();

  const std::string workflow_span = tracing::WorkflowSpanId("wf-refund");
  ASSERT_TRUE(receiver_->WaitForSpans(8, std::chrono::seconds(10)));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (SpansOf(kCallerTrace).count("workflow reservation_refund") == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(receiver_->Problems().empty()) << ::testing::PrintToString(receiver_->Problems());
  auto spans = SpansOf(kCallerTrace);

  // The workflow span: the caller's child, spanning the instance's life.
  ASSERT_EQ(spans.count("workflow reservation_refund"), 1u);
  const ReceivedSpan& wf = spans.find("workflow reservation_refund")->second;
  EXPECT_EQ(wf.span_id, workflow_span);
  EXPECT_EQ(wf.parent_span_id, kCallerSpan);
  EXPECT_EQ(wf.kind, 2);         // SERVER
  EXPECT_EQ(wf.status_code, 1);  // OK
  EXPECT_EQ(wf.attributes.value("steadfast.workflow.id", ""), "wf-refund");
  EXPECT_EQ(wf.resource_attributes.value("service.name", ""), "refunds-test");

  // A span per attempt, each the workflow span's child, with its attributes.
  for (const char* name : {"activity refund.check_eligibility", "activity refund.calculate_amount",
                           "activity refund.assess_risk", "activity refund.release_inventory",
                           "activity refund.notify_customer", "activity refund.post_ledger"}) {
    ASSERT_EQ(spans.count(name), 1u) << name;
    const ReceivedSpan& a = spans.find(name)->second;
    EXPECT_EQ(a.parent_span_id, workflow_span) << name;
    EXPECT_EQ(a.attributes.value("steadfast.attempt", 0), 1) << name;
    EXPECT_EQ(a.status_code, 1) << name;
  }
  const ReceivedSpan& amount = spans.find("activity refund.calculate_amount")->second;
  EXPECT_EQ(amount.attributes.value("refund.amount_minor", 0), 27000);
  EXPECT_EQ(amount.attributes.value("refund.currency", ""), "EUR");

  // The PSP step: the lost response failed attempt 1, attempt 2 succeeded.
  ASSERT_EQ(spans.count("activity refund.psp_refund"), 2u);
  std::map<int, ReceivedSpan> psp;
  for (auto [it, end] = spans.equal_range("activity refund.psp_refund"); it != end; ++it) {
    psp[it->second.attributes.value("steadfast.attempt", 0)] = it->second;
  }
  ASSERT_EQ(psp.count(1), 1u);
  ASSERT_EQ(psp.count(2), 1u);
  EXPECT_EQ(psp[1].status_code, 2);  // ERROR
  EXPECT_FALSE(psp[1].attributes.value("error.type", "").empty());
  EXPECT_EQ(psp[2].status_code, 1);
  for (const auto& [attempt, span] : psp) {
    EXPECT_EQ(span.span_id, tracing::AttemptSpanId("wf-refund", span.attributes.value("steadfast.step", ""), attempt,
                                                   false));
    EXPECT_EQ(span.attributes.value("steadfast.idempotency_key", ""),
              "wf-refund/" + span.attributes.value("steadfast.step", ""));
    EXPECT_EQ(span.attributes.value("refund.amount_minor", 0), 27000);
    EXPECT_EQ(span.attributes.value("refund.currency", ""), "EUR");
    EXPECT_EQ(span.attributes.value("psp.name", ""), "stripe");
  }
  EXPECT_FALSE(psp[2].attributes.value("psp.refund_id", "").empty());

  // The PSP, inventory and notification service got the attempt's context:
  // their spans would be children of our attempt spans.
  Reply calls = Send(psp_, testing::MakeCall("GET", "/sandbox/calls?limit=100", "", ""));
  ASSERT_EQ(calls.status, 200);
  std::map<std::string, int> traced_paths;
  for (const Value& call : calls.json.Get("data").AsList()) {
    const std::string path = call.Get("path").StringOr("");
    if (path.rfind("/sandbox/", 0) == 0) continue;
    auto context = tracing::ParseTraceparent(call.Get("traceparent").StringOr(""));
    ASSERT_TRUE(context) << path << " came without a traceparent";
    EXPECT_EQ(context->trace_id, kCallerTrace) << path;
    bool parent_is_an_attempt = false;
    for (const auto& [name, span] : spans) parent_is_an_attempt |= span.span_id == context->span_id;
    EXPECT_TRUE(parent_is_an_attempt) << path << " parent " << context->span_id;
    if (path == "/v1/refunds") EXPECT_TRUE(context->span_id == psp[1].span_id || context->span_id == psp[2].span_id);
    ++traced_paths[path];
  }
  EXPECT_EQ(traced_paths["/v1/refunds"], 2);
  EXPECT_GE(traced_paths.size(), 3u) << "PSP, inventory and notification calls";

  // A related instance links to the refund's workflow span; an unknown
  // link is refused.
  Reply linked = s.Post("/v1/workflows", kOpsToken,
                        Value(Value::Map{{"workflow", "reservation_refund"}, {"id", "wf-followup"}, {"input", *input},
                                         {"links", Value::List{"wf-refund"}}})
                            .ToJson());
  ASSERT_EQ(linked.status, 201) << linked.body;
  const std::string followup_trace = linked.json.Get("trace_id").StringOr("");
  EXPECT_NE(followup_trace, kCallerTrace);
  Reply unknown = s.Post("/v1/workflows", kOpsToken,
                         Value(Value::Map{{"workflow", "reservation_refund"}, {"input", *input},
                                          {"links", Value::List{"wf-missing"}}})
                             .ToJson());
  EXPECT_EQ(unknown.status, 400) << unknown.body;
  deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (SpansOf(followup_trace).count("workflow reservation_refund") == 0 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
  }
  auto followup = SpansOf(followup_trace);
  ASSERT_EQ(followup.count("workflow reservation_refund"), 1u) << s.Log();
  const ReceivedSpan& f = followup.find("workflow reservation_refund")->second;
  EXPECT_EQ(f.parent_span_id, "");  // no caller context: a new trace rooted here
  ASSERT_EQ(f.links.size(), 1u);
  EXPECT_EQ(f.links[0].first, kCallerTrace);
  EXPECT_EQ(f.links[0].second, workflow_span);
  EXPECT_TRUE(receiver_->Problems().empty());
}

TEST_F(TracesTest, AHeldRefundShowsHowLongItWaitedForTheReviewer) {
  ASSERT_LT(testing::SeedSandboxCharge(psp_, "ch_r1002", 78500, "EUR").status, 300);
  TestServer s(TracedRefunds(psp_, receiver_->url()));
  ASSERT_FALSE(s.url().empty());
  auto input = Value::FromJson(testing::ReadFile(kSource + "/workflows/examples/reservation_large.json"));
  ASSERT_TRUE(input.ok());
  Reply started = s.Post("/v1/workflows", kOpsToken,
                         Value(Value::Map{{"workflow", "reservation_refund"}, {"id", "wf-held"}, {"input", *input}})
                             .ToJson());
  ASSERT_EQ(started.status, 201) << started.body;
  const std::string trace_id = started.json.Get("trace_id").StringOr("");
  ASSERT_TRUE(s.WaitUntil("wf-held", "waiting_approval", 30000)) << s.Log();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // a wait that lasts
  Reply approved = s.Post("/v1/workflows/wf-held/approvals/review", testing::kRitaToken,
                          Value(Value::Map{{"decision", "approve"}, {"comment", "documented illness"}}).ToJson());
  ASSERT_EQ(approved.status, 200) << approved.body;
  ASSERT_TRUE(s.WaitUntil("wf-held", "completed", 60000)) << s.Log();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (SpansOf(trace_id).count("workflow reservation_refund") == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  auto spans = SpansOf(trace_id);
  ASSERT_EQ(spans.count("wait approval review"), 1u);
  const ReceivedSpan& wait = spans.find("wait approval review")->second;
  EXPECT_EQ(wait.parent_span_id, tracing::WorkflowSpanId("wf-held"));
  EXPECT_EQ(wait.status_code, 1);
  EXPECT_EQ(wait.attributes.value("steadfast.wait.kind", ""), "approval");
  EXPECT_EQ(wait.attributes.value("steadfast.outcome", ""), "approve");
  EXPECT_EQ(wait.attributes.value("steadfast.principal", ""), "rita");
  EXPECT_GE(wait.end_ns - wait.start_ns, 100'000'000);  // it waited at least the 100 ms above
  // The wait sits between the risk check and the PSP refund.
  ASSERT_EQ(spans.count("activity refund.assess_risk"), 1u);
  ASSERT_EQ(spans.count("activity refund.psp_refund"), 1u);
  EXPECT_GE(wait.start_ns, spans.find("activity refund.assess_risk")->second.end_ns);
  EXPECT_LE(wait.end_ns, spans.find("activity refund.psp_refund")->second.start_ns);
  EXPECT_TRUE(receiver_->Problems().empty());
}

TEST_F(TracesTest, WithoutAnEndpointNothingIsExported) {
  TestServer s;
  ASSERT_FALSE(s.url().empty());
  Reply started = s.Post("/v1/workflows", kOpsToken, R"({"workflow": "quick", "id": "wf-quiet"})");
  ASSERT_EQ(started.status, 201) << started.body;
  ASSERT_TRUE(s.WaitUntil("wf-quiet", "completed"));
  EXPECT_THAT(s.Log(), ::testing::Not(::testing::HasSubstr("exporting traces")));
  EXPECT_THAT(s.Get("/metrics", "").body, ::testing::Not(::testing::HasSubstr("steadfast_trace_spans_exported_total")));
  EXPECT_EQ(receiver_->requests(), 0);
}

}  // namespace
}  // namespace steadfast
