// HttpMetrics: the HTTP server's counters, and the /metrics text.
//
// /metrics is Prometheus text exposition (version 0.0.4):
//   steadfast_instances{status="..."}                      gauge, from Store::CountByStatus
//   steadfast_http_requests_total{route,method,status}    counter, one per answered request
//   steadfast_http_rate_limited_total                     counter
// `route` is the route template ("/v1/workflows/{id}"), never the raw path,
// so the label set stays small; requests matching no route count as
// "unmatched". The observability issue adds engine metrics beside these.
#ifndef STEADFAST_HTTP_HTTP_METRICS_H_
#define STEADFAST_HTTP_HTTP_METRICS_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "store/store.h"

namespace steadfast::http {

class HttpMetrics {
 public:
  // Counts one answered request. Thread-safe.
  void Record(std::string_view route, std::string_view method, int status);
  // The HTTP counters as Prometheus text (HELP and TYPE lines included).
  std::string Render() const;

 private:
  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string, int>, int64_t> requests_;  // GUARDED_BY(mu_)
  int64_t rate_limited_ = 0;                                               // GUARDED_BY(mu_)
};

// steadfast_instances{status=...} for every status (zeros included).
std::string RenderInstanceCounts(const std::vector<std::pair<InstanceStatus, int64_t>>& counts);

}  // namespace steadfast::http

#endif  // STEADFAST_HTTP_HTTP_METRICS_H_
