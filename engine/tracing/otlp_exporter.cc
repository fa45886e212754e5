// OtlpExporter: the bounded queue, the batching thread and the libcurl POST.
#include "tracing/otlp_exporter.h"

#include <curl/curl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <string_view>

#include <nlohmann/json.hpp>

namespace steadfast::tracing {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr std::string_view kTracesPath = "/v1/traces";
constexpr milliseconds kFirstBackoff{200};
constexpr milliseconds kMaxBackoff{5000};
constexpr auto kFailureLogInterval = std::chrono::seconds(30);
constexpr size_t kMaxResponseBytes = 64 * 1024;  // enough for any OTLP answer; a bigger one is cut

void CurlGlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// <endpoint>/v1/traces, the path added before any query (CURLU does the
// URL grammar); an endpoint libcurl cannot parse gets the path appended
// and fails, visibly, at the first post.
std::string TracesUrl(const std::string& endpoint) {
  const auto with_path = [](std::string path) {
    while (!path.empty() && path.back() == '/') path.pop_back();
    return path.ends_with(kTracesPath) ? path : path + std::string(kTracesPath);
  };
  CurlGlobalInit();
  CURLU* parsed = curl_url();
  std::string out;
  char* path = nullptr;
  char* text = nullptr;
  if (parsed != nullptr && curl_url_set(parsed, CURLUPART_URL, endpoint.c_str(), 0) == CURLUE_OK &&
      curl_url_get(parsed, CURLUPART_PATH, &path, 0) == CURLUE_OK &&
      curl_url_set(parsed, CURLUPART_PATH, with_path(path).c_str(), 0) == CURLUE_OK &&
      curl_url_get(parsed, CURLUPART_URL, &text, 0) == CURLUE_OK) {
    out = text;
  } else {
    out = with_path(endpoint);
  }
  curl_free(path);
  curl_free(text);
  curl_url_cleanup(parsed);
  return out;
}

// The URL as it may appear in a log line: user info, query and fragment can
// carry credentials.
std::string UrlForLogs(const std::string& url) {
  CURLU* parsed = curl_url();
  if (parsed == nullptr) return "(endpoint)";
  std::string out = "(unparsable endpoint)";
  if (curl_url_set(parsed, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK) {
    for (CURLUPart part : {CURLUPART_USER, CURLUPART_PASSWORD, CURLUPART_OPTIONS, CURLUPART_QUERY,
                           CURLUPART_FRAGMENT}) {
      curl_url_set(parsed, part, nullptr, 0);
    }
    char* text = nullptr;
    if (curl_url_get(parsed, CURLUPART_URL, &text, 0) == CURLUE_OK) {
      out = text;
      curl_free(text);
    }
  }
  curl_url_cleanup(parsed);
  return out;
}

bool HasLineBreak(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

size_t AppendResponse(char* data, size_t size, size_t count, void* user) {
  auto* body = static_cast<std::string*>(user);
  const size_t n = size * count;
  body->append(data, std::min(n, kMaxResponseBytes - std::min(kMaxResponseBytes, body->size())));
  return n;
}

// libcurl's progress hook: a non-zero return aborts the transfer, which is
// how Shutdown() stops waiting for a slow collector.
int AbortWhenExiting(void* exit_flag, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<const std::atomic<bool>*>(exit_flag)->load() ? 1 : 0;
}

// Worth another try: the collector may be back in a moment.
bool IsRetryableCurlError(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
      return true;
    default:
      return false;
  }
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
  CURLcode curl = CURLE_OK;
  std::string curl_error;  // set with curl != CURLE_OK
  long status = 0;         // HTTP status when curl == CURLE_OK
  std::string body;

  bool ok() const { return curl == CURLE_OK && status >= 200 && status < 300; }
  bool retryable() const { return curl == CURLE_OK ? IsRetryableStatus(status) : IsRetryableCurlError(curl); }
  std::string Describe() const {
    if (curl == CURLE_OK) return "HTTP " + std::to_string(status);
    return "curl error " + std::to_string(static_cast<int>(curl)) + " (" + curl_error + ")";
  }
};

// One libcurl easy handle, reused for every POST so the connection is kept
// alive between batches. Used by the worker thread only.
class OtlpExporter::Transport {
 public:
  Transport(const OtlpExporterOptions& options, const std::string& url, const std::atomic<bool>& exit_flag,
            Logger& logger) {
    CurlGlobalInit();
    easy_ = curl_easy_init();
    AddHeader("Content-Type: application/json");
    AddHeader("Expect:");  // no 100-continue round trip before each batch
    for (const auto& [name, value] : options.headers) {
      if (name.empty() || HasLineBreak(name) || HasLineBreak(value)) {
        logger.Warn("tracing: ignoring an OTLP header with an empty name or a line break (name '" +
                    (HasLineBreak(name) ? std::string("?") : name) + "')");
        continue;
      }
      AddHeader(name + ": " + value);
    }
    if (easy_ == nullptr) return;
    curl_easy_setopt(easy_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(easy_, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy_, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(easy_, CURLOPT_TIMEOUT_MS, static_cast<long>(options.export_timeout_ms));
    curl_easy_setopt(easy_, CURLOPT_HTTPHEADER, headers_);
    curl_easy_setopt(easy_, CURLOPT_POST, 1L);
    curl_easy_setopt(easy_, CURLOPT_WRITEFUNCTION, &AppendResponse);
    curl_easy_setopt(easy_, CURLOPT_ERRORBUFFER, error_);
    curl_easy_setopt(easy_, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(easy_, CURLOPT_XFERINFOFUNCTION, &AbortWhenExiting);
    curl_easy_setopt(easy_, CURLOPT_XFERINFODATA, const_cast<std::atomic<bool>*>(&exit_flag));
  }
  ~Transport() {
    if (easy_ != nullptr) curl_easy_cleanup(easy_);
    curl_slist_free_all(headers_);
  }
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  PostResult Post(const std::string& body) {
    PostResult result;
    if (easy_ == nullptr) {
      result.curl = CURLE_FAILED_INIT;
      result.curl_error = "curl_easy_init failed";
      return result;
    }
    error_[0] = '\0';
    curl_easy_setopt(easy_, CURLOPT_POSTFIELDS, body.data());  // not copied: body outlives the perform
    curl_easy_setopt(easy_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(easy_, CURLOPT_WRITEDATA, &result.body);
    result.curl = curl_easy_perform(easy_);
    if (result.curl != CURLE_OK) {
      result.curl_error = curl_easy_strerror(result.curl);
      if (error_[0] != '\0') result.curl_error += std::string(": ") + error_;
      return result;
    }
    curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &result.status);
    return result;
  }

 private:
  void AddHeader(const std::string& line) {
    if (curl_slist* next = curl_slist_append(headers_, line.c_str())) headers_ = next;
  }

  CURL* easy_ = nullptr;
  curl_slist* headers_ = nullptr;
  char error_[CURL_ERROR_SIZE] = {0};
};

OtlpExporter::OtlpExporter(OtlpExporterOptions options)
    : options_(Sanitized(std::move(options))),
      url_(TracesUrl(options_.endpoint)),
      log_url_(UrlForLogs(url_)),
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
