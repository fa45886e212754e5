// Plugin routes by plugin, checked as they are added.
#include "runtime/plugin_route_registry.h"

#include <cctype>

namespace steadfast {
namespace {

// A literal segment is what a URL path may carry unencoded and a person
// would write: letters, digits and "-._~:" (":" for "/items:batch"-style
// verbs), but not "." or "..", which clients and proxies resolve away.
bool IsLiteralSegment(const std::string& s) {
  if (s.empty() || s == "." || s == "..") return false;
  for (char c : s) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '-' && c != '.' && c != '_' && c != '~' && c != ':') {
      return false;
    }
  }
  return true;
}

bool IsParameterSegment(const std::string& s) {
  if (s.size() < 3 || s.front() != '{' || s.back() != '}') return false;
  for (size_t i = 1; i + 1 < s.size(); ++i) {
    if (std::isalnum(static_cast<unsigned char>(s[i])) == 0 && s[i] != '_') return false;
  }
  return true;
}

Status CheckPath(const std::string& path) {
  if (path.empty() || path.front() != '/') return Status::InvalidArgument("must start with '/'");
  size_t start = 1;
  while (true) {
    size_t end = path.find('/', start);
    std::string segment = path.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!IsLiteralSegment(segment) && !IsParameterSegment(segment)) {
      return Status::InvalidArgument("segment '" + segment +
                                     "' is neither a literal (letters, digits, -._~:) nor a {name} parameter");
    }
    if (end == std::string::npos) return Status::Ok();
    start = end + 1;
  }
}

}  // namespace

std::string PluginRoutePrefix(const std::string& plugin) { return "/v1/plugins/" + plugin; }

class PluginRouteRegistry::Scoped : public PluginRoutes {
 public:
  Scoped(PluginRouteRegistry& registry, std::string plugin, PluginStorage* storage)
      : registry_(registry), plugin_(std::move(plugin)), storage_(storage) {}
  std::string prefix() const override { return PluginRoutePrefix(plugin_); }
  Status Add(PluginRoute route) override { return registry_.Add(plugin_, storage_, std::move(route)); }

 private:
  PluginRouteRegistry& registry_;
  const std::string plugin_;
  PluginStorage* const storage_;
};

PluginRouteRegistry::PluginRouteRegistry() = default;
PluginRouteRegistry::~PluginRouteRegistry() = default;

PluginRoutes* PluginRouteRegistry::ForPlugin(const std::string& plugin, PluginStorage* storage) {
  std::unique_ptr<Scoped>& scoped = scoped_[plugin];
  if (!scoped) scoped = std::make_unique<Scoped>(*this, plugin, storage);
  return scoped.get();
}

Status PluginRouteRegistry::Add(const std::string& plugin, PluginStorage* storage, PluginRoute route) {
  const std::string what = "plugin '" + plugin + "' route " + route.method + " " + route.path;
  if (route.method != "GET" && route.method != "POST") {
    return Status::InvalidArgument(what + ": the method must be GET or POST");
  }
  if (Status s = CheckPath(route.path); !s.ok()) return Status::InvalidArgument(what + ": the path " + s.message());
  if (route.method == "GET" && route.body != RouteBody::kNone) {
    return Status::InvalidArgument(what + ": a GET route takes no body");
  }
  if (!route.handler) return Status::InvalidArgument(what + ": no handler");
  std::string pattern = PluginRoutePrefix(plugin) + route.path;
  for (const RegisteredPluginRoute& r : routes_) {
    if (r.pattern == pattern && r.route.method == route.method) {
      return Status::AlreadyExists(what + ": added already");
    }
  }
  routes_.push_back(RegisteredPluginRoute{plugin, std::move(pattern), std::move(route), storage});
  return Status::Ok();
}

}  // namespace steadfast
