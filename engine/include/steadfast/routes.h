// Plugin routes: a plugin's own JSON endpoints on the engine's HTTP API.
//
// A plugin adds routes during init through PluginContext::routes, each under
// the prefix the engine gives it, /v1/plugins/<plugin>:
//
//   ctx.routes->Add({"GET", "/claims/{id}", RouteAccess::kRead, RouteBody::kNone,
//                    "a claim", [](const RouteRequest& r) -> Result<RouteResponse> { ... }});
//
// answers GET /v1/plugins/refund/claims/{id}. The engine treats these routes
// exactly as its own (engine/http/api_handler.h): the bearer token, the
// caller's rate limit, the role the route's RouteAccess needs (403 JSON),
// body size (413) and content type (415) limits, malformed JSON bodies
// (400 malformed_json), unknown paths (404 JSON), the JSON error shape and
// the per-route metrics at /metrics. The handler sees only requests that
// passed all of that. docs/plugins.md "HTTP routes".
#ifndef STEADFAST_ROUTES_H_
#define STEADFAST_ROUTES_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "steadfast/status.h"
#include "steadfast/storage.h"
#include "steadfast/value.h"

namespace steadfast {

// Who may call a route, in the engine's roles (docs/http.md "Roles").
enum class RouteAccess : int {
  kRead = 0,   // reading: operator, reviewer and admin (the engine's "inspect")
  kAdmin = 1,  // moving money and other acts that cannot be taken back: admin only
};

// What the route takes as its request body.
enum class RouteBody : int {
  kNone = 0,  // no body is read (GET routes)
  kJson = 1,  // a JSON document sent as application/json (415 otherwise; 400 when malformed); empty = null
  kRaw = 2,   // the bytes as sent, any content type (only the size limit applies)
};

struct RouteRequest {
  std::map<std::string, std::string, std::less<>> params;  // the path's {name} segments, percent-decoded
  std::vector<std::pair<std::string, std::string>> query;  // decoded query parameters, in wire order
  Value body;                         // RouteBody::kJson: the parsed document (null when the body is empty)
  std::string raw_body;               // RouteBody::kRaw: the body as received
  std::string principal;              // the authenticated caller (its token's name): for audit rows
  std::string idempotency_key;        // the Idempotency-Key header, "" when absent
  PluginStorage* storage = nullptr;   // the plugin tables (steadfast/storage.h); null when the engine keeps none

  // The first value of query parameter `name`, or nullopt.
  std::optional<std::string> Query(std::string_view name) const {
    for (const auto& [key, value] : query) {
      if (key == name) return value;
    }
    return std::nullopt;
  }
  // The path parameter `name` ("" when the pattern has none of that name).
  std::string Param(std::string_view name) const {
    auto it = params.find(name);
    return it == params.end() ? std::string() : it->second;
  }
};

// What the handler answers: a status and a JSON body.
struct RouteResponse {
  int status = 200;
  Value body;

  static RouteResponse Json(Value body, int status = 200) { return RouteResponse{status, std::move(body)}; }
  // An error of the caller's in the engine's shape, {"error": {"code", "message"}}
  // (status 4xx; codes as in docs/http.md, e.g. "invalid_field").
  static RouteResponse Error(int status, std::string code, std::string message) {
    Value error = Value::Map{{"code", std::move(code)}, {"message", std::move(message)}};
    return RouteResponse{status, Value(Value::Map{{"error", std::move(error)}})};
  }
};

// Answers one request; called from several HTTP threads at once, so it must
// be thread-safe. An error Status is answered as the engine answers its own
// (engine/http/api_error.h): InvalidArgument 400, NotFound 404,
// FailedPrecondition/AlreadyExists/Conflict 409, PermissionDenied 403; the
// server's own failures (Internal, Busy, Unavailable, ...) 5xx with a fixed
// message and an error_id, their Status logged, never sent.
using RouteHandler = std::function<Result<RouteResponse>(const RouteRequest&)>;

struct PluginRoute {
  std::string method;  // "GET" or "POST"
  std::string path;    // under the plugin's prefix: "/claims/{id}"; literal segments and {name} parameters
  RouteAccess access = RouteAccess::kRead;
  RouteBody body = RouteBody::kNone;
  std::string summary;  // one line for people (docs, logs)
  RouteHandler handler;
};

// Where a plugin adds its routes (PluginContext::routes). Used during init
// only; not thread-safe.
class PluginRoutes {
 public:
  virtual ~PluginRoutes() = default;
  // "/v1/plugins/<plugin>": every route's path is under it.
  virtual std::string prefix() const = 0;
  // Adds a route. InvalidArgument for a method other than GET or POST, a
  // path that does not start with '/' or has an empty or malformed segment,
  // a GET with a body, or no handler; AlreadyExists when the plugin has a
  // route with the same method and path.
  virtual Status Add(PluginRoute route) = 0;
};

}  // namespace steadfast

#endif  // STEADFAST_ROUTES_H_
