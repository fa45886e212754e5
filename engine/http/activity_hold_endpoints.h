// ActivityHoldEndpoints: the kill switch over HTTP, /v1/activity-holds.
//
//   GET  /v1/activity-holds                       holds in force and the hold log (inspect)
//   POST /v1/activity-holds                       {activity, reason}: hold (operator)
//   POST /v1/activity-holds/{activity}/release    {reason?}: release (operator)
// The semantics (validation, the log, this engine seeing the change at
// once) are WorkflowService::HoldActivity / ReleaseActivity's.
#ifndef STEADFAST_HTTP_ACTIVITY_HOLD_ENDPOINTS_H_
#define STEADFAST_HTTP_ACTIVITY_HOLD_ENDPOINTS_H_

#include "http/workflow_endpoints.h"

namespace steadfast::http {

class ActivityHoldEndpoints {
 public:
  // service and logger must outlive this. Thread-safe.
  ActivityHoldEndpoints(WorkflowService& service, Logger& logger) : service_(service), logger_(logger) {}

  HttpResponse List(const ApiCall& call);     // GET  /v1/activity-holds
  HttpResponse Hold(const ApiCall& call);     // POST /v1/activity-holds
  HttpResponse Release(const ApiCall& call);  // POST /v1/activity-holds/{activity}/release

 private:
  WorkflowService& service_;
  Logger& logger_;
};

}  // namespace steadfast::http

#endif  // STEADFAST_HTTP_ACTIVITY_HOLD_ENDPOINTS_H_
