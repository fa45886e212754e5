// The OTLP/JSON encoding field by field, the receiver's payload checks, and
// the exporter end to end against the in-process receiver: batching, the
// bounded queue, retries, failures, an unreachable endpoint, shutdown and
// the published metrics. No sleeps: tests wait with Flush() and
// WaitForSpans() and assert counts, never timings.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <mutex>
#include <string>
#include <vector>

#include <curl/curl.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "metrics/registry.h"
#include "otlp_receiver.h"
#include "steadfast/logger.h"
#include "tracing/otlp_exporter.h"
#include "tracing/otlp_json.h"

namespace steadfast::tracing {
namespace {

using json = nlohmann::json;
using std::chrono::milliseconds;
using steadfast::testing::CheckOtlpTraces;
using steadfast::testing::OtlpReceiver;
using steadfast::testing::ReceivedSpan;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr milliseconds kWait{10000};  // generous: only reached when something is broken
constexpr int64_t kStartNs = 1'700'000'000'000'000'000;

SpanData MakeSpan(int i) {
  SpanData span;
  span.trace_id = fmt::format("{:032x}", 0xabc000 + i);
  span.span_id = fmt::format("{:016x}", 0x5000 + i);
  span.name = "step-" + std::to_string(i);
  span.kind = SpanKind::kInternal;
  span.start_unix_ns = kStartNs + i;
  span.end_unix_ns = kStartNs + i + 1000;
  span.attributes["index"] = i;
  return span;
}

OtlpExporterOptions OptionsFor(const OtlpReceiver& receiver) {
  OtlpExporterOptions options;
  options.endpoint = receiver.url();
  options.resource.service_name = "steadfast-test";
  options.resource.service_version = "0.1.0";
  options.flush_interval_ms = 60000;  // tests send with Flush() or a full batch, never by the clock
  return options;
}

class CapturingLogger final : public Logger {
 public:
  void Log(LogLevel level, std::string_view message) override {
    std::lock_guard<std::mutex> lock(mu_);
    lines_.emplace_back(level, std::string(message));
  }
  std::vector<std::string> Warnings() const {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::string> out;
    for (const auto& [level, line] : lines_) {
      if (level == LogLevel::kWarn) out.push_back(line);
    }
    return out;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::pair<LogLevel, std::string>> lines_;
};

// A loopback port that refuses connections: bound, never listening, held
// open so nothing else can take it during the test.
class ClosedPort {
 public:
  ClosedPort() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      ADD_FAILURE() << "cannot bind a loopback socket";
      return;
    }
    port_ = ntohs(addr.sin_port);
  }
  ~ClosedPort() {
    if (fd_ >= 0) close(fd_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// --- Encoding -------------------------------------------------------------

TEST(OtlpJson, EncodesEveryField) {
  SpanData span;
  span.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  span.span_id = "00f067aa0ba902b7";
  span.parent_span_id = "53995c3f42cd8ad8";
  span.name = "refund.psp_refund";
  span.kind = SpanKind::kClient;
  span.start_unix_ns = 1'700'000'000'123'456'789;
  span.end_unix_ns = 1'700'000'001'000'000'000;
  span.attributes = Value::Map{
      {"s", "text"},
      {"i", int64_t{-42}},
      {"big", std::numeric_limits<int64_t>::max()},
      {"b", true},
      {"d", 0.25},
      {"nan", std::nan("")},
      {"inf", -std::numeric_limits<double>::infinity()},
      {"list", Value::List{1, "a"}},
      {"map", Value::Map{{"k", 1}}},
      {"null", Value()},
  };
  span.status = SpanStatus::kError;
  span.status_message = "psp timeout";
  span.links.push_back(SpanLink{"0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", Value::Map{{"why", "retry"}}});

  Resource resource;
  resource.service_name = "refunds";
  resource.service_version = "1.2.3";
  resource.attributes = Value::Map{{"deployment.environment", "test"}, {"service.name", "loses to the field"}};

  const json request = json::parse(EncodeOtlpJson({span}, resource));
  ASSERT_EQ(request.size(), 1u);
  ASSERT_EQ(request["resourceSpans"].size(), 1u);
  const json& rs = request["resourceSpans"][0];
  EXPECT_EQ(rs["resource"], json::parse(R"({"attributes":[
      {"key":"deployment.environment","value":{"stringValue":"test"}},
      {"key":"service.name","value":{"stringValue":"refunds"}},
      {"key":"service.version","value":{"stringValue":"1.2.3"}}]})"));
  ASSERT_EQ(rs["scopeSpans"].size(), 1u);
  EXPECT_EQ(rs["scopeSpans"][0]["scope"], json::parse(R"({"name":"steadfast","version":"1.2.3"})"));
  ASSERT_EQ(rs["scopeSpans"][0]["spans"].size(), 1u);
  EXPECT_EQ(rs["scopeSpans"][0]["spans"][0], json::parse(R"({
      "traceId":"4bf92f3577b34da6a3ce929d0e0e4736",
      "spanId":"00f067aa0ba902b7",
      "parentSpanId":"53995c3f42cd8ad8",
      "name":"refund.psp_refund",
      "kind":3,
      "startTimeUnixNano":"1700000000123456789",
      "endTimeUnixNano":"1700000001000000000",
      "attributes":[
        {"key":"b","value":{"boolValue":true}},
        {"key":"big","value":{"intValue":"9223372036854775807"}},
        {"key":"d","value":{"doubleValue":0.25}},
        {"key":"i","value":{"intValue":"-42"}},
        {"key":"inf","value":{"doubleValue":"-Infinity"}},
        {"key":"list","value":{"stringValue":"[1,\"a\"]"}},
        {"key":"map","value":{"stringValue":"{\"k\":1}"}},
        {"key":"nan","value":{"doubleValue":"NaN"}},
        {"key":"null","value":{"stringValue":"null"}},
        {"key":"s","value":{"stringValue":"text"}}],
      "links":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331",
                "attributes":[{"key":"why","value":{"stringValue":"retry"}}]}],
      "status":{"code":2,"message":"psp timeout"}})"));

