// The CLI's verbs, and running a declared verb (verbs.h).
#include "verbs.h"

#include <cstdio>

#include "cli_context.h"
#include "commands.h"

namespace steadfast::cli {
namespace {

constexpr char kRunAndServe[] = "Run and serve";
constexpr char kActOnWorkflows[] =
    "Act on workflows (local: --db PATH or the config's database; remote: --server URL, token in STEADFAST_TOKEN)";

constexpr char kKillSwitch[] = "Kill switch (no new attempt of a held activity starts; nothing fails)";

constexpr char kExitCodes[] =
    "Exit codes: 0 ok; 1 the workflow failed, problems were found or the request was refused;\n"
    "2 bad usage or input; 3 the engine could not do it (config, store, plugin, network);\n"
    "4 (reconcile) the ledger, the workflows and the PSP disagree. docs/cli.md has the details.\n";

}  // namespace

const std::vector<Verb>& CliVerbs() {
  static const std::vector<Verb> verbs = {
      {"run", kRunAndServe, DeclareRun, RunRun},
      {"serve", kRunAndServe, DeclareServe, RunServe},
      {"deploy", kRunAndServe, DeclareDeploy, RunDeploy},
      {"validate", kRunAndServe, DeclareValidate, RunValidate},
      {"graph", kRunAndServe, DeclareGraph, RunGraph},
      {"activities", kRunAndServe, DeclareActivities, RunActivities},
      {"migrate", kRunAndServe, DeclareMigrate, RunMigrate},
      {"bench", kRunAndServe, DeclareBench, RunBench},
      {"bench-api", kRunAndServe, DeclareBenchApi, RunBenchApi},
      {"bench-search", kRunAndServe, DeclareBenchSearch, RunBenchSearch},
      {"token", kRunAndServe, DeclareToken, RunToken},
      {"start", kActOnWorkflows, DeclareStart, RunStart},
      {"status", kActOnWorkflows, DeclareStatus, RunStatus},
      {"history", kActOnWorkflows, DeclareHistory, RunHistory},
      {"list", kActOnWorkflows, DeclareList, RunList},
      {"approve", kActOnWorkflows, DeclareApprove, RunApprove},
      {"reject", kActOnWorkflows, DeclareReject, RunReject},
      {"signal", kActOnWorkflows, DeclareSignal, RunSignal},
      {"cancel", kActOnWorkflows, DeclareCancel, RunCancel},
      {"pause", kActOnWorkflows, DeclarePause, RunPause},
      {"resume", kActOnWorkflows, DeclareResume, RunResume},
      {"schedules", kActOnWorkflows, DeclareSchedules, RunSchedules},
      {"schedule", kActOnWorkflows, DeclareSchedule, RunSchedule},
      {"retry", kActOnWorkflows, DeclareRetry, RunRetry},
      {"bulk", kActOnWorkflows, DeclareBulk, RunBulk},
      {"purge", kActOnWorkflows, DeclarePurge, RunPurge},
      {"hold", kKillSwitch, DeclareHold, RunHold},
      {"release", kKillSwitch, DeclareRelease, RunRelease},
      {"holds", kKillSwitch, DeclareHolds, RunHolds},
  };
  return verbs;
}

const Verb* FindCliVerb(const std::string& name) {
  for (const Verb& v : CliVerbs()) {
    if (name == v.name) return &v;
  }
  return nullptr;
}

CommandSpec SpecOf(const Verb& verb) {
  CommandSpec spec(verb.name);
  verb.declare(spec);
  return spec;
}

int RunDeclaredVerb(const CommandSpec& spec, const std::vector<std::string>& args,
                    const std::function<int(const Flags&)>& run) {
  Result<Flags> flags = Flags::Parse(args, spec);
  if (!flags.ok()) {
    std::fprintf(stderr, "steadfast %s: %s\nusage: steadfast %s\nRun 'steadfast %s --help' for every option.\n",
                 spec.verb().c_str(), flags.status().message().c_str(), spec.Synopsis().c_str(), spec.verb().c_str());
    return kExitUsage;
  }
  if (flags->help_requested()) {
    std::fputs(spec.Usage().c_str(), stdout);
    return kExitOk;
  }
  return run(*flags);
}

std::string CliUsage(const std::string& plugin_help) {
  std::string out = "usage: steadfast VERB [ARGS] [OPTIONS]      'steadfast VERB --help' shows a verb's options\n";
  std::string group;
  for (const Verb& v : CliVerbs()) {
    if (group != v.group) {
      group = v.group;
      out += "\n" + group + "\n";
    }
    CommandSpec spec = SpecOf(v);
    char line[512];
    std::snprintf(line, sizeof line, "  %-12s %s\n", v.name, spec.summary().c_str());
    out += line;
  }
  return out + plugin_help + "\n" + kExitCodes;
}

}  // namespace steadfast::cli
