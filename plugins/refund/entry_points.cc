// The refund plugin's entry points, the same a plugin loaded as a .so has
// (docs/plugins.md): STEADFAST_PLUGIN registers the activities (and their
// metrics); STEADFAST_PLUGIN_COMMANDS adds `steadfast refund ...` and
// `steadfast reconcile`. Built with STEADFAST_BUILTIN_PLUGIN=refund, so the
// entry points are named for the CLI's built-in plugin list.
#include <filesystem>
#include <string>

#include "refund/commands.h"
#include "refund/plugin.h"
#include "refund/refund_store.h"
#include "steadfast/commands.h"
#include "steadfast/registry.h"

STEADFAST_PLUGIN(ctx, registry) {
  using steadfast::refund::RefundPluginConfig;
  SF_ASSIGN_OR_RETURN(RefundPluginConfig config, RefundPluginConfig::FromPluginContext(ctx));
  // Without a refund section the plugin looks for the default policy file
  // (relative to the working directory: the repository root). Without
  // either it still registers its activities, so workflows naming them
  // validate anywhere; running one fails, saying what is missing.
  if (ctx.config.is_null() && !std::filesystem::exists(config.policies_path)) {
    const std::string why = "no plugin_config.refund in the engine config and no " + config.policies_path +
                            " (docs/refunds.md, §11)";
    if (ctx.logger != nullptr) ctx.logger->Debug("refund plugin not configured: " + why);
    // Its tables still exist (and `steadfast migrate` creates them).
    if (ctx.schemas != nullptr) SF_RETURN_IF_ERROR(ctx.schemas->Declare(steadfast::refund::RefundStore::Schema()));
    return steadfast::refund::RegisterUnconfiguredRefundActivities(registry, why);
  }
  return steadfast::refund::RegisterRefundActivities(registry, config, ctx);
}

STEADFAST_PLUGIN_COMMANDS(commands) {
  SF_RETURN_IF_ERROR(
      commands.Add("refund", steadfast::refund::kRefundCommandHelp, &steadfast::refund::RunRefundCommand));
  return commands.Add("reconcile", steadfast::refund::kReconcileCommandHelp, &steadfast::refund::RunReconcileCommand);
}
