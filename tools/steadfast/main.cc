// steadfast: the command-line entry point. See docs/cli.md.
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <string>

#include "cli_context.h"
#include "commands.h"

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

Refunds
  refund quote --reservation @file.json [--policy NAME] [--cancel-at TIME] [--json]
  refund ledger [--instance ID] [--db PATH] [--json]   ledger entries and balances
  refund records [--db PATH] [--json]                  the refund plugin's PSP refund records
  refund policy-diff OLD.yaml NEW.yaml --over reservations.jsonl [--top N] [--json]
  reconcile [--db PATH] [--since T] [--repair] [--json]   ledger vs workflows vs PSP refunds (exit 4 on drift)

Act on workflows (local mode: --db PATH, or the database of --config)
  start WORKFLOW --input JSON [--id ID] [--idempotency-key K]
  status ID [--json]        history ID [--json]       list [--status S] [--workflow W] [--json]
  approve ID STEP [--comment C]    reject ID STEP [--comment C]
  signal ID NAME [--payload JSON] [--key K]    cancel ID [--reason R]    resume ID

Exit codes: 0 ok, 1 workflow failed / problems found / refused, 2 bad usage, 3 engine error.
)";

}  // namespace

int main(int argc, char** argv) {
  using namespace steadfast::cli;
  if (argc < 2 || std::strcmp(argv[1], "help") == 0 || std::strcmp(argv[1], "--help") == 0 ||
      std::strcmp(argv[1], "-h") == 0) {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? kExitUsage : kExitOk;
  }
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
      {"refund", CmdRefund},
      {"reconcile", CmdReconcile},
      {"migrate", CmdMigrate},
  };
  auto it = commands.find(argv[1]);
  if (it == commands.end()) {
    std::fprintf(stderr, "steadfast: unknown command '%s'\n\n%s", argv[1], kUsage);
    return kExitUsage;
  }
  Args args(argv + 2, argv + argc);
  return it->second(args);
}
