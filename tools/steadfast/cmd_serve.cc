// steadfast serve --config FILE [--listen HOST:PORT]: the engine as a
// long-running process, with the HTTP API (docs/http.md) when `http.listen`
// is configured or --listen is given.
//
// The API server runs on its own Asio threads beside the engine's workers
// and calls the engine's WorkflowService, so a start runs at once on this
// engine. SIGTERM/SIGINT stop gracefully: the listener closes, requests in
// flight are answered, then the engine finishes its running attempts, and
// the process exits 0.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>

#include "cli_context.h"
#include "commands.h"
#include "dev_server.h"
#include "http/api_handler.h"
#include "http/api_server.h"
#include "http/token_store.h"
#include "metrics/registry.h"
#include "observability/engine_metrics.h"
#include "observability/metered_store.h"
#include "observability/schedule_metrics.h"
#include "runtime/bulk_runner.h"
#include "runtime/retention_sweeper.h"
#include "runtime/definition_deployer.h"
#include "runtime/engine.h"
#include "runtime/scheduler.h"
#include "tracing/tracing_setup.h"

namespace steadfast::cli {
namespace {

// Tokens from config plus the STEADFAST_HTTP_TOKENS variable (same list
// format as http.tokens), plus `extra` (serve --dev's).
Result<http::TokenStore> LoadTokens(const HttpConfig& http_config, const std::vector<HttpTokenConfig>& extra) {
  std::vector<HttpTokenConfig> tokens = http_config.tokens;
  tokens.insert(tokens.end(), extra.begin(), extra.end());
  if (const char* env = std::getenv("STEADFAST_HTTP_TOKENS"); env != nullptr && *env != '\0') {
    SF_ASSIGN_OR_RETURN(std::vector<HttpTokenConfig> more, ParseHttpTokens(env, "STEADFAST_HTTP_TOKENS"));
    tokens.insert(tokens.end(), more.begin(), more.end());
  }
  return http::TokenStore::Create(tokens);
}

}  // namespace

void DeclareServe(CommandSpec& spec) {
  spec.Summary("runs the engine (and its HTTP API) until SIGTERM/SIGINT")
      .Option("workers", "N", "worker threads (default: the config's)")
      .Option("listen", "HOST:PORT", "serve the HTTP API here (default: the config's http.listen)")
      .Switch("dev", "development server: loopback only, a throwaway database unless --db, throwaway "
                     "operator/reviewer/admin tokens printed with the /ui/ URL")
      .StoreOptions()
      .Details("serve --dev listens on --listen, else the config's http.listen when it is loopback, else 127.0.0.1:8080;\n"
               "it refuses an address that is not loopback. A workflow with problems stops serve from starting\n"
               "(exit 3, every problem as file:line:col).");
}

int RunServe(const Flags& flags) {
  auto workers = flags.GetInt("workers", 0);
  if (!workers.ok()) return Fail(kExitUsage, workers.status().message());

  // Block the stop signals before any thread starts, so only sigwait sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  const bool dev = flags.Has("dev");
  if (dev && flags.Get("listen")) {  // refused before anything is opened
    auto address = DevListenAddress(*flags.Get("listen"), "");
    if (!address.ok()) return Fail(kExitUsage, address.status().message());
  }
  // serve --dev without --db: a database that lives as long as the process
  // (declared before the context, so the store closes before it goes).
  std::optional<ThrowawayDirectory> throwaway;
  ContextOverrides overrides;
  overrides.strict_workflows = true;
  if (dev && !flags.Get("db")) {
    auto dir = ThrowawayDirectory::Create();
    if (!dir.ok()) return Fail(kExitError, dir.status().message());
    throwaway.emplace(std::move(dir).value());
    overrides.database = throwaway->path() + "/steadfast.db";
  }
  auto opened = OpenContext(flags, ContextNeeds{true, true}, overrides);
  if (!opened.ok()) return Fail(kExitError, opened.status().message());
  CliContext& ctx = **opened;
  // Everything the HTTP API needs is checked before the engine starts.
  const HttpConfig& hc = ctx.config.http;
  std::string listen = flags.GetOr("listen", hc.listen);
  std::vector<DevToken> dev_tokens;
  if (dev) {
    auto address = DevListenAddress(flags.GetOr("listen", ""), hc.listen);
    if (!address.ok()) return Fail(kExitUsage, address.status().message());
    listen = *address;
    auto made = MakeDevTokens(&NewApiToken);
    if (!made.ok()) return Fail(kExitError, made.status().message());
    dev_tokens = std::move(made).value();
  }
  std::optional<http::TokenStore> tokens;
  http::ApiServerOptions server_options;
  if (!listen.empty()) {
    auto host_port = SplitHostPort(listen);
    if (!host_port.ok()) return Fail(kExitUsage, "--listen: " + host_port.status().message());
    auto loaded = LoadTokens(hc, DevTokenConfigs(dev_tokens));
    if (!loaded.ok()) return Fail(kExitError, loaded.status().message());
    tokens = std::move(loaded).value();
    if (tokens->size() == 0) {
      ctx.logger->Warn("http: no tokens configured (http.tokens); every /v1/workflows request will get 401");
    }
    server_options.host = host_port->first;
    server_options.port = host_port->second;
    server_options.threads = hc.threads;
    server_options.request_timeout_ms = hc.request_timeout_ms;
    server_options.handshake_timeout_ms = hc.handshake_timeout_ms;
    server_options.max_connections = static_cast<size_t>(hc.max_connections);
    server_options.max_connections_per_address = hc.max_connections_per_address;
    server_options.tls_cert = hc.tls_cert;
    server_options.tls_key = hc.tls_key;
  }

  EngineOptions eo;
  eo.workers = *workers > 0 ? static_cast<int>(*workers) : ctx.config.workers;
  eo.node_name = ctx.config.node_name;
  eo.lease_ms = ctx.config.lease_ms;
  eo.poll_interval_ms = ctx.config.poll_interval_ms;
  eo.activity_limits = ctx.config.activity_limits;
  eo.priority_step_ms = ctx.config.priority_step_ms;
  // Metrics (docs/observability.md): the engine writes through a MeteredStore
  // (commit latency, store errors) and EngineMetrics counts every commit's
  // history events; both outlive the engine, which calls them until it stops.
  metrics::Registry& metrics_registry = metrics::DefaultRegistry();
  MeteredStore metered_store(*ctx.store, metrics_registry);
  EngineMetrics engine_metrics(metrics_registry, *ctx.catalog, metered_store, SystemClock::Instance());
  // Plugins subscribed to committed events at init (PluginContext::events):
  // they get what EngineMetrics resolves, after its own counting.
  engine_metrics.AddListener(ctx.committed_events->Listener());
  // Traces (docs/observability.md): exported only when an endpoint is set.
  auto exporter = tracing::MakeSpanExporter(ctx.config.tracing, ctx.config.node_name, &metrics_registry, ctx.logger.get());
  if (!exporter.ok()) return Fail(kExitUsage, "tracing: " + exporter.status().message());
  std::unique_ptr<tracing::WorkflowTracer> tracer;
  Engine engine(eo, metered_store, *ctx.catalog, *ctx.registry, SystemClock::Instance(), ctx.random, *ctx.logger);
  if (*exporter) {
    tracer = AttachTracer(engine, **exporter, metered_store);
    ctx.logger->Info("exporting traces to " + (*exporter)->url());
  }
  engine.AddObserver([&engine_metrics](const InstanceRecord& rec, const std::vector<HistoryEvent>& events) {
    engine_metrics.OnCommit(rec, events);
  });
  engine_metrics.SetQueueProbe([&engine] {
    Engine::ReadyQueueStats q = engine.ready_queue_stats();
    return QueueSnapshot{q.depth, q.oldest_due_at};
  });
  // Schedules (docs/schedules.md): a name declared twice is refused before
  // anything runs. The scheduler stops before the engine (declared after it).
  Scheduler scheduler(engine.service(), SystemClock::Instance(), *ctx.logger);
  auto schedules = scheduler.List();
  if (!schedules.ok()) return Fail(kExitError, schedules.status().message());
  ScheduleMetrics schedule_metrics(metrics_registry, scheduler);
  scheduler.SetTickObserver([&schedule_metrics](const ScheduleTick& tick) { schedule_metrics.OnTick(tick); });
  Status s = engine.Start();
  if (!s.ok()) return Fail(kExitError, s.message());
  scheduler.Start();
  if (!schedules->empty()) {
    std::string names;
    for (const ScheduleInfo& info : *schedules) names += " " + info.def.name + " (" + info.rule + ")";
    ctx.logger->Info("schedules:" + names);
  }
  std::string workflows;
  std::vector<std::string> workflow_names;
  for (const auto& [name, version] : ctx.catalog->List()) {
    workflows += " " + name + "@v" + std::to_string(version);
    workflow_names.push_back(name + "@v" + std::to_string(version));
  }
  ctx.logger->Info("serving " + ctx.config.database + " with " + std::to_string(eo.workers) + " workers as " +
                   engine.owner() + "; workflows:" + (workflows.empty() ? " none" : workflows));

  // Declared after the engine: destroyed (stopped) before it. Bulk
  // operations left unfinished by a stop or a kill go on from here.
  BulkOperations bulk_operations(engine.service(), SystemClock::Instance(), ctx.random);
  BulkRunner bulk_runner(bulk_operations, metered_store, *ctx.logger);
  if (Status b = bulk_runner.Start(); !b.ok()) {
    scheduler.Stop();
    engine.Stop();
    return Fail(kExitError, "bulk operations: " + b.message());
  }
  // `retention:` (docs/workflows.md "History that stays bounded"): finished
  // instances past it are purged now and every retention_interval.
  metrics::Family<metrics::Counter>& purged = metrics_registry.AddCounterFamily(
      "steadfast_instances_purged_total", "Finished instances this process purged past their workflow's retention.",
      {"workflow"});
  RetentionSweeper retention(metered_store, *ctx.catalog, SystemClock::Instance(), *ctx.logger,
                             ctx.config.retention_interval_ms);
  retention.SetPurgedObserver([&purged](const std::string& workflow, int, int64_t n) {
    purged.WithLabels({workflow}).Inc(n);
  });
  retention.Start();
  // POST /v1/definitions: new versions into the catalog the engine uses, kept in its store.
  std::unique_ptr<DefinitionDeployer> deployer;
  if (auto* deployed = dynamic_cast<DeployedDefinitionStore*>(ctx.store.get())) {
    deployer = std::make_unique<DefinitionDeployer>(*deployed, *ctx.catalog, ctx.registry.get(), SystemClock::Instance());
  }
  // Declared after the engine: destroyed (stopped) before it.
  std::unique_ptr<http::ApiHandler> api_handler;
  std::unique_ptr<http::ApiServer> api_server;
  if (tokens) {
    http::ApiHandlerOptions handler_options;
    handler_options.max_body_bytes = hc.max_body_bytes;
    handler_options.rate_limit = http::RateLimit{hc.rate_per_s, hc.rate_burst};
    handler_options.registry = &metrics_registry;
    handler_options.scheduler = &scheduler;
    handler_options.bulk_runner = &bulk_runner;
    handler_options.deployer = deployer.get();
    handler_options.batch_previews = &ctx.batch_previews;
    handler_options.plugin_routes = &ctx.plugin_routes;
    api_handler = std::make_unique<http::ApiHandler>(handler_options, engine.service(), std::move(*tokens),
                                                     SystemClock::Instance(), *ctx.logger);
    auto started = http::ApiServer::Start(server_options, *api_handler, *ctx.logger);
    if (!started.ok()) {
      scheduler.Stop();
      engine.Stop();
      return Fail(kExitError, "http: " + started.status().message());
    }
    api_server = std::move(started).value();
    // Tests and scripts read the port from this line (port 0 picks a free one).
    ctx.logger->Info("listening on " + api_server->url());
    if (dev) {
      // The tokens go to stdout for the person at the terminal, never to the log.
      std::fputs(DevBanner(api_server->url(), ctx.config.database, throwaway.has_value(), dev_tokens, workflow_names)
                     .c_str(),
                 stdout);
      std::fflush(stdout);
    }
  }

  int sig = 0;
  sigwait(&stop_signals, &sig);
  ctx.logger->Info(std::string("received ") + (sig == SIGTERM ? "SIGTERM" : "SIGINT") +
                   (api_server ? ", closing the listener and finishing requests in flight" : ""));
  if (api_server) {
    api_server->Stop(hc.request_timeout_ms);
    ctx.logger->Info("http server stopped; finishing running attempts");
  }
  scheduler.Stop();
  bulk_runner.Stop();
  retention.Stop();
  engine.Stop();
  ctx.logger->Info("stopped");
  return kExitOk;
}

}  // namespace steadfast::cli
