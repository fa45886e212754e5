// Building the CLI's context from flags and config.
#include "cli_context.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "builtin/std_activities.h"
#include "observability/structured_logger.h"
#include "refund/plugin.h"
#include "runtime/engine.h"
#include "runtime/plugin_loader.h"
#include "store/sqlite/sqlite_store.h"

namespace steadfast::cli {

std::set<std::string> CommonValuedFlags() { return {"config", "db", "workflows", "sync"}; }

int Fail(int code, const std::string& message) {
  std::fprintf(stderr, "steadfast: %s\n", message.c_str());
  return code;
}

std::string CliUser() {
  const char* user = std::getenv("USER");
  return std::string("cli:") + (user != nullptr ? user : "unknown");
}

Result<std::unique_ptr<CliContext>> OpenContext(const Flags& flags, ContextNeeds needs) {
  auto ctx = std::make_unique<CliContext>();
  std::optional<std::string> config_path = flags.Get("config");
  if (!config_path && std::filesystem::exists("config/steadfast.yaml")) config_path = "config/steadfast.yaml";
  if (config_path) {
    SF_ASSIGN_OR_RETURN(ctx->config, LoadEngineConfig(*config_path));
    ctx->config_dir = std::filesystem::path(*config_path).parent_path().string();
  }
  if (auto db = flags.Get("db")) ctx->config.database = *db;
  if (auto wf = flags.Get("workflows")) ctx->config.workflows_dir = *wf;
  if (auto sync = flags.Get("sync")) {
    SF_ASSIGN_OR_RETURN(ctx->config.sync, ParseSyncMode(*sync));
  }
  if (const char* env = std::getenv("STEADFAST_LOG_LEVEL")) {
    std::string l = env;
    if (l == "debug") ctx->config.log_level = LogLevel::kDebug;
    if (l == "warn") ctx->config.log_level = LogLevel::kWarn;
    if (l == "error") ctx->config.log_level = LogLevel::kError;
  }
  if (const char* env = std::getenv("STEADFAST_LOG_FORMAT"); env != nullptr && *env != '\0') {
    ctx->config.log_format = env;
  }
  SF_ASSIGN_OR_RETURN(LogFormat log_format, ParseLogFormat(ctx->config.log_format));
  SF_ASSIGN_OR_RETURN(ctx->logger, StructuredLogger::Open(log_format, ctx->config.log_file, ctx->config.log_level));

  ctx->registry = std::make_unique<ActivityRegistry>();
  SF_RETURN_IF_ERROR(RegisterStdActivities(*ctx->registry));
  {
    // The built-in refund plugin: plugin_config.refund, paths relative to the config file.
    PluginContext pc;
    pc.config = ctx->config.plugin_config.Get("refund");
    pc.logger = ctx->logger.get();
    pc.schemas = &ctx->plugin_schemas;
    pc.storage = &ctx->plugin_storage;
    pc.config_dir = ctx->config_dir;
    SF_ASSIGN_OR_RETURN(refund::RefundPluginConfig refund_config, refund::RefundPluginConfig::FromPluginContext(pc));
    // Without a refund section the plugin is optional: it loads when the
    // default policy file is where it expects it (the repository root).
    if (!pc.config.is_null() || std::filesystem::exists(refund_config.policies_path)) {
      SF_RETURN_IF_ERROR(refund::RegisterRefundActivities(*ctx->registry, refund_config, pc.schemas, pc.storage));
    } else {
      ctx->logger->Debug("refund plugin not loaded: no plugin_config.refund and no " + refund_config.policies_path);
    }
  }
  for (const std::string& path : ctx->config.plugins) {
    PluginContext pc;
    // plugin_config is keyed by the file name without "lib" and ".so".
    std::string name = std::filesystem::path(path).stem().string();
    if (name.rfind("lib", 0) == 0) name = name.substr(3);
    pc.config = ctx->config.plugin_config.Get(name);
    pc.logger = ctx->logger.get();
    pc.schemas = &ctx->plugin_schemas;
    pc.storage = &ctx->plugin_storage;
    pc.config_dir = ctx->config_dir;
    SF_RETURN_IF_ERROR(LoadPlugin(path, pc, *ctx->registry));
  }

  ctx->catalog = std::make_unique<WorkflowCatalog>(ctx->registry.get());
  if (needs.workflows && std::filesystem::is_directory(ctx->config.workflows_dir)) {
    for (const Diagnostic& d : ctx->catalog->AddDirectory(ctx->config.workflows_dir)) {
      ctx->logger->Warn("skipping workflow with problems: " + d.ToString());
    }
  }
  if (needs.store) {
    SqliteStoreOptions opts;
    opts.path = ctx->config.database;
    opts.sync = ctx->config.sync;
    opts.logger = ctx->logger.get();
    opts.plugin_schemas = ctx->plugin_schemas.schemas();
    SF_ASSIGN_OR_RETURN(ctx->store, OpenSqliteStore(opts));
    ctx->plugin_storage.Bind(ctx->store->plugin_storage());
  }
  return ctx;
}

std::unique_ptr<tracing::WorkflowTracer> AttachTracer(Engine& engine, tracing::SpanSink& sink, Store& store) {
  auto tracer = std::make_unique<tracing::WorkflowTracer>(sink, &store);
  tracing::WorkflowTracer* t = tracer.get();
  engine.SetAttemptObserver([t](const AttemptReport& r) { t->OnAttempt(r); });
  engine.AddObserver([t](const InstanceRecord& rec, const std::vector<HistoryEvent>& events) { t->OnCommit(rec, events); });
  return tracer;
}

}  // namespace steadfast::cli
