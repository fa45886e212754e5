// steadfast validate FILE...: every problem as file:line:col: message.
#include <cstdio>

#include "cli_context.h"
#include "commands.h"
#include "definition/parser.h"

namespace steadfast::cli {

int CmdValidate(const Args& args) {
  auto flags = Flags::Parse(args, {"config"}, {"quiet"});
  if (!flags.ok()) return Fail(kExitUsage, flags.status().message());
  if (flags->positional().empty()) return Fail(kExitUsage, "usage: steadfast validate FILE.yaml...");
  auto ctx = OpenContext(*flags, ContextNeeds{false, false});
  if (!ctx.ok()) return Fail(kExitError, ctx.status().message());
  int problems = 0;
  for (const std::string& file : flags->positional()) {
    ParseResult r = ParseWorkflowFile(file, (*ctx)->registry.get());
    for (const Diagnostic& d : r.diagnostics) std::printf("%s\n", d.ToString().c_str());
    problems += static_cast<int>(r.diagnostics.size());
    if (r.ok() && !flags->Has("quiet")) {
      std::printf("%s: ok (%s v%d, %zu steps)\n", file.c_str(), r.def->name.c_str(), r.def->version,
                  r.def->steps.size());
    }
  }
  if (problems > 0) std::fprintf(stderr, "%d problem%s found\n", problems, problems == 1 ? "" : "s");
  return problems == 0 ? kExitOk : kExitFailed;
}

}  // namespace steadfast::cli
