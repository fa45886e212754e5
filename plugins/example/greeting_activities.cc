// plugins/example/greeting_activities.cc: greeting.compose and greeting.deliver.
#include "greeting_activities.h"

#include <filesystem>
#include <memory>
#include <utility>

#include "outbox.h"
#include "steadfast/activity.h"
#include "steadfast/value.h"

namespace greeting {
namespace {

using steadfast::ActivityContext;
using steadfast::ActivityError;
using steadfast::ActivityResult;
using steadfast::Value;

// A stateless activity can be a function; this one only reads its config.
ActivityResult Compose(const GreetingConfig& config, ActivityContext& ctx) {
  const std::string name = ctx.input().Get("name").StringOr("");
  if (name.empty()) return ActivityError::NonRetryable("invalid_name", "name is required");
  if (name.size() > config.max_name_length) {
    return ActivityError::NonRetryable("invalid_name",
                                       "name is longer than " + std::to_string(config.max_name_length) + " bytes");
  }
  std::string language = ctx.input().Get("language").StringOr("");
  if (language.empty()) language = config.default_language;
  auto greeting = config.greetings.find(language);
  if (greeting == config.greetings.end()) {
    return ActivityError::NonRetryable("unknown_language", "no greeting configured for '" + language + "'");
  }
  return Value(Value::Map{{"message", greeting->second + ", " + name + "!"}, {"language", language}});
}

// An activity with state is a class; Run is called from several worker
// threads at once, and Outbox is thread-safe.
class DeliverActivity final : public steadfast::Activity {
 public:
  explicit DeliverActivity(Outbox outbox) : outbox_(std::move(outbox)) {}

  ActivityResult Run(ActivityContext& ctx) override {
    const std::string to = ctx.input().Get("to").StringOr("");
    const std::string message = ctx.input().Get("message").StringOr("");
    if (to.empty() || message.empty()) return ActivityError::NonRetryable("invalid_input", "to and message are required");
    // The idempotency key is the same for every attempt of this step, across
    // restarts: keyed by it, a repeated attempt finds the first delivery.
    Value record = Value::Map{{"to", to}, {"message", message}, {"attempt", ctx.attempt()}};
    steadfast::Result<Delivery> delivery = outbox_.Deliver(ctx.idempotency_key(), record);
    if (!delivery.ok()) {
      const steadfast::Status& s = delivery.status();
      // A missing or read-only directory can be fixed while the engine waits.
      if (s.code() == steadfast::StatusCode::kUnavailable) return ActivityError::Retryable("outbox_unavailable", s.message());
      return ActivityError::NonRetryable("outbox_corrupt", s.message());
    }
    // Log what happened, not the greeting: a name is personal data.
    ctx.logger().Info(delivery->replayed ? "already delivered: " + delivery->file : "delivered: " + delivery->file);
    ctx.SetTraceAttribute("greeting.replayed", delivery->replayed);
    return Value(Value::Map{{"file", delivery->file},
                            {"delivered_attempt", delivery->record.Get("attempt")},
                            {"replayed", delivery->replayed}});
  }

 private:
  Outbox outbox_;
};

}  // namespace

steadfast::Result<GreetingConfig> GreetingConfigFrom(const steadfast::PluginContext& ctx) {
  const Value& section = ctx.config;
  if (!section.is_map()) return steadfast::Status::InvalidArgument("plugin_config.greeting: a map with outbox_dir is required");
  GreetingConfig config;
  const Value& outbox = section.Get("outbox_dir");
  if (!outbox.is_string() || outbox.AsString().empty()) {
    return steadfast::Status::InvalidArgument("plugin_config.greeting.outbox_dir: a directory is required");
  }
  config.outbox_dir = (std::filesystem::path(ctx.config_dir) / outbox.AsString()).lexically_normal().string();
  if (const Value* greetings = section.Find("greetings")) {
    if (!greetings->is_map()) return steadfast::Status::InvalidArgument("plugin_config.greeting.greetings: a map of language: greeting");
    config.greetings.clear();
    for (const auto& [language, text] : greetings->AsMap()) {
      if (!text.is_string()) {
        return steadfast::Status::InvalidArgument("plugin_config.greeting.greetings." + language + ": a string");
      }
      config.greetings[language] = text.AsString();
    }
  }
  config.default_language = section.Get("default_language").StringOr(config.default_language);
  if (const Value* max = section.Find("max_name_length")) {
    if (!max->is_int() || max->AsInt() < 1) {
      return steadfast::Status::InvalidArgument("plugin_config.greeting.max_name_length: a whole number from 1");
    }
    config.max_name_length = static_cast<size_t>(max->AsInt());
  }
  return config;
}

steadfast::Status RegisterGreetingActivities(steadfast::ActivityRegistry& registry, const GreetingConfig& config) {
  SF_RETURN_IF_ERROR(registry.Register(
      "greeting.compose", [config](ActivityContext& ctx) { return Compose(config, ctx); },
      "builds \"<greeting>, <name>!\" in the requested language"));
  return registry.Register("greeting.deliver", std::make_unique<DeliverActivity>(Outbox(config.outbox_dir)),
                           "puts a message in the outbox, once per idempotency key");
}

}  // namespace greeting
