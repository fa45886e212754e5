// Value accessors and JSON conversion (nlohmann-json at the edge).
#include "steadfast/value.h"

#include <nlohmann/json.hpp>

namespace steadfast {
namespace {

nlohmann::json ToNlohmann(const Value& v) {
  switch (v.type()) {
    case Value::Type::kNull: return nullptr;
    case Value::Type::kBool: return v.AsBool();
    case Value::Type::kInt: return v.AsInt();
    case Value::Type::kDouble: return v.AsDouble();
    case Value::Type::kString: return v.AsString();
    case Value::Type::kList: {
      nlohmann::json j = nlohmann::json::array();
      for (const Value& e : v.AsList()) j.push_back(ToNlohmann(e));
      return j;
    }
    case Value::Type::kMap: {
      nlohmann::json j = nlohmann::json::object();
      for (const auto& [k, e] : v.AsMap()) j[k] = ToNlohmann(e);
      return j;
    }
  }
  return nullptr;
}

Value FromNlohmann(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::null: return Value();
    case nlohmann::json::value_t::boolean: return Value(j.get<bool>());
    case nlohmann::json::value_t::number_integer: return Value(j.get<int64_t>());
    case nlohmann::json::value_t::number_unsigned: {
      uint64_t u = j.get<uint64_t>();
      if (u <= static_cast<uint64_t>(INT64_MAX)) return Value(static_cast<int64_t>(u));
      return Value(static_cast<double>(u));
    }
    case nlohmann::json::value_t::number_float: return Value(j.get<double>());
    case nlohmann::json::value_t::string: return Value(j.get<std::string>());
    case nlohmann::json::value_t::array: {
      Value::List l;
      l.reserve(j.size());
      for (const auto& e : j) l.push_back(FromNlohmann(e));
      return Value(std::move(l));
    }
    case nlohmann::json::value_t::object: {
      Value::Map m;
      for (auto it = j.begin(); it != j.end(); ++it) m.emplace(it.key(), FromNlohmann(it.value()));
      return Value(std::move(m));
    }
    default: return Value();
  }
}

}  // namespace

Value::List& Value::MutableList() {
  if (is_null()) v_ = List{};
  return std::get<List>(v_);
}

Value::Map& Value::MutableMap() {
  if (is_null()) v_ = Map{};
  return std::get<Map>(v_);
}

const Value* Value::Find(std::string_view key) const {
  if (!is_map()) return nullptr;
  const Map& m = AsMap();
  auto it = m.find(key);
  return it == m.end() ? nullptr : &it->second;
}

const Value& Value::Get(std::string_view key) const {
  static const Value kNull;
  const Value* v = Find(key);
  return v ? *v : kNull;
}

Value& Value::operator[](std::string_view key) {
  Map& m = MutableMap();
  auto it = m.find(key);
  if (it == m.end()) it = m.emplace(std::string(key), Value()).first;
  return it->second;
}

std::string_view Value::TypeName(Type t) {
  switch (t) {
    case Type::kNull: return "null";
    case Type::kBool: return "bool";
    case Type::kInt: return "int";
    case Type::kDouble: return "double";
    case Type::kString: return "string";
    case Type::kList: return "list";
    case Type::kMap: return "map";
  }
  return "unknown";
}

// Invalid UTF-8 is replaced rather than thrown on: output must never fail.
std::string Value::ToJson() const {
  return ToNlohmann(*this).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string Value::ToPrettyJson() const {
  return ToNlohmann(*this).dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<Value> Value::FromJson(std::string_view text) {
  try {
    return FromNlohmann(nlohmann::json::parse(text.begin(), text.end()));
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument(std::string("invalid JSON: ") + e.what());
  }
}

}  // namespace steadfast
