// Prometheus text for the HTTP counters and instance gauges.
#include "http/http_metrics.h"

#include "metrics/exposition.h"

namespace steadfast::http {
namespace {

std::string_view KnownMethod(std::string_view m) {
  for (std::string_view k : {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}) {
    if (m == k) return k;
  }
  return "OTHER";
}

constexpr InstanceStatus kAllStatuses[] = {
    InstanceStatus::kRunning, InstanceStatus::kWaitingSignal, InstanceStatus::kWaitingApproval,
    InstanceStatus::kPaused,  InstanceStatus::kCompensating,  InstanceStatus::kCompleted,
    InstanceStatus::kFailed,  InstanceStatus::kCompensated,   InstanceStatus::kCancelled,
    InstanceStatus::kSleeping, InstanceStatus::kContinued,    InstanceStatus::kWaitingChild,
};

}  // namespace

void HttpMetrics::Record(std::string_view route, std::string_view method, int status) {
  std::lock_guard<std::mutex> lock(mu_);
  ++requests_[{std::string(route), std::string(KnownMethod(method)), status}];
  if (status == 429) ++rate_limited_;
}

std::string HttpMetrics::Render() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out =
      "# HELP steadfast_http_requests_total HTTP requests answered, by route template, method and status.\n"
      "# TYPE steadfast_http_requests_total counter\n";
  for (const auto& [key, n] : requests_) {
    const auto& [route, method, status] = key;
    out += "steadfast_http_requests_total{route=\"" + metrics::EscapeLabelValue(route) + "\",method=\"" + method +
           "\",status=\"" + std::to_string(status) + "\"} " + std::to_string(n) + "\n";
  }
  out +=
      "# HELP steadfast_http_rate_limited_total Requests refused with 429 by the per-principal rate limit.\n"
      "# TYPE steadfast_http_rate_limited_total counter\n"
      "steadfast_http_rate_limited_total " +
      std::to_string(rate_limited_) + "\n";
  return out;
}

std::string RenderInstanceCounts(const std::vector<std::pair<InstanceStatus, int64_t>>& counts) {
  std::string out =
      "# HELP steadfast_instances Workflow instances in the store, by status.\n"
      "# TYPE steadfast_instances gauge\n";
  for (InstanceStatus s : kAllStatuses) {
    int64_t n = 0;
    for (const auto& [status, count] : counts) {
      if (status == s) n += count;
    }
    out += "steadfast_instances{status=\"" + std::string(InstanceStatusName(s)) + "\"} " + std::to_string(n) + "\n";
  }
  return out;
}

}  // namespace steadfast::http
