// StepGraph: a workflow definition's control flow as nodes and edges.
//
// The one picture of a workflow shared by `steadfast graph` (Mermaid or DOT
// for docs) and the HTTP API (`GET /v1/workflows/{id}/graph`, drawn by the
// reviewer page). It follows the semantics written atop workflow_def.h:
//   - every step is a node; `start`, `end` and (when some jump leads there)
//     `fail` are terminal nodes;
//   - a step's normal way on (its `next`, else the following step, else
//     end) is a `next` edge, labelled "approved" for approvals and
//     "received" for signals and "woke" for sleeps; a continue_as_new
//     step's leads back to `start`, labelled "new run";
//   - a step with `when` (not an approval) has a `skip` edge to the
//     following step, taken when the condition is false; an approval's
//     `when` only says whether it holds, so it has no skip edge;
//   - waits with a timeout have a `timeout` edge, approvals a `reject` edge;
//   - a step with `compensate` has a compensation node of its own, joined
//     by a `compensate` edge (drawn dashed: it runs only when a later step
//     fails for good, undoing this one).
// Node ids are step ids for steps, "(start)", "(end)", "(fail)" for the
// terminals and "<step>.compensate" for compensations; none can collide with
// a step id (step ids are a-z, 0-9 and '_').
#ifndef STEADFAST_DEFINITION_STEP_GRAPH_H_
#define STEADFAST_DEFINITION_STEP_GRAPH_H_

#include <string>
#include <string_view>
#include <vector>

#include "definition/workflow_def.h"
#include "steadfast/value.h"

namespace steadfast {

enum class GraphNodeKind : int {
  kStart = 0,
  kEnd = 1,
  kFail = 2,
  kActivity = 3,
  kSignal = 4,
  kApproval = 5,
  kCompensation = 6,
  kSleep = 7,
  kContinueAsNew = 8,  // its `next` edge leads back to start: the next run
  kChild = 9,          // a child workflow run as the step, or as a branch of a parallel step
  kParallel = 10,      // forks into its branches (kChild nodes), which join at its `next`
  kForEach = 11,       // a child workflow per element of a list
};

enum class GraphEdgeKind : int {
  kNext = 0,        // the step finished (completed, received, approved)
  kSkip = 1,        // `when` was false
  kTimeout = 2,     // a wait's timeout fired
  kReject = 3,      // an approval was rejected
  kCompensate = 4,  // undo this step if a later one fails for good
};

struct GraphNode {
  std::string id;      // see the file comment
  GraphNodeKind kind = GraphNodeKind::kActivity;
  std::string step;    // the step id; for a compensation, the step it undoes; "" for terminals
  std::string detail;  // activity name, "signal: <name>", "approval" (+ "2 reviewers"), "sleep 3d",
                       // "until ${...}", "workflow: <name>", compensation activity
  std::string when;    // the condition's text (for an approval: when it holds); "" = none
};

struct GraphEdge {
  std::string from;
  std::string to;
  GraphEdgeKind kind = GraphEdgeKind::kNext;
  std::string label;  // "", "approved", "rejected", "skipped", "timeout 72h", ...
};

struct StepGraph {
  std::string workflow;
  int version = 1;
  std::vector<GraphNode> nodes;  // start, the steps in written order (each followed by its compensation), end, fail
  std::vector<GraphEdge> edges;  // from start, then per step in written order
};

// Builds the graph of a validated definition (jump targets exist). Never fails.
StepGraph BuildStepGraph(const WorkflowDef& def);

std::string_view GraphNodeKindName(GraphNodeKind kind);  // "start", "activity", "compensation", ...
std::string_view GraphEdgeKindName(GraphEdgeKind kind);  // "next", "skip", "timeout", "reject", "compensate"

// A Mermaid flowchart (top to bottom) ending in a newline. Text from the
// definition is escaped with Mermaid entity codes, so any condition renders.
std::string RenderMermaid(const StepGraph& graph);

// A Graphviz DOT digraph ending in a newline.
std::string RenderDot(const StepGraph& graph);

// {workflow, version, nodes: [{id, kind, step, detail, when}], edges: [{from, to, kind, label}]}
Value StepGraphToValue(const StepGraph& graph);

}  // namespace steadfast

#endif  // STEADFAST_DEFINITION_STEP_GRAPH_H_