  // And a strict receiver finds nothing wrong with it.
  std::vector<ReceivedSpan> received;
  EXPECT_THAT(CheckOtlpTraces(EncodeOtlpJson({span}, resource), &received), IsEmpty());
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].attributes["big"], std::numeric_limits<int64_t>::max());
  EXPECT_TRUE(std::isnan(received[0].attributes["nan"].get<double>()));
}

TEST(OtlpJson, LeavesOutEmptyOptionalFields) {
  SpanData span = MakeSpan(1);
  span.attributes.clear();
  Resource resource;  // default service name, no version
  const json request = json::parse(EncodeOtlpJson({span}, resource));
  const json& rs = request["resourceSpans"][0];
  EXPECT_EQ(rs["resource"]["attributes"],
            json::parse(R"([{"key":"service.name","value":{"stringValue":"steadfast"}}])"));
  EXPECT_EQ(rs["scopeSpans"][0]["scope"], json::parse(R"({"name":"steadfast"})"));
  const json& s = rs["scopeSpans"][0]["spans"][0];
  EXPECT_FALSE(s.contains("parentSpanId"));
  EXPECT_FALSE(s.contains("attributes"));
  EXPECT_FALSE(s.contains("links"));
  EXPECT_EQ(s["status"], json::parse(R"({"code":0})"));
  EXPECT_EQ(s["kind"], 1);

  resource.service_name = "";
  EXPECT_THAT(EncodeOtlpJson({span}, resource), HasSubstr(R"({"stringValue":"unknown_service"})"));
}

