// YAML -> WorkflowDef, collecting every problem with its file:line:col.
//
// The format is documented for users in docs/workflows.md. Parsing has two
// passes: the builder turns YAML nodes into a WorkflowDef and reports shape
// problems (unknown keys, bad durations, bad expressions); the validator
// then checks what needs the whole definition (step ids, references, jump
// targets, reachability, registered activities).
#ifndef STEADFAST_DEFINITION_PARSER_H_
#define STEADFAST_DEFINITION_PARSER_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "definition/diagnostic.h"
#include "definition/workflow_def.h"
#include "steadfast/registry.h"
#include "steadfast/status.h"

namespace steadfast {

struct ParseResult {
  std::optional<WorkflowDef> def;     // set only when diagnostics is empty
  std::vector<Diagnostic> diagnostics;  // sorted by line, then column
  bool ok() const { return diagnostics.empty(); }
};

// Parses and validates a definition held in memory. `file` is used only in
// diagnostics (and as WorkflowDef::path). If registry is non-null, activity
// and compensate names must be registered there. Never throws. Thread-safe
// (no shared state; the registry is only read).
ParseResult ParseWorkflow(std::string_view yaml_text, const std::string& file, const ActivityRegistry* registry);

// Reads the file then ParseWorkflow. A missing or unreadable file is one
// diagnostic at line 0.
ParseResult ParseWorkflowFile(const std::string& path, const ActivityRegistry* registry);

}  // namespace steadfast

#endif  // STEADFAST_DEFINITION_PARSER_H_
