// CliContext: what most commands need, built from the common flags
// (--config, --db, --workflows, --sync): the engine config, a logger, the
// activity registry (std activities, the built-in plugins, configured .so
// plugins), what plugins were given (metrics sink, committed-event hub), the
// workflow catalog and the store.
#ifndef STEADFAST_TOOLS_CLI_CONTEXT_H_
#define STEADFAST_TOOLS_CLI_CONTEXT_H_

#include <memory>
#include <set>
#include <string>

#include "cli_flags.h"
#include "config/engine_config.h"
#include "core/stderr_logger.h"
#include "core/random.h"
#include "metrics/registry_sink.h"
#include "observability/committed_event_hub.h"
#include "runtime/batch_preview_registry.h"
#include "runtime/plugin_route_registry.h"
#include "runtime/workflow_catalog.h"
#include "steadfast/commands.h"
#include "steadfast/registry.h"
#include "store/plugin_schemas.h"
#include "store/store.h"
#include "store/store_workflow_reader.h"
#include "tracing/workflow_tracer.h"

namespace steadfast {
class Engine;
}  // namespace steadfast

namespace steadfast::cli {

// Exit codes shared by all commands, plugin verbs too (docs/cli.md).
inline constexpr int kExitOk = kCommandOk;
inline constexpr int kExitFailed = kCommandFailed;  // the workflow failed / validation found problems
inline constexpr int kExitUsage = kCommandUsage;    // bad flags or input
inline constexpr int kExitError = kCommandError;    // the engine could not do it (store, config, plugin)

struct CliContext {
  EngineConfig config;
  std::string config_dir;  // "" when no config file was used
  std::unique_ptr<Logger> logger;  // StructuredLogger: log_format / log_file (docs/observability.md)
  // Plugin state: the schemas plugins declared, and the storage handle they
  // keep (PluginContext::storage), bound to `store` once it is open and
  // unbound before the store is destroyed. Declared before the registry,
  // so the plugins' activities never outlive the handle.
  DeclaredPluginSchemas plugin_schemas;
  PluginStorageHandle plugin_storage;
  // The workflows plugins may read (PluginContext::workflows), bound to
  // `store` like plugin_storage.
  StoreWorkflowReader workflow_reader;
  // Handed to every plugin (PluginContext): metrics render at serve's
  // /metrics; serve feeds the hub the engine's committed events.
  std::unique_ptr<metrics::RegistrySink> plugin_metrics;
  std::unique_ptr<CommittedEventHub> committed_events;
  BatchPreviewRegistry batch_previews;  // what plugins say a batch start would do
  PluginRouteRegistry plugin_routes;    // plugins' HTTP routes: serve answers them under /v1/plugins/<plugin>
  std::unique_ptr<ActivityRegistry> registry;
  std::unique_ptr<WorkflowCatalog> catalog;
  std::unique_ptr<Store> store;
  ~CliContext() {
    plugin_storage.Bind(nullptr);
    workflow_reader.Bind(nullptr);
  }
  SystemRandom random;
};

struct ContextNeeds {
  bool store = true;
  bool workflows = true;  // load the workflows directory (and the deployed definitions) into the catalog
  // `migrate` only: a PostgreSQL database (a postgres:// URL) is left
  // unopened, `store` null, for the caller to migrate and report on.
  bool postgres_schema_only = false;
};

// What `serve` asks beyond the flags.
struct ContextOverrides {
  // A workflow with problems is an error naming each as file:line:col, not
  // a warning and skipped.
  bool strict_workflows = false;
  std::string database;  // overrides --db and the config (serve --dev's throwaway); "" = theirs
};

// Errors are printed by the caller; they name the file and the cause.
Result<std::unique_ptr<CliContext>> OpenContext(const Flags& flags, ContextNeeds needs,
                                                const ContextOverrides& overrides = {});

// The PostgreSQL store of a config's `database:` URL, with its postgres:
// settings (pool size, statement timeout) and these plugin schemas migrated.
Result<std::unique_ptr<Store>> OpenConfiguredPgStore(const EngineConfig& config, std::vector<PluginSchema> schemas,
                                                     Logger* logger);

// Prints "steadfast: <message>" to stderr and returns code.
inline int Fail(int code, const std::string& message) { return CommandFail(code, message); }

// A .so plugin's name: the file name without "lib" and ".so", which keys
// its plugin_config section.
std::string PluginNameOf(const std::string& path);

// The context a plugin named `name` is given, from the engine config read
// from config_dir (logger, metrics and events left for the caller).
PluginContext PluginContextFor(const std::string& name, const EngineConfig& config, const std::string& config_dir);

// The local user as a principal, "cli:$USER": who acts in local (--db) mode.
// --as names someone else for a command, but a start records this one too
// (started_by), so four-eyes also refuses this user's own decision.
std::string CliUser();

// Feeds `engine`'s attempts and commits to a WorkflowTracer exporting to
// `sink`; `store` (the engine's) tells when waits started. Call before
// engine.Start(); the tracer, sink and store must outlive the engine.
std::unique_ptr<tracing::WorkflowTracer> AttachTracer(Engine& engine, tracing::SpanSink& sink, Store& store);

}  // namespace steadfast::cli

#endif  // STEADFAST_TOOLS_CLI_CONTEXT_H_
