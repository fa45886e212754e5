// JSON text -> Value (Value::FromJson), the conversion behind every HTTP
// body, CLI --input and PSP answer. Beyond "no crash": a malformed or too
// deep document is an InvalidArgument Status (never an exception), and an
// accepted one round-trips through ToJson, ToPrettyJson and the checkpoint
// codec unchanged, with the depth limit applied exactly at its depth.
#include "fuzz_check.h"
#include "steadfast/value.h"
#include "steadfast/value_codec.h"

using steadfast::StatusCode;
using steadfast::Value;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = steadfast::fuzz::AsText(data, size);
  steadfast::Result<Value> parsed = Value::FromJson(text);
  if (!parsed.ok()) {
    FUZZ_CHECK(parsed.status().code() == StatusCode::kInvalidArgument);
    return 0;
  }
  const Value& value = *parsed;
  const int depth = steadfast::ValueDepth(value);
  FUZZ_CHECK(depth <= steadfast::kMaxValueDepth);

  const std::string json = value.ToJson();
  steadfast::Result<Value> again = Value::FromJson(json);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(*again == value);
  FUZZ_CHECK(again->ToJson() == json);

  steadfast::Result<Value> pretty = Value::FromJson(value.ToPrettyJson());
  FUZZ_CHECK(pretty.ok() && *pretty == value);

  steadfast::Result<std::string> encoded = steadfast::EncodeValue(value);
  FUZZ_CHECK(encoded.ok());
  steadfast::Result<Value> decoded = steadfast::DecodeValue(*encoded);
  FUZZ_CHECK(decoded.ok() && *decoded == value);

  // The limit is exact: the canonical text passes at the value's depth, and
  // the document fails one below it (a repeated key may have held a deeper
  // value that the result no longer shows, so the document itself may need more).
  FUZZ_CHECK(Value::FromJson(json, depth).ok());
  if (depth > 0) {
    steadfast::Result<Value> shallow = Value::FromJson(text, depth - 1);
    FUZZ_CHECK(!shallow.ok() && steadfast::IsValueTooDeep(shallow.status()));
  }
  return 0;
}
