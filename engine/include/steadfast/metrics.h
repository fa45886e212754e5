// MetricsSink: a plugin's Prometheus metrics, exposed by `steadfast serve` at
// /metrics beside the engine's own (docs/observability.md).
//
// A plugin gets its sink through PluginContext::metrics. Metrics are added
// once, usually at plugin init, with a name, HELP text and, for families,
// declared label names; adding a name again returns the existing metric when
// its type and labels match (so a plugin set up twice reuses its metrics).
// A clash (same name, other type or labels) or an invalid name is a
// programming error: it throws std::logic_error, which the engine reports
// as the plugin's init failure.
//
// Labels are bounded: each family keeps at most max_series label-value
// combinations, and further new ones all share one child whose every label
// is "other", so a surprising value (an unexpected error code) cannot grow
// the page without limit. Never use instance, customer or payment ids as
// label values.
//
// Collectors are functions run at the start of every scrape, for values
// that are read rather than counted (a table's row count, a circuit
// breaker's state): they set gauges, and the page shows what they set.
//
// Every metric object is thread-safe and lives as long as the sink.
#ifndef STEADFAST_METRICS_H_
#define STEADFAST_METRICS_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace steadfast {

inline constexpr size_t kDefaultMaxMetricSeries = 500;

// A monotonically increasing count (Prometheus `counter`), integral: events
// or minor units of money.
class CounterMetric {
 public:
  virtual void Inc(int64_t n = 1) = 0;  // negative n is ignored

 protected:
  ~CounterMetric() = default;
};

// A value that goes up and down (Prometheus `gauge`).
class GaugeMetric {
 public:
  virtual void Set(double v) = 0;
  virtual void Add(double d) = 0;

 protected:
  ~GaugeMetric() = default;
};

// Observations counted into fixed buckets (Prometheus `histogram`).
class HistogramMetric {
 public:
  virtual void Observe(double v) = 0;

 protected:
  ~HistogramMetric() = default;
};

// One metric name with declared labels; a child per label-value combination.
template <class M>
class MetricFamily {
 public:
  // The child for these values, one per declared label name, in order
  // (missing ones are "", extra ones ignored). The reference stays valid for
  // the sink's life, so hot paths may keep it.
  virtual M& WithLabels(std::vector<std::string> values) = 0;

 protected:
  ~MetricFamily() = default;
};

class MetricsSink {
 public:
  virtual ~MetricsSink() = default;

  virtual CounterMetric& Counter(const std::string& name, const std::string& help) = 0;
  virtual GaugeMetric& Gauge(const std::string& name, const std::string& help) = 0;
  // buckets: upper bounds in ascending order (+Inf is implicit).
  virtual HistogramMetric& Histogram(const std::string& name, const std::string& help,
                                     std::vector<double> buckets) = 0;
  virtual MetricFamily<CounterMetric>& CounterFamily(const std::string& name, const std::string& help,
                                                     std::vector<std::string> labels,
                                                     size_t max_series = kDefaultMaxMetricSeries) = 0;
  virtual MetricFamily<GaugeMetric>& GaugeFamily(const std::string& name, const std::string& help,
                                                 std::vector<std::string> labels,
                                                 size_t max_series = kDefaultMaxMetricSeries) = 0;
  virtual MetricFamily<HistogramMetric>& HistogramFamily(const std::string& name, const std::string& help,
                                                         std::vector<std::string> labels, std::vector<double> buckets,
                                                         size_t max_series = kDefaultMaxMetricSeries) = 0;

  // Runs `collect` before every scrape. `key` names it: setting a key again
  // replaces the collector (a plugin set up again does not add a second).
  // It may outlive the plugin's objects: capture shared or weak ownership.
  virtual void SetCollector(const std::string& key, std::function<void()> collect) = 0;

  // The engine's buckets for durations of whole workflows, in seconds,
  // 100 ms to 7 days (those of steadfast_workflow_duration_seconds).
  virtual std::vector<double> WorkflowLatencyBuckets() const = 0;
};

// The label value every overflowing combination shares.
inline constexpr const char* kOverflowMetricLabel = "other";

}  // namespace steadfast

#endif  // STEADFAST_METRICS_H_
