// The request pipeline: route, authenticate, limit, authorise, check the
// body, dispatch, count.
#include "http/api_handler.h"

#include <chrono>
#include <cmath>
#include <type_traits>

#include "http/api_error.h"
#include "http/openapi_spec.h"
#include "http/plugin_route_endpoint.h"
#include "http/session_endpoint.h"
#include "http/ui_assets.h"

namespace steadfast::http {
namespace {

constexpr const char* kChallenge = "Bearer realm=\"steadfast\"";
constexpr const char* kInvalidTokenChallenge = "Bearer realm=\"steadfast\", error=\"invalid_token\"";
// A point read of an id that cannot exist: proves the store answers, costs one index lookup.
constexpr const char* kReadinessProbeId = "readyz-probe/none";

// The request path as it may appear in a log line: printable ASCII only
// (no forged log lines), at most 200 characters.
std::string LoggablePath(const std::string& path) {
  constexpr size_t kMax = 200;
  std::string out;
  for (char c : path.substr(0, kMax)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  if (path.size() > kMax) out += "...";
  return out;
}

bool IsJson(const HttpRequest& r) {
  return r.has_content_type && r.media_type == "application/json" && (r.charset.empty() || r.charset == "utf-8");
}

// The class of a pointer to member function.
template <class M>
struct MemberOwner;
template <class C, class R, class A>
struct MemberOwner<R (C::*)(A)> {
  using type = C;
};

}  // namespace

ApiHandler::ApiHandler(ApiHandlerOptions options, WorkflowService& service, TokenStore tokens, const Clock& clock,
                       Logger& logger)
    : options_(options),
      service_(service),
      tokens_(std::move(tokens)),
      logger_(logger),
      limiter_(options.rate_limit, clock),
      endpoints_(service, logger, options.deployer, options_.batch_previews),
      schedule_endpoints_(options.scheduler, logger),
      bulk_endpoints_(options.bulk_runner, service.store(), logger),
      holds_(service, logger) {
  auto pub = [](HttpResponse (ApiHandler::*h)(const HttpRequest&)) {
    RouteSpec s;
    s.kind = Kind::kPublic;
    s.public_handler = h;
    return s;
  };
  // A protected route served by a member of one of the endpoint objects.
  auto prot = [this](Action action, bool has_body, auto member) {
    RouteSpec s;
    s.kind = Kind::kProtected;
    s.action = action;
    s.has_body = has_body;
    using Owner = typename MemberOwner<decltype(member)>::type;
    Owner* owner = nullptr;
    if constexpr (std::is_same_v<Owner, WorkflowEndpoints>) owner = &endpoints_;
    else if constexpr (std::is_same_v<Owner, ScheduleEndpoints>) owner = &schedule_endpoints_;
    else if constexpr (std::is_same_v<Owner, BulkEndpoints>) owner = &bulk_endpoints_;
    else owner = &holds_;
    s.endpoint = [owner, member](const ApiCall& call) { return (owner->*member)(call); };
    return s;
  };
  AddRoute("GET", "/healthz", pub(&ApiHandler::Healthz));
  AddRoute("GET", "/readyz", pub(&ApiHandler::Readyz));
  AddRoute("GET", "/metrics", pub(&ApiHandler::Metrics));
  AddRoute("GET", "/v1/openapi.yaml", pub(&ApiHandler::OpenApi));
  AddRoute("GET", "/ui", pub(&ApiHandler::UiRedirect));
  AddRoute("GET", "/ui/", pub(&ApiHandler::ServeUi));
  AddRoute("GET", "/ui/{file}", pub(&ApiHandler::ServeUi));
  AddRoute("POST", "/v1/workflows", prot(Action::kStart, true, &WorkflowEndpoints::Start));
  AddRoute("POST", "/v1/workflows:batch", prot(Action::kStart, true, &WorkflowEndpoints::StartBatch));
  AddRoute("GET", "/v1/workflows", prot(Action::kInspect, false, &WorkflowEndpoints::List));
  AddRoute("GET", "/v1/workflows/{id}", prot(Action::kInspect, false, &WorkflowEndpoints::Get));
  AddRoute("GET", "/v1/workflows/{id}/history", prot(Action::kInspect, false, &WorkflowEndpoints::History));
  AddRoute("GET", "/v1/workflows/{id}/graph", prot(Action::kInspect, false, &WorkflowEndpoints::Graph));
  AddRoute("POST", "/v1/workflows/{id}/approvals/{step}", prot(Action::kDecide, true, &WorkflowEndpoints::Decide));
  AddRoute("POST", "/v1/workflows/{id}/signals/{name}", prot(Action::kSignal, true, &WorkflowEndpoints::Signal));
  AddRoute("POST", "/v1/workflows/{id}/cancel", prot(Action::kCancel, true, &WorkflowEndpoints::Cancel));
  AddRoute("POST", "/v1/workflows/{id}/resume", prot(Action::kResume, true, &WorkflowEndpoints::Resume));
  AddRoute("GET", "/v1/schedules", prot(Action::kInspect, false, &ScheduleEndpoints::List));
  AddRoute("GET", "/v1/schedules/{name}", prot(Action::kInspect, false, &ScheduleEndpoints::Get));
  AddRoute("GET", "/v1/schedules/{name}/history", prot(Action::kInspect, false, &ScheduleEndpoints::History));
  AddRoute("POST", "/v1/schedules/{name}/pause", prot(Action::kOperateSchedules, true, &ScheduleEndpoints::Pause));
  AddRoute("POST", "/v1/schedules/{name}/resume", prot(Action::kOperateSchedules, true, &ScheduleEndpoints::Resume));
  AddRoute("POST", "/v1/schedules/{name}/trigger", prot(Action::kOperateSchedules, true, &ScheduleEndpoints::Trigger));
  AddRoute("GET", "/v1/activity-holds", prot(Action::kInspect, false, &ActivityHoldEndpoints::List));
  AddRoute("POST", "/v1/activity-holds", prot(Action::kHoldActivities, true, &ActivityHoldEndpoints::Hold));
  AddRoute("POST", "/v1/activity-holds/{activity}/release",
           prot(Action::kHoldActivities, true, &ActivityHoldEndpoints::Release));
  AddRoute("POST", "/v1/workflows/{id}/pause", prot(Action::kPause, true, &WorkflowEndpoints::Pause));
  AddRoute("POST", "/v1/workflows/{id}/retry", prot(Action::kRetry, true, &WorkflowEndpoints::Retry));
  AddRoute("POST", "/v1/bulk-operations", prot(Action::kBulk, true, &BulkEndpoints::Create));
  AddRoute("GET", "/v1/bulk-operations", prot(Action::kInspect, false, &BulkEndpoints::List));
  AddRoute("GET", "/v1/bulk-operations/{id}", prot(Action::kInspect, false, &BulkEndpoints::Get));
  AddRoute("POST", "/v1/definitions", prot(Action::kDeploy, true, &WorkflowEndpoints::Deploy));
  // Any principal may ask who it is: every role includes kInspect.
  RouteSpec session;
  session.action = Action::kInspect;
  session.endpoint = SessionResponse;
  AddRoute("GET", "/v1/session", std::move(session));
  if (options_.plugin_routes != nullptr) {
    for (const RegisteredPluginRoute& plugin_route : options_.plugin_routes->routes()) {
      RouteSpec s;
      s.kind = Kind::kProtected;
      s.action = plugin_route.route.access == RouteAccess::kAdmin ? Action::kPluginAdmin : Action::kInspect;
      s.has_body = plugin_route.route.body != RouteBody::kNone;
      s.any_content_type = plugin_route.route.body == RouteBody::kRaw;
      const RegisteredPluginRoute* route = &plugin_route;
      s.endpoint = [route, this](const ApiCall& call) { return ServePluginRoute(*route, call, logger_); };
      AddRoute(plugin_route.route.method, plugin_route.pattern, std::move(s));
    }
  }
}

void ApiHandler::AddRoute(std::string method, std::string_view pattern, RouteSpec spec) {
  size_t index = router_.Add(std::move(method), pattern);
  if (specs_.size() <= index) specs_.resize(index + 1);
  specs_[index] = spec;
}

HttpResponse ApiHandler::Handle(const HttpRequest& request) {
  auto started = std::chrono::steady_clock::now();
  std::string route = "unmatched";
  std::string principal;
  HttpResponse response;
  try {
    response = Dispatch(request, &route, &principal);
  } catch (const std::exception& e) {
    // route is a template: ids in the path stay out of the log line
    response = ErrorResponse(ReportError(Status::Internal(e.what()), request.method + " " + route, logger_));
  }
  metrics_.Record(route, request.method, response.status);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  // The raw path is logged (ids are not secrets); headers and bodies never are.
  logger_.Debug("http: " + request.method + " " + LoggablePath(request.path) + " -> " +
                std::to_string(response.status) + " (" + (principal.empty() ? "anonymous" : principal) + ", " +
                std::to_string(ms) + "ms)");
  return response;
}

HttpResponse ApiHandler::Dispatch(const HttpRequest& request, std::string* route, std::string* principal_name) {
  if (!request.malformed.empty()) return ErrorResponse(ApiError::Make(400, "malformed_request", request.malformed));
  if (!request.path_valid) {
    return ErrorResponse(ApiError::Make(400, "malformed_request", "the path has an invalid percent-encoding"));
  }
  RouteLookup lookup = router_.Find(request.method, request.segments);
  if (lookup.result == RouteResult::kNotFound) {
    return ErrorResponse(ApiError::Make(404, "not_found", "no route for " + request.method + " " + request.path));
  }
  *route = lookup.pattern;
  if (lookup.result == RouteResult::kMethodNotAllowed) {
    return ErrorResponse(
        ApiError::Make(405, "method_not_allowed",
                       request.method + " is not allowed on " + lookup.pattern + " (allowed: " + lookup.allow + ")")
            .WithHeader("Allow", lookup.allow));
  }
  const RouteSpec& spec = specs_[lookup.index];
  if (!request.query_valid) {
    return ErrorResponse(ApiError::Make(400, "invalid_query", "the query string could not be decoded"));
  }
  if (spec.kind == Kind::kPublic) return (this->*spec.public_handler)(request);

  if (!request.bearer_token) {
    std::string why = request.has_authorization ? "the Authorization header must be 'Bearer <token>'"
                                                : "this route needs an Authorization: Bearer <token> header";
    return ErrorResponse(ApiError::Make(401, "unauthenticated", why).WithHeader("WWW-Authenticate", kChallenge));
  }
  std::optional<Principal> principal = tokens_.Authenticate(*request.bearer_token);
  if (!principal) {
    return ErrorResponse(ApiError::Make(401, "unauthenticated", "the bearer token is not valid")
                             .WithHeader("WWW-Authenticate", kInvalidTokenChallenge));
  }
  *principal_name = principal->name;

  RateDecision rate = limiter_.Admit(principal->name);
  if (!rate.allowed) {
    int64_t secs = std::max<int64_t>(1, (rate.retry_after_ms + 999) / 1000);
    return ErrorResponse(ApiError::Make(429, "rate_limited",
                                        "too many requests from '" + principal->name + "'; retry in " +
                                            std::to_string(rate.retry_after_ms) + "ms")
                             .WithHeader("Retry-After", std::to_string(secs)));
  }
  if (!Allows(principal->roles, spec.action)) {
    return ErrorResponse(ApiError::Make(403, "forbidden",
                                        "'" + principal->name + "' (" + principal->roles.ToString() + ") may not " +
                                            std::string(ActionName(spec.action))));
  }
  if (spec.has_body) {
    if (static_cast<int64_t>(request.body.size()) > options_.max_body_bytes) {
      return ErrorResponse(ApiError::Make(413, "payload_too_large",
                                          "the request body has " + std::to_string(request.body.size()) +
                                              " bytes; the limit is " + std::to_string(options_.max_body_bytes)));
    }
    if (!spec.any_content_type && !request.body.empty() && !IsJson(request)) {
      std::string got = request.has_content_type ? "'" + request.media_type + "'" : "none";
      if (!request.charset.empty() && request.media_type == "application/json") {
        got += " with charset " + request.charset;
      }
      return ErrorResponse(ApiError::Make(415, "unsupported_media_type",
                                          "the body must be sent as Content-Type: application/json (got " + got + ")"));
    }
  }
  ApiCall call{request, lookup.params, *principal};
  return spec.endpoint(call);
}

HttpResponse ApiHandler::Healthz(const HttpRequest&) { return JsonResponse(200, Value::Map{{"status", "ok"}}); }

HttpResponse ApiHandler::Readyz(const HttpRequest&) {
  if (draining_.load()) {
    return ErrorResponse(ApiError::Make(503, "not_ready", "the server is shutting down"));
  }
  Result<std::optional<InstanceRecord>> probe = service_.store().GetInstance(kReadinessProbeId);
  if (!probe.ok()) {
    logger_.Warn("http: readiness probe: " + probe.status().ToString());
    return ErrorResponse(ApiError::Make(503, "not_ready", "the store is not reachable"));
  }
  return JsonResponse(200, Value::Map{{"status", "ready"}});
}

HttpResponse ApiHandler::Metrics(const HttpRequest&) {
  HttpResponse r;
  r.status = 200;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  auto counts = service_.store().CountByStatus();
  r.body =
      "# HELP steadfast_store_up Whether the last read of the store for these metrics succeeded.\n"
      "# TYPE steadfast_store_up gauge\n"
      "steadfast_store_up " +
      std::string(counts.ok() ? "1" : "0") + "\n";
  if (counts.ok()) {
    r.body += RenderInstanceCounts(*counts);
  } else {
    logger_.Warn("http: metrics: " + counts.status().ToString());
  }
  r.body += metrics_.Render();
  if (options_.registry != nullptr) r.body += options_.registry->Render();
  return r;
}

HttpResponse ApiHandler::OpenApi(const HttpRequest&) {
  HttpResponse r;
  r.status = 200;
  r.content_type = "application/yaml";
  r.body = std::string(OpenApiSpec());
  return r;
}

HttpResponse ApiHandler::UiRedirect(const HttpRequest&) {
  HttpResponse r;
  r.status = 308;
  r.content_type = "text/plain; charset=utf-8";
  r.headers.emplace_back("Location", "/ui/");
  r.body = "see /ui/\n";
  return r;
}

// The page's files are public (they hold no data; every API call they make
// carries the reviewer's token). A file name is looked up among the
// embedded files only, so "..", "%2F" and the like simply do not exist.
HttpResponse ApiHandler::ServeUi(const HttpRequest& request) {
  std::string_view name = request.segments.size() == 2 ? std::string_view(request.segments[1]) : "";
  std::optional<UiFile> file = FindUiFile(name);
  if (!file) return ErrorResponse(ApiError::Make(404, "not_found", "no file '" + std::string(name) + "' in /ui/"));
  HttpResponse r;
  r.status = 200;
  r.content_type = std::string(file->content_type);
  r.body = std::string(file->body);
  // Small files: fetched again on every load, so a new binary's page is used at once.
  r.headers.emplace_back("Cache-Control", "no-cache");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  // Only the page's own script and style; no inline code, no other origin, no framing.
  r.headers.emplace_back("Content-Security-Policy",
                         "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
                         "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
  return r;
}

}  // namespace steadfast::http
