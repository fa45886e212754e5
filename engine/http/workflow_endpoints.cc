// The /v1/workflows handlers.
#include "http/workflow_endpoints.h"

#include <algorithm>

#include "definition/step_graph.h"
#include "http/request_fields.h"
#include "runtime/instance_filter.h"
#include "runtime/batch_start.h"
#include "runtime/views.h"

namespace steadfast::http {
namespace {

constexpr int64_t kDefaultListLimit = 50;
constexpr int64_t kMaxListLimit = 500;
constexpr int64_t kDefaultHistoryLimit = 100;
constexpr int64_t kMaxHistoryLimit = 1000;
constexpr size_t kMaxIdLength = 128;
constexpr size_t kMaxIdempotencyKeyLength = 255;

// Instance ids appear in URLs and logs: keep them to a safe alphabet.
bool IsValidInstanceId(std::string_view id) {
  if (id.empty() || id.size() > kMaxIdLength) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
              c == '.' || c == ':' || c == '@';
    if (!ok) return false;
  }
  return true;
}

// Visible ASCII only, 1..255 characters.
std::optional<ApiError> CheckIdempotencyKey(const std::string& key) {
  if (key.empty()) return std::nullopt;
  bool ok = key.size() <= kMaxIdempotencyKeyLength;
  for (char c : key) ok = ok && c > ' ' && c < 127;
  if (ok) return std::nullopt;
  return ApiError::Make(400, "invalid_header", "Idempotency-Key must be 1..255 visible ASCII characters");
}

HttpResponse InstanceResponse(int status, Value body) { return JsonResponse(status, body); }

// An operator's action says why: the history keeps it.
ApiResult<std::string> RequiredReason(const Value& body) {
  auto reason = StringField(body, "reason", true);
  if (!reason.ok()) return reason.error();
  if (reason.value()->empty()) return ApiError::Make(400, "invalid_field", "field 'reason' must not be empty");
  return *reason.value();
}

}  // namespace

HttpResponse WorkflowEndpoints::Fail(const Status& status, std::string_view what) {
  return ErrorResponse(ReportError(status, what, logger_));
}

Value WorkflowEndpoints::WaitingFor(const InstanceRecord& rec) {
  if (!Waits(rec)) return Value();
  Result<DefPtr> def = service_.catalog().ByHash(rec.definition_hash, service_.store());
  if (!def.ok()) logger_.Warn("http: definition of " + rec.id + ": " + def.status().ToString());
  Result<std::vector<TaskRecord>> tasks = service_.store().GetTasks(rec.id);
  return WaitingForView(rec, def.ok() ? def->get() : nullptr, tasks.ok() ? *tasks : std::vector<TaskRecord>{});
}

Value WorkflowEndpoints::Describe(const InstanceRecord& rec) {
  Value v = InstanceView(rec);
  Value w = WaitingFor(rec);
  if (!w.is_null()) v["waiting_for"] = std::move(w);
  return v;
}

