// Building the CLI's context from flags and config.
#include "cli_context.h"

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>

#include "builtin/std_activities.h"
#include "config/database_url.h"
#include "metrics/registry.h"
#include "net/curl_transport.h"
#include "observability/structured_logger.h"
#include "plugin_host/builtin_plugins.h"
#include "runtime/definition_deployer.h"
#include "runtime/engine.h"
#include "runtime/plugin_loader.h"
#include "store/postgres/pg_store.h"
#include "store/postgres/pg_url.h"
#include "store/sqlite/sqlite_store.h"

namespace steadfast::cli {
namespace {

// A plugin's init, its exceptions (a metric name clash) turned into its error.
Status InitBuiltin(const BuiltinPlugin& plugin, PluginContext& pc, ActivityRegistry& registry) {
  Status s = Status::Ok();
  try {
    s = plugin.init(pc, registry);
  } catch (const std::exception& e) {
    s = Status::Internal(e.what());
  }
  if (!s.ok()) return Status(s.code(), "plugin " + std::string(plugin.name) + ": " + s.message());
  return s;
}

}  // namespace

std::string PluginNameOf(const std::string& path) {
  std::string name = std::filesystem::path(path).stem().string();
  if (name.rfind("lib", 0) == 0) name = name.substr(3);
  return name;
}

PluginContext PluginContextFor(const std::string& name, const EngineConfig& config, const std::string& config_dir) {
  PluginContext pc;
  pc.name = name;
  pc.config = config.plugin_config.Get(name);
  pc.config_dir = config_dir;
  pc.http = &net::CurlTransport::Instance();
  pc.clock = &SystemClock::Instance();
  return pc;
}

Result<std::unique_ptr<Store>> OpenConfiguredPgStore(const EngineConfig& config, std::vector<PluginSchema> schemas,
                                                     Logger* logger) {
  PgStoreOptions opts;
  opts.url = config.database;
  opts.max_connections = config.postgres_pool_size;
  opts.group_commit.max_batch = config.postgres_max_batch;
  opts.group_commit.max_leaders = config.postgres_pipelines;
  opts.statement_timeout_ms = static_cast<int>(config.postgres_statement_timeout_ms);
  opts.logger = logger;
  opts.plugin_schemas = std::move(schemas);
  return OpenPgStore(opts);
}

std::string CliUser() {
  const char* user = std::getenv("USER");
  return std::string("cli:") + (user != nullptr ? user : "unknown");
}

Result<std::unique_ptr<CliContext>> OpenContext(const Flags& flags, ContextNeeds needs,
                                                const ContextOverrides& overrides) {
  auto ctx = std::make_unique<CliContext>();
  std::optional<std::string> config_path = flags.Get("config");
  if (!config_path && std::filesystem::exists("config/steadfast.yaml")) config_path = "config/steadfast.yaml";
  if (config_path) {
    SF_ASSIGN_OR_RETURN(ctx->config, LoadEngineConfig(*config_path));
    ctx->config_dir = std::filesystem::path(*config_path).parent_path().string();
  }
  if (auto db = flags.Get("db")) ctx->config.database = *db;
  if (!overrides.database.empty()) ctx->config.database = overrides.database;
  const bool postgres = IsPostgresDatabase(ctx->config.database);
  if (auto wf = flags.Get("workflows")) ctx->config.workflows_dir = *wf;
  if (auto sync = flags.Get("sync")) {
    SF_ASSIGN_OR_RETURN(ctx->config.sync, ParseSyncMode(*sync));
  }
  if (flags.Get("shards")) {
    SF_ASSIGN_OR_RETURN(int64_t shards, flags.GetInt("shards", 0));
    ctx->config.shards = static_cast<int>(shards);
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
  ctx->plugin_metrics = std::make_unique<metrics::RegistrySink>(metrics::DefaultRegistry());
  ctx->committed_events = std::make_unique<CommittedEventHub>();
  SF_RETURN_IF_ERROR(RegisterStdActivities(*ctx->registry));
  auto context_for = [&](const std::string& name) {
    PluginContext pc = PluginContextFor(name, ctx->config, ctx->config_dir);
    pc.logger = ctx->logger.get();
    pc.metrics = ctx->plugin_metrics.get();
    pc.events = ctx->committed_events.get();
    pc.schemas = &ctx->plugin_schemas;
    pc.storage = &ctx->plugin_storage;
    pc.workflows = &ctx->workflow_reader;
    pc.batch_previews = &ctx->batch_previews;
    pc.routes = ctx->plugin_routes.ForPlugin(name, &ctx->plugin_storage);
    return pc;
  };
  // The built-in plugins, each with its plugin_config section (paths relative to the config file).
  for (const BuiltinPlugin& plugin : BuiltinPlugins()) {
    PluginContext pc = context_for(plugin.name);
    SF_RETURN_IF_ERROR(InitBuiltin(plugin, pc, *ctx->registry));
  }
  for (const std::string& path : ctx->config.plugins) {
    PluginContext pc = context_for(PluginNameOf(path));
    SF_RETURN_IF_ERROR(LoadPlugin(path, pc, *ctx->registry));
  }

  ctx->catalog = std::make_unique<WorkflowCatalog>(ctx->registry.get());
  if (needs.workflows && std::filesystem::is_directory(ctx->config.workflows_dir)) {
    std::vector<Diagnostic> problems = ctx->catalog->AddDirectory(ctx->config.workflows_dir);
    if (overrides.strict_workflows && !problems.empty()) {
      std::string text = "the workflows in " + ctx->config.workflows_dir + " have " + std::to_string(problems.size()) +
                         (problems.size() == 1 ? " problem" : " problems") +
                         "; fix them (steadfast validate) before serving:";
      for (const Diagnostic& d : problems) text += "\n" + d.ToString();
      return Status::InvalidArgument(text);
    }
    for (const Diagnostic& d : problems) ctx->logger->Warn("skipping workflow with problems: " + d.ToString());
  }
  if (needs.store && !(postgres && needs.postgres_schema_only)) {
    if (postgres) {
      SF_ASSIGN_OR_RETURN(ctx->store, OpenConfiguredPgStore(ctx->config, ctx->plugin_schemas.schemas(),
                                                            ctx->logger.get()));
    } else {
      SqliteStoreOptions opts;
      opts.path = ctx->config.database;
      opts.sync = ctx->config.sync;
      opts.shards = ctx->config.shards;
      opts.logger = ctx->logger.get();
      opts.plugin_schemas = ctx->plugin_schemas.schemas();
      SF_ASSIGN_OR_RETURN(ctx->store, OpenSqliteStore(opts));
    }
    ctx->plugin_storage.Bind(ctx->store->plugin_storage());
    ctx->workflow_reader.Bind(ctx->store.get());
    // The versions deployed to a running engine (steadfast deploy), after the directory's.
    auto* deployed = dynamic_cast<DeployedDefinitionStore*>(ctx->store.get());
    if (needs.workflows && deployed != nullptr) {
      DefinitionDeployer deployer(*deployed, *ctx->catalog, ctx->registry.get(), SystemClock::Instance());
      SF_ASSIGN_OR_RETURN(std::vector<Diagnostic> problems, deployer.LoadDeployed());
      if (overrides.strict_workflows && !problems.empty()) {
        std::string text = "the deployed workflow versions in " + RedactConnectionString(ctx->config.database) +
                           " have " +
                           std::to_string(problems.size()) + (problems.size() == 1 ? " problem:" : " problems:");
        for (const Diagnostic& d : problems) text += "\n" + d.ToString();
        return Status::InvalidArgument(text);
      }
      for (const Diagnostic& d : problems) ctx->logger->Warn("skipping deployed workflow: " + d.ToString());
    }
  }
  if (needs.workflows) {
    // A child named by one file is looked for in all of them, once all are loaded.
    std::vector<Diagnostic> missing = ctx->catalog->MissingChildWorkflows();
    if (overrides.strict_workflows && !missing.empty()) {
      std::string text = "the workflows in " + ctx->config.workflows_dir + " run " + std::to_string(missing.size()) +
                         (missing.size() == 1 ? " child workflow" : " child workflows") +
                         " that no file or deployed version provides:";
      for (const Diagnostic& d : missing) text += "\n" + d.ToString();
      return Status::InvalidArgument(text);
    }
    for (const Diagnostic& d : missing) ctx->logger->Warn("child workflow not loaded: " + d.ToString());
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
