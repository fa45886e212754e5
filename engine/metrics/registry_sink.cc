// RegistrySink: plugin metrics in the engine's registry.
#include "metrics/registry_sink.h"

namespace steadfast::metrics {

CounterMetric& RegistrySink::Counter(const std::string& name, const std::string& help) {
  return registry_.AddCounter(name, help);
}

GaugeMetric& RegistrySink::Gauge(const std::string& name, const std::string& help) {
  return registry_.AddGauge(name, help);
}

HistogramMetric& RegistrySink::Histogram(const std::string& name, const std::string& help,
                                         std::vector<double> buckets) {
  return registry_.AddHistogram(name, help, std::move(buckets));
}

MetricFamily<CounterMetric>& RegistrySink::CounterFamily(const std::string& name, const std::string& help,
                                                         std::vector<std::string> labels, size_t max_series) {
  return registry_.AddCounterFamily(name, help, std::move(labels), max_series);
}

MetricFamily<GaugeMetric>& RegistrySink::GaugeFamily(const std::string& name, const std::string& help,
                                                     std::vector<std::string> labels, size_t max_series) {
  return registry_.AddGaugeFamily(name, help, std::move(labels), max_series);
}

MetricFamily<HistogramMetric>& RegistrySink::HistogramFamily(const std::string& name, const std::string& help,
                                                             std::vector<std::string> labels,
                                                             std::vector<double> buckets, size_t max_series) {
  return registry_.AddHistogramFamily(name, help, std::move(labels), std::move(buckets), max_series);
}

void RegistrySink::SetCollector(const std::string& key, std::function<void()> collect) {
  registry_.SetCollector(key, std::move(collect));
}

std::vector<double> RegistrySink::WorkflowLatencyBuckets() const { return metrics::WorkflowLatencyBuckets(); }

}  // namespace steadfast::metrics