HttpResponse WorkflowEndpoints::Start(const ApiCall& call) {
  ApiResult<Value> body = ParseJsonObject(call.request.body, false);
  if (!body.ok()) return ErrorResponse(body.error());
  const Value& b = body.value();
  if (auto e = CheckKnownFields(b, {"workflow", "version", "input", "id", "requested_by", "links", "priority"})) {
    return ErrorResponse(*e);
  }
  auto workflow = StringField(b, "workflow", true);
  if (!workflow.ok()) return ErrorResponse(workflow.error());
  auto version = IntField(b, "version", false);
  if (!version.ok()) return ErrorResponse(version.error());
  auto id = StringField(b, "id", false);
  if (!id.ok()) return ErrorResponse(id.error());
  auto requested_by = StringField(b, "requested_by", false);
  if (!requested_by.ok()) return ErrorResponse(requested_by.error());
  auto priority = PriorityField(b);
  if (!priority.ok()) return ErrorResponse(priority.error());
  if (version.value() && (*version.value() < 0 || *version.value() > 1'000'000)) {
    return ErrorResponse(ApiError::Make(400, "invalid_field", "field 'version' must be a positive integer"));
  }
  if (id.value() && !IsValidInstanceId(*id.value())) {
    return ErrorResponse(
        ApiError::Make(400, "invalid_field", "field 'id' must be 1..128 characters of A-Z a-z 0-9 - _ . : @"));
  }
  Value input = Value::Map{};
  if (const Value* in = b.Find("input"); in != nullptr && !in->is_null()) {
    if (!in->is_map()) {
      return ErrorResponse(ApiError::Make(
          400, "invalid_field", "field 'input' must be an object, got " + std::string(Value::TypeName(in->type()))));
    }
    input = *in;
  }
  if (requested_by.value()) {
    if (!Allows(call.principal.roles, Action::kStartOnBehalf)) {
      return ErrorResponse(ApiError::Make(403, "forbidden",
                                          "only the admin role may set requested_by; '" + call.principal.name +
                                              "' has " + call.principal.roles.ToString()));
    }
    if (requested_by.value()->empty()) {
      return ErrorResponse(ApiError::Make(400, "invalid_field", "field 'requested_by' must not be empty"));
    }
  }
  if (auto e = CheckIdempotencyKey(call.request.idempotency_key)) return ErrorResponse(*e);

  StartOptions so;
  so.workflow = *workflow.value();
  so.version = static_cast<int>(version.value().value_or(0));
  so.input = std::move(input);
  so.id = id.value().value_or("");
  so.idempotency_key = call.request.idempotency_key;
  so.requested_by = requested_by.value().value_or(call.principal.name);
  so.started_by = call.principal.name;  // kept apart: four-eyes refuses both
  so.priority = priority.value();
  // An invalid traceparent is ignored (W3C: restart the trace), not refused.
  so.traceparent = call.request.traceparent;
  if (const Value* links = b.Find("links"); links != nullptr && !links->is_null()) {
    if (!links->is_list() || links->AsList().size() > kMaxInstanceLinks) {
      return ErrorResponse(ApiError::Make(400, "invalid_field",
                                          "field 'links' must be a list of at most " +
                                              std::to_string(kMaxInstanceLinks) + " workflow instance ids"));
    }
    for (const Value& link : links->AsList()) {
      if (!link.is_string() || !IsValidInstanceId(link.AsString())) {
        return ErrorResponse(ApiError::Make(400, "invalid_field", "field 'links' must hold workflow instance ids, got " + link.ToJson()));
      }
      so.links.push_back(link.AsString());
    }
  }

  Result<StartResult> r = service_.Start(so);
  if (!r.ok()) {
    if (r.status().code() == StatusCode::kConflict) {
      return ErrorResponse(ApiError::Make(409, "idempotency_conflict", r.status().message()));
    }
    return Fail(r.status(), "start " + so.workflow);
  }
  bool created = r->outcome == StartOutcome::kCreated;
  HttpResponse resp = InstanceResponse(created ? 201 : 200, Describe(r->instance));
  resp.headers.emplace_back("Location", "/v1/workflows/" + r->instance.id);
  return resp;
}

