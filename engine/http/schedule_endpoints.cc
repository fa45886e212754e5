// The /v1/schedules handlers.
#include "http/schedule_endpoints.h"

#include "http/request_fields.h"
#include "runtime/schedule_views.h"

namespace steadfast::http {
namespace {

constexpr int64_t kDefaultTickLimit = 50;
constexpr int64_t kMaxTickLimit = 1000;
constexpr size_t kMaxReasonLength = 500;

}  // namespace

std::optional<HttpResponse> ScheduleEndpoints::Unavailable() const {
  if (scheduler_ != nullptr) return std::nullopt;
  return ErrorResponse(ApiError::Make(503, "unavailable", "this server runs no scheduler"));
}

HttpResponse ScheduleEndpoints::Fail(const Status& status, std::string_view what) {
  return ErrorResponse(ReportError(status, what, logger_));
}

HttpResponse ScheduleEndpoints::Shown(const std::string& name) {
  Result<ScheduleInfo> info = scheduler_->Show(name);
  if (!info.ok()) return Fail(info.status(), "schedule " + name);
  return JsonResponse(200, ScheduleView(*info));
}

HttpResponse ScheduleEndpoints::List(const ApiCall& call) {
  if (auto r = Unavailable()) return *r;
  if (auto e = CheckKnownParams(call.request.query, {})) return ErrorResponse(*e);
  Result<std::vector<ScheduleInfo>> all = scheduler_->List();
  if (!all.ok()) return Fail(all.status(), "list schedules");
  Value::List items;
  for (const ScheduleInfo& info : *all) items.push_back(ScheduleView(info));
  return JsonResponse(200, Value::Map{{"items", Value(std::move(items))}});
}

HttpResponse ScheduleEndpoints::Get(const ApiCall& call) {
  if (auto r = Unavailable()) return *r;
  if (auto e = CheckKnownParams(call.request.query, {})) return ErrorResponse(*e);
  return Shown(call.params.at("name"));
}

HttpResponse ScheduleEndpoints::History(const ApiCall& call) {
  if (auto r = Unavailable()) return *r;
  if (auto e = CheckKnownParams(call.request.query, {"limit"})) return ErrorResponse(*e);
  auto limit = IntParam(call.request.query, "limit", kDefaultTickLimit, 1, kMaxTickLimit);
  if (!limit.ok()) return ErrorResponse(limit.error());
  const std::string& name = call.params.at("name");
  Result<std::vector<ScheduleTick>> ticks = scheduler_->History(name, static_cast<int>(limit.value()));
  if (!ticks.ok()) return Fail(ticks.status(), "schedule history " + name);
  Value::List items;
  for (const ScheduleTick& t : *ticks) items.push_back(ScheduleTickView(t));
  return JsonResponse(200, Value::Map{{"items", Value(std::move(items))}});
}

HttpResponse ScheduleEndpoints::Pause(const ApiCall& call) {
  if (auto r = Unavailable()) return *r;
  ApiResult<Value> body = ParseJsonObject(call.request.body, true);
  if (!body.ok()) return ErrorResponse(body.error());
  if (auto e = CheckKnownFields(body.value(), {"reason"})) return ErrorResponse(*e);
  auto reason = StringField(body.value(), "reason", false);
  if (!reason.ok()) return ErrorResponse(reason.error());
  if (reason.value() && reason.value()->size() > kMaxReasonLength) {
    return ErrorResponse(ApiError::Make(400, "invalid_field", "field 'reason' must be at most 500 characters"));
  }
  const std::string& name = call.params.at("name");
  Status s = scheduler_->Pause(name, call.principal.name, reason.value().value_or(""));
  if (!s.ok()) return Fail(s, "pause schedule " + name);
  return Shown(name);
}

HttpResponse ScheduleEndpoints::Resume(const ApiCall& call) {
  if (auto r = Unavailable()) return *r;
  ApiResult<Value> body = ParseJsonObject(call.request.body, true);
  if (!body.ok()) return ErrorResponse(body.error());
  if (auto e = CheckKnownFields(body.value(), {})) return ErrorResponse(*e);
  const std::string& name = call.params.at("name");
  Status s = scheduler_->Resume(name, call.principal.name);
  if (!s.ok()) return Fail(s, "resume schedule " + name);
  return Shown(name);
}

HttpResponse ScheduleEndpoints::Trigger(const ApiCall& call) {
  if (auto r = Unavailable()) return *r;
  ApiResult<Value> body = ParseJsonObject(call.request.body, true);
  if (!body.ok()) return ErrorResponse(body.error());
  if (auto e = CheckKnownFields(body.value(), {})) return ErrorResponse(*e);
  const std::string& name = call.params.at("name");
  Result<ScheduleTick> tick = scheduler_->Trigger(name, call.principal.name);
  if (!tick.ok()) return Fail(tick.status(), "trigger schedule " + name);
  return JsonResponse(201, ScheduleTickView(*tick));
}

}  // namespace steadfast::http