TEST(OtlpJson, ReplacesInvalidUtf8InsteadOfFailing) {
  SpanData span = MakeSpan(1);
  span.name = "bad \xff byte";
  const json request = json::parse(EncodeOtlpJson({span}, Resource{}));
  EXPECT_EQ(request["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["name"], "bad \xEF\xBF\xBD byte");
}

TEST(OtlpJson, EscapesAndKeepsValidUtf8) {
  SpanData span = MakeSpan(1);
  span.name = "q\"b\\n\n\t\x01 caf\xC3\xA9 \xF0\x9F\x92\xB6";
  span.status_message = "overlong \xC0\x80 surrogate \xED\xA0\x80 cut \xE2\x82";
  span.status = SpanStatus::kError;
  const json request = json::parse(EncodeOtlpJson({span}, Resource{}));
  const json& s = request["resourceSpans"][0]["scopeSpans"][0]["spans"][0];
  EXPECT_EQ(s["name"], "q\"b\\n\n\t\x01 caf\xC3\xA9 \xF0\x9F\x92\xB6");
  // Each byte that starts no valid sequence becomes one U+FFFD.
  EXPECT_EQ(s["status"]["message"],
            "overlong \xEF\xBF\xBD\xEF\xBF\xBD surrogate \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD cut "
            "\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(OtlpJson, DoublesReadBackExactly) {
  SpanData span = MakeSpan(1);
  span.attributes = Value::Map{{"a", 0.1}, {"b", 1e300}, {"c", -2.5}};
  const json request = json::parse(EncodeOtlpJson({span}, Resource{}));
  const json& attrs = request["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["attributes"];
  ASSERT_EQ(attrs.size(), 3u);
  EXPECT_EQ(attrs[0]["value"]["doubleValue"].get<double>(), 0.1);
  EXPECT_EQ(attrs[1]["value"]["doubleValue"].get<double>(), 1e300);
  EXPECT_EQ(attrs[2]["value"]["doubleValue"].get<double>(), -2.5);
}

TEST(OtlpJson, EmptyBatchIsStillAWellFormedRequest) {
  const json request = json::parse(EncodeOtlpJson({}, Resource{}));
  EXPECT_TRUE(request["resourceSpans"][0]["scopeSpans"][0]["spans"].is_array());
  EXPECT_TRUE(request["resourceSpans"][0]["scopeSpans"][0]["spans"].empty());
}

// --- The receiver's checks --------------------------------------------------

std::vector<std::string> ProblemsOf(const std::string& body) {
  std::vector<ReceivedSpan> spans;
  return CheckOtlpTraces(body, &spans);
}

const std::string kGoodResource = R"({"attributes":[{"key":"service.name","value":{"stringValue":"x"}}]})";

std::string RequestWithSpan(const std::string& span_fields, const std::string& resource = kGoodResource) {
  return R"({"resourceSpans":[{"resource":)" + resource + R"(,"scopeSpans":[{"scope":{"name":"t"},"spans":[{)" +
         span_fields + "}]}]}]}";
}

const std::string kGoodSpan =
    R"("traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7","name":"n","kind":1,)"
    R"("startTimeUnixNano":"100","endTimeUnixNano":"200")";

TEST(OtlpReceiverChecks, AcceptsAGoodSpan) { EXPECT_THAT(ProblemsOf(RequestWithSpan(kGoodSpan)), IsEmpty()); }

TEST(OtlpReceiverChecks, RejectsBadStructure) {
  EXPECT_THAT(ProblemsOf("{not json"), ElementsAre("body is not valid JSON"));
  EXPECT_THAT(ProblemsOf("{}"), ElementsAre("request: missing resourceSpans"));
  EXPECT_THAT(ProblemsOf(R"({"resourceSpans":[]})"), ElementsAre("request: resourceSpans is not a non-empty array"));
  EXPECT_THAT(ProblemsOf(R"({"resourceSpans":[{"resource":)" + kGoodResource + "}]}"),
              ElementsAre("resourceSpans[0]: missing scopeSpans"));
  EXPECT_THAT(ProblemsOf(R"({"resourceSpans":[{"resource":)" + kGoodResource + R"(,"scopeSpans":[{}]}]})"),
              ElementsAre("resourceSpans[0].scopeSpans[0]: missing spans"));
  EXPECT_THAT(ProblemsOf(RequestWithSpan(kGoodSpan, R"({"attributes":[]})")),
              ElementsAre("resourceSpans[0]: resource has no service.name string attribute"));
}

TEST(OtlpReceiverChecks, RejectsBadIds) {
  EXPECT_THAT(ProblemsOf(RequestWithSpan(
                  R"("traceId":"xyz","spanId":"00F067AA0BA902B7","parentSpanId":"0000000000000000",)"
                  R"("name":"n","kind":1,"startTimeUnixNano":"100","endTimeUnixNano":"200")")),
              ElementsAre("span 0 ('n'): traceId 'xyz' is not 32 lowercase hex digits",
                          "span 0 ('n'): spanId '00F067AA0BA902B7' is not 16 lowercase hex digits",
                          "span 0 ('n'): parentSpanId is all zeros (an invalid id)"));
  EXPECT_THAT(ProblemsOf(RequestWithSpan(
                  R"("traceId":"00000000000000000000000000000000","spanId":"00f067aa0ba902b7","parentSpanId":"",)"
                  R"("name":"n","kind":1,"startTimeUnixNano":"100","endTimeUnixNano":"200",)"
                  R"("links":[{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"abc"}])")),
              ElementsAre("span 0 ('n'): traceId is all zeros (an invalid id)",
                          "span 0 ('n') link 0: spanId 'abc' is not 16 lowercase hex digits"));
}

TEST(OtlpReceiverChecks, RejectsBadTimesKindsAndStatus) {
  EXPECT_THAT(ProblemsOf(RequestWithSpan(
                  R"("traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7","name":"n","kind":0,)"
                  R"("startTimeUnixNano":100,"endTimeUnixNano":"200","status":{"code":3})")),
              ElementsAre("span 0 ('n'): kind 0 is not 1..5",
                          "span 0 ('n'): startTimeUnixNano 100 is not a decimal string",
                          "span 0 ('n'): status.code 3 is not an integer 0..2"));
  EXPECT_THAT(ProblemsOf(RequestWithSpan(
                  R"("traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7","name":"n",)"
                  R"("kind":"SPAN_KIND_SERVER","startTimeUnixNano":"300","endTimeUnixNano":"200")")),
              ElementsAre("span 0 ('n'): kind 'SPAN_KIND_SERVER' is not an integer",
                          "span 0 ('n'): endTimeUnixNano 200 is before startTimeUnixNano 300"));
}

TEST(OtlpReceiverChecks, RejectsValuesThatAreNotAnyValues) {
  std::vector<ReceivedSpan> spans;
  const auto problems = CheckOtlpTraces(
      RequestWithSpan(kGoodSpan + R"(,"attributes":[
          {"key":"ok_int","value":{"intValue":"7"}},
          {"key":"ok_list","value":{"arrayValue":{"values":[{"stringValue":"a"},{"boolValue":false}]}}},
          {"key":"ok_kv","value":{"kvlistValue":{"values":[{"key":"x","value":{"doubleValue":1.5}}]}}},
          {"key":"raw","value":"text"},
          {"key":"two","value":{"stringValue":"a","intValue":"1"}},
          {"key":"int_word","value":{"intValue":"seven"}},
          {"key":"empty","value":{}},
          {"key":"ok_int","value":{"intValue":8}}])"),
      &spans);
  EXPECT_THAT(problems,
              ElementsAre(HasSubstr("attribute 'raw': value 'text' is not an OTLP AnyValue"),
                          HasSubstr(R"(attribute 'two': value {"intValue":"1","stringValue":"a"} is not an OTLP)"),
                          "span 0 ('n') attribute 'int_word': intValue 'seven' is not a valid intValue",
                          HasSubstr("attribute 'empty': value {} is not an OTLP AnyValue"),
                          "span 0 ('n') attribute 'ok_int' appears twice"));
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].attributes["ok_int"], 8);
  EXPECT_EQ(spans[0].attributes["ok_list"], json::parse(R"(["a",false])"));
  EXPECT_EQ(spans[0].attributes["ok_kv"], json::parse(R"({"x":1.5})"));
}

size_t DiscardBody(char*, size_t size, size_t count, void*) { return size * count; }

// One request by hand, for what the exporter never sends; the HTTP status.
long SendRaw(const std::string& url, const char* method, const std::string& content_type, const std::string& body) {
  CURL* h = curl_easy_init();
  curl_slist* headers = curl_slist_append(nullptr, ("Content-Type: " + content_type).c_str());
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &DiscardBody);
  long status = 0;
  if (curl_easy_perform(h) == CURLE_OK) curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(h);
  return status;
}