HttpResponse WorkflowEndpoints::StartBatch(const ApiCall& call) {
  ApiResult<Value> body = ParseJsonObject(call.request.body, false);
  if (!body.ok()) return ErrorResponse(body.error());
  const Value& b = body.value();
  if (auto e = CheckKnownFields(b, {"workflow", "version", "key_field", "jsonl", "preview", "priority"})) {
    return ErrorResponse(*e);
  }
  auto workflow = StringField(b, "workflow", true);
  if (!workflow.ok()) return ErrorResponse(workflow.error());
  auto version = IntField(b, "version", false);
  if (!version.ok()) return ErrorResponse(version.error());
  auto key_field = StringField(b, "key_field", false);
  if (!key_field.ok()) return ErrorResponse(key_field.error());
  auto jsonl = StringField(b, "jsonl", true);
  if (!jsonl.ok()) return ErrorResponse(jsonl.error());
  auto priority = PriorityField(b);
  if (!priority.ok()) return ErrorResponse(priority.error());
  const Value* preview_field = b.Find("preview");
  if (preview_field != nullptr && !preview_field->is_null() && !preview_field->is_bool()) {
    return ErrorResponse(ApiError::Make(400, "invalid_field", "field 'preview' must be a boolean"));
  }
  const bool preview = preview_field != nullptr && preview_field->is_bool() && preview_field->AsBool();
  const int v = static_cast<int>(version.value().value_or(0));
  Result<DefPtr> def = service_.catalog().Find(*workflow.value(), v);
  if (!def.ok()) return Fail(def.status(), "batch " + *workflow.value());
  Result<ParsedBatch> parsed = ParseBatch(*jsonl.value(), (*def)->name, key_field.value().value_or(""));
  if (!parsed.ok()) return ErrorResponse(ApiError::Make(400, "invalid_field", parsed.status().message()));
  if (preview) {
    const BatchPreviewFn* fn = batch_previews_ != nullptr ? batch_previews_->Find((*def)->name) : nullptr;
    return JsonResponse(200, PreviewBatch(**def, *parsed, fn));
  }
  StartOptions base;
  base.workflow = (*def)->name;
  base.version = v;
  base.requested_by = call.principal.name;
  base.started_by = call.principal.name;
  base.priority = priority.value();
  Result<BatchReport> report = RunBatch(service_, base, *parsed, nullptr);
  if (!report.ok()) return Fail(report.status(), "batch " + *workflow.value());
  return JsonResponse(200, BatchReportToValue(*report));
}

HttpResponse WorkflowEndpoints::Get(const ApiCall& call) {
  if (auto e = CheckKnownParams(call.request.query, {})) return ErrorResponse(*e);
  const std::string& id = call.params.at("id");
  Result<std::optional<InstanceRecord>> rec = service_.store().GetInstance(id);
  if (!rec.ok()) return Fail(rec.status(), "get " + id);
  if (!*rec) return ErrorResponse(ApiError::Make(404, "not_found", "no workflow instance '" + id + "'"));
  return InstanceResponse(200, Describe(**rec));
}

HttpResponse WorkflowEndpoints::History(const ApiCall& call) {
  const Params& q = call.request.query;
  if (auto e = CheckKnownParams(q, {"after", "limit"})) return ErrorResponse(*e);
  auto after = IntParam(q, "after", 0, 0, INT64_MAX);
  if (!after.ok()) return ErrorResponse(after.error());
  auto limit = IntParam(q, "limit", kDefaultHistoryLimit, 1, kMaxHistoryLimit);
  if (!limit.ok()) return ErrorResponse(limit.error());
  const std::string& id = call.params.at("id");
  Result<std::optional<InstanceRecord>> rec = service_.store().GetInstance(id);
  if (!rec.ok()) return Fail(rec.status(), "history " + id);
  if (!*rec) return ErrorResponse(ApiError::Make(404, "not_found", "no workflow instance '" + id + "'"));
  // One more than asked tells whether another page follows.
  Result<std::vector<HistoryEvent>> events =
      service_.store().GetHistory(id, after.value(), static_cast<int>(limit.value()) + 1);
  if (!events.ok()) return Fail(events.status(), "history " + id);
  bool more = static_cast<int64_t>(events->size()) > limit.value();
  if (more) events->resize(static_cast<size_t>(limit.value()));
  Value::List items;
  for (const HistoryEvent& e : *events) items.push_back(HistoryEventView(e));
  Value next = more && !events->empty() ? Value(events->back().seq) : Value();
  return JsonResponse(200, Value::Map{{"items", Value(std::move(items))}, {"next_after", next}});
}

