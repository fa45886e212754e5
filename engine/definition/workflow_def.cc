// WorkflowDef lookups.
#include "definition/workflow_def.h"

#include <cstdint>

namespace steadfast {

bool Compensable(const StepDef& step) {
  if (step.kind == StepKind::kActivity) return !step.compensate.empty();
  return (step.kind == StepKind::kChild || step.kind == StepKind::kForEach) && step.child_compensate;
}

std::string ElementId(std::string_view step, int64_t index) {
  return std::string(step) + "." + std::to_string(index);
}

bool ParseElementId(std::string_view id, std::string* step, int64_t* index) {
  const size_t dot = id.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == id.size()) return false;
  int64_t n = 0;
  for (char c : id.substr(dot + 1)) {
    if (c < '0' || c > '9' || n > (INT64_MAX - 9) / 10) return false;
    n = n * 10 + (c - '0');
  }
  *step = std::string(id.substr(0, dot));
  *index = n;
  return true;
}

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

const StepDef* WorkflowDef::ParallelOf(std::string_view branch_id) const {
  for (const StepDef& s : steps) {
    for (const StepDef& b : s.branches) {
      if (b.id == branch_id) return &s;
    }
  }
  return nullptr;
}

const StepDef* WorkflowDef::FindStepOrBranch(std::string_view id) const {
  if (const StepDef* s = FindStep(id)) return s;
  std::string step;
  int64_t index = 0;
  if (ParseElementId(id, &step, &index)) {
    const StepDef* s = FindStep(step);
    return s != nullptr && s->kind == StepKind::kForEach ? s : nullptr;
  }
  const StepDef* parallel = ParallelOf(id);
  if (parallel == nullptr) return nullptr;
  for (const StepDef& b : parallel->branches) {
    if (b.id == id) return &b;
  }
  return nullptr;
}

}  // namespace steadfast