TEST(OtlpReceiver, ChecksMethodPathAndContentType) {
  auto receiver = OtlpReceiver::Start();
  OtlpExporterOptions options = OptionsFor(*receiver);
  options.endpoint = receiver->url() + "/v1/logs/";  // not ours: the exporter appends /v1/traces
  {
    OtlpExporter exporter(options);
    EXPECT_EQ(exporter.url(), receiver->url() + "/v1/logs/v1/traces");
    exporter.Export(MakeSpan(1));
    ASSERT_TRUE(exporter.Flush(kWait));
    EXPECT_EQ(exporter.dropped_export_failed(), 1);  // 404, not retried
  }
  const std::string traces = receiver->url() + "/v1/traces";
  const std::string good = RequestWithSpan(kGoodSpan);
  EXPECT_EQ(SendRaw(traces, "PUT", "application/json", good), 405);
  EXPECT_EQ(SendRaw(traces, "POST", "text/plain", good), 200);  // checked, not refused
  EXPECT_EQ(SendRaw(traces, "POST", "application/json", "{\"resourceSpans\":"), 200);
  EXPECT_EQ(SendRaw(traces, "POST", "application/json; charset=utf-8", good), 200);
  EXPECT_EQ(receiver->requests(), 5);
  EXPECT_THAT(receiver->Problems(), ElementsAre("request 1: path '/v1/logs/v1/traces' is not /v1/traces",
                                                "request 2: method PUT is not POST",
                                                "request 3: Content-Type 'text/plain' is not application/json",
                                                "request 4: body is not valid JSON"));
  EXPECT_EQ(receiver->Spans().size(), 2u);  // requests 3 and 5
}

