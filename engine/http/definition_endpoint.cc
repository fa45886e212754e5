// POST /v1/definitions: deploy a workflow version to the running engine
// (runtime/definition_deployer.h). Body {"source": YAML text, "file"?: the
// name problems carry (the client's path)}. 201 deployed, 200 the same
// content was already deployed, 422 invalid_definition with every problem as
// {file, line, column, message}, 409 conflict when the name and version
// exist with other content.
#include "definition/diagnostic.h"
#include "http/request_fields.h"
#include "http/workflow_endpoints.h"
#include "runtime/definition_deployer.h"
#include "steadfast/time_text.h"

namespace steadfast::http {
namespace {

constexpr char kDefaultFile[] = "definition.yaml";

Value ProblemView(const Diagnostic& d) {
  return Value::Map{{"file", d.file}, {"line", d.line}, {"column", d.column}, {"message", d.message},
                    {"text", d.ToString()}};
}

}  // namespace

HttpResponse WorkflowEndpoints::Deploy(const ApiCall& call) {
  ApiResult<Value> body = ParseJsonObject(call.request.body, false);
  if (!body.ok()) return ErrorResponse(body.error());
  const Value& b = body.value();
  if (auto e = CheckKnownFields(b, {"source", "file"})) return ErrorResponse(*e);
  auto source = StringField(b, "source", true);
  if (!source.ok()) return ErrorResponse(source.error());
  auto file = StringField(b, "file", false);
  if (!file.ok()) return ErrorResponse(file.error());
  std::string name = file.value() && !file.value()->empty() ? *file.value() : kDefaultFile;

  if (deployer_ == nullptr) {
    return ErrorResponse(ApiError::Make(503, "unavailable", "this server cannot deploy definitions"));
  }
  Result<DeployResult> r = deployer_->Deploy(*source.value(), name, call.principal.name);
  if (!r.ok()) {
    if (r.status().code() == StatusCode::kConflict) {
      return ErrorResponse(ApiError::Make(409, "conflict", r.status().message()));
    }
    return Fail(r.status(), "deploy " + name);
  }
  if (!r->problems.empty()) {
    Value::List problems;
    for (const Diagnostic& d : r->problems) problems.push_back(ProblemView(d));
    size_t n = problems.size();
    ApiError e = ApiError::Make(422, "invalid_definition",
                                std::to_string(n) + (n == 1 ? " problem" : " problems") + " in " + name +
                                    "; nothing was deployed");
    e.extra = Value::Map{{"problems", Value(std::move(problems))}};
    return ErrorResponse(e);
  }
  bool created = r->outcome == DeployOutcome::kCreated;
  if (created) {
    logger_.Info("deployed " + r->def->name + "@v" + std::to_string(r->def->version) + " (" +
                 r->def->hash.substr(0, 12) + ") by " + call.principal.name);
  }
  HttpResponse resp = JsonResponse(created ? 201 : 200, Value::Map{{"name", r->def->name},
                                                                   {"version", r->def->version},
                                                                   {"hash", r->def->hash},
                                                                   {"created", created},
                                                                   {"deployed_by", r->deployed_by},
                                                                   {"deployed_at", FormatRfc3339Utc(r->deployed_at)}});
  return resp;
}

}  // namespace steadfast::http
