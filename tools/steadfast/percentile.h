// Nearest-rank percentiles of latency samples, for the bench commands.
#ifndef STEADFAST_TOOLS_PERCENTILE_H_
#define STEADFAST_TOOLS_PERCENTILE_H_

#include <algorithm>
#include <vector>

namespace steadfast::cli {

// p in [0, 1]; 0 for no samples.
inline double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

}  // namespace steadfast::cli

#endif  // STEADFAST_TOOLS_PERCENTILE_H_
