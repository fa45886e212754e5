// Body and query field extraction.
#include "http/request_fields.h"

#include <algorithm>
#include <charconv>

#include "core/priority.h"

namespace steadfast::http {
namespace {

ApiError FieldError(std::string message) { return ApiError::Make(400, "invalid_field", std::move(message)); }

ApiError WrongType(std::string_view field, std::string_view wanted, const Value& got) {
  return FieldError("field '" + std::string(field) + "' must be " + std::string(wanted) + ", got " +
                    std::string(Value::TypeName(got.type())));
}

}  // namespace

ApiResult<Value> ParseJsonObject(std::string_view body, bool allow_empty) {
  bool blank =
      std::all_of(body.begin(), body.end(), [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; });
  if (blank) {
    if (allow_empty) return Value(Value::Map{});
    return ApiError::Make(400, "malformed_json", "the request body must be a JSON object");
  }
  Result<Value> v = Value::FromJson(body);
  if (!v.ok()) return JsonBodyError(v.status());
  if (!v->is_map()) {
    return FieldError("the request body must be a JSON object, not " + std::string(Value::TypeName(v->type())));
  }
  return ApiResult<Value>(*v);
}

std::optional<ApiError> CheckKnownFields(const Value& object, std::initializer_list<std::string_view> allowed) {
  if (!object.is_map()) return std::nullopt;
  for (const auto& [name, value] : object.AsMap()) {
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      std::string known;
      for (std::string_view a : allowed) known += (known.empty() ? "" : ", ") + std::string(a);
      return FieldError("unknown field '" + name + "' (expected " + known + ")");
    }
  }
  return std::nullopt;
}

ApiResult<std::optional<std::string>> StringField(const Value& object, std::string_view field, bool required) {
  const Value* v = object.Find(field);
  if (v == nullptr || v->is_null()) {
    if (required) return FieldError("missing required field '" + std::string(field) + "'");
    return std::optional<std::string>();
  }
  if (!v->is_string()) return WrongType(field, "a string", *v);
  return std::optional<std::string>(v->AsString());
}

ApiResult<std::optional<int64_t>> IntField(const Value& object, std::string_view field, bool required) {
  const Value* v = object.Find(field);
  if (v == nullptr || v->is_null()) {
    if (required) return FieldError("missing required field '" + std::string(field) + "'");
    return std::optional<int64_t>();
  }
  if (!v->is_int()) return WrongType(field, "an integer", *v);
  return std::optional<int64_t>(v->AsInt());
}

ApiResult<int> PriorityField(const Value& object) {
  ApiResult<std::optional<int64_t>> p = IntField(object, "priority", false);
  if (!p.ok()) return p.error();
  if (!p.value()) return 0;
  if (!IsValidPriority(*p.value())) {
    return FieldError("field 'priority' must be " + std::to_string(kHighestPriority) + " (first) to " +
                      std::to_string(kLowestPriority) + " (last)");
  }
  return static_cast<int>(*p.value());
}

std::optional<ApiError> CheckKnownParams(const Params& query, std::initializer_list<std::string_view> allowed) {
  for (size_t i = 0; i < query.size(); ++i) {
    const std::string& name = query[i].first;
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      std::string known;
      for (std::string_view a : allowed) known += (known.empty() ? "" : ", ") + std::string(a);
      return ApiError::Make(
          400, "invalid_query",
          "unknown query parameter '" + name + "'" + (known.empty() ? "" : " (expected " + known + ")"));
    }
    for (size_t j = 0; j < i; ++j) {
      if (query[j].first == name) {
        return ApiError::Make(400, "invalid_query", "query parameter '" + name + "' is given twice");
      }
    }
  }
  return std::nullopt;
}

ApiResult<int64_t> IntParam(const Params& query, std::string_view name, int64_t fallback, int64_t min, int64_t max) {
  std::optional<std::string> text = FindParam(query, name);
  if (!text) return fallback;
  int64_t n = 0;
  const char* end = text->data() + text->size();
  auto [ptr, ec] = std::from_chars(text->data(), end, n);
  if (text->empty() || ec != std::errc() || ptr != end || n < min || n > max) {
    return ApiError::Make(400, "invalid_query",
                          "query parameter '" + std::string(name) + "' must be an integer in " + std::to_string(min) +
                              ".." + std::to_string(max));
  }
  return n;
}

}  // namespace steadfast::http
