// A .so plugin with a CLI verb (tests/integration/cli/plugin_cli_test.cc):
// `steadfast greet --config FILE` prints its plugin_config greeting.
#include <cstdio>
#include <string>
#include <vector>

#include "steadfast/commands.h"
#include "steadfast/registry.h"

namespace {

int Greet(const std::vector<std::string>& args, steadfast::CommandHost& host) {
  auto flags = steadfast::CommandFlags::Parse(args, {"config"}, {});
  if (!flags.ok()) return steadfast::CommandFail(steadfast::kCommandUsage, flags.status().message());
  steadfast::Result<steadfast::PluginContext> ctx = host.LoadPluginContext(flags->GetOr("config", ""));
  if (!ctx.ok()) return steadfast::CommandFail(steadfast::kCommandError, ctx.status().message());
  std::printf("%s from %s\n", ctx->config.Get("greeting").StringOr("hello").c_str(), ctx->name.c_str());
  return steadfast::kCommandOk;
}

}  // namespace

STEADFAST_PLUGIN(ctx, registry) {
  (void)ctx;
  return registry.Register("verb_plugin.noop", [](steadfast::ActivityContext&) -> steadfast::ActivityResult {
    return steadfast::Value();
  });
}

STEADFAST_PLUGIN_COMMANDS(commands) { return commands.Add("greet", "greet [--config FILE]   says hello\n", &Greet); }
