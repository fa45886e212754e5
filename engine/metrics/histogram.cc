// Fixed-bucket histogram with atomic counts.
#include "metrics/histogram.h"

#include <algorithm>
#include <cmath>

#include "metrics/exposition.h"

namespace steadfast::metrics {

std::vector<double> LatencyBuckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 600};
}

std::vector<double> WorkflowLatencyBuckets() {
  return {0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600, 4 * 3600, 24 * 3600, 3 * 24 * 3600, 7 * 24 * 3600};
}

Histogram::Histogram(std::vector<double> upper_bounds) : bounds_(std::move(upper_bounds)) {
  bounds_.erase(std::remove_if(bounds_.begin(), bounds_.end(), [](double b) { return std::isnan(b) || std::isinf(b); }),
                bounds_.end());
  std::sort(bounds_.begin(), bounds_.end());
  bounds_.erase(std::unique(bounds_.begin(), bounds_.end()), bounds_.end());
  buckets_ = std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1);
  for (size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0, std::memory_order_relaxed);
}

void Histogram::Observe(double v) {
  if (std::isnan(v)) return;
  // First bound >= v: the `le` bucket v belongs to (bounds are inclusive).
  size_t i = static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin());
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  double cur = sum_.load(std::memory_order_relaxed);
  while (!sum_.compare_exchange_weak(cur, cur + v, std::memory_order_relaxed)) {
  }
  count_.fetch_add(1, std::memory_order_relaxed);
}

uint64_t Histogram::CumulativeCount(size_t i) const {
  uint64_t n = 0;
  for (size_t k = 0; k <= i && k <= bounds_.size(); ++k) n += buckets_[k].load(std::memory_order_relaxed);
  return n;
}

void Histogram::AppendSamples(std::string& out, std::string_view name, std::string_view labels) const {
  const std::string bucket = std::string(name) + "_bucket";
  const std::string prefix = labels.empty() ? std::string() : std::string(labels) + ",";
  uint64_t cumulative = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    std::string le = i < bounds_.size() ? FormatValue(bounds_[i]) : "+Inf";
    AppendSample(out, bucket, prefix + "le=\"" + le + "\"", static_cast<double>(cumulative));
  }
  AppendSample(out, std::string(name) + "_sum", labels, sum());
  // _count equals the +Inf bucket as rendered, so the two never disagree in one scrape.
  AppendSample(out, std::string(name) + "_count", labels, static_cast<double>(cumulative));
}

}  // namespace steadfast::metrics
