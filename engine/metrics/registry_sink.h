// RegistrySink: the public MetricsSink (steadfast/metrics.h) over a
// Registry, so plugin metrics render on the same /metrics page as the
// engine's. The metric classes implement the public interfaces themselves,
// so the sink hands out the registry's own objects.
#ifndef STEADFAST_METRICS_REGISTRY_SINK_H_
#define STEADFAST_METRICS_REGISTRY_SINK_H_

#include "metrics/registry.h"
#include "steadfast/metrics.h"

namespace steadfast::metrics {

class RegistrySink final : public MetricsSink {
 public:
  // registry must outlive the sink.
  explicit RegistrySink(Registry& registry) : registry_(registry) {}

  CounterMetric& Counter(const std::string& name, const std::string& help) override;
  GaugeMetric& Gauge(const std::string& name, const std::string& help) override;
  HistogramMetric& Histogram(const std::string& name, const std::string& help, std::vector<double> buckets) override;
  MetricFamily<CounterMetric>& CounterFamily(const std::string& name, const std::string& help,
                                             std::vector<std::string> labels, size_t max_series) override;
  MetricFamily<GaugeMetric>& GaugeFamily(const std::string& name, const std::string& help,
                                         std::vector<std::string> labels, size_t max_series) override;
  MetricFamily<HistogramMetric>& HistogramFamily(const std::string& name, const std::string& help,
                                                 std::vector<std::string> labels, std::vector<double> buckets,
                                                 size_t max_series) override;
  void SetCollector(const std::string& key, std::function<void()> collect) override;
  std::vector<double> WorkflowLatencyBuckets() const override;

 private:
  Registry& registry_;
};

}  // namespace steadfast::metrics

#endif  // STEADFAST_METRICS_REGISTRY_SINK_H_
