// Edit distance and closest-match suggestions for diagnostics.
#include "definition/suggest.h"

#include <algorithm>

namespace steadfast {

int EditDistance(std::string_view a, std::string_view b) {
  // Inputs are YAML keys and names; cap the work so a pathological key of
  // megabytes cannot make diagnostics quadratic-slow.
  constexpr size_t kMax = 256;
  if (a.size() > kMax || b.size() > kMax) return static_cast<int>(std::max(a.size(), b.size()));
  const size_t n = a.size();
  const size_t m = b.size();
  std::vector<std::vector<int>> d(n + 1, std::vector<int>(m + 1, 0));
  for (size_t i = 0; i <= n; ++i) d[i][0] = static_cast<int>(i);
  for (size_t j = 0; j <= m; ++j) d[0][j] = static_cast<int>(j);
  for (size_t i = 1; i <= n; ++i) {
    for (size_t j = 1; j <= m; ++j) {
      int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[n][m];
}

std::string ClosestMatch(std::string_view word, const std::vector<std::string>& candidates) {
  const int limit = std::max(1, std::min(3, static_cast<int>(word.size()) / 3));
  std::string best;
  int best_distance = limit + 1;
  for (const std::string& c : candidates) {
    int dist = EditDistance(word, c);
    if (dist < best_distance) {
      best_distance = dist;
      best = c;
    }
  }
  return best;
}

std::string DidYouMean(std::string_view word, const std::vector<std::string>& candidates) {
  std::string match = ClosestMatch(word, candidates);
  return match.empty() ? "" : " (did you mean '" + match + "'?)";
}

}  // namespace steadfast
