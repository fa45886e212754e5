// Search keys: evaluating a workflow's `search:` for a starting instance.
#ifndef STEADFAST_RUNTIME_SEARCH_KEYS_H_
#define STEADFAST_RUNTIME_SEARCH_KEYS_H_

#include <vector>

#include "definition/workflow_def.h"
#include "steadfast/status.h"
#include "store/store.h"

namespace steadfast {

// The instance's keys from def.search, evaluated over the starting
// instance's scope (runtime/transition.h InstanceScope: no step has run).
// A key that evaluates to null (an optional input left out) is not
// indexed; a string is its text, a number or bool its JSON text.
// InvalidArgument naming the key when an expression fails, or the value is
// a map or list, or longer than kMaxSearchValueLength: the start is refused
// rather than the instance becoming unfindable.
Result<std::vector<SearchKey>> EvaluateSearchKeys(const WorkflowDef& def, const ExpressionScope& scope);

}  // namespace steadfast

#endif  // STEADFAST_RUNTIME_SEARCH_KEYS_H_