// --- The exporter against the receiver ---------------------------------------

TEST(OtlpExporter, DeliversSpansHeadersAndResource) {
  auto receiver = OtlpReceiver::Start();
  CapturingLogger logger;
  OtlpExporterOptions options = OptionsFor(*receiver);
  options.endpoint = receiver->url() + "/v1/traces";  // a full URL is used as is
  options.headers = {{"Authorization", "Bearer secret-token-123"}, {"X-Tenant", "acme"}};
  options.resource.attributes["deployment.environment"] = "ci";
  options.logger = &logger;
  OtlpExporter exporter(options);
  EXPECT_EQ(exporter.url(), receiver->url() + "/v1/traces");

  constexpr int kSpans = 20;
  for (int i = 0; i < kSpans; ++i) {
    SpanData span = MakeSpan(i);
    if (i > 0) span.parent_span_id = fmt::format("{:016x}", 0x5000);
    if (i == 3) {
      span.status = SpanStatus::kError;
      span.status_message = "boom";
      span.kind = SpanKind::kServer;
      span.links.push_back(SpanLink{fmt::format("{:032x}", 0xfeed), fmt::format("{:016x}", 0xbeef), {}});
    }
    exporter.Export(std::move(span));
  }
  ASSERT_TRUE(exporter.Flush(kWait));
  ASSERT_TRUE(receiver->WaitForSpans(kSpans, kWait));
  EXPECT_THAT(receiver->Problems(), IsEmpty());
  EXPECT_EQ(exporter.exported(), kSpans);
  EXPECT_EQ(exporter.dropped(), 0);
  EXPECT_EQ(exporter.queue_depth(), 0u);

  const std::vector<ReceivedSpan> spans = receiver->Spans();
  ASSERT_EQ(spans.size(), static_cast<size_t>(kSpans));
  EXPECT_EQ(spans[0].name, "step-0");
  EXPECT_EQ(spans[0].trace_id, fmt::format("{:032x}", 0xabc000));
  EXPECT_EQ(spans[0].parent_span_id, "");
  EXPECT_EQ(spans[5].parent_span_id, fmt::format("{:016x}", 0x5000));
  EXPECT_EQ(spans[5].attributes["index"], 5);
  EXPECT_EQ(spans[5].start_ns, kStartNs + 5);
  EXPECT_EQ(spans[5].end_ns, kStartNs + 1005);
  EXPECT_EQ(spans[3].kind, 2);
  EXPECT_EQ(spans[3].status_code, 2);
  EXPECT_EQ(spans[3].status_message, "boom");
  EXPECT_THAT(spans[3].links, ElementsAre(std::pair(fmt::format("{:032x}", 0xfeed), fmt::format("{:016x}", 0xbeef))));
  EXPECT_EQ(spans[0].resource_attributes,
            json::parse(R"({"service.name":"steadfast-test","service.version":"0.1.0",
                            "deployment.environment":"ci"})"));

  EXPECT_EQ(receiver->requests(), 1);
  EXPECT_THAT(receiver->Headers("authorization"), ElementsAre("Bearer secret-token-123"));
  EXPECT_THAT(receiver->Headers("X-TENANT"), ElementsAre("acme"));
  EXPECT_THAT(receiver->Headers("content-type"), ElementsAre("application/json"));
  EXPECT_THAT(logger.Warnings(), IsEmpty());
}

