#include "definition/expression_scope.h"

#include <cstdint>

namespace steadfast {
namespace {

// A segment of decimal digits indexes a list; -1 when it is not one.
int64_t SegmentIndex(const std::string& s) {
  if (s.empty() || s.size() > 18) return -1;
  int64_t n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return -1;
    n = n * 10 + (c - '0');
  }
  return n;
}

const Value* Step(const Value* cur, const std::string& seg) {
  if (cur->is_map()) return cur->Find(seg);
  if (cur->is_list()) {
    const int64_t i = SegmentIndex(seg);
    const Value::List& l = cur->AsList();
    return (i >= 0 && static_cast<uint64_t>(i) < l.size()) ? &l[static_cast<size_t>(i)] : nullptr;
  }
  return nullptr;
}

}  // namespace

ExpressionScope::ExpressionScope(const Value& map) {
  if (!map.is_map()) return;
  roots_.reserve(map.AsMap().size());
  for (const auto& [name, value] : map.AsMap()) roots_.push_back(Root{name, &value, nullptr, nullptr});
}

ExpressionScope::Root& ExpressionScope::RootNamed(std::string_view name) {
  for (Root& r : roots_) {
    if (r.name == name) {
      r = Root{r.name, nullptr, nullptr, nullptr};
      return r;
    }
  }
  return roots_.emplace_back(Root{std::string(name), nullptr, nullptr, nullptr});
}

ExpressionScope& ExpressionScope::Bind(std::string_view name, const Value* value) {
  RootNamed(name).value = value;
  return *this;
}

ExpressionScope& ExpressionScope::Bind(std::string_view name, const Value::Map* entries) {
  RootNamed(name).entries = entries;
  return *this;
}

ExpressionScope& ExpressionScope::Set(std::string_view name, Value value) {
  Root& r = RootNamed(name);
  r.kept = std::make_shared<const Value>(std::move(value));
  r.value = r.kept.get();
  return *this;
}

const Value* ExpressionScope::Find(const std::vector<std::string>& path, Value* copy) const {
  if (path.empty()) return nullptr;
  const Root* root = nullptr;
  for (const Root& r : roots_) {
    if (r.name == path[0]) root = &r;
  }
  if (root == nullptr) return nullptr;
  const Value* cur = root->value;
  size_t next = 1;
  if (root->entries != nullptr) {
    if (path.size() == 1) {
      if (copy == nullptr) return nullptr;
      *copy = Value(*root->entries);
      return copy;
    }
    auto it = root->entries->find(path[1]);
    if (it == root->entries->end()) return nullptr;
    cur = &it->second;
    next = 2;
  }
  for (size_t i = next; i < path.size() && cur != nullptr; ++i) cur = Step(cur, path[i]);
  return cur;
}

}  // namespace steadfast
