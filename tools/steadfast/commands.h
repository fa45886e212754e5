// The steadfast CLI's own verbs.
//
// How to add a verb (docs/cli.md, "Adding a verb"):
//  1. In cmd_<verb>.cc write two functions,
//       void DeclarePause(CommandSpec& spec);  // what it takes, with a line of help each:
//         spec.Summary("pauses an instance").Positional("ID", "the instance")
//             .Option("reason", "TEXT", "why").Json().StoreOptions();
//       int RunPause(const Flags& flags);      // what it does with the parsed flags; returns
//                                              // the exit code (kExitOk, kExitFailed, ...)
//     CLI11 parses the arguments against the spec before Run is called: `steadfast pause --help`
//     prints the page built from it, and bad usage exits 2 with a message, so Run never checks
//     arity or unknown options itself.
//  2. Declare both below and add one line to CliVerbs() in verbs.cc (its group is the heading
//     in `steadfast --help`); add the file to meson.build and the verb to docs/cli.md.
// A verb that prints data takes --json (spec.Json()); long work reports through a
// ProgressReporter (progress_reporter.h).
#ifndef STEADFAST_TOOLS_COMMANDS_H_
#define STEADFAST_TOOLS_COMMANDS_H_

#include "cli_flags.h"

namespace steadfast::cli {

void DeclareValidate(CommandSpec& spec);
int RunValidate(const Flags& flags);
void DeclareGraph(CommandSpec& spec);  // cmd_graph.cc
int RunGraph(const Flags& flags);
void DeclareRun(CommandSpec& spec);
int RunRun(const Flags& flags);
void DeclareServe(CommandSpec& spec);
int RunServe(const Flags& flags);
void DeclareDeploy(CommandSpec& spec);  // cmd_deploy.cc
int RunDeploy(const Flags& flags);
void DeclareActivities(CommandSpec& spec);
int RunActivities(const Flags& flags);
void DeclareMigrate(CommandSpec& spec);  // cmd_migrate.cc
int RunMigrate(const Flags& flags);
void DeclareBench(CommandSpec& spec);
int RunBench(const Flags& flags);
void DeclareBenchApi(CommandSpec& spec);  // cmd_bench_api.cc
int RunBenchApi(const Flags& flags);
void DeclareBenchSearch(CommandSpec& spec);  // cmd_bench_search.cc
int RunBenchSearch(const Flags& flags);
void DeclareToken(CommandSpec& spec);  // cmd_token.cc
int RunToken(const Flags& flags);

// cmd_client.cc: local (--db) or HTTP (--server) mode.
void DeclareStart(CommandSpec& spec);
int RunStart(const Flags& flags);
int RunStartBatch(const Flags& flags);  // cmd_start_batch.cc: start --batch FILE.jsonl WORKFLOW
void DeclareStatus(CommandSpec& spec);
int RunStatus(const Flags& flags);
void DeclareHistory(CommandSpec& spec);
int RunHistory(const Flags& flags);
void DeclareList(CommandSpec& spec);
int RunList(const Flags& flags);
void DeclareApprove(CommandSpec& spec);
int RunApprove(const Flags& flags);
void DeclareReject(CommandSpec& spec);
int RunReject(const Flags& flags);
void DeclareSignal(CommandSpec& spec);
int RunSignal(const Flags& flags);
void DeclareCancel(CommandSpec& spec);
int RunCancel(const Flags& flags);
void DeclareResume(CommandSpec& spec);
int RunResume(const Flags& flags);
void DeclareSchedules(CommandSpec& spec);  // steadfast schedules
int RunSchedules(const Flags& flags);
void DeclareSchedule(CommandSpec& spec);   // steadfast schedule show|history|pause|resume|trigger NAME
int RunSchedule(const Flags& flags);
void DeclarePause(CommandSpec& spec);
int RunPause(const Flags& flags);
void DeclareRetry(CommandSpec& spec);
int RunRetry(const Flags& flags);
// cmd_bulk.cc: bulk actions by filter, local or --server.
void DeclareBulk(CommandSpec& spec);
int RunBulk(const Flags& flags);

// cmd_holds.cc: the kill switch (local mode).
void DeclareHold(CommandSpec& spec);
int RunHold(const Flags& flags);
void DeclareRelease(CommandSpec& spec);
int RunRelease(const Flags& flags);
void DeclareHolds(CommandSpec& spec);
int RunHolds(const Flags& flags);
// cmd_purge.cc
void DeclarePurge(CommandSpec& spec);
int RunPurge(const Flags& flags);

}  // namespace steadfast::cli

#endif  // STEADFAST_TOOLS_COMMANDS_H_
