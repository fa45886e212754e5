// SourceLocator: from a YAML node's position (and an offset inside the node's
// decoded string) to the 1-based line:column a user sees in their editor.
//
// yaml-cpp tells where a scalar starts, but an expression error is found at
// an offset in the decoded string, which differs from the source when the
// scalar is quoted (opening quote, '' and \ escapes), a block scalar (| or >,
// whose text starts on the next line, indented) or folded over lines. This
// walks the source text to undo those differences; it is best effort for
// the rarest cases (escapes that decode to several characters inside multi-
// line scalars) and never reads out of bounds.
#ifndef STEADFAST_DEFINITION_SOURCE_LOCATOR_H_
#define STEADFAST_DEFINITION_SOURCE_LOCATOR_H_

#include <string_view>
#include <vector>

#include "definition/workflow_def.h"
#include "steadfast/yaml_document.h"

namespace steadfast {

class SourceLocator {
 public:
  // source must outlive the locator.
  explicit SourceLocator(std::string_view source);

  // The location of a node's position; {0, 0} when unknown.
  SourceLocation At(const YamlPosition& node) const;

  // The 1-based location of the character at `offset` in the decoded value
  // of the scalar that starts at `node` (offset 0 = its first character,
  // after any opening quote).
  SourceLocation AtOffset(const YamlPosition& node, int offset) const;

 private:
  std::string_view source_;
  std::vector<size_t> line_starts_;  // byte offset of each line's first character
};

}  // namespace steadfast

#endif  // STEADFAST_DEFINITION_SOURCE_LOCATOR_H_
