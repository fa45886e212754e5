// OtlpExporter: the bounded queue, the batching thread and the POST (engine/net).
#include "tracing/otlp_exporter.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "net/curl_transport.h"
#include "net/url_parts.h"

namespace steadfast::tracing {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr std::string_view kTracesPath = "/v1/traces";
constexpr milliseconds kFirstBackoff{200};
constexpr milliseconds kMaxBackoff{5000};
constexpr auto kFailureLogInterval = std::chrono::seconds(30);
constexpr size_t kMaxResponseBytes = 64 * 1024;  // enough for any OTLP answer; a bigger one is cut

// <endpoint>/v1/traces, the path added before any query; an endpoint that
// cannot be parsed gets the path appended and fails, visibly, at the first
// post.
std::string TracesUrl(const std::string& endpoint) {
  const auto with_path = [](std::string path) {
    while (!path.empty() && path.back() == '/') path.pop_back();
    return path.ends_with(kTracesPath) ? path : path + std::string(kTracesPath);
  };
  return net::EditUrlPath(endpoint, with_path).value_or(with_path(endpoint));
}

bool HasLineBreak(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

// Worth another try: the collector may be back in a moment.
bool IsRetryableTransportError(TransportErrorKind kind) {
  return kind == TransportErrorKind::kTimeout || kind == TransportErrorKind::kConnectFailed ||
         kind == TransportErrorKind::kConnectionLost;
}

// OTLP: "the server MUST respond with 429, 502, 503 or 504" for a retryable condition.
bool IsRetryableStatus(long status) { return status == 429 || status == 502 || status == 503 || status == 504; }

// Spans a 200 answer rejected (OTLP partialSuccess), with the server's message.
int64_t RejectedSpans(const std::string& body, std::string* message) {
  const nlohmann::json answer = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!answer.is_object()) return 0;
  const auto partial = answer.find("partialSuccess");
  if (partial == answer.end() || !partial->is_object()) return 0;
  int64_t rejected = 0;
  if (const auto it = partial->find("rejectedSpans"); it != partial->end()) {
    if (it->is_number_integer()) {
      rejected = it->get<int64_t>();
    } else if (it->is_string()) {  // int64 travels as a string in OTLP JSON
      const std::string& s = it->get_ref<const std::string&>();
      std::from_chars(s.data(), s.data() + s.size(), rejected);
    }
  }
  if (const auto it = partial->find("errorMessage"); it != partial->end() && it->is_string()) {
    *message = it->get<std::string>();
  }
  return rejected;
}

OtlpExporterOptions Sanitized(OtlpExporterOptions options) {
  options.max_batch = std::max<size_t>(1, options.max_batch);
  options.flush_interval_ms = std::max<int64_t>(1, options.flush_interval_ms);
  options.export_timeout_ms = std::max<int64_t>(1, options.export_timeout_ms);
  options.max_retries = std::max(0, options.max_retries);
  return options;
}

}  // namespace

struct OtlpExporter::Metrics {
  explicit Metrics(metrics::Registry& registry)
      : exported(registry.AddCounter("steadfast_trace_spans_exported_total",
                                     "Spans the OTLP trace endpoint accepted.")),
        dropped(registry.AddCounterFamily(
            "steadfast_trace_spans_dropped_total",
            "Spans not exported: queue_full (the export queue was full or shut down), export_failed (the "
            "endpoint refused them or stayed unreachable after retries).",
            {"reason"})),
        dropped_queue_full(dropped.WithLabels({"queue_full"})),
        dropped_export_failed(dropped.WithLabels({"export_failed"})),
        failures(registry.AddCounter(
            "steadfast_trace_export_failures_total",
            "Span batches given up: refused by the OTLP endpoint, or it stayed unreachable through the retries "
            "(their spans count as dropped, export_failed).")),
        queue_depth(registry.AddGauge("steadfast_trace_queue_depth",
                                      "Finished spans waiting in the exporter's queue.")) {}

  metrics::Counter& exported;
  metrics::Family<metrics::Counter>& dropped;
  metrics::Counter& dropped_queue_full;
  metrics::Counter& dropped_export_failed;
  metrics::Counter& failures;
  metrics::Gauge& queue_depth;
};

struct OtlpExporter::PostResult {
  std::optional<TransportError> error;  // no HTTP answer
  int status = 0;                       // HTTP status when answered
  std::string body;

