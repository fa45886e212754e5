// Family: one metric name with labels, e.g.
//   steadfast_activity_attempts_total{activity="refund.psp_refund",outcome="failed"}
// Each distinct label-value combination is a child metric (Counter, Gauge or
// Histogram), created on first use and kept for the life of the process.
//
// Cardinality is bounded: after `max_series` children, further new
// combinations all share one child whose every label is "other", so a
// surprising label value (an unexpected error code, a bad currency) cannot
// grow the exposition without limit. Never use instance or customer ids as
// label values.
//
// WithLabels() takes a shared lock for a lookup (an exclusive one only to
// create a child); the returned reference stays valid for the family's life,
// so hot paths may keep it.
#ifndef STEADFAST_METRICS_FAMILY_H_
#define STEADFAST_METRICS_FAMILY_H_

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/exposition.h"
#include "steadfast/metrics.h"

namespace steadfast::metrics {

inline constexpr size_t kDefaultMaxSeries = kDefaultMaxMetricSeries;
inline constexpr const char* kOverflowLabelValue = kOverflowMetricLabel;

// Also the public MetricFamily of M's interface (steadfast/metrics.h), so
// plugins get families straight from the registry.
template <class M>
class Family final : public MetricFamily<typename M::Interface> {
 public:
  using Factory = std::function<std::unique_ptr<M>()>;

  Family(std::vector<std::string> label_names, Factory factory, size_t max_series = kDefaultMaxSeries)
      : label_names_(std::move(label_names)), factory_(std::move(factory)), max_series_(max_series) {}
  Family(const Family&) = delete;
  Family& operator=(const Family&) = delete;

  // The child for these values (one per label name, in order; missing ones
  // are "", extra ones ignored).
  M& WithLabels(std::vector<std::string> values) override {
    values.resize(label_names_.size());
    {
      std::shared_lock<std::shared_mutex> lock(mu_);
      auto it = children_.find(values);
      if (it != children_.end()) return *it->second.metric;
    }
    std::unique_lock<std::shared_mutex> lock(mu_);
    auto it = children_.find(values);
    if (it != children_.end()) return *it->second.metric;
    if (children_.size() >= max_series_) {
      values.assign(label_names_.size(), kOverflowLabelValue);
      it = children_.find(values);
      if (it != children_.end()) return *it->second.metric;
    }
    Child child{RenderLabels(label_names_, values), factory_()};
    return *children_.emplace(std::move(values), std::move(child)).first->second.metric;
  }

  const std::vector<std::string>& label_names() const { return label_names_; }
  size_t size() const {
    std::shared_lock<std::shared_mutex> lock(mu_);
    return children_.size();
  }

  // Every child's samples, in label-value order.
  void AppendSamples(std::string& out, std::string_view name) const {
    std::shared_lock<std::shared_mutex> lock(mu_);
    for (const auto& [values, child] : children_) child.metric->AppendSamples(out, name, child.labels);
  }

 private:
  struct Child {
    std::string labels;  // pre-rendered `a="x",b="y"`
    std::unique_ptr<M> metric;
  };

  const std::vector<std::string> label_names_;
  const Factory factory_;
  const size_t max_series_;
  mutable std::shared_mutex mu_;
  std::map<std::vector<std::string>, Child> children_;  // GUARDED_BY(mu_)
};

}  // namespace steadfast::metrics

#endif  // STEADFAST_METRICS_FAMILY_H_
