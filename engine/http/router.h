// Router: method + path -> route, with the 404/405 distinction.
//
// Patterns are literal segments and `{name}` parameters, e.g.
// "/v1/workflows/{id}/approvals/{step}". A parameter matches one non-empty,
// already percent-decoded segment. When the path matches some pattern but
// not with this method, the lookup says so and lists the allowed methods
// (for the 405 answer's Allow header).
#ifndef STEADFAST_HTTP_ROUTER_H_
#define STEADFAST_HTTP_ROUTER_H_

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace steadfast::http {

using PathParams = std::map<std::string, std::string, std::less<>>;

enum class RouteResult : int { kFound = 0, kNotFound = 1, kMethodNotAllowed = 2 };

struct RouteLookup {
  RouteResult result = RouteResult::kNotFound;
  size_t index = 0;     // kFound: the value Add() returned for the route
  std::string pattern;  // kFound / kMethodNotAllowed: the matched pattern (a metrics label)
  PathParams params;    // kFound: the parameters by name
  std::string allow;    // kMethodNotAllowed: "GET, POST"
};

class Router {
 public:
  // Adds a route; returns its index (0, 1, ...). Not thread-safe; build the
  // table before serving.
  size_t Add(std::string method, std::string_view pattern);

  // segments: the path after its leading '/', split on '/' ("/v1/x" -> {"v1", "x"}).
  // Thread-safe (const).
  RouteLookup Find(std::string_view method, const std::vector<std::string>& segments) const;

  // Every route as {method, pattern}, in the order added (docs checks).
  std::vector<std::pair<std::string, std::string>> Routes() const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> parts;  // literal, or "{name}"
  };
  static bool Matches(const Route& r, const std::vector<std::string>& segments, PathParams* params);

  std::vector<Route> routes_;
};

// Splits a path "/a/b" into {"a", "b"} (no decoding).
std::vector<std::string> SplitPath(std::string_view path);

}  // namespace steadfast::http

#endif  // STEADFAST_HTTP_ROUTER_H_