TEST(OtlpExporter, SendsFullBatches) {
  auto receiver = OtlpReceiver::Start();
  OtlpExporterOptions options = OptionsFor(*receiver);
  options.max_batch = 10;
  OtlpExporter exporter(options);
  for (int i = 0; i < 25; ++i) exporter.Export(MakeSpan(i));
  ASSERT_TRUE(exporter.Flush(kWait));
  EXPECT_EQ(receiver->requests(), 3);  // 10 + 10 + the 5 that Flush() sent
  EXPECT_EQ(receiver->Spans().size(), 25u);
  EXPECT_EQ(exporter.exported(), 25);
  EXPECT_THAT(receiver->Problems(), IsEmpty());
}

TEST(OtlpExporter, SendsAFullBatchWithoutBeingAsked) {
  auto receiver = OtlpReceiver::Start();
  OtlpExporterOptions options = OptionsFor(*receiver);
  options.max_batch = 4;
  OtlpExporter exporter(options);
  for (int i = 0; i < 4; ++i) exporter.Export(MakeSpan(i));
  EXPECT_TRUE(receiver->WaitForSpans(4, kWait));  // the interval is a minute away
}

TEST(OtlpExporter, SendsAfterTheFlushInterval) {
  auto receiver = OtlpReceiver::Start();
  OtlpExporterOptions options = OptionsFor(*receiver);
  options.flush_interval_ms = 20;
  OtlpExporter exporter(options);
  exporter.Export(MakeSpan(1));
  EXPECT_TRUE(receiver->WaitForSpans(1, kWait));  // no Flush(), no full batch
}

TEST(OtlpExporter, FullQueueDropsAndCountsWithoutWaiting) {
  auto receiver = OtlpReceiver::Start();
  receiver->SetDelay(milliseconds(300));  // a slow collector
  OtlpExporterOptions options = OptionsFor(*receiver);
  options.max_queue = 5;
  options.max_batch = 5;
  OtlpExporter exporter(options);
  constexpr int kProduced = 1000;
  for (int i = 0; i < kProduced; ++i) exporter.Export(MakeSpan(i));
  ASSERT_TRUE(exporter.Flush(kWait));
  EXPECT_EQ(exporter.exported() + exporter.dropped(), kProduced);
  EXPECT_GT(exporter.dropped_queue_full(), 0);
  EXPECT_EQ(exporter.dropped_export_failed(), 0);
  EXPECT_EQ(receiver->Spans().size(), static_cast<size_t>(exporter.exported()));
  EXPECT_THAT(receiver->Problems(), IsEmpty());
}

