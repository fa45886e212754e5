// steadfast graph WORKFLOW.yaml [--format mermaid|dot|json]: the step graph
// (definition/step_graph.h), the same one the reviewer page draws.
#include <cstdio>

#include "cli_context.h"
#include "commands.h"
#include "definition/parser.h"
#include "definition/step_graph.h"

namespace steadfast::cli {

void DeclareGraph(CommandSpec& spec) {
  spec.Summary("prints a workflow's step graph (Mermaid, DOT or JSON)")
      .Positional("WORKFLOW.yaml", "the workflow definition")
      .Option("format", "mermaid|dot|json", "the output format (default mermaid)")
      .Details("Exit 0; 1 the workflow is invalid (its problems on stderr); 2 bad usage.");
}

int RunGraph(const Flags& flags) {
  std::string format = flags.Get("format").value_or("mermaid");
  if (format != "mermaid" && format != "dot" && format != "json") {
    return Fail(kExitUsage, "--format must be mermaid, dot or json, not '" + format + "'");
  }
  // Structure only: activity names are not looked up, so no plugins load
  // (`steadfast validate` checks them).
  ParseResult r = ParseWorkflowFile(flags.positional()[0], nullptr);
  if (!r.ok()) {
    for (const Diagnostic& d : r.diagnostics) std::fprintf(stderr, "%s\n", d.ToString().c_str());
    return Fail(kExitFailed, "cannot draw an invalid workflow (" + std::to_string(r.diagnostics.size()) +
                                 " problem" + (r.diagnostics.size() == 1 ? ")" : "s)"));
  }
  StepGraph graph = BuildStepGraph(*r.def);
  std::string out = format == "mermaid" ? RenderMermaid(graph)
                    : format == "dot"   ? RenderDot(graph)
                                        : StepGraphToValue(graph).ToPrettyJson() + "\n";
  std::fputs(out.c_str(), stdout);
  return kExitOk;
}

}  // namespace steadfast::cli
