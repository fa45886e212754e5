// String and value templates: "${...}" splicing over a Value tree.
#include "definition/value_template.h"

namespace steadfast {
namespace {

// Index of the '}' closing the expression that starts at `from`, skipping
// quoted strings (which may contain '}'), or npos.
size_t FindClose(std::string_view s, size_t from) {
  size_t i = from;
  while (i < s.size()) {
    char c = s[i];
    if (c == '}') return i;
    if (c == '\'' || c == '"') {
      ++i;
      while (i < s.size() && s[i] != c) i += (s[i] == '\\') ? 2 : 1;
      if (i >= s.size()) return std::string_view::npos;
    }
    ++i;
  }
  return std::string_view::npos;
}

}  // namespace

Result<StringTemplate> StringTemplate::Parse(std::string_view s, int* error_offset) {
  StringTemplate t;
  t.literals_.clear();
  std::string literal;
  size_t i = 0;
  while (i < s.size()) {
    if (s.compare(i, 3, "$${") == 0) {
      literal += "${";
      i += 3;
      continue;
    }
    if (s.compare(i, 2, "${") != 0) {
      literal += s[i++];
      continue;
    }
    size_t start = i + 2;
    size_t close = FindClose(s, start);
    if (close == std::string_view::npos) {
      if (error_offset != nullptr) *error_offset = static_cast<int>(i);
      return Status::InvalidArgument("'${' is not closed by '}' (write '$${' for a literal '${')");
    }
    int inner_offset = 0;
    Result<Expression> e = Expression::Parse(s.substr(start, close - start), &inner_offset);
    if (!e.ok()) {
      if (error_offset != nullptr) *error_offset = static_cast<int>(start) + inner_offset;
      return e.status();
    }
    t.literals_.push_back(std::move(literal));
    literal.clear();
    t.exprs_.emplace_back(static_cast<int>(start), std::move(e).value());
    i = close + 1;
  }
  t.literals_.push_back(std::move(literal));
  t.single_expression_ = t.exprs_.size() == 1 && t.literals_[0].empty() && t.literals_[1].empty();
  return t;
}

Result<Value> StringTemplate::Evaluate(const ExpressionScope& scope) const {
  auto eval = [&scope](const Expression& e) -> Result<Value> {
    Result<Value> v = e.Evaluate(scope);
    if (!v.ok()) return Status(v.status().code(), "${" + e.text() + "}: " + v.status().message());
    return v;
  };
  if (single_expression_) return eval(exprs_[0].second);
  std::string out = literals_[0];
  for (size_t k = 0; k < exprs_.size(); ++k) {
    Result<Value> v = eval(exprs_[k].second);
    if (!v.ok()) return v.status();
    out += v->is_string() ? v->AsString() : v->ToJson();
    out += literals_[k + 1];
  }
  return Value(std::move(out));
}

ValueTemplate ValueTemplate::Constant(Value v) {
  ValueTemplate t;
  t.node_ = std::move(v);
  return t;
}

ValueTemplate ValueTemplate::FromString(StringTemplate s) {
  ValueTemplate t;
  t.node_ = std::move(s);
  return t;
}

ValueTemplate ValueTemplate::FromList(std::vector<ValueTemplate> items) {
  ValueTemplate t;
  t.node_ = std::move(items);
  return t;
}

ValueTemplate ValueTemplate::FromMap(std::map<std::string, ValueTemplate> fields) {
  ValueTemplate t;
  t.node_ = std::move(fields);
  return t;
}

// The result may nest accepted values inside the template's own lists and
// maps, so it is checked against the one depth limit as a whole.
Result<Value> ValueTemplate::Evaluate(const ExpressionScope& scope) const {
  Result<Value> v = EvaluateAt(scope, name_);
  if (!v.ok()) return v;
  SF_RETURN_IF_ERROR(CheckValueDepth(*v, name_.empty() ? "the evaluated template" : "the evaluated " + name_));
  return v;
}

const Value* ValueTemplate::Find(const ExpressionScope& scope) const {
  const StringTemplate* s = std::get_if<StringTemplate>(&node_);
  if (s == nullptr || !s->is_single_expression()) return nullptr;
  return s->expressions()[0].second.Find(scope);
}

Result<Value> ValueTemplate::EvaluateAt(const ExpressionScope& scope, const std::string& path) const {
  if (const Value* v = std::get_if<Value>(&node_)) return *v;
  if (const StringTemplate* s = std::get_if<StringTemplate>(&node_)) {
    Result<Value> v = s->Evaluate(scope);
    if (!v.ok() && !path.empty()) return Status(v.status().code(), path + ": " + v.status().message());
    return v;
  }
  if (const auto* items = std::get_if<std::vector<ValueTemplate>>(&node_)) {
    Value::List out;
    out.reserve(items->size());
    for (size_t i = 0; i < items->size(); ++i) {
      SF_ASSIGN_OR_RETURN(Value v, (*items)[i].EvaluateAt(scope, path + "[" + std::to_string(i) + "]"));
      out.push_back(std::move(v));
    }
    return Value(std::move(out));
  }
  const auto& fields = std::get<std::map<std::string, ValueTemplate>>(node_);
  Value::Map out;
  for (const auto& [key, field] : fields) {
    SF_ASSIGN_OR_RETURN(Value v, field.EvaluateAt(scope, path.empty() ? key : path + "." + key));
    out.emplace(key, std::move(v));
  }
  return Value(std::move(out));
}

void ValueTemplate::ForEachExpression(const std::function<void(const Expression&)>& fn) const {
  if (const StringTemplate* s = std::get_if<StringTemplate>(&node_)) {
    for (const auto& [offset, e] : s->expressions()) fn(e);
  } else if (const auto* items = std::get_if<std::vector<ValueTemplate>>(&node_)) {
    for (const ValueTemplate& item : *items) item.ForEachExpression(fn);
  } else if (const auto* fields = std::get_if<std::map<std::string, ValueTemplate>>(&node_)) {
    for (const auto& [key, field] : *fields) field.ForEachExpression(fn);
  }
}

bool ValueTemplate::is_null() const {
  const Value* v = std::get_if<Value>(&node_);
  return v != nullptr && v->is_null();
}

}  // namespace steadfast
