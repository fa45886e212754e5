// ApiHandler: one HTTP request in, one response out, without sockets.
//
// The pipeline every request goes through, in this order:
//   1. route: unknown path 404, known path with another method 405 (Allow);
//   2. public routes (/healthz, /readyz, /metrics, /v1/openapi.yaml and the
//      web page's static files under /ui/) are answered here; every other /v1 route needs a bearer token:
//      missing or unknown 401 (WWW-Authenticate: Bearer);
//   3. the principal's rate limit: 429 with Retry-After;
//   4. the role: 403 when no role of the principal allows the action;
//   5. bodies: over max_body 413, non-JSON content type 415;
//   6. the handler (WorkflowEndpoints, ScheduleEndpoints, BulkEndpoints, ActivityHoldEndpoints,
//      SessionResponse, or a plugin's route under /v1/plugins/<plugin>/ through
//      ServePluginRoute); its errors are mapped by api_error.h.
// Every answer is counted in HttpMetrics by route template and status.
// Thread-safe: the server calls Handle() from several Asio threads.
#ifndef STEADFAST_HTTP_API_HANDLER_H_
#define STEADFAST_HTTP_API_HANDLER_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "http/bulk_endpoints.h"
#include "http/http_message.h"
#include "http/http_metrics.h"
#include "http/rate_limiter.h"
#include "http/roles.h"
#include "http/router.h"
#include "http/schedule_endpoints.h"
#include "http/token_store.h"
#include "http/activity_hold_endpoints.h"
#include "http/workflow_endpoints.h"
#include "runtime/batch_preview_registry.h"
#include "runtime/plugin_route_registry.h"
#include "metrics/registry.h"
#include "runtime/workflow_service.h"
#include "steadfast/clock.h"
#include "steadfast/logger.h"

namespace steadfast::http {

struct ApiHandlerOptions {
  int64_t max_body_bytes = 1 << 20;  // larger bodies: 413
  RateLimit rate_limit;
  // More metrics appended to /metrics (engine, store, plugins:
  // docs/observability.md); null = only the HTTP ones. Must outlive the handler.
  const metrics::Registry* registry = nullptr;
  // Serves /v1/schedules (runtime/scheduler.h); null = those routes answer
  // 503. Must outlive the handler.
  Scheduler* scheduler = nullptr;
  // Works the bulk operations POST /v1/bulk-operations creates; null = those
  // routes answer 503. Must outlive the handler.
  BulkRunner* bulk_runner = nullptr;
  // POST /v1/definitions deploys through it; null = answered 503. Must
  // outlive the handler.
  DefinitionDeployer* deployer = nullptr;
  // What plugins say a batch start would do (POST /v1/workflows:batch with
  // "preview": true); null = no previews. Must outlive the handler.
  const BatchPreviewRegistry* batch_previews = nullptr;
  // The routes plugins added (steadfast/routes.h), served under
  // /v1/plugins/<plugin> through the same pipeline; null = none. Must
  // outlive the handler.
  const PluginRouteRegistry* plugin_routes = nullptr;
};

class ApiHandler {
 public:
  // service, clock and logger must outlive the handler.
  ApiHandler(ApiHandlerOptions options, WorkflowService& service, TokenStore tokens, const Clock& clock,
             Logger& logger);
  ApiHandler(const ApiHandler&) = delete;
  ApiHandler& operator=(const ApiHandler&) = delete;

  // Answers one request. Never throws.
  HttpResponse Handle(const HttpRequest& request);

  // While draining (graceful shutdown) /readyz answers 503 so load
  // balancers stop sending; other routes keep working.
  void SetDraining(bool draining) { draining_.store(draining); }
  const ApiHandlerOptions& options() const { return options_; }
  HttpMetrics& metrics() { return metrics_; }
  // Every route as {method, pattern}.
  std::vector<std::pair<std::string, std::string>> Routes() const { return router_.Routes(); }

 private:
  enum class Kind : int { kPublic = 0, kProtected = 1 };
  using Endpoint = std::function<HttpResponse(const ApiCall&)>;
  struct RouteSpec {
    Kind kind = Kind::kProtected;
    Action action = Action::kInspect;
    bool has_body = false;        // POST routes: size and content-type checks
    bool any_content_type = false;  // a body of any type (a plugin's raw-body route): the size check only
    Endpoint endpoint;            // protected routes
    HttpResponse (ApiHandler::*public_handler)(const HttpRequest&) = nullptr;
  };

  void AddRoute(std::string method, std::string_view pattern, RouteSpec spec);
  HttpResponse Dispatch(const HttpRequest& request, std::string* route, std::string* principal);
  HttpResponse Healthz(const HttpRequest& request);
  HttpResponse Readyz(const HttpRequest& request);
  HttpResponse Metrics(const HttpRequest& request);
  HttpResponse OpenApi(const HttpRequest& request);
  HttpResponse UiRedirect(const HttpRequest& request);
  HttpResponse ServeUi(const HttpRequest& request);

  const ApiHandlerOptions options_;
  WorkflowService& service_;
  const TokenStore tokens_;
  Logger& logger_;
  RateLimiter limiter_;
  HttpMetrics metrics_;
  WorkflowEndpoints endpoints_;
  ScheduleEndpoints schedule_endpoints_;
  BulkEndpoints bulk_endpoints_;
  ActivityHoldEndpoints holds_;
  Router router_;
  std::vector<RouteSpec> specs_;  // by route index
  std::atomic<bool> draining_{false};
};

}  // namespace steadfast::http

#endif  // STEADFAST_HTTP_API_HANDLER_H_