HttpResponse WorkflowEndpoints::Graph(const ApiCall& call) {
  if (auto e = CheckKnownParams(call.request.query, {})) return ErrorResponse(*e);
  const std::string& id = call.params.at("id");
  Result<std::optional<InstanceRecord>> rec = service_.store().GetInstance(id);
  if (!rec.ok()) return Fail(rec.status(), "graph " + id);
  if (!*rec) return ErrorResponse(ApiError::Make(404, "not_found", "no workflow instance '" + id + "'"));
  // The definition the instance is pinned to, not the latest of its name.
  Result<DefPtr> def = service_.catalog().ByHash((*rec)->definition_hash, service_.store());
  if (!def.ok()) return Fail(def.status(), "graph " + id);
  std::vector<HistoryEvent> events;
  int64_t after = 0;
  while (true) {
    Result<std::vector<HistoryEvent>> page = service_.store().GetHistory(id, after, kMaxHistoryLimit);
    if (!page.ok()) return Fail(page.status(), "graph " + id);
    if (page->empty()) break;
    after = page->back().seq;
    bool last = static_cast<int64_t>(page->size()) < kMaxHistoryLimit;
    events.insert(events.end(), std::make_move_iterator(page->begin()), std::make_move_iterator(page->end()));
    if (last) break;
  }
  Value steps = StepProgressView(events);
  const InstanceRecord& r = **rec;
  Value current = IsTerminal(r.status) || r.current_step.empty() ? Value() : Value(r.current_step);
  return JsonResponse(200, Value::Map{{"id", r.id},
                                      {"status", std::string(InstanceStatusName(r.status))},
                                      {"current_step", std::move(current)},
                                      {"definition_hash", r.definition_hash},
                                      {"graph", StepGraphToValue(BuildStepGraph(**def))},
                                      {"steps", std::move(steps)}});
}

HttpResponse WorkflowEndpoints::List(const ApiCall& call) {
  const Params& q = call.request.query;
  // The instance filter is parsed in one place (runtime/instance_filter.h);
  // limit and waiting are this endpoint's own.
  FilterParams filter_params;
  for (const auto& [name, value] : q) {
    if (name == "limit" || name == "waiting") {
      // Not captured by the lambda: clang 14 cannot capture a structured binding.
      const std::string& param = name;
      if (std::count_if(q.begin(), q.end(), [&param](const auto& p) { return p.first == param; }) > 1) {
        return ErrorResponse(ApiError::Make(400, "invalid_query", "query parameter '" + name + "' given twice"));
      }
      continue;
    }
    filter_params.emplace_back(name, value);
  }
  Result<ListFilter> parsed = ParseInstanceFilter(filter_params);
  if (!parsed.ok()) return ErrorResponse(ApiError::Make(400, "invalid_query", parsed.status().message()));
  ListFilter filter = std::move(parsed).value();
  if (auto w = FindParam(q, "waiting")) {
    InstanceStatus st;
    if (*w == "approval") {
      st = InstanceStatus::kWaitingApproval;
    } else if (*w == "signal") {
      st = InstanceStatus::kWaitingSignal;
    } else if (*w == "sleep") {
      st = InstanceStatus::kSleeping;
    } else if (*w == "child") {
      st = InstanceStatus::kWaitingChild;
    } else {
      return ErrorResponse(
          ApiError::Make(400, "invalid_query", "waiting must be 'approval', 'signal', 'sleep' or 'child'"));
    }
    if (!filter.statuses.empty() && std::find(filter.statuses.begin(), filter.statuses.end(), st) == filter.statuses.end()) {
      return ErrorResponse(ApiError::Make(400, "invalid_query", "status and waiting contradict each other"));
    }
    filter.statuses = {st};
  }
  auto limit = IntParam(q, "limit", kDefaultListLimit, 1, kMaxListLimit);
  if (!limit.ok()) return ErrorResponse(limit.error());
  filter.limit = static_cast<int>(limit.value()) + 1;
  Result<std::vector<InstanceRecord>> list = service_.store().ListInstances(filter);
  if (!list.ok()) {
    if (list.status().code() == StatusCode::kInvalidArgument) {
      return ErrorResponse(ApiError::Make(400, "invalid_query", "unknown cursor '" + filter.after_id + "'"));
    }
    return Fail(list.status(), "list");
  }
  bool more = static_cast<int64_t>(list->size()) > limit.value();
  if (more) list->resize(static_cast<size_t>(limit.value()));
  Value::List items;
  for (const InstanceRecord& r : *list) items.push_back(Describe(r));
  Value next = more && !list->empty() ? Value(list->back().id) : Value();
  return JsonResponse(200, Value::Map{{"items", Value(std::move(items))}, {"next_cursor", next}});
}

