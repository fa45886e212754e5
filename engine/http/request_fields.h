// Reading request input: JSON bodies (parsed by nlohmann-json through
// Value::FromJson, never by hand) and query parameters, with 400 errors that
// name the offending field.
//
// The API is strict: an unknown body field or query parameter is a 400, so a
// typo ("comments" for "comment") is reported instead of silently ignored.
#ifndef STEADFAST_HTTP_REQUEST_FIELDS_H_
#define STEADFAST_HTTP_REQUEST_FIELDS_H_

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "http/api_error.h"
#include "http/http_message.h"
#include "steadfast/value.h"

namespace steadfast::http {

// The body as a JSON object. 400 malformed_json when it is not JSON, 400
// invalid_field when it is JSON but not an object. An empty body is an
// empty object when allow_empty, else 400 malformed_json.
ApiResult<Value> ParseJsonObject(std::string_view body, bool allow_empty);

// 400 invalid_field naming the first member of `object` not in `allowed`.
std::optional<ApiError> CheckKnownFields(const Value& object, std::initializer_list<std::string_view> allowed);

// A string member: nullopt when absent or null (400 invalid_field when
// required), 400 invalid_field when of another type.
ApiResult<std::optional<std::string>> StringField(const Value& object, std::string_view field, bool required);
// An integer member, likewise.
ApiResult<std::optional<int64_t>> IntField(const Value& object, std::string_view field, bool required);

// The optional `priority` member of a start: 1..5 (core/priority.h), 0 when
// absent or null, 400 invalid_field otherwise.
ApiResult<int> PriorityField(const Value& object);

// 400 invalid_query naming the first query parameter not in `allowed`, or
// any repeated parameter.
std::optional<ApiError> CheckKnownParams(const Params& query, std::initializer_list<std::string_view> allowed);

// A decimal integer query parameter in [min, max]; `fallback` when absent.
// 400 invalid_query otherwise.
ApiResult<int64_t> IntParam(const Params& query, std::string_view name, int64_t fallback, int64_t min, int64_t max);

}  // namespace steadfast::http

#endif  // STEADFAST_HTTP_REQUEST_FIELDS_H_
