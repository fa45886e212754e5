// OtlpReceiver: an in-process OTLP/HTTP trace receiver for tests, standing
// in for an OpenTelemetry collector. It listens on 127.0.0.1 (a free port)
// with its own thread, accepts POST /v1/traces in the JSON encoding, and
// checks every request the way a strict collector would, recording each
// deviation as a human-readable problem instead of silently accepting it.
// Tests assert Problems() is empty and then look at Spans().
//
// Checked (see CheckOtlpTraces): method and path, Content-Type, that the
// body parses as JSON and has resourceSpans / scopeSpans / spans, the
// service.name resource attribute, trace ids (32 lowercase hex) and span
// ids (16), none all zero, parentSpanId and link ids, times as decimal
// strings with end >= start, kind 1..5, status code 0..2, a non-empty name,
// and that every attribute value is one OTLP AnyValue form.
//
// Spans are kept only from requests answered 2xx: a collector that answers
// 503 did not take them, so a retried batch is not counted twice.
// RESTinio stays out of this header.
#ifndef STEADFAST_TESTS_SUPPORT_OTLP_RECEIVER_H_
#define STEADFAST_TESTS_SUPPORT_OTLP_RECEIVER_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace steadfast::testing {

struct ReceivedSpan {
  std::string trace_id, span_id, parent_span_id, name;
  int kind = 0;
  // key -> value: string, int64 (intValue), bool, double; an arrayValue as
  // a JSON array, a kvlistValue as an object, bytesValue as its base64 text.
  nlohmann::json attributes = nlohmann::json::object();
  std::vector<std::pair<std::string, std::string>> links;  // (trace_id, span_id)
  int status_code = 0;
  std::string status_message;
  int64_t start_ns = 0, end_ns = 0;
  nlohmann::json resource_attributes = nlohmann::json::object();  // same form as attributes
};

// Checks one request body as an OTLP/JSON ExportTraceServiceRequest;
// appends the spans it carries to *spans and returns the problems found
// ("span 3 ('x'): traceId 'xyz' is not 32 lowercase hex digits"). Spans are
// numbered from 0 across the request.
std::vector<std::string> CheckOtlpTraces(std::string_view body, std::vector<ReceivedSpan>* spans);

class OtlpReceiver {
 public:
  // Listens on 127.0.0.1:0 and starts serving; throws std::runtime_error
  // when it cannot.
  static std::unique_ptr<OtlpReceiver> Start();
  ~OtlpReceiver();  // stops listening and joins the thread
  OtlpReceiver(const OtlpReceiver&) = delete;
  OtlpReceiver& operator=(const OtlpReceiver&) = delete;

  // "http://127.0.0.1:PORT"
  std::string url() const;

  std::vector<ReceivedSpan> Spans() const;
  // True once at least n spans were received; false at the timeout.
  bool WaitForSpans(size_t n, std::chrono::milliseconds timeout) const;

  // The answer to every following request: an HTTP status with an empty
  // JSON object as body; 0 restores the normal 200 "{}".
  void RespondWith(int http_status);
  // One scripted answer for the next request (queued; these come before
  // RespondWith's): e.g. 503 to see a retry, or 200 with an OTLP
  // partialSuccess body. An empty body is sent as "{}".
  void RespondOnce(int http_status, std::string body = "");
  // Answers each request only after this long (the connection stays open:
  // a slow collector).
  void SetDelay(std::chrono::milliseconds delay);

  // Requests received, whatever was answered.
  int requests() const;
  // Everything wrong with the requests so far, each line prefixed with
  // "request N: " (N from 1).
  std::vector<std::string> Problems() const;
  // Values received for this header (name case-insensitive), one per
  // occurrence, in arrival order.
  std::vector<std::string> Headers(const std::string& name) const;

  class Impl;

 private:
  explicit OtlpReceiver(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace steadfast::testing

#endif  // STEADFAST_TESTS_SUPPORT_OTLP_RECEIVER_H_
