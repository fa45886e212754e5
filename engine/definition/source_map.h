// SourceMap: where each part of a built WorkflowDef came from in the YAML,
// kept beside the definition (not in it) so that the validator can point at
// the offending node without depending on yaml-cpp, and so that WorkflowDef
// stays a plain runtime structure.
#ifndef STEADFAST_DEFINITION_SOURCE_MAP_H_
#define STEADFAST_DEFINITION_SOURCE_MAP_H_

#include <vector>

#include "definition/expression.h"
#include "definition/source_locator.h"
#include "definition/workflow_def.h"

namespace steadfast {

// Where an expression is used decides which step outputs it may read.
enum class ExpressionUse : int {
  kWhen = 0,            // before the step runs: earlier steps only
  kWith = 1,            // the step's input: earlier steps only
  kContext = 2,         // wait/approval context, built when the wait starts: earlier steps only
  kCompensateWith = 3,  // runs after the step completed: earlier steps and the step itself
  kOutput = 4,          // workflow output, at the end: any step
  kSearch = 5,          // search keys, when the instance starts: input and workflow only
  kElement = 6,         // a for_each step's child input: as kWith, and `item` and `index`
};

struct ExpressionSite {
  int step = -1;         // index into WorkflowDef::steps; -1 for the workflow output
  ExpressionUse use = ExpressionUse::kWith;
  Expression expression;
  YamlPosition scalar;   // the YAML scalar that holds it
  int base_offset = 0;   // offset of the expression text in the scalar's decoded value
};

struct StepSource {
  SourceLocation id;          // the id's value, or the step's mapping when id is missing
  SourceLocation activity;    // of each field's value, {0,0} when absent
  SourceLocation compensate;
  SourceLocation next;
  SourceLocation on_timeout;
  SourceLocation on_reject;
  bool has_id = false;
};

struct SourceMap {
  std::vector<StepSource> steps;  // parallel to WorkflowDef::steps
  std::vector<ExpressionSite> expressions;
  bool input_declared = false;    // `input:` present, so input.<x> must name a declared field
};

}  // namespace steadfast

#endif  // STEADFAST_DEFINITION_SOURCE_MAP_H_
