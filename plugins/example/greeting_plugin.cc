// plugins/example/greeting_plugin.cc: the entry point steadfast calls when it loads libgreeting.so.
#include "greeting_activities.h"
#include "steadfast/registry.h"

// ctx.config is this plugin's section of the engine config: plugin_config.greeting,
// the name of the file without "lib" and ".so". An error returned here stops
// the engine with the file's name and this message.
STEADFAST_PLUGIN(ctx, registry) {
  steadfast::Result<greeting::GreetingConfig> config = greeting::GreetingConfigFrom(ctx);
  if (!config.ok()) return config.status();
  ctx.logger->Info("greeting plugin: delivering to " + config->outbox_dir);
  return greeting::RegisterGreetingActivities(registry, *config);
}
