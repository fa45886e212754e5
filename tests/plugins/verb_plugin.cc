// A .so plugin with CLI verbs (tests/integration/cli/plugin_cli_test.cc):
// `steadfast greet [NAME] --config FILE` prints its plugin_config greeting,
// declared (CommandRegistry::AddVerb); `steadfast echo ARGS...` parses its
// own arguments (CommandRegistry::Add).
#include <cctype>
#include <cstdio>
#include <string>
#include <vector>

#include "steadfast/commands.h"
#include "steadfast/registry.h"

namespace {

void DeclareGreet(steadfast::CommandSpec& spec) {
  spec.Summary("says hello")
      .OptionalPositional("NAME", "who to greet (default: the plugin)")
      .Option("config", "FILE", "engine config");
}

int RunGreet(const steadfast::CommandFlags& flags, steadfast::CommandHost& host) {
  steadfast::Result<steadfast::PluginContext> ctx = host.LoadPluginContext(flags.GetOr("config", ""));
  if (!ctx.ok()) return steadfast::CommandFail(steadfast::kCommandError, ctx.status().message());
  std::string whom = flags.positional().empty() ? "from " + ctx->name : "to " + flags.positional()[0];
  std::printf("%s %s\n", ctx->config.Get("greeting").StringOr("hello").c_str(), whom.c_str());
  return steadfast::kCommandOk;
}

int Echo(const std::vector<std::string>& args, steadfast::CommandHost&) {
  auto flags = steadfast::CommandFlags::Parse(args, {"config"}, {"upper"});
  if (!flags.ok()) return steadfast::CommandFail(steadfast::kCommandUsage, flags.status().message());
  for (std::string word : flags->positional()) {
    if (flags->Has("upper")) {
      for (char& c : word) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    std::printf("%s\n", word.c_str());
  }
  return steadfast::kCommandOk;
}

}  // namespace

STEADFAST_PLUGIN(ctx, registry) {
  (void)ctx;
  return registry.Register("verb_plugin.noop", [](steadfast::ActivityContext&) -> steadfast::ActivityResult {
    return steadfast::Value();
  });
}

STEADFAST_PLUGIN_COMMANDS(commands) {
  steadfast::CommandSpec greet("greet");
  DeclareGreet(greet);
  steadfast::Status s = commands.AddVerb(std::move(greet), &RunGreet);
  if (!s.ok()) return s;
  return commands.Add("echo", "echo WORD... [--upper] [--config FILE]   prints each word on a line\n", &Echo);
}
