// The engine's edge to yaml-cpp: its marks as YamlPositions (it counts lines
// and columns from 0 and marks "unknown" with -1) and its parser run with
// the exceptions caught. Engine-internal, as it names yaml-cpp types: the
// YAML reader (core/yaml_document.cc) builds on it, and so does the workflow
// loader, whose builder walks yaml-cpp's node graph itself.
#ifndef STEADFAST_CORE_YAML_CPP_H_
#define STEADFAST_CORE_YAML_CPP_H_

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <string_view>

#include "steadfast/yaml_document.h"

namespace steadfast {

// The 1-based position of mark in `file`; unknown (line 0) for a null mark.
YamlPosition YamlPositionOf(const YAML::Mark& mark, std::string file = {});

// The first document in a text and whether another follows, or where and
// why yaml-cpp stopped reading it.
struct YamlCppDocuments {
  YAML::Node document;                            // null for an empty text or on failure
  std::optional<YamlPosition> second_document_at;  // where a second document starts (callers refuse it)
  bool failed = false;
  bool too_deep = false;              // failed at yaml-cpp's nesting guard
  YamlPosition error_at;              // without a file name
  std::string error;                  // yaml-cpp's message; empty when too_deep (its own says nothing)
};

// Never throws.
YamlCppDocuments LoadYamlCppDocuments(std::string_view text);

}  // namespace steadfast

#endif  // STEADFAST_CORE_YAML_CPP_H_