  bool ok() const { return !error && status >= 200 && status < 300; }
  bool retryable() const { return error ? IsRetryableTransportError(error->kind) : IsRetryableStatus(status); }
  std::string Describe() const {
    if (!error) return "HTTP " + std::to_string(status);
    return error->message;
  }
};

// The engine's curl transport with one kept-alive connection, so batches
// share it. Used by the worker thread only.
class OtlpExporter::Transport {
 public:
  Transport(const OtlpExporterOptions& options, const std::string& url, const std::atomic<bool>& exit_flag,
            Logger& logger)
      : curl_(net::CurlTransportOptions{/*keep_alive=*/true, ""}) {
    request_.method = HttpMethod::kPost;
    request_.url = url;
    request_.timeout_ms = options.export_timeout_ms;
    request_.connect_timeout_ms = options.export_timeout_ms;
    request_.abort = &exit_flag;  // how Shutdown() stops waiting for a slow collector
    request_.max_response_bytes = kMaxResponseBytes;
    request_.headers.emplace_back("Content-Type", "application/json");
    for (const auto& [name, value] : options.headers) {
      if (name.empty() || HasLineBreak(name) || HasLineBreak(value)) {
        logger.Warn("tracing: ignoring an OTLP header with an empty name or a line break (name '" +
                    (HasLineBreak(name) ? std::string("?") : name) + "')");
        continue;
      }
      request_.headers.emplace_back(name, value);
    }
  }

  PostResult Post(const std::string& body) {
    request_.body = body;
    TransportResult sent = curl_.Send(request_);
    request_.body.clear();
    PostResult result;
    if (auto* error = std::get_if<TransportError>(&sent)) {
      result.error = std::move(*error);
      return result;
    }
    HttpResponse& response = std::get<HttpResponse>(sent);
    result.status = response.status;
    result.body = std::move(response.body);
    return result;
  }

 private:
  net::CurlTransport curl_;
  HttpRequest request_;
};

OtlpExporter::OtlpExporter(OtlpExporterOptions options)
    : options_(Sanitized(std::move(options))),
      url_(TracesUrl(options_.endpoint)),
      log_url_(net::UrlForLogs(url_)),
      logger_(options_.logger != nullptr ? *options_.logger : NullLogger::Instance()) {
  if (options_.registry != nullptr) metrics_ = std::make_unique<Metrics>(*options_.registry);
  transport_ = std::make_unique<Transport>(options_, url_, exit_, logger_);
  worker_ = std::thread([this] { Run(); });
}

OtlpExporter::~OtlpExporter() { Shutdown(kDestructorShutdownMs); }

void OtlpExporter::Export(SpanData span) {
  bool dropped = false;
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!accepting_ || queue_.size() >= options_.max_queue) {
      dropped = true;
    } else {
      queue_.push_back(std::move(span));
      ++accepted_;
      wake = queue_.size() == options_.max_batch;  // only on reaching it: no wake-up per span
      if (metrics_) metrics_->queue_depth.Set(static_cast<double>(queue_.size()));
    }
  }
  if (dropped) CountDropped(1, /*queue_full=*/true);
  if (wake) work_cv_.notify_one();
}

bool OtlpExporter::Flush(milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  const uint64_t target = accepted_;
  if (settled_ >= target) return true;
  flush_target_ = std::max(flush_target_, target);
  work_cv_.notify_one();
  return settled_cv_.wait_for(lock, timeout, [&] { return settled_ >= target; });
}

void OtlpExporter::Shutdown(int64_t timeout_ms) {
  std::lock_guard<std::mutex> once(shutdown_mu_);
  if (shut_down_) return;
  shut_down_ = true;
  {
    std::lock_guard<std::mutex> lock(mu_);
    accepting_ = false;
  }
  Flush(milliseconds(std::max<int64_t>(0, timeout_ms)));
  {
    std::lock_guard<std::mutex> lock(mu_);  // under mu_: the worker cannot miss it between check and wait
    exit_.store(true);
  }
  work_cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

size_t OtlpExporter::queue_depth() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.size();
}

