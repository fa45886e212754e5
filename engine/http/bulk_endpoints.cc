// The /v1/bulk-operations handlers (bulk_endpoints.h).
#include "http/bulk_endpoints.h"

#include "http/request_fields.h"
#include "runtime/instance_filter.h"

namespace steadfast::http {
namespace {

constexpr int64_t kDefaultSample = 10;
constexpr int64_t kMaxSample = 100;
constexpr int64_t kDefaultListLimit = 50;
constexpr int64_t kMaxListLimit = 500;

ApiError FilterError(std::string message) { return ApiError::Make(400, "invalid_field", "filter: " + message); }

// A scalar filter value as its parameter text.
std::optional<std::string> ScalarText(const Value& v) {
  if (v.is_string()) return v.AsString();
  if (v.is_int()) return std::to_string(v.AsInt());
  return std::nullopt;
}

// The body's `filter` object as filter parameters.
ApiResult<FilterParams> FilterFromBody(const Value& filter) {
  if (!filter.is_map()) return FilterError("must be an object such as {\"status\": \"paused\"}");
  FilterParams params;
  for (const auto& [name, value] : filter.AsMap()) {
    if (name == "key" && value.is_map()) {
      for (const auto& [key, key_value] : value.AsMap()) {
        std::optional<std::string> text = ScalarText(key_value);
        if (!text) return FilterError("key." + key + " must be a string");
        params.emplace_back("key." + key, *text);
      }
    } else if (value.is_list()) {
      for (const Value& item : value.AsList()) {
        std::optional<std::string> text = ScalarText(item);
        if (!text) return FilterError(name + " must be a string or a list of strings");
        params.emplace_back(name, *text);
      }
    } else if (std::optional<std::string> text = ScalarText(value)) {
      params.emplace_back(name, *text);
    } else {
      return FilterError(name + " must be a string");
    }
  }
  return params;
}

// A refused request (empty reason, empty filter) is the caller's: 400.
HttpResponse CreateFailed(const Status& status, Logger& logger) {
  if (status.code() == StatusCode::kInvalidArgument) {
    return ErrorResponse(ApiError::Make(400, "invalid_field", status.message()));
  }
  return ErrorResponse(ReportError(status, "POST /v1/bulk-operations", logger));
}

HttpResponse NotServed() {
  return ErrorResponse(ApiError::Make(503, "bulk_unavailable", "this server does not run bulk operations"));
}

}  // namespace

HttpResponse BulkEndpoints::Create(const ApiCall& call) {
  if (runner_ == nullptr) return NotServed();
  ApiResult<Value> body = ParseJsonObject(call.request.body, false);
  if (!body.ok()) return ErrorResponse(body.error());
  const Value& b = body.value();
  if (auto e = CheckKnownFields(b, {"action", "filter", "reason", "dry_run", "sample"})) return ErrorResponse(*e);
  auto action_name = StringField(b, "action", true);
  if (!action_name.ok()) return ErrorResponse(action_name.error());
  std::optional<BulkAction> action = ParseBulkAction(*action_name.value());
  if (!action) {
    return ErrorResponse(ApiError::Make(400, "invalid_field", "field 'action' must be one of " +
                                                                  std::string(kBulkActionNames) + ", got '" +
                                                                  *action_name.value() + "'"));
  }
  auto reason = StringField(b, "reason", true);
  if (!reason.ok()) return ErrorResponse(reason.error());
  const Value* filter_value = b.Find("filter");
  if (filter_value == nullptr || filter_value->is_null()) {
    return ErrorResponse(ApiError::Make(400, "invalid_field", "missing required field 'filter'"));
  }
  ApiResult<FilterParams> params = FilterFromBody(*filter_value);
  if (!params.ok()) return ErrorResponse(params.error());
  Result<ListFilter> filter = ParseInstanceFilter(params.value());
  if (!filter.ok()) return ErrorResponse(FilterError(filter.status().message()));
  bool dry_run = false;
  if (const Value* d = b.Find("dry_run"); d != nullptr && !d->is_null()) {
    if (!d->is_bool()) return ErrorResponse(ApiError::Make(400, "invalid_field", "field 'dry_run' must be a boolean"));
    dry_run = d->AsBool();
  }
  auto sample = IntField(b, "sample", false);
  if (!sample.ok()) return ErrorResponse(sample.error());
  int64_t sample_size = sample.value().value_or(kDefaultSample);
  if (sample_size < 1 || sample_size > kMaxSample) {
    return ErrorResponse(ApiError::Make(400, "invalid_field",
                                        "field 'sample' must be from 1 to " + std::to_string(kMaxSample)));
  }
  BulkRequest request{*action, std::move(filter).value(), *reason.value(), call.principal.name};
  if (dry_run) {
    Result<BulkPreview> preview = runner_->operations().Preview(request, static_cast<int>(sample_size));
    if (!preview.ok()) return CreateFailed(preview.status(), logger_);
    Value::List ids(preview->sample.begin(), preview->sample.end());
    return JsonResponse(200, Value::Map{{"dry_run", true},
                                        {"action", std::string(BulkActionName(request.action))},
                                        {"filter", InstanceFilterView(request.filter)},
                                        {"total", preview->total},
                                        {"sample", Value(std::move(ids))}});
  }
  Result<BulkOperationRecord> op = runner_->operations().Create(request);
  if (!op.ok()) return CreateFailed(op.status(), logger_);
  logger_.Info("bulk: " + call.principal.name + " started " + op->id + " (" + op->action + ", " +
               std::to_string(op->total) + " matching)");
  runner_->Submit(op->id);
  HttpResponse response = JsonResponse(202, BulkOperationView(*op));
  response.headers.emplace_back("Location", "/v1/bulk-operations/" + op->id);
  return response;
}

HttpResponse BulkEndpoints::List(const ApiCall& call) {
  const Params& q = call.request.query;
  if (auto e = CheckKnownParams(q, {"state", "limit", "cursor"})) return ErrorResponse(*e);
  std::string state = FindParam(q, "state").value_or("");
  if (!state.empty() && state != "running" && state != "completed") {
    return ErrorResponse(ApiError::Make(400, "invalid_query", "state must be 'running' or 'completed'"));
  }
  auto limit = IntParam(q, "limit", kDefaultListLimit, 1, kMaxListLimit);
  if (!limit.ok()) return ErrorResponse(limit.error());
  std::string cursor = FindParam(q, "cursor").value_or("");
  if (!cursor.empty()) {
    Result<std::optional<BulkOperationRecord>> at = store_.GetBulkOperation(cursor);
    if (!at.ok()) return ErrorResponse(ReportError(at.status(), "GET /v1/bulk-operations", logger_));
    if (!*at) return ErrorResponse(ApiError::Make(400, "invalid_query", "unknown cursor '" + cursor + "'"));
  }
  Result<std::vector<BulkOperationRecord>> ops =
      store_.ListBulkOperations(state, cursor, static_cast<int>(limit.value()) + 1);
  if (!ops.ok()) return ErrorResponse(ReportError(ops.status(), "GET /v1/bulk-operations", logger_));
  bool more = static_cast<int64_t>(ops->size()) > limit.value();
  if (more) ops->resize(static_cast<size_t>(limit.value()));
  Value::List items;
  for (const BulkOperationRecord& op : *ops) items.push_back(BulkOperationView(op));
  Value next = more && !ops->empty() ? Value(ops->back().id) : Value();
  return JsonResponse(200, Value::Map{{"items", Value(std::move(items))}, {"next_cursor", std::move(next)}});
}

HttpResponse BulkEndpoints::Get(const ApiCall& call) {
  const std::string& id = call.params.at("id");
  Result<std::optional<BulkOperationRecord>> op = store_.GetBulkOperation(id);
  if (!op.ok()) return ErrorResponse(ReportError(op.status(), "GET /v1/bulk-operations/{id}", logger_));
  if (!*op) return ErrorResponse(ApiError::Make(404, "not_found", "no bulk operation '" + id + "'"));
  return JsonResponse(200, BulkOperationView(**op));
}

}  // namespace steadfast::http
