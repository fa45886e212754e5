// Value accessors and JSON conversion (nlohmann-json at the edge).
#include "steadfast/value.h"

#include <algorithm>
#include <utility>
#include <vector>

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

constexpr std::string_view kTooDeepPrefix = "value_too_deep: ";

Status TooDeep(std::string_view what, int max_depth) {
  return Status::InvalidArgument(std::string(kTooDeepPrefix) + std::string(what) +
                                 " is nested deeper than the limit of " + std::to_string(max_depth) +
                                 " levels of lists and maps");
}

// Builds a Value from nlohmann's SAX events with an explicit stack of open
// containers, so neither parsing nor building recurses, and refuses the
// document as soon as it opens a container deeper than max_depth.
class ValueBuilder final : public nlohmann::json_sax<nlohmann::json> {
 public:
  explicit ValueBuilder(int max_depth) : max_depth_(max_depth) {}

  bool null() override { return Add(Value()); }
  bool boolean(bool b) override { return Add(Value(b)); }
  bool number_integer(number_integer_t i) override { return Add(Value(static_cast<int64_t>(i))); }
  bool number_unsigned(number_unsigned_t u) override {
    if (u <= static_cast<uint64_t>(INT64_MAX)) return Add(Value(static_cast<int64_t>(u)));
    return Add(Value(static_cast<double>(u)));
  }
  bool number_float(number_float_t d, const string_t&) override { return Add(Value(static_cast<double>(d))); }
  bool string(string_t& s) override { return Add(Value(std::move(s))); }
  bool binary(binary_t&) override { return Add(Value()); }  // JSON text has no binary values
  bool start_object(std::size_t) override { return Open(Value(Value::Map{})); }
  bool key(string_t& k) override {
    open_.back().key = std::move(k);
    return true;
  }
  bool end_object() override { return Close(); }
  bool start_array(std::size_t) override { return Open(Value(Value::List{})); }
  bool end_array() override { return Close(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::json::exception& e) override {
    error_ = Status::InvalidArgument(std::string("invalid JSON: ") + e.what());
    return false;
  }

  Result<Value> Finish(bool parsed) {
    if (!error_.ok()) return error_;
    if (!parsed) return Status::InvalidArgument("invalid JSON");
    return std::move(root_);
  }

 private:
  struct OpenContainer {
    Value container;  // the list or map being filled
    std::string key;  // maps: the key of the next member
  };

  bool Open(Value container) {
    if (static_cast<int>(open_.size()) >= max_depth_) {
      error_ = TooDeep("the JSON document", max_depth_);
      return false;
    }
    open_.push_back(OpenContainer{std::move(container), {}});
    return true;
  }

  bool Close() {
    Value done = std::move(open_.back().container);
    open_.pop_back();
    return Add(std::move(done));
  }

  // A repeated key keeps the last member, as nlohmann's DOM does.
  bool Add(Value v) {
    if (open_.empty()) {
      root_ = std::move(v);
    } else if (open_.back().container.is_list()) {
      open_.back().container.MutableList().push_back(std::move(v));
    } else {
      open_.back().container.MutableMap().insert_or_assign(std::move(open_.back().key), std::move(v));
    }
    return true;
  }

  const int max_depth_;
  std::vector<OpenContainer> open_;
  Value root_;
  Status error_;
};

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

Result<Value> Value::FromJson(std::string_view text, int max_depth) {
  ValueBuilder builder(max_depth);
  bool parsed = false;
  try {
    parsed = nlohmann::json::sax_parse(text.begin(), text.end(), &builder);
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument(std::string("invalid JSON: ") + e.what());
  }
  return builder.Finish(parsed);
}

int ValueDepth(const Value& v, int cap) {
  // (value, depth of the containers around it); a list or map adds one.
  std::vector<std::pair<const Value*, int>> pending{{&v, 0}};
  int deepest = 0;
  while (!pending.empty()) {
    auto [value, around] = pending.back();
    pending.pop_back();
    if (!value->is_list() && !value->is_map()) continue;
    const int depth = around + 1;
    deepest = std::max(deepest, depth);
    if (deepest > cap) return cap + 1;
    if (value->is_list()) {
      for (const Value& e : value->AsList()) pending.emplace_back(&e, depth);
    } else {
      for (const auto& [k, e] : value->AsMap()) pending.emplace_back(&e, depth);
    }
  }
  return deepest;
}

Status CheckValueDepth(const Value& v, std::string_view what, int max_depth) {
  if (ValueDepth(v, max_depth) > max_depth) return TooDeep(what, max_depth);
  return Status::Ok();
}

bool IsValueTooDeep(const Status& status) {
  return status.code() == StatusCode::kInvalidArgument && status.message().rfind(kTooDeepPrefix, 0) == 0;
}

std::string_view ValueTooDeepMessage(const Status& status) {
  std::string_view m = status.message();
  if (IsValueTooDeep(status)) m.remove_prefix(kTooDeepPrefix.size());
  return m;
}

}  // namespace steadfast
