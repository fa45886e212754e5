// Route matching.
#include "http/router.h"

namespace steadfast::http {

std::vector<std::string> SplitPath(std::string_view path) {
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) {
      out.emplace_back(path.substr(start));
      return out;
    }
    out.emplace_back(path.substr(start, slash - start));
    start = slash + 1;
  }
}

size_t Router::Add(std::string method, std::string_view pattern) {
  Route r;
  r.method = std::move(method);
  r.pattern = std::string(pattern);
  r.parts = SplitPath(pattern);
  routes_.push_back(std::move(r));
  return routes_.size() - 1;
}

bool Router::Matches(const Route& r, const std::vector<std::string>& segments, PathParams* params) {
  if (r.parts.size() != segments.size()) return false;
  for (size_t i = 0; i < segments.size(); ++i) {
    const std::string& p = r.parts[i];
    bool is_param = p.size() > 2 && p.front() == '{' && p.back() == '}';
    if (is_param) {
      if (segments[i].empty()) return false;
      if (params) (*params)[p.substr(1, p.size() - 2)] = segments[i];
    } else if (p != segments[i]) {
      return false;
    }
  }
  return true;
}

std::vector<std::pair<std::string, std::string>> Router::Routes() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const Route& r : routes_) out.emplace_back(r.method, r.pattern);
  return out;
}

RouteLookup Router::Find(std::string_view method, const std::vector<std::string>& segments) const {
  RouteLookup out;
  for (size_t i = 0; i < routes_.size(); ++i) {
    const Route& r = routes_[i];
    if (!Matches(r, segments, nullptr)) continue;
    if (r.method == method) {
      out.result = RouteResult::kFound;
      out.index = i;
      out.pattern = r.pattern;
      out.params.clear();
      Matches(r, segments, &out.params);
      return out;
    }
    out.result = RouteResult::kMethodNotAllowed;
    if (out.pattern.empty()) out.pattern = r.pattern;
    if (out.allow.find(r.method) == std::string::npos) out.allow += (out.allow.empty() ? "" : ", ") + r.method;
  }
  return out;
}

}  // namespace steadfast::http
