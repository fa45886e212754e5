// YAML -> Value for refund test data.
#include "yaml_value.h"

#include <charconv>
#include <cstdlib>

namespace steadfast::refund::testing {

Value YamlToValue(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return Value();
    case YAML::NodeType::Sequence: {
      Value::List list;
      for (const YAML::Node& e : node) list.push_back(YamlToValue(e));
      return Value(std::move(list));
    }
    case YAML::NodeType::Map: {
      Value::Map map;
      for (auto it = node.begin(); it != node.end(); ++it) {
        map.emplace(it->first.Scalar(), YamlToValue(it->second));
      }
      return Value(std::move(map));
    }
    case YAML::NodeType::Scalar: break;
  }
  const std::string& s = node.Scalar();
  if (node.Tag() == "!") return Value(s);  // quoted
  if (s == "~" || s == "null") return Value();
  if (s == "true") return Value(true);
  if (s == "false") return Value(false);
  int64_t i = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), i);
  if (ec == std::errc() && end == s.data() + s.size()) return Value(i);
  char* dend = nullptr;
  double d = std::strtod(s.c_str(), &dend);
  if (!s.empty() && dend == s.c_str() + s.size()) return Value(d);
  return Value(s);
}

std::string SourcePath(const std::string& relative) { return std::string(STEADFAST_SOURCE_ROOT) + "/" + relative; }

}  // namespace steadfast::refund::testing
