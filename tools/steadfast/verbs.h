// The table of the CLI's own verbs (commands.h says how to add one) and
// the one way every declared verb, the CLI's and a plugin's, is run: its
// arguments parsed against its CommandSpec, --help answered, bad usage
// refused with exit 2.
#ifndef STEADFAST_TOOLS_VERBS_H_
#define STEADFAST_TOOLS_VERBS_H_

#include <functional>
#include <string>
#include <vector>

#include "cli_flags.h"

namespace steadfast::cli {

struct Verb {
  const char* name;
  const char* group;                   // its heading in `steadfast --help`
  void (*declare)(CommandSpec& spec);  // what it takes
  int (*run)(const Flags& flags);      // what it does; the exit code
};

// In the order `steadfast --help` lists them.
const std::vector<Verb>& CliVerbs();
// The verb named `name`, or null.
const Verb* FindCliVerb(const std::string& name);
// The spec `verb` declares.
CommandSpec SpecOf(const Verb& verb);

// Parses args against spec and calls run. --help / -h prints spec's page to
// stdout (exit 0); bad usage prints the problem and the synopsis to stderr
// (exit 2) without calling run.
int RunDeclaredVerb(const CommandSpec& spec, const std::vector<std::string>& args,
                    const std::function<int(const Flags&)>& run);

// `steadfast --help`: every verb with its summary, by group, then
// plugin_help (the plugins' verbs), then the exit codes.
std::string CliUsage(const std::string& plugin_help);

}  // namespace steadfast::cli

#endif  // STEADFAST_TOOLS_VERBS_H_
