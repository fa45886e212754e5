// steadfast validate FILE...: every problem as file:line:col: message.
#include <cstdio>
#include <algorithm>
#include <filesystem>
#include <set>

#include "cli_context.h"
#include "commands.h"
#include "definition/parser.h"
#include "runtime/workflow_catalog.h"

namespace steadfast::cli {

void DeclareValidate(CommandSpec& spec) {
  spec.Summary("checks workflow definitions; prints every problem as file:line:col")
      .Positionals("FILE.yaml", "the definitions")
      .Option("config", "FILE", "engine config whose plugins' activities count as known")
      .Switch("quiet", "print only the problems")
      .Details("A child workflow step (`workflow: NAME`) must name a workflow among the files or, with "
               "--config, in its workflows directory. Exit 0 clean; 1 problems found.");
}

int RunValidate(const Flags& flags) {
  auto ctx = OpenContext(flags, ContextNeeds{false, false});
  if (!ctx.ok()) return Fail(kExitError, ctx.status().message());
  int problems = 0;
  // The children the files run are looked for among the files and the config's workflows.
  WorkflowCatalog catalog((*ctx)->registry.get());
  if (flags.Has("config") && std::filesystem::is_directory((*ctx)->config.workflows_dir)) {
    catalog.AddDirectory((*ctx)->config.workflows_dir);  // their own problems are not these files'
  }
  std::vector<DefPtr> parsed;
  for (const std::string& file : flags.positional()) {
    ParseResult r = ParseWorkflowFile(file, (*ctx)->registry.get());
    for (const Diagnostic& d : r.diagnostics) std::printf("%s\n", d.ToString().c_str());
    problems += static_cast<int>(r.diagnostics.size());
    if (r.ok()) {
      Result<DefPtr> def = catalog.Add(std::move(r));
      if (def.ok()) parsed.push_back(*def);
    }
  }
  std::set<std::string> unresolved;
  for (const Diagnostic& d : catalog.MissingChildWorkflows()) {
    if (std::none_of(parsed.begin(), parsed.end(), [&](const DefPtr& def) { return def->path == d.file; })) continue;
    std::printf("%s\n", d.ToString().c_str());
    unresolved.insert(d.file);
    ++problems;
  }
  for (const DefPtr& def : parsed) {
    if (flags.Has("quiet") || unresolved.count(def->path) != 0) continue;
    std::printf("%s: ok (%s v%d, %zu steps)\n", def->path.c_str(), def->name.c_str(), def->version, def->steps.size());
  }
  if (problems > 0) std::fprintf(stderr, "%d problem%s found\n", problems, problems == 1 ? "" : "s");
  return problems == 0 ? kExitOk : kExitFailed;
}

}  // namespace steadfast::cli
