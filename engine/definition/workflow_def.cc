// WorkflowDef lookups.
#include "definition/workflow_def.h"

namespace steadfast {

// Linear: workflows have tens of steps, and a map would have to be kept in
// sync with `steps` by every code path that builds a definition.
int WorkflowDef::StepIndex(std::string_view id) const {
  for (size_t i = 0; i < steps.size(); ++i) {
    if (steps[i].id == id) return static_cast<int>(i);
  }
  return -1;
}

const StepDef* WorkflowDef::FindStep(std::string_view id) const {
  int i = StepIndex(id);
  return i < 0 ? nullptr : &steps[static_cast<size_t>(i)];
}

}  // namespace steadfast
