// steadfast: the command-line entry point. See docs/cli.md.
//
// `steadfast VERB ARGS...`: the CLI's own verbs (verbs.cc), then any verb a
// plugin added (plugin_commands.h). Each verb's arguments are parsed by CLI11
// against what the verb declares (commands.h says how to add one).
#include <cstdio>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cli_context.h"
#include "malloc_arenas.h"
#include "plugin_commands.h"
#include "verbs.h"

int main(int argc, char** argv) {
  using namespace steadfast::cli;
  LimitMallocArenas();
  std::set<std::string> reserved = {"help"};
  for (const Verb& v : CliVerbs()) reserved.insert(v.name);
  std::vector<std::string> words(argv + 1, argv + argc);
  // The plugins' verbs listed are those of the config the command line names.
  const auto usage = [&reserved, &words] { return CliUsage(PluginCommandsHelp(reserved, words)); };

  if (words.empty()) {
    std::fputs(usage().c_str(), stderr);
    return kExitUsage;
  }
  std::string verb = words[0];
  std::vector<std::string> args(words.begin() + 1, words.end());
  if (verb == "--help" || verb == "-h" || (verb == "help" && args.empty())) {
    std::fputs(usage().c_str(), stdout);
    return kExitOk;
  }
  if (verb == "help") {  // `steadfast help VERB` is `steadfast VERB --help`
    verb = args[0];
    args = {"--help"};
  }
  if (const Verb* v = FindCliVerb(verb)) return RunDeclaredVerb(SpecOf(*v), args, v->run);
  if (std::optional<int> code = RunPluginCommand(verb, args, reserved)) return *code;
  std::fprintf(stderr, "steadfast: unknown command '%s'\nRun 'steadfast --help' for the list of verbs.\n", verb.c_str());
  return kExitUsage;
}
