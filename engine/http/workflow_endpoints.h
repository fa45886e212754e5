// WorkflowEndpoints: the /v1/workflows handlers, on top of WorkflowService.
//
// Each handler receives an authenticated, authorised call (ApiHandler has
// already matched the route, checked the token, the role, the rate limit,
// the body size and the content type) and turns it into one WorkflowService
// or Store call: the semantics (idempotent start, four-eyes, decisions,
// signals, cancel, pause, resume, retry) are the service's, the HTTP shapes are here.
// Instances are shown with runtime/views.h's InstanceView (the CLI's JSON)
// plus, while an instance waits, `waiting_for` with the wait's context.
#ifndef STEADFAST_HTTP_WORKFLOW_ENDPOINTS_H_
#define STEADFAST_HTTP_WORKFLOW_ENDPOINTS_H_

#include "http/api_error.h"
#include "http/http_message.h"
#include "http/roles.h"
#include "http/router.h"
#include "runtime/definition_deployer.h"
#include "runtime/batch_preview_registry.h"
#include "runtime/workflow_service.h"
#include "steadfast/logger.h"

namespace steadfast::http {

// One routed request.
struct ApiCall {
  const HttpRequest& request;
  const PathParams& params;
  const Principal& principal;
};

class WorkflowEndpoints {
 public:
  // service, logger, deployer (null: this server cannot deploy) and
  // batch_previews (null: no previews) must outlive this. Thread-safe.
  WorkflowEndpoints(WorkflowService& service, Logger& logger, DefinitionDeployer* deployer = nullptr,
                    const BatchPreviewRegistry* batch_previews = nullptr)
      : service_(service), logger_(logger), deployer_(deployer), batch_previews_(batch_previews) {}

  HttpResponse Start(const ApiCall& call);    // POST /v1/workflows
  HttpResponse StartBatch(const ApiCall& call);  // POST /v1/workflows:batch
  HttpResponse Get(const ApiCall& call);      // GET  /v1/workflows/{id}
  HttpResponse History(const ApiCall& call);  // GET  /v1/workflows/{id}/history
  HttpResponse Graph(const ApiCall& call);    // GET  /v1/workflows/{id}/graph
  HttpResponse List(const ApiCall& call);     // GET  /v1/workflows
  HttpResponse Decide(const ApiCall& call);   // POST /v1/workflows/{id}/approvals/{step}
  HttpResponse Signal(const ApiCall& call);   // POST /v1/workflows/{id}/signals/{name}
  HttpResponse Cancel(const ApiCall& call);   // POST /v1/workflows/{id}/cancel
  HttpResponse Resume(const ApiCall& call);   // POST /v1/workflows/{id}/resume
  HttpResponse Pause(const ApiCall& call);    // POST /v1/workflows/{id}/pause
  HttpResponse Retry(const ApiCall& call);    // POST /v1/workflows/{id}/retry
  HttpResponse Deploy(const ApiCall& call);   // POST /v1/definitions (definition_endpoint.cc)

 private:
  // InstanceView plus `waiting_for` when the instance waits.
  Value Describe(const InstanceRecord& rec);
  Value WaitingFor(const InstanceRecord& rec);
  // The error response for a failed service call; internal causes are logged.
  HttpResponse Fail(const Status& status, std::string_view what);
  HttpResponse AlreadyDecided(const std::string& id, const std::string& step, const Status& status);

  WorkflowService& service_;
  Logger& logger_;
  DefinitionDeployer* deployer_;
  const BatchPreviewRegistry* batch_previews_;
};

}  // namespace steadfast::http

#endif  // STEADFAST_HTTP_WORKFLOW_ENDPOINTS_H_
