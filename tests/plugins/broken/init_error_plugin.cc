// A plugin whose init refuses its configuration, as a real one does when a
// required setting is missing: the engine must stop with the file, the
// Status code and the plugin's own message.
#include "steadfast/registry.h"

STEADFAST_PLUGIN(ctx, registry) {
  (void)registry;
  if (ctx.config.Get("api_url").is_string()) return steadfast::Status::Ok();
  return steadfast::Status::InvalidArgument("plugin_config.init_error_plugin.api_url is required");
}
