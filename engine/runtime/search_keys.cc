// Evaluating search keys at start (search_keys.h).
#include "runtime/search_keys.h"

#include <fmt/format.h>

namespace steadfast {

Result<std::vector<SearchKey>> EvaluateSearchKeys(const WorkflowDef& def, const ExpressionScope& scope) {
  std::vector<SearchKey> keys;
  for (const auto& [name, tmpl] : def.search) {
    Result<Value> v = tmpl.Evaluate(scope);
    if (!v.ok()) return Status::InvalidArgument(fmt::format("search key {}: {}", name, v.status().message()));
    if (v->is_null()) continue;
    if (v->is_map() || v->is_list()) {
      return Status::InvalidArgument(
          fmt::format("search key {} must be a single value, got {}", name, v->is_map() ? "a map" : "a list"));
    }
    std::string text = v->is_string() ? v->AsString() : v->ToJson();
    if (text.size() > kMaxSearchValueLength) {
      return Status::InvalidArgument(fmt::format("search key {} is {} characters long; at most {}", name, text.size(),
                                                 kMaxSearchValueLength));
    }
    keys.push_back(SearchKey{name, std::move(text)});
  }
  return keys;
}

}  // namespace steadfast
