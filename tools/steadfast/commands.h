// The steadfast CLI's commands; each takes the arguments after its verb
// and returns the process exit code (cli_context.h).
#ifndef STEADFAST_TOOLS_COMMANDS_H_
#define STEADFAST_TOOLS_COMMANDS_H_

#include <string>
#include <vector>

namespace steadfast::cli {

using Args = std::vector<std::string>;

int CmdValidate(const Args& args);
int CmdGraph(const Args& args);  // cmd_graph.cc
int CmdRun(const Args& args);
int CmdServe(const Args& args);
int CmdStart(const Args& args);
int CmdStatus(const Args& args);
int CmdHistory(const Args& args);
int CmdList(const Args& args);
int CmdDecide(const Args& args, bool approve);
int CmdSignal(const Args& args);
int CmdCancel(const Args& args);
int CmdResume(const Args& args);
int CmdActivities(const Args& args);
int CmdBench(const Args& args);
int CmdBenchApi(const Args& args);  // cmd_bench_api.cc
int CmdMigrate(const Args& args);    // cmd_migrate.cc

}  // namespace steadfast::cli

#endif  // STEADFAST_TOOLS_COMMANDS_H_