HttpResponse WorkflowEndpoints::AlreadyDecided(const std::string& id, const std::string& step, const Status& status) {
  ApiError e = ApiError::Make(409, "already_decided", status.message());
  // The step's output holds the decision that closed it.
  Result<std::optional<InstanceRecord>> rec = service_.store().GetInstance(id);
  if (rec.ok() && *rec) {
    if (Value d = DecisionView(**rec, step); !d.is_null()) e.extra = Value::Map{{"decision", std::move(d)}};
  }
  return ErrorResponse(e);
}

HttpResponse WorkflowEndpoints::Decide(const ApiCall& call) {
  ApiResult<Value> body = ParseJsonObject(call.request.body, false);
  if (!body.ok()) return ErrorResponse(body.error());
  const Value& b = body.value();
  if (auto e = CheckKnownFields(b, {"decision", "comment"})) return ErrorResponse(*e);
  auto decision = StringField(b, "decision", true);
  if (!decision.ok()) return ErrorResponse(decision.error());
  auto comment = StringField(b, "comment", false);
  if (!comment.ok()) return ErrorResponse(comment.error());
  const std::string& d = *decision.value();
  if (d != "approve" && d != "reject") {
    return ErrorResponse(ApiError::Make(400, "invalid_field", "field 'decision' must be 'approve' or 'reject'"));
  }
  DecisionRequest req;
  req.instance_id = call.params.at("id");
  req.step = call.params.at("step");
  req.decision = d == "approve" ? Decision::kApprove : Decision::kReject;
  req.principal = call.principal.name;
  req.comment = comment.value().value_or("");
  Result<InstanceRecord> r = service_.Decide(req);
  if (!r.ok()) {
    if (r.status().code() == StatusCode::kConflict) return AlreadyDecided(req.instance_id, req.step, r.status());
    return Fail(r.status(), "decide " + req.instance_id + "/" + req.step);
  }
  return InstanceResponse(200, Describe(*r));
}

HttpResponse WorkflowEndpoints::Signal(const ApiCall& call) {
  if (auto e = CheckIdempotencyKey(call.request.idempotency_key)) return ErrorResponse(*e);
  Value payload;
  bool blank = call.request.body.find_first_not_of(" \t\r\n") == std::string::npos;
  if (!blank) {
    Result<Value> v = Value::FromJson(call.request.body);
    if (!v.ok()) return ErrorResponse(JsonBodyError(v.status()));
    payload = std::move(v).value();
  }
  SignalRequest req;
  req.instance_id = call.params.at("id");
  req.name = call.params.at("name");
  req.payload = std::move(payload);
  req.idempotency_key = call.request.idempotency_key;
  req.principal = call.principal.name;
  Result<SignalOutcome> r = service_.Signal(req);
  if (!r.ok()) {
    if (r.status().code() == StatusCode::kConflict && !req.idempotency_key.empty()) {
      return ErrorResponse(ApiError::Make(409, "idempotency_conflict", r.status().message()));
    }
    return Fail(r.status(), "signal " + req.instance_id + "/" + req.name);
  }
  const char* outcome = *r == SignalOutcome::kDelivered  ? "delivered"
                        : *r == SignalOutcome::kBuffered ? "buffered"
                                                         : "duplicate";
  Value out = Value::Map{{"signal", req.name}, {"outcome", outcome}};
  Result<std::optional<InstanceRecord>> rec = service_.store().GetInstance(req.instance_id);
  if (rec.ok() && *rec) out["instance"] = Describe(**rec);
  return JsonResponse(200, out);
}

