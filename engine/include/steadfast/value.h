// Value: the dynamic data that flows between workflow steps.
//
// A Value is null, bool, int64, double, string, list or map (string keys,
// sorted). Workflow input, activity input and output, signal payloads and
// checkpoints are all Values. Money never travels as a double: activities
// pass integer minor units plus a currency code.
//
// Values convert to and from JSON (ToJson / FromJson) and to a compact binary
// form for checkpoints (steadfast/value_codec.h).
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
  // Parses JSON text. Integers that fit in int64 become kInt, other numbers kDouble.
  static Result<Value> FromJson(std::string_view text);

  friend bool operator==(const Value& a, const Value& b) { return a.v_ == b.v_; }

 private:
  std::variant<std::nullptr_t, bool, int64_t, double, std::string, List, Map> v_;
};

}  // namespace steadfast

#endif  // STEADFAST_VALUE_H_
