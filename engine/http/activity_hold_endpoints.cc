// The /v1/activity-holds handlers.
#include "http/activity_hold_endpoints.h"

#include "http/request_fields.h"
#include "runtime/activity_hold_view.h"
#include "steadfast/time_text.h"

namespace steadfast::http {
namespace {

constexpr int64_t kDefaultLogEntries = 20;
constexpr int64_t kMaxLogEntries = 1000;

}  // namespace

HttpResponse ActivityHoldEndpoints::List(const ApiCall& call) {
  if (auto e = CheckKnownParams(call.request.query, {"log"})) return ErrorResponse(*e);
  auto log_entries = IntParam(call.request.query, "log", kDefaultLogEntries, 0, kMaxLogEntries);
  if (!log_entries.ok()) return ErrorResponse(log_entries.error());
  Result<std::vector<ActivityHold>> holds = service_.store().ListActivityHolds();
  if (!holds.ok()) return ErrorResponse(ReportError(holds.status(), "list activity holds", logger_));
  Value::List items;
  for (const ActivityHold& h : *holds) items.push_back(ActivityHoldView(h));
  Value::List log;
  if (log_entries.value() > 0) {
    Result<std::vector<ActivityHoldEvent>> events =
        service_.store().ListActivityHoldLog(static_cast<int>(log_entries.value()));
    if (!events.ok()) return ErrorResponse(ReportError(events.status(), "read the hold log", logger_));
    for (const ActivityHoldEvent& e : *events) log.push_back(ActivityHoldEventView(e));
  }
  return JsonResponse(200, Value::Map{{"items", Value(std::move(items))}, {"log", Value(std::move(log))}});
}

HttpResponse ActivityHoldEndpoints::Hold(const ApiCall& call) {
  ApiResult<Value> body = ParseJsonObject(call.request.body, false);
  if (!body.ok()) return ErrorResponse(body.error());
  if (auto e = CheckKnownFields(body.value(), {"activity", "reason"})) return ErrorResponse(*e);
  auto activity = StringField(body.value(), "activity", true);
  if (!activity.ok()) return ErrorResponse(activity.error());
  auto reason = StringField(body.value(), "reason", true);
  if (!reason.ok()) return ErrorResponse(reason.error());
  Status s = service_.HoldActivity(*activity.value(), call.principal.name, *reason.value());
  if (s.code() == StatusCode::kInvalidArgument) return ErrorResponse(ApiError::Make(400, "invalid_field", s.message()));
  if (!s.ok()) return ErrorResponse(ReportError(s, "hold " + *activity.value(), logger_));
  Result<std::vector<ActivityHold>> holds = service_.store().ListActivityHolds();
  for (const ActivityHold& h : holds.ok() ? *holds : std::vector<ActivityHold>{}) {
    if (h.activity == *activity.value()) return JsonResponse(200, ActivityHoldView(h));
  }
  // Released again by someone else in between: say what this call did.
  return JsonResponse(200, Value::Map{{"activity", *activity.value()}, {"reason", *reason.value()},
                                      {"held_by", call.principal.name}, {"held_at", Value()}});
}

HttpResponse ActivityHoldEndpoints::Release(const ApiCall& call) {
  ApiResult<Value> body = ParseJsonObject(call.request.body, true);
  if (!body.ok()) return ErrorResponse(body.error());
  if (auto e = CheckKnownFields(body.value(), {"reason"})) return ErrorResponse(*e);
  auto reason = StringField(body.value(), "reason", false);
  if (!reason.ok()) return ErrorResponse(reason.error());
  const std::string& activity = call.params.at("activity");
  Status s = service_.ReleaseActivity(activity, call.principal.name, reason.value().value_or(""));
  if (s.code() == StatusCode::kNotFound) return ErrorResponse(ApiError::Make(404, "not_found", s.message()));
  if (!s.ok()) return ErrorResponse(ReportError(s, "release " + activity, logger_));
  return JsonResponse(200, Value::Map{{"activity", activity}, {"released", true}});
}

}  // namespace steadfast::http
