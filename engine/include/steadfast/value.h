// Value: the dynamic data that flows between workflow steps.
//
// A Value is null, bool, int64, double, string, list or map (string keys,
// sorted). Workflow input, activity input and output, signal payloads and
// checkpoints are all Values. Money never travels as a double: activities
// pass integer minor units plus a currency code.
//
// Values convert to and from JSON (ToJson / FromJson) and to a compact binary
// form for checkpoints (steadfast/value_codec.h).
//
// Nesting is bounded: every Value the engine accepts from outside (HTTP
// bodies, CLI --input, signal and approval payloads, activity outputs,
// evaluated workflow templates) is at most kMaxValueDepth lists and maps
// deep. FromJson enforces it while parsing, without recursion, so a hostile
// document cannot exhaust the stack; the other boundaries call
// CheckValueDepth.
#ifndef STEADFAST_VALUE_H_
#define STEADFAST_VALUE_H_

#include <concepts>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "steadfast/status.h"

namespace steadfast {

// The deepest nesting of lists and maps accepted in a Value: a scalar has
// depth 0, [] and {} depth 1, [[1]] depth 2. Real documents (orders, refund
// quotes, API payloads) stay under ten; 64 leaves room for any of them while
// keeping every recursive walk over a Value (JSON output, the checkpoint
// codec, templates) far from the end of the stack.
inline constexpr int kMaxValueDepth = 64;

// What the engine stores and answers may wrap an accepted value in a few
// levels of its own: instance state -> outputs -> step in a checkpoint,
// {"items": [{"data": {"output": ...}}]} in an HTTP answer. Readers of those
// (the checkpoint codec, the CLI reading the server's answers) allow this.
inline constexpr int kMaxEnvelopedValueDepth = kMaxValueDepth + 8;

class Value;

// The nesting depth of v (see kMaxValueDepth), counted without recursion
// and only up to cap + 1: a value deeper than cap reports cap + 1.
int ValueDepth(const Value& v, int cap = kMaxValueDepth);

// Ok, or InvalidArgument naming `what` and the limit when v is nested deeper
// than max_depth. IsValueTooDeep recognises the error.
Status CheckValueDepth(const Value& v, std::string_view what, int max_depth = kMaxValueDepth);

// True for the error CheckValueDepth and FromJson return for a value nested
// too deeply (an InvalidArgument whose message starts "value_too_deep: ").
bool IsValueTooDeep(const Status& status);

// The message of a too-deep error without its "value_too_deep: " prefix,
// for people (HTTP bodies, step errors); other messages are returned as is.
std::string_view ValueTooDeepMessage(const Status& status);

class Value {
 public:
  using List = std::vector<Value>;
  using Map = std::map<std::string, Value, std::less<>>;

  // Serialized as a byte: the numbers never change.
  enum class Type : int { kNull = 0, kBool = 1, kInt = 2, kDouble = 3, kString = 4, kList = 5, kMap = 6 };

  Value() = default;
  Value(std::nullptr_t) {}                           // NOLINT
  Value(bool b) : v_(b) {}                           // NOLINT
  template <std::integral T>
    requires(!std::same_as<T, bool>)
  Value(T i) : v_(static_cast<int64_t>(i)) {}        // NOLINT
  Value(double d) : v_(d) {}                         // NOLINT
  Value(const char* s) : v_(std::string(s)) {}       // NOLINT
  Value(std::string s) : v_(std::move(s)) {}         // NOLINT
  Value(std::string_view s) : v_(std::string(s)) {}  // NOLINT
  Value(List l) : v_(std::move(l)) {}                // NOLINT
  Value(Map m) : v_(std::move(m)) {}                 // NOLINT

  Type type() const { return static_cast<Type>(v_.index()); }
  bool is_null() const { return type() == Type::kNull; }
  bool is_bool() const { return type() == Type::kBool; }
  bool is_int() const { return type() == Type::kInt; }
  bool is_double() const { return type() == Type::kDouble; }
  bool is_number() const { return is_int() || is_double(); }
  bool is_string() const { return type() == Type::kString; }
  bool is_list() const { return type() == Type::kList; }
  bool is_map() const { return type() == Type::kMap; }

  // Typed accessors. Calling one on the wrong type is a programming error
  // (asserts in debug builds); use the is_*() checks or the *Or() forms.
  bool AsBool() const { return std::get<bool>(v_); }
  int64_t AsInt() const { return std::get<int64_t>(v_); }
  // An int widens to double; anything else is a programming error.
  double AsDouble() const { return is_int() ? static_cast<double>(AsInt()) : std::get<double>(v_); }
  const std::string& AsString() const { return std::get<std::string>(v_); }
  const List& AsList() const { return std::get<List>(v_); }
  const Map& AsMap() const { return std::get<Map>(v_); }
  List& MutableList();  // turns null into an empty list first
  Map& MutableMap();    // turns null into an empty map first

  // Lenient accessors for activity code: the fallback when absent or of another type.
  bool BoolOr(bool fallback) const { return is_bool() ? AsBool() : fallback; }
  int64_t IntOr(int64_t fallback) const { return is_int() ? AsInt() : fallback; }
  double NumberOr(double fallback) const { return is_number() ? AsDouble() : fallback; }
  std::string StringOr(std::string_view fallback) const {
    return is_string() ? AsString() : std::string(fallback);
  }

  // Map lookup: nullptr when this is not a map or the key is absent.
  const Value* Find(std::string_view key) const;
  // Map lookup returning a shared null Value when absent: chains safely,
  // e.g. v.Get("reservation").Get("amount").IntOr(0).
  const Value& Get(std::string_view key) const;
  // Map insert-or-access; turns null into a map first.
  Value& operator[](std::string_view key);

  // Human name of a type: "null", "bool", "int", "double", "string", "list", "map".
  static std::string_view TypeName(Type t);

  // Compact JSON text (doubles print in shortest round-trip form).
  std::string ToJson() const;
  // Pretty JSON with two-space indentation.
  std::string ToPrettyJson() const;
  // Parses JSON text. Integers that fit in int64 become kInt, other numbers
  // kDouble. InvalidArgument for malformed JSON and (IsValueTooDeep) for a
  // document nested deeper than max_depth, found while parsing: the parser
  // neither recurses nor builds the rejected document. Input from outside
  // keeps the default; only readers of the engine's own answers pass
  // kMaxEnvelopedValueDepth.
  static Result<Value> FromJson(std::string_view text, int max_depth = kMaxValueDepth);

  friend bool operator==(const Value& a, const Value& b) { return a.v_ == b.v_; }

 private:
  std::variant<std::nullptr_t, bool, int64_t, double, std::string, List, Map> v_;
};

}  // namespace steadfast

#endif  // STEADFAST_VALUE_H_
