// PluginRouteEndpoint: one plugin route (steadfast/routes.h) served like
// the engine's own. By the time it runs, ApiHandler has routed,
// authenticated, rate-limited and authorised the call and checked the
// body's size and content type; this parses a JSON body (400
// malformed_json / value_too_deep), hands the plugin's handler a
// RouteRequest, and turns its answer or its error Status into the JSON
// response (api_error.h: the server's own failures logged with an
// error_id, never sent).
#ifndef STEADFAST_HTTP_PLUGIN_ROUTE_ENDPOINT_H_
#define STEADFAST_HTTP_PLUGIN_ROUTE_ENDPOINT_H_

#include "http/http_message.h"
#include "http/workflow_endpoints.h"
#include "runtime/plugin_route_registry.h"
#include "steadfast/logger.h"

namespace steadfast::http {

// Answers `call` with `route`'s handler. Never throws (a handler's
// exception is an internal error). Thread-safe when the handler is.
HttpResponse ServePluginRoute(const RegisteredPluginRoute& route, const ApiCall& call, Logger& logger);

}  // namespace steadfast::http

#endif  // STEADFAST_HTTP_PLUGIN_ROUTE_ENDPOINT_H_
