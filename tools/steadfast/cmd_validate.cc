// steadfast validate FILE...: every problem as file:line:col: message.
#include <cstdio>

#include "cli_context.h"
#include "commands.h"
#include "definition/parser.h"

namespace steadfast::cli {

void DeclareValidate(CommandSpec& spec) {
  spec.Summary("checks workflow definitions; prints every problem as file:line:col")
      .Positionals("FILE.yaml", "the definitions")
      .Option("config", "FILE", "engine config whose plugins' activities count as known")
      .Switch("quiet", "print only the problems")
      .Details("Exit 0 clean; 1 problems found.");
}

int RunValidate(const Flags& flags) {
  auto ctx = OpenContext(flags, ContextNeeds{false, false});
  if (!ctx.ok()) return Fail(kExitError, ctx.status().message());
  int problems = 0;
  for (const std::string& file : flags.positional()) {
    ParseResult r = ParseWorkflowFile(file, (*ctx)->registry.get());
    for (const Diagnostic& d : r.diagnostics) std::printf("%s\n", d.ToString().c_str());
    problems += static_cast<int>(r.diagnostics.size());
    if (r.ok() && !flags.Has("quiet")) {
      std::printf("%s: ok (%s v%d, %zu steps)\n", file.c_str(), r.def->name.c_str(), r.def->version,
                  r.def->steps.size());
    }
  }
  if (problems > 0) std::fprintf(stderr, "%d problem%s found\n", problems, problems == 1 ? "" : "s");
  return problems == 0 ? kExitOk : kExitFailed;
}

}  // namespace steadfast::cli
