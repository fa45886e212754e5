// Gauge: a value that goes up and down (Prometheus type `gauge`): queue
// depths, ages, breaker states. Set from hot paths or, for values that need
// a store query, by a Registry collector at scrape time. Thread-safe,
// lock-free.
#ifndef STEADFAST_METRICS_GAUGE_H_
#define STEADFAST_METRICS_GAUGE_H_

#include <atomic>
#include <string>
#include <string_view>

#include "metrics/exposition.h"
#include "steadfast/metrics.h"

namespace steadfast::metrics {

class Gauge final : public GaugeMetric {
 public:
  using Interface = GaugeMetric;

  Gauge() = default;
  Gauge(const Gauge&) = delete;
  Gauge& operator=(const Gauge&) = delete;

  void Set(double v) override { value_.store(v, std::memory_order_relaxed); }
  void Add(double d) override {
    double cur = value_.load(std::memory_order_relaxed);
    while (!value_.compare_exchange_weak(cur, cur + d, std::memory_order_relaxed)) {
    }
  }
  double value() const { return value_.load(std::memory_order_relaxed); }

  void AppendSamples(std::string& out, std::string_view name, std::string_view labels) const {
    AppendSample(out, name, labels, value());
  }

 private:
  std::atomic<double> value_{0.0};
};

}  // namespace steadfast::metrics

#endif  // STEADFAST_METRICS_GAUGE_H_
