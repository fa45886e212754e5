// WorkflowValidator: the second parsing pass, over a built WorkflowDef.
//
// Checks what needs the whole definition at once: unique step ids,
// registered activities, what each expression may read (declared input
// fields; steps that exist and have run by then), jump targets, and that
// every step can be reached from the first.
#ifndef STEADFAST_DEFINITION_WORKFLOW_VALIDATOR_H_
#define STEADFAST_DEFINITION_WORKFLOW_VALIDATOR_H_

#include "definition/diagnostic.h"
#include "definition/source_locator.h"
#include "definition/source_map.h"
#include "definition/workflow_def.h"
#include "steadfast/registry.h"

namespace steadfast {

// Names an expression may start with: the runtime's evaluation scope is
// {input, steps: {<id>: output}, workflow: {id, name, version,
// requested_by}} (engine/runtime/transition.cc). Anything else is reported,
// as it is almost always a typo of one of these.
inline constexpr const char* kExpressionRoots[] = {"input", "steps", "workflow"};

// Reports problems to diags. registry may be null (activities unchecked).
void ValidateWorkflow(const WorkflowDef& def, const SourceMap& map, const SourceLocator& locator,
                      const ActivityRegistry* registry, DiagnosticList& diags);

}  // namespace steadfast

#endif  // STEADFAST_DEFINITION_WORKFLOW_VALIDATOR_H_
