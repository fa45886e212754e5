// Histogram: observations counted into fixed buckets (Prometheus type
// `histogram`), for latencies and sizes.
//
// Buckets are upper bounds fixed at construction (sorted, deduplicated; +Inf
// is implicit). Observe() is one binary search and two relaxed atomic adds
// (a compare-and-swap loop for the sum), so workers can record latencies
// without a lock. Rendering gives cumulative `_bucket{le=...}` lines, then
// `_sum` and `_count`. A scrape racing with Observe() may see a count one
// ahead of a bucket; Prometheus tolerates that.
#ifndef STEADFAST_METRICS_HISTOGRAM_H_
#define STEADFAST_METRICS_HISTOGRAM_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "steadfast/metrics.h"

namespace steadfast::metrics {

// Latency buckets in seconds, 5 ms to 10 min: activities, checkpoints.
std::vector<double> LatencyBuckets();
// Longer latencies in seconds, 100 ms to 7 days: whole workflows, refunds
// (which may wait days for a reviewer).
std::vector<double> WorkflowLatencyBuckets();

class Histogram final : public HistogramMetric {
 public:
  using Interface = HistogramMetric;

  explicit Histogram(std::vector<double> upper_bounds);
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  void Observe(double v) override;
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  double sum() const { return sum_.load(std::memory_order_relaxed); }
  // Cumulative count of observations <= bounds()[i]; i == bounds().size() is +Inf.
  uint64_t CumulativeCount(size_t i) const;
  const std::vector<double>& bounds() const { return bounds_; }

  // `name_bucket{labels,le="..."}` lines, `name_sum`, `name_count`.
  void AppendSamples(std::string& out, std::string_view name, std::string_view labels) const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // non-cumulative, bounds_.size() + 1 (+Inf)
  std::atomic<uint64_t> count_{0};
  std::atomic<double> sum_{0.0};
};

}  // namespace steadfast::metrics

#endif  // STEADFAST_METRICS_HISTOGRAM_H_
