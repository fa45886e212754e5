// Counter: a monotonically increasing count (Prometheus type `counter`).
//
// Integral on purpose: every counter Steadfast exports counts events or
// minor units of money, and an atomic integer add is the cheapest thing a
// hot path can do. Thread-safe, lock-free.
#ifndef STEADFAST_METRICS_COUNTER_H_
#define STEADFAST_METRICS_COUNTER_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "metrics/exposition.h"
#include "steadfast/metrics.h"

namespace steadfast::metrics {

class Counter final : public CounterMetric {
 public:
  using Interface = CounterMetric;  // what Family<Counter> hands out

  Counter() = default;
  Counter(const Counter&) = delete;
  Counter& operator=(const Counter&) = delete;

  // Adds n (negative n is ignored: a counter never goes down).
  void Inc(int64_t n = 1) override {
    if (n > 0) value_.fetch_add(n, std::memory_order_relaxed);
  }
  // For a counter that mirrors a total kept elsewhere (e.g. the store's
  // commit counters), read at scrape time: takes `total` unless it is lower.
  void Mirror(int64_t total) {
    int64_t cur = value_.load(std::memory_order_relaxed);
    while (total > cur && !value_.compare_exchange_weak(cur, total, std::memory_order_relaxed)) {
    }
  }
  int64_t value() const { return value_.load(std::memory_order_relaxed); }

  // One sample line: `name{labels} value`.
  void AppendSamples(std::string& out, std::string_view name, std::string_view labels) const {
    AppendSample(out, name, labels, static_cast<double>(value()));
  }

 private:
  std::atomic<int64_t> value_{0};
};

}  // namespace steadfast::metrics

#endif  // STEADFAST_METRICS_COUNTER_H_
