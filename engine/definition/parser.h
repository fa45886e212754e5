// YAML -> WorkflowDef, collecting every problem with its file:line:col.
#ifndef STEADFAST_DEFINITION_PARSER_H_
#define STEADFAST_DEFINITION_PARSER_H_

#include <string>
#include <string_view>
#include <vector>

#include "definition/workflow_def.h"
#include "steadfast/registry.h"
#include "steadfast/status.h"

namespace steadfast {

struct Diagnostic {
  std::string file;
  int line = 0;    // 1-based
  int column = 0;  // 1-based
  std::string message;
  // "file:line:col: message"
  std::string ToString() const;
};

struct ParseResult {
  std::optional<WorkflowDef> def;     // set only when diagnostics is empty
  std::vector<Diagnostic> diagnostics;
  bool ok() const { return diagnostics.empty(); }
};

// Parses and validates a definition held in memory. `file` is used only in
// diagnostics. If registry is non-null, activity and compensate names must be
// registered there. Never throws.
ParseResult ParseWorkflow(std::string_view yaml_text, const std::string& file, const ActivityRegistry* registry);

// Reads the file then ParseWorkflow. A missing or unreadable file is one
// diagnostic at line 0.
ParseResult ParseWorkflowFile(const std::string& path, const ActivityRegistry* registry);

}  // namespace steadfast

#endif  // STEADFAST_DEFINITION_PARSER_H_
