// ScheduleEndpoints: the /v1/schedules handlers, on top of the Scheduler
// (runtime/scheduler.h). Reviewers and operators read; operators pause,
// resume and trigger (http/roles.h). Schedules are shown with
// runtime/schedule_views.h, the CLI's JSON.
#ifndef STEADFAST_HTTP_SCHEDULE_ENDPOINTS_H_
#define STEADFAST_HTTP_SCHEDULE_ENDPOINTS_H_

#include "http/api_error.h"
#include "http/http_message.h"
#include "http/workflow_endpoints.h"
#include "runtime/scheduler.h"
#include "steadfast/logger.h"

namespace steadfast::http {

class ScheduleEndpoints {
 public:
  // scheduler may be null (a server without schedules: every route answers
  // 503); it and logger must outlive this. Thread-safe.
  ScheduleEndpoints(Scheduler* scheduler, Logger& logger) : scheduler_(scheduler), logger_(logger) {}

  HttpResponse List(const ApiCall& call);     // GET  /v1/schedules
  HttpResponse Get(const ApiCall& call);      // GET  /v1/schedules/{name}
  HttpResponse History(const ApiCall& call);  // GET  /v1/schedules/{name}/history
  HttpResponse Pause(const ApiCall& call);    // POST /v1/schedules/{name}/pause
  HttpResponse Resume(const ApiCall& call);   // POST /v1/schedules/{name}/resume
  HttpResponse Trigger(const ApiCall& call);  // POST /v1/schedules/{name}/trigger

 private:
  std::optional<HttpResponse> Unavailable() const;
  HttpResponse Fail(const Status& status, std::string_view what);
  HttpResponse Shown(const std::string& name);

  Scheduler* scheduler_;
  Logger& logger_;
};

}  // namespace steadfast::http

#endif  // STEADFAST_HTTP_SCHEDULE_ENDPOINTS_H_