TEST(OtlpExporter, RetriesAnUnavailableCollector) {
  auto receiver = OtlpReceiver::Start();
  receiver->RespondOnce(503);
  receiver->RespondOnce(429);
  OtlpExporter exporter(OptionsFor(*receiver));
  for (int i = 0; i < 3; ++i) exporter.Export(MakeSpan(i));
  ASSERT_TRUE(exporter.Flush(kWait));
  EXPECT_EQ(receiver->requests(), 3);  // 503, 429, then 200
  EXPECT_EQ(receiver->Spans().size(), 3u);
  EXPECT_EQ(exporter.exported(), 3);
  EXPECT_EQ(exporter.dropped(), 0);
  EXPECT_EQ(exporter.failed_batches(), 0);
}

TEST(OtlpExporter, GivesUpAfterMaxRetries) {
  auto receiver = OtlpReceiver::Start();
  receiver->RespondWith(502);
  OtlpExporterOptions options = OptionsFor(*receiver);
  options.max_retries = 1;
  OtlpExporter exporter(options);
  exporter.Export(MakeSpan(1));
  ASSERT_TRUE(exporter.Flush(kWait));
  EXPECT_EQ(receiver->requests(), 2);
  EXPECT_EQ(exporter.dropped_export_failed(), 1);
  EXPECT_EQ(exporter.failed_batches(), 1);
}

TEST(OtlpExporter, RejectedBatchIsDroppedAndLoggedAtMostOncePerInterval) {
  auto receiver = OtlpReceiver::Start();
  receiver->RespondWith(400);
  CapturingLogger logger;
  OtlpExporterOptions options = OptionsFor(*receiver);
  options.headers = {{"Authorization", "Bearer secret-token-123"}};
  options.logger = &logger;
  OtlpExporter exporter(options);

  for (int i = 0; i < 4; ++i) exporter.Export(MakeSpan(i));
  ASSERT_TRUE(exporter.Flush(kWait));
  EXPECT_EQ(receiver->requests(), 1);  // 400 is not retried
  EXPECT_EQ(exporter.exported(), 0);
  EXPECT_EQ(exporter.dropped_export_failed(), 4);
  EXPECT_EQ(exporter.failed_batches(), 1);

  exporter.Export(MakeSpan(9));
  ASSERT_TRUE(exporter.Flush(kWait));
  EXPECT_EQ(exporter.failed_batches(), 2);

  const auto warnings = logger.Warnings();
  ASSERT_EQ(warnings.size(), 1u);  // the second failure is within 30 s of the first
  EXPECT_THAT(warnings[0], AllOf(HasSubstr(receiver->url() + "/v1/traces"), HasSubstr("HTTP 400"),
                                 HasSubstr("4 span(s)"), Not(HasSubstr("secret-token-123"))));
}

TEST(OtlpExporter, PartialSuccessCountsRejectedSpans) {
  auto receiver = OtlpReceiver::Start();
  receiver->RespondOnce(200, R"({"partialSuccess":{"rejectedSpans":"2","errorMessage":"too many attributes"}})");
  CapturingLogger logger;
  OtlpExporterOptions options = OptionsFor(*receiver);
  options.logger = &logger;
  OtlpExporter exporter(options);
  for (int i = 0; i < 5; ++i) exporter.Export(MakeSpan(i));
  ASSERT_TRUE(exporter.Flush(kWait));
  EXPECT_EQ(exporter.exported(), 3);
  EXPECT_EQ(exporter.dropped_export_failed(), 2);
  EXPECT_EQ(exporter.failed_batches(), 0);
  EXPECT_THAT(logger.Warnings(), ElementsAre(HasSubstr("too many attributes")));
}

TEST(OtlpExporter, UnreachableEndpointDropsAndNeverBlocks) {
  ClosedPort closed;
  CapturingLogger logger;
  OtlpExporterOptions options;
  options.endpoint = "http://user:hunter2@" + closed.url().substr(std::string("http://").size()) + "?key=abc";
  options.flush_interval_ms = 60000;
  options.logger = &logger;
  OtlpExporter exporter(options);
  for (int i = 0; i < 10; ++i) exporter.Export(MakeSpan(i));  // returns at once: nothing here touches the network
  ASSERT_TRUE(exporter.Flush(kWait));
  EXPECT_EQ(exporter.exported(), 0);
  EXPECT_EQ(exporter.dropped_export_failed(), 10);
  EXPECT_EQ(exporter.failed_batches(), 1);
  const auto warnings = logger.Warnings();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_THAT(warnings[0], AllOf(HasSubstr(closed.url() + "/v1/traces"), HasSubstr("curl error 7"),
                                 HasSubstr("after 3 tries"), Not(HasSubstr("hunter2")), Not(HasSubstr("key=abc"))));
}

