// OtlpExporter: a SpanSink that sends finished spans to an OpenTelemetry
// collector (or any OTLP/HTTP endpoint) as JSON, in batches, from one
// background thread.
//
// Export() runs on the engine's checkpoint path, so it only appends to a
// bounded in-memory queue under a mutex and returns; a full queue drops the
// span (counted, reason queue_full) rather than making the engine wait for
// a slow collector. Tracing is best effort by design: a lost span costs a
// gap in a trace, a blocked checkpoint costs throughput.
//
// The thread sends a batch when max_batch spans are queued, when
// flush_interval_ms has passed since the last timed send, or when Flush()
// asks. One libcurl handle is reused, so batches share a keep-alive
// connection. A batch that meets a connection error or HTTP 429, 502, 503
// or 504 is sent again after 200 ms, then 400 ms (doubling, max_retries
// times); any other answer, exhausted retries or a shutdown give it up: its
// spans are counted as dropped (reason export_failed) and the failure is
// logged as a warning, at most one line per 30 s with the count of those
// not logged. A 200 answer with an OTLP partialSuccess counts the rejected
// spans as export_failed too. Logs name the endpoint (without user info or
// query) and the HTTP status or curl error; header values (credentials)
// never appear anywhere.
//
// The export thread runs at nice +10, so the engine's workers come first on
// a busy CPU.
//
// Counters are readable here and, with a registry, published as
// steadfast_trace_* metrics (docs/observability.md). Thread-safe.
#ifndef STEADFAST_TRACING_OTLP_EXPORTER_H_
#define STEADFAST_TRACING_OTLP_EXPORTER_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "metrics/registry.h"
#include "steadfast/logger.h"
#include "tracing/otlp_json.h"
#include "tracing/span_sink.h"

namespace steadfast::tracing {

struct OtlpExporterOptions {
  // Base URL of the OTLP/HTTP receiver; spans go to <endpoint>/v1/traces
  // (or to endpoint itself when it already ends with /v1/traces).
  std::string endpoint = "http://127.0.0.1:4318";
  // Sent with every request, e.g. {"Authorization", "Bearer ..."}. Never logged.
  std::vector<std::pair<std::string, std::string>> headers;
  Resource resource;
  size_t max_queue = 2048;                // spans waiting; beyond this Export() drops (keep >= max_batch)
  size_t max_batch = 512;                 // spans per request
  int64_t flush_interval_ms = 1000;       // longest a span waits in a quiet period
  int64_t export_timeout_ms = 10000;      // one request, connect included
  int max_retries = 2;                    // further tries of a batch after a retryable failure
  metrics::Registry* registry = nullptr;  // publishes steadfast_trace_* when set
  Logger* logger = nullptr;               // export failures (Warn); none when null
};

class OtlpExporter final : public SpanSink {
 public:
  // Starts the background thread. Nothing is sent until spans arrive.
  explicit OtlpExporter(OtlpExporterOptions options);
  ~OtlpExporter() override;  // Shutdown(kDestructorShutdownMs)
  OtlpExporter(const OtlpExporter&) = delete;
  OtlpExporter& operator=(const OtlpExporter&) = delete;

  static constexpr int64_t kDestructorShutdownMs = 5000;
  // Niceness of the export thread (Linux: per thread); see Run().
  static constexpr int kExportThreadNice = 10;

  // Queues the span and returns; never waits for I/O. After Shutdown() the
  // span is dropped (counted as queue_full: the queue no longer takes any).
  void Export(SpanData span) override;

  // Sends everything queued at the call now, and waits until each of those
  // spans was exported or dropped. False when the timeout came first.
  bool Flush(std::chrono::milliseconds timeout);

  // Stops taking spans, flushes what is queued for up to timeout_ms, then
  // abandons any request in progress, drops what is left (export_failed)
  // and joins the thread. Idempotent.
  void Shutdown(int64_t timeout_ms);

  // The URL batches are POSTed to.
  const std::string& url() const { return url_; }

  int64_t exported() const { return exported_.load(std::memory_order_relaxed); }
  int64_t dropped() const { return dropped_queue_full() + dropped_export_failed(); }
  int64_t dropped_queue_full() const { return dropped_queue_full_.load(std::memory_order_relaxed); }
  int64_t dropped_export_failed() const { return dropped_export_failed_.load(std::memory_order_relaxed); }
  // Batches given up (each one's spans are in dropped_export_failed()).
  int64_t failed_batches() const { return failed_batches_.load(std::memory_order_relaxed); }
  // Spans queued and not yet taken into a batch.
  size_t queue_depth() const;

 private:
  struct Metrics;
  class Transport;
  struct PostResult;

  void Run();
  // Sends one batch with retries and counts the outcome. Worker thread only.
  void Deliver(std::vector<SpanData> batch);
  // Waits out a retry backoff; false when shutting down instead.
  bool Backoff(std::chrono::milliseconds delay);
  void CountDropped(int64_t n, bool queue_full);
  void LogFailure(const std::string& what);

  const OtlpExporterOptions options_;
  const std::string url_;
  const std::string log_url_;  // url_ without user info and query, for log lines
  Logger& logger_;
  std::unique_ptr<Metrics> metrics_;      // null without a registry
  std::unique_ptr<Transport> transport_;  // worker thread only

  mutable std::mutex mu_;
  std::condition_variable work_cv_;     // wakes the worker: a full batch, a flush, the end
  std::condition_variable settled_cv_;  // wakes Flush(): spans exported or dropped
  std::deque<SpanData> queue_;          // GUARDED_BY(mu_)
  bool accepting_ = true;               // GUARDED_BY(mu_): false from Shutdown() on
  // Spans ever queued, and how many of them are exported or dropped by now;
  // the queue is FIFO, so Flush() waits for settled_ to reach accepted_.
  uint64_t accepted_ = 0;      // GUARDED_BY(mu_)
  uint64_t settled_ = 0;       // GUARDED_BY(mu_)
  uint64_t flush_target_ = 0;  // GUARDED_BY(mu_): send without waiting until settled_ reaches it
  std::atomic<bool> exit_{false};  // the worker must stop now (also aborts a request in progress)

  std::atomic<int64_t> exported_{0};
  std::atomic<int64_t> dropped_queue_full_{0};
  std::atomic<int64_t> dropped_export_failed_{0};
  std::atomic<int64_t> failed_batches_{0};

  // Failure log rate limit (worker thread only).
  std::chrono::steady_clock::time_point last_failure_log_{};
  bool failure_logged_ = false;
  int64_t failures_not_logged_ = 0;

  std::mutex shutdown_mu_;  // one Shutdown() at a time
  bool shut_down_ = false;  // GUARDED_BY(shutdown_mu_)
  std::thread worker_;
};

}  // namespace steadfast::tracing

#endif  // STEADFAST_TRACING_OTLP_EXPORTER_H_
