// A plugin route's request in, its JSON answer out.
#include "http/plugin_route_endpoint.h"

#include <exception>

#include "http/api_error.h"

namespace steadfast::http {

HttpResponse ServePluginRoute(const RegisteredPluginRoute& route, const ApiCall& call, Logger& logger) {
  const std::string what = route.route.method + " " + route.pattern;  // a template: no ids in the log
  RouteRequest request;
  for (const auto& [name, value] : call.params) request.params.emplace(name, value);
  request.query = call.request.query;
  request.principal = call.principal.name;
  request.idempotency_key = call.request.idempotency_key;
  request.storage = route.storage;
  if (route.route.body == RouteBody::kJson && !call.request.body.empty()) {
    Result<Value> parsed = Value::FromJson(call.request.body);
    if (!parsed.ok()) return ErrorResponse(JsonBodyError(parsed.status()));
    request.body = std::move(parsed).value();
  } else if (route.route.body == RouteBody::kRaw) {
    request.raw_body = call.request.body;
  }
  Result<RouteResponse> answer = Status::Internal("no answer");
  try {
    answer = route.route.handler(request);
  } catch (const std::exception& e) {
    answer = Status::Internal(std::string("plugin '") + route.plugin + "' route threw: " + e.what());
  }
  if (!answer.ok()) return ErrorResponse(ReportError(answer.status(), what, logger));
  if (answer->status < 200 || answer->status > 599) {
    return ErrorResponse(ReportError(
        Status::Internal("plugin '" + route.plugin + "' answered status " + std::to_string(answer->status)), what,
        logger));
  }
  return JsonResponse(answer->status, answer->body);
}

}  // namespace steadfast::http
