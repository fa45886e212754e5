// Checks a workflow instance's input against the fields its definition
// declares: at start (runtime) and for a schedule's fixed input (parser).
#ifndef STEADFAST_DEFINITION_INPUT_CHECK_H_
#define STEADFAST_DEFINITION_INPUT_CHECK_H_

#include "definition/workflow_def.h"
#include "steadfast/status.h"
#include "steadfast/value.h"

namespace steadfast {

// Ok, or InvalidArgument naming the first field that is missing or of the
// wrong type ("input: missing required field 'x'").
Status ValidateInput(const WorkflowDef& def, const Value& input);

}  // namespace steadfast

#endif  // STEADFAST_DEFINITION_INPUT_CHECK_H_