HttpResponse WorkflowEndpoints::Cancel(const ApiCall& call) {
  ApiResult<Value> body = ParseJsonObject(call.request.body, true);
  if (!body.ok()) return ErrorResponse(body.error());
  if (auto e = CheckKnownFields(body.value(), {"reason"})) return ErrorResponse(*e);
  auto reason = StringField(body.value(), "reason", false);
  if (!reason.ok()) return ErrorResponse(reason.error());
  const std::string& id = call.params.at("id");
  Result<InstanceRecord> r = service_.Cancel(id, call.principal.name, reason.value().value_or(""));
  if (!r.ok()) return Fail(r.status(), "cancel " + id);
  // 202: accepted but not carried out yet (an attempt in flight is
  // checkpointed first, or compensations run); 200: cancelled.
  return InstanceResponse(r->status == InstanceStatus::kCancelled ? 200 : 202, Describe(*r));
}

HttpResponse WorkflowEndpoints::Resume(const ApiCall& call) {
  ApiResult<Value> body = ParseJsonObject(call.request.body, true);
  if (!body.ok()) return ErrorResponse(body.error());
  if (auto e = CheckKnownFields(body.value(), {"reason"})) return ErrorResponse(*e);
  auto reason = StringField(body.value(), "reason", false);
  if (!reason.ok()) return ErrorResponse(reason.error());
  const std::string& id = call.params.at("id");
  Result<InstanceRecord> r = service_.Resume(id, call.principal.name, reason.value().value_or(""));
  if (!r.ok()) return Fail(r.status(), "resume " + id);
  return InstanceResponse(200, Describe(*r));
}

HttpResponse WorkflowEndpoints::Pause(const ApiCall& call) {
  ApiResult<Value> body = ParseJsonObject(call.request.body, false);
  if (!body.ok()) return ErrorResponse(body.error());
  if (auto e = CheckKnownFields(body.value(), {"reason"})) return ErrorResponse(*e);
  auto reason = RequiredReason(body.value());
  if (!reason.ok()) return ErrorResponse(reason.error());
  const std::string& id = call.params.at("id");
  Result<InstanceRecord> r = service_.Pause(id, call.principal.name, reason.value());
  if (!r.ok()) return Fail(r.status(), "pause " + id);
  // 202: recorded, taken once the attempt in flight is checkpointed; 200: paused.
  return InstanceResponse(r->status == InstanceStatus::kPaused ? 200 : 202, Describe(*r));
}

HttpResponse WorkflowEndpoints::Retry(const ApiCall& call) {
  ApiResult<Value> body = ParseJsonObject(call.request.body, false);
  if (!body.ok()) return ErrorResponse(body.error());
  if (auto e = CheckKnownFields(body.value(), {"from_step", "reason"})) return ErrorResponse(*e);
  auto from_step = StringField(body.value(), "from_step", false);
  if (!from_step.ok()) return ErrorResponse(from_step.error());
  auto reason = RequiredReason(body.value());
  if (!reason.ok()) return ErrorResponse(reason.error());
  const std::string& id = call.params.at("id");
  Result<InstanceRecord> r = service_.Retry(id, from_step.value().value_or(""), call.principal.name, reason.value());
  if (!r.ok()) {
    // The request is well-formed but names a step this instance cannot run again from.
    if (r.status().code() == StatusCode::kInvalidArgument && !IsValueTooDeep(r.status())) {
      return ErrorResponse(ApiError::Make(422, "invalid_step", r.status().message()));
    }
    return Fail(r.status(), "retry " + id);
  }
  return InstanceResponse(200, Describe(*r));
}

}  // namespace steadfast::http
