// Registry: the metrics of a process, rendered as one /metrics page.
//
// Metrics are added once (usually at start-up) with a name, HELP text and,
// for families, label names; adding a name again returns the existing metric
// when its type and labels match (so a plugin registered twice reuses its
// metrics) and throws std::logic_error otherwise: that is a programming
// error, not a runtime condition. Names and label names are checked the
// same way.
//
// Collectors are functions run at the start of every Render(), for values
// that are read rather than counted (a store query, a circuit breaker's
// state): they set gauges, and the page shows what they set.
//
// DefaultRegistry() is the process-wide one `steadfast serve` exposes at
// /metrics; plugins add their metrics to it. Thread-safe.
#ifndef STEADFAST_METRICS_REGISTRY_H_
#define STEADFAST_METRICS_REGISTRY_H_

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "metrics/counter.h"
#include "metrics/family.h"
#include "metrics/gauge.h"
#include "metrics/histogram.h"

namespace steadfast::metrics {

class Registry {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  Counter& AddCounter(const std::string& name, const std::string& help);
  Gauge& AddGauge(const std::string& name, const std::string& help);
  Histogram& AddHistogram(const std::string& name, const std::string& help, std::vector<double> buckets);
  Family<Counter>& AddCounterFamily(const std::string& name, const std::string& help,
                                    std::vector<std::string> labels, size_t max_series = kDefaultMaxSeries);
  Family<Gauge>& AddGaugeFamily(const std::string& name, const std::string& help, std::vector<std::string> labels,
                                size_t max_series = kDefaultMaxSeries);
  Family<Histogram>& AddHistogramFamily(const std::string& name, const std::string& help,
                                        std::vector<std::string> labels, std::vector<double> buckets,
                                        size_t max_series = kDefaultMaxSeries);

  // Runs before every Render(), in the order added. `key` names it: adding
  // a collector with a key already present replaces it (a plugin set up
  // again replaces its collector instead of adding a second).
  void SetCollector(const std::string& key, std::function<void()> collect);

  // Every metric in name order: `# HELP`, `# TYPE`, then the samples.
  std::string Render() const;
  // Names of the metrics added so far (histograms by their base name).
  std::vector<std::string> Names() const;

 private:
  using Metric = std::variant<std::unique_ptr<Counter>, std::unique_ptr<Gauge>, std::unique_ptr<Histogram>,
                              std::unique_ptr<Family<Counter>>, std::unique_ptr<Family<Gauge>>,
                              std::unique_ptr<Family<Histogram>>>;
  struct Entry {
    std::string help;
    std::vector<std::string> labels;
    Metric metric;
  };
  // The entry named `name` of alternative T, created by make() if absent.
  template <class T, class Make>
  T& GetOrAdd(const std::string& name, const std::string& help, const std::vector<std::string>& labels, Make make);

  mutable std::mutex mu_;
  std::map<std::string, Entry> entries_;                                   // GUARDED_BY(mu_)
  std::vector<std::pair<std::string, std::function<void()>>> collectors_;  // GUARDED_BY(mu_)
  mutable std::mutex render_mu_;  // one Render() at a time: collectors need not be reentrant
};

Registry& DefaultRegistry();

}  // namespace steadfast::metrics

#endif  // STEADFAST_METRICS_REGISTRY_H_
