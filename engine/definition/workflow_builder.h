// WorkflowBuilder: the first parsing pass, YAML nodes -> WorkflowDef.
//
// Checks everything that can be judged one node at a time: known keys (with
// "did you mean"), required keys, value types and ranges, durations, step
// kinds, input types, and the syntax of every expression and template. It
// fills in defaults (retry overlay, timeouts, jump defaults) and records in
// a SourceMap where each part came from, for the validator's second pass.
// Keeps going after a problem so that one run reports them all.
#ifndef STEADFAST_DEFINITION_WORKFLOW_BUILDER_H_
#define STEADFAST_DEFINITION_WORKFLOW_BUILDER_H_

#include <yaml-cpp/yaml.h>

#include "definition/diagnostic.h"
#include "definition/source_locator.h"
#include "definition/source_map.h"
#include "definition/workflow_def.h"

namespace steadfast {

// Builds def and map from the document root. May throw what yaml-cpp node
// access throws (the caller converts it); reports everything else to diags.
void BuildWorkflow(const YAML::Node& root, const SourceLocator& locator, WorkflowDef& def, SourceMap& map,
                   DiagnosticList& diags);

}  // namespace steadfast

#endif  // STEADFAST_DEFINITION_WORKFLOW_BUILDER_H_