TEST(OtlpExporter, ShutdownFlushesWhatIsQueued) {
  auto receiver = OtlpReceiver::Start();
  OtlpExporterOptions options = OptionsFor(*receiver);
  options.max_batch = 100;
  OtlpExporter exporter(options);
  for (int i = 0; i < 7; ++i) exporter.Export(MakeSpan(i));
  exporter.Shutdown(10000);
  EXPECT_EQ(receiver->Spans().size(), 7u);
  EXPECT_EQ(exporter.exported(), 7);

  exporter.Export(MakeSpan(8));  // after shutdown: dropped, counted
  EXPECT_EQ(exporter.dropped_queue_full(), 1);
  EXPECT_TRUE(exporter.Flush(milliseconds(0)));
  exporter.Shutdown(10000);  // idempotent
}

TEST(OtlpExporter, ShutdownAbandonsARequestThatHangs) {
  auto receiver = OtlpReceiver::Start();
  receiver->SetDelay(milliseconds(60000));  // answers long after any test timeout
  OtlpExporterOptions options = OptionsFor(*receiver);
  options.export_timeout_ms = 60000;
  OtlpExporter exporter(options);
  for (int i = 0; i < 3; ++i) exporter.Export(MakeSpan(i));
  EXPECT_FALSE(exporter.Flush(milliseconds(50)));  // the request is in flight
  exporter.Shutdown(100);                          // returns: the request is aborted
  EXPECT_EQ(exporter.exported(), 0);
  EXPECT_EQ(exporter.dropped_export_failed(), 3);
}

TEST(OtlpExporter, DestructorFlushes) {
  auto receiver = OtlpReceiver::Start();
  {
    OtlpExporter exporter(OptionsFor(*receiver));
    exporter.Export(MakeSpan(1));
  }
  EXPECT_EQ(receiver->Spans().size(), 1u);
}

TEST(OtlpExporter, PublishesMetrics) {
  auto receiver = OtlpReceiver::Start();
  receiver->RespondOnce(400);
  metrics::Registry registry;
  OtlpExporterOptions options = OptionsFor(*receiver);
  options.registry = &registry;
  OtlpExporter exporter(options);
  for (int i = 0; i < 2; ++i) exporter.Export(MakeSpan(i));
  ASSERT_TRUE(exporter.Flush(kWait));  // refused: 2 export_failed
  for (int i = 0; i < 3; ++i) exporter.Export(MakeSpan(i));
  EXPECT_THAT(registry.Render(), HasSubstr("steadfast_trace_queue_depth 3\n"));
  ASSERT_TRUE(exporter.Flush(kWait));
  exporter.Shutdown(10000);
  exporter.Export(MakeSpan(9));  // queue_full

  const std::string page = registry.Render();
  EXPECT_THAT(page, HasSubstr("# HELP steadfast_trace_spans_exported_total "));
  EXPECT_THAT(page, HasSubstr("# TYPE steadfast_trace_spans_exported_total counter\n"
                              "steadfast_trace_spans_exported_total 3\n"));
  EXPECT_THAT(page, HasSubstr("steadfast_trace_spans_dropped_total{reason=\"export_failed\"} 2\n"));
  EXPECT_THAT(page, HasSubstr("steadfast_trace_spans_dropped_total{reason=\"queue_full\"} 1\n"));
  EXPECT_THAT(page, HasSubstr("# TYPE steadfast_trace_export_failures_total counter\n"
                              "steadfast_trace_export_failures_total 1\n"));
  EXPECT_THAT(page, HasSubstr("# TYPE steadfast_trace_queue_depth gauge\nsteadfast_trace_queue_depth 0\n"));
}

}  // namespace
}  // namespace steadfast::tracing
