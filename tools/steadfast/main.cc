// steadfast: the command-line entry point. See docs/cli.md.
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "cli_context.h"
#include "commands.h"
#include "plugin_commands.h"

namespace {

const char* kUsage = R"(usage: steadfast <command> [options]

Run and serve
  run WORKFLOW.yaml --input JSON|@file [--db PATH]   run one workflow to completion, in-process
  serve [--config config/steadfast.yaml]             run the engine until SIGTERM
  validate FILE.yaml...                              check workflow definitions (file:line:col)
  graph WORKFLOW.yaml [--format mermaid|dot|json]    print the step graph (for docs)
  activities                                         list registered activities
  migrate [--config FILE | --db PATH] [--json]       apply engine and plugin schema migrations, show versions
  bench [--steps 5 --workflows N --concurrency C]    measure checkpoint throughput
  bench-api --server URL [--workflows N --clients C] HTTP start+approve load (STEADFAST_TOKEN, STEADFAST_REVIEWER_TOKEN)

Act on workflows (local mode: --db PATH, or the database of --config)
  start WORKFLOW --input JSON [--id ID] [--idempotency-key K]
  status ID [--json]        history ID [--json]       list [--status S] [--workflow W] [--json]
  approve ID STEP [--comment C]    reject ID STEP [--comment C]
  signal ID NAME [--payload JSON] [--key K]    cancel ID [--reason R]    resume ID
)";

const char* kExitCodes = "\nExit codes: 0 ok, 1 workflow failed / problems found / refused, 2 bad usage, 3 engine error.\n";

}  // namespace

int main(int argc, char** argv) {
  using namespace steadfast::cli;
  const std::map<std::string, std::function<int(const Args&)>> commands = {
      {"validate", CmdValidate},
      {"graph", CmdGraph},
      {"run", CmdRun},
      {"serve", CmdServe},
      {"start", CmdStart},
      {"status", CmdStatus},
      {"history", CmdHistory},
      {"list", CmdList},
      {"approve", [](const Args& a) { return CmdDecide(a, true); }},
      {"reject", [](const Args& a) { return CmdDecide(a, false); }},
      {"signal", CmdSignal},
      {"cancel", CmdCancel},
      {"resume", CmdResume},
      {"activities", CmdActivities},
      {"bench", CmdBench},
      {"bench-api", CmdBenchApi},
      {"migrate", CmdMigrate},
  };
  std::set<std::string> reserved = {"help", "--help", "-h"};
  for (const auto& [verb, _] : commands) reserved.insert(verb);
  // The CLI's own verbs, then each plugin's, titled with the plugin's name.
  const auto usage = [&reserved] { return std::string(kUsage) + PluginCommandsHelp(reserved) + kExitCodes; };
  if (argc < 2 || std::strcmp(argv[1], "help") == 0 || std::strcmp(argv[1], "--help") == 0 ||
      std::strcmp(argv[1], "-h") == 0) {
    std::fputs(usage().c_str(), argc < 2 ? stderr : stdout);
    return argc < 2 ? kExitUsage : kExitOk;
  }
  Args args(argv + 2, argv + argc);
  auto it = commands.find(argv[1]);
  if (it != commands.end()) return it->second(args);
  if (std::optional<int> code = RunPluginCommand(argv[1], args, reserved)) return *code;
  std::fprintf(stderr, "steadfast: unknown command '%s'\n\n%s", argv[1], usage().c_str());
  return kExitUsage;
}
