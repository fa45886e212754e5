// plugins/example/greeting_activities.h: the greeting plugin's activities and configuration.
//
// A small, complete plugin to learn from (docs/plugins.md walks through it):
//   greeting.compose {name, language?} -> {message, language}
//     Builds "<greeting>, <name>!" from the configured greetings. Bad input
//     never gets better, so its errors are NonRetryable.
//   greeting.deliver {to, message} -> {file, delivered_attempt, replayed}
//     Puts the message in an outbox directory once per idempotency key: a
//     repeated attempt finds the first delivery and returns it. A missing or
//     unwritable outbox is Retryable: an operator can fix it while the engine
//     backs off.
#ifndef STEADFAST_EXAMPLE_GREETING_ACTIVITIES_H_
#define STEADFAST_EXAMPLE_GREETING_ACTIVITIES_H_

#include <cstddef>
#include <map>
#include <string>

#include "steadfast/registry.h"
#include "steadfast/status.h"

namespace greeting {

// plugin_config.greeting in the engine config.
struct GreetingConfig {
  std::map<std::string, std::string> greetings = {{"en", "Hello"}};  // language -> greeting
  std::string default_language = "en";  // when the input names none
  size_t max_name_length = 64;          // longer names are refused (invalid_name)
  std::string outbox_dir;               // where greeting.deliver puts messages; required
};

// Reads the plugin's config section: {outbox_dir, greetings, default_language,
// max_name_length}. A relative outbox_dir is resolved against the directory of
// the engine config. InvalidArgument naming the key when a value is missing
// or of the wrong type.
steadfast::Result<GreetingConfig> GreetingConfigFrom(const steadfast::PluginContext& ctx);

// Registers greeting.compose and greeting.deliver; fails if either name is taken.
steadfast::Status RegisterGreetingActivities(steadfast::ActivityRegistry& registry, const GreetingConfig& config);

}  // namespace greeting

#endif  // STEADFAST_EXAMPLE_GREETING_ACTIVITIES_H_
