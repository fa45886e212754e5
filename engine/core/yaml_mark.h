// YamlPositionOf: a yaml-cpp Mark as the engine's YamlPosition, the one
// place that knows yaml-cpp counts lines and columns from 0 and marks
// "unknown" with -1. Engine-internal (it names a yaml-cpp type): the YAML
// reader (core/yaml_document.cc) and the workflow builder, which walks
// yaml-cpp's node graph itself, share it.
#ifndef STEADFAST_CORE_YAML_MARK_H_
#define STEADFAST_CORE_YAML_MARK_H_

#include <yaml-cpp/mark.h>

#include <string>

#include "steadfast/yaml_document.h"

namespace steadfast {

// The 1-based position of mark in `file`; unknown (line 0) for a null mark.
inline YamlPosition YamlPositionOf(const YAML::Mark& mark, std::string file = {}) {
  YamlPosition p{std::move(file)};
  if (mark.is_null() || mark.line < 0 || mark.column < 0) return p;
  p.line = mark.line + 1;
  p.column = mark.column + 1;
  p.offset = mark.pos;
  return p;
}

}  // namespace steadfast

#endif  // STEADFAST_CORE_YAML_MARK_H_
