// Registration and rendering of the process's metrics.
#include "metrics/registry.h"

#include <stdexcept>

namespace steadfast::metrics {
namespace {

void CheckNames(const std::string& name, const std::vector<std::string>& labels) {
  if (!IsValidMetricName(name)) throw std::logic_error("invalid metric name '" + name + "'");
  for (const std::string& l : labels) {
    if (!IsValidLabelName(l) || l == "le") throw std::logic_error("invalid label name '" + l + "' of " + name);
  }
}

const char* TypeName(size_t index) {
  switch (index) {
    case 0:
    case 3: return "counter";
    case 1:
    case 4: return "gauge";
    default: return "histogram";
  }
}

}  // namespace

template <class T, class Make>
T& Registry::GetOrAdd(const std::string& name, const std::string& help, const std::vector<std::string>& labels,
                      Make make) {
  CheckNames(name, labels);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(name);
  if (it != entries_.end()) {
    auto* existing = std::get_if<std::unique_ptr<T>>(&it->second.metric);
    if (existing == nullptr || it->second.labels != labels) {
      throw std::logic_error("metric '" + name + "' was already added with another type or labels");
    }
    return **existing;
  }
  std::unique_ptr<T> metric = make();
  T& ref = *metric;
  entries_.emplace(name, Entry{help, labels, Metric(std::move(metric))});
  return ref;
}

Counter& Registry::AddCounter(const std::string& name, const std::string& help) {
  return GetOrAdd<Counter>(name, help, {}, [] { return std::make_unique<Counter>(); });
}

Gauge& Registry::AddGauge(const std::string& name, const std::string& help) {
  return GetOrAdd<Gauge>(name, help, {}, [] { return std::make_unique<Gauge>(); });
}

Histogram& Registry::AddHistogram(const std::string& name, const std::string& help, std::vector<double> buckets) {
  return GetOrAdd<Histogram>(name, help, {}, [&] { return std::make_unique<Histogram>(std::move(buckets)); });
}

Family<Counter>& Registry::AddCounterFamily(const std::string& name, const std::string& help,
                                            std::vector<std::string> labels, size_t max_series) {
  return GetOrAdd<Family<Counter>>(name, help, labels, [&] {
    return std::make_unique<Family<Counter>>(labels, [] { return std::make_unique<Counter>(); }, max_series);
  });
}

Family<Gauge>& Registry::AddGaugeFamily(const std::string& name, const std::string& help,
                                        std::vector<std::string> labels, size_t max_series) {
  return GetOrAdd<Family<Gauge>>(name, help, labels, [&] {
    return std::make_unique<Family<Gauge>>(labels, [] { return std::make_unique<Gauge>(); }, max_series);
  });
}

Family<Histogram>& Registry::AddHistogramFamily(const std::string& name, const std::string& help,
                                                std::vector<std::string> labels, std::vector<double> buckets,
                                                size_t max_series) {
  return GetOrAdd<Family<Histogram>>(name, help, labels, [&] {
    return std::make_unique<Family<Histogram>>(
        labels, [buckets] { return std::make_unique<Histogram>(buckets); }, max_series);
  });
}

void Registry::SetCollector(const std::string& key, std::function<void()> collect) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [k, fn] : collectors_) {
    if (k == key) {
      fn = std::move(collect);
      return;
    }
  }
  collectors_.emplace_back(key, std::move(collect));
}

std::string Registry::Render() const {
  std::lock_guard<std::mutex> render_lock(render_mu_);
  std::vector<std::function<void()>> collectors;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [key, fn] : collectors_) collectors.push_back(fn);
  }
  // Outside mu_: a collector may add metrics.
  for (const auto& fn : collectors) fn();

  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  for (const auto& [name, entry] : entries_) {
    out += "# HELP " + name + " " + EscapeHelp(entry.help) + "\n";
    out += "# TYPE " + name + " " + TypeName(entry.metric.index()) + "\n";
    // A plain reference for the lambda: clang before 16 cannot capture a
    // structured binding.
    const std::string& family = name;
    std::visit(
        [&](const auto& m) {
          using T = std::decay_t<decltype(*m)>;
          if constexpr (std::is_same_v<T, Counter> || std::is_same_v<T, Gauge> || std::is_same_v<T, Histogram>) {
            m->AppendSamples(out, family, "");
          } else {
            m->AppendSamples(out, family);
          }
        },
        entry.metric);
  }
  return out;
}

std::vector<std::string> Registry::Names() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> names;
  for (const auto& [name, entry] : entries_) names.push_back(name);
  return names;
}

Registry& DefaultRegistry() {
  static Registry* registry = new Registry();  // never destroyed: plugins may touch it during exit
  return *registry;
}

}  // namespace steadfast::metrics