void OtlpExporter::Run() {
  // Encoding and sending spans is background work: at a lower priority
  // (nice +10 for this thread only) it takes the CPU the engine's workers
  // leave idle instead of competing with checkpoints. If that is not enough
  // the queue fills and spans are dropped (counted), as designed.
  setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), kExportThreadNice);
  const milliseconds interval(options_.flush_interval_ms);
  std::unique_lock<std::mutex> lock(mu_);
  auto next_timed_send = Clock::now() + interval;
  while (!exit_.load()) {
    const bool woken = work_cv_.wait_until(lock, next_timed_send, [&] {
      return exit_.load() || queue_.size() >= options_.max_batch || (flush_target_ > settled_ && !queue_.empty());
    });
    if (exit_.load()) break;
    if (!woken) next_timed_send = Clock::now() + interval;  // the interval passed: send what there is
    if (queue_.empty()) continue;
    const size_t n = std::min(queue_.size(), options_.max_batch);
    std::vector<SpanData> batch(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.begin() + n));
    queue_.erase(queue_.begin(), queue_.begin() + n);
    if (metrics_) metrics_->queue_depth.Set(static_cast<double>(queue_.size()));
    lock.unlock();
    Deliver(std::move(batch));  // counts before settling, so Flush() returns with counters current
    lock.lock();
    settled_ += n;
    settled_cv_.notify_all();
  }
  // Shutting down: what is still queued will not be sent.
  const size_t left = queue_.size();
  queue_.clear();
  if (metrics_) metrics_->queue_depth.Set(0);
  lock.unlock();
  if (left > 0) {
    CountDropped(static_cast<int64_t>(left), /*queue_full=*/false);
    logger_.Warn("tracing: shutting down with " + std::to_string(left) + " span(s) not yet exported to " +
                 log_url_ + "; they are dropped");
  }
  lock.lock();
  settled_ += left;
  settled_cv_.notify_all();
}

void OtlpExporter::Deliver(std::vector<SpanData> batch) {
  const auto n = static_cast<int64_t>(batch.size());
  const std::string body = EncodeOtlpJson(batch, options_.resource);
  batch.clear();
  PostResult result;
  int tries = 0;
  milliseconds backoff = kFirstBackoff;
  for (;;) {
    result = transport_->Post(body);
    ++tries;
    if (result.ok() || !result.retryable() || tries > options_.max_retries || exit_.load()) break;
    if (!Backoff(backoff)) break;
    backoff = std::min(backoff * 2, kMaxBackoff);
  }
  if (result.ok()) {
    std::string message;
    const int64_t rejected = std::clamp<int64_t>(RejectedSpans(result.body, &message), 0, n);
    exported_.fetch_add(n - rejected, std::memory_order_relaxed);
    if (metrics_) metrics_->exported.Inc(n - rejected);
    if (rejected > 0) {
      CountDropped(rejected, /*queue_full=*/false);
      LogFailure(log_url_ + " rejected " + std::to_string(rejected) + " of " + std::to_string(n) +
                 " span(s) (partial success: " + message + "); they are dropped");
    }
    return;
  }
  failed_batches_.fetch_add(1, std::memory_order_relaxed);
  if (metrics_) metrics_->failures.Inc();
  CountDropped(n, /*queue_full=*/false);
  LogFailure("could not export " + std::to_string(n) + " span(s) to " + log_url_ + ": " + result.Describe() +
             " after " + std::to_string(tries) + " tr" + (tries == 1 ? "y" : "ies") + "; they are dropped");
}

bool OtlpExporter::Backoff(milliseconds delay) {
  std::unique_lock<std::mutex> lock(mu_);
  return !work_cv_.wait_for(lock, delay, [&] { return exit_.load(); });
}

void OtlpExporter::CountDropped(int64_t n, bool queue_full) {
  (queue_full ? dropped_queue_full_ : dropped_export_failed_).fetch_add(n, std::memory_order_relaxed);
  if (metrics_) (queue_full ? metrics_->dropped_queue_full : metrics_->dropped_export_failed).Inc(n);
}

void OtlpExporter::LogFailure(const std::string& what) {
  // A collector that is down fails every batch: one line per interval is
  // enough to notice, the metrics give the full count.
  const auto now = Clock::now();
  if (failure_logged_ && now - last_failure_log_ < kFailureLogInterval) {
    ++failures_not_logged_;
    return;
  }
  std::string line = "tracing: " + what;
  if (failures_not_logged_ > 0) {
    line += " (" + std::to_string(failures_not_logged_) + " more export failure(s) since the last such line)";
  }
  logger_.Warn(line);
  failure_logged_ = true;
  last_failure_log_ = now;
  failures_not_logged_ = 0;
}

}  // namespace steadfast::tracing
