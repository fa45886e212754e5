// EngineConfig: config/steadfast.yaml, the engine's settings.
//
//   database: steadfast.db        # SQLite file (relative to the config file's directory), or a
//                                 #   postgres:// URL, kept as written (config/database_url.h);
//                                 #   PostgreSQL so far serves `steadfast migrate` only
//   sync: full                    # full | normal | off   (PRAGMA synchronous)
//   shards: 2                     # SQLite: spread the instances over this many files (1..16); absent = as the
//                                 #   database is (docs/store.md "Shards")
//   workers: 8
//   node_name: local              # lease owner prefix; keep stable per host; one live engine per name and
//                                 #   database (a second refuses to start: docs/store.md "Node identity")
//   lease: 60s
//   poll_interval: 200ms
//   workflows_dir: ../workflows   # relative to the config file
//   plugins: [build/tests/plugins/libeffects_plugin.so]
//   plugin_config: { refund: {...} }   # each plugin's own section
//   log_level: info               # debug | info | warn | error
//   log_format: auto              # json | text | auto (text on a terminal, else JSON lines)
//   log_file: steadfast.log       # append logs here instead of stderr (relative to the config file)
//   http:                         # the HTTP API (docs/http.md); absent = none
//     listen: 127.0.0.1:8080      # host:port; port 0 = any free port
//     max_body: 1MiB              # bytes, or with a KiB/MiB/KB/MB suffix
//     request_timeout: 30s        # to receive a whole request (however it trickles in), to write a response
//     handshake_timeout: 10s      # TLS: to finish the handshake
//     max_connections: 1024       # open connections in all; more wait in the accept backlog
//     max_connections_per_address: 256   # open connections from one IP address; 0 = no limit
//     threads: 4                  # Asio threads serving HTTP
//     rate_limit: { per_principal_per_s: 50, burst: 100 }   # 0 = unlimited
//     tokens:                     # SHA-256 (hex) of each bearer token, never the token
//       - { name: alice, sha256: 9f86d0..., roles: [reviewer] }
//     tokens_file: tokens.yaml    # more tokens, the same list format
//     tls: { cert: server.crt, key: server.key }   # PEM files; absent = plain HTTP
//   activity_limits:              # per activity, across every engine on the database (docs/workflows.md)
//     refund.psp_refund: { max_in_flight: 20, per_second: 50, burst: 5, fair_by: merchant_id }
//   priority_step: 60s            # how far each priority level moves a due task (docs/workflows.md "Priorities")
//   retention_interval: 1h        # how often serve purges instances past their workflow's retention:
//   tracing:                      # OpenTelemetry traces (docs/observability.md); absent = not exported
//     otlp_endpoint: http://127.0.0.1:4318   # OTLP/HTTP receiver; spans go to <endpoint>/v1/traces
//     service_name: steadfast
//     queue_size: 2048            # spans waiting for export; beyond this they are dropped (counted)
//     batch_size: 512             # spans per request
//     flush_interval: 1s
//     export_timeout: 10s
#ifndef STEADFAST_CONFIG_ENGINE_CONFIG_H_
#define STEADFAST_CONFIG_ENGINE_CONFIG_H_

#include <string>
#include <utility>
#include <vector>

#include "steadfast/logger.h"
#include "steadfast/status.h"
#include "steadfast/value.h"
#include "store/sqlite/sqlite_store.h"

namespace steadfast {

// One bearer token of the HTTP API: only its hash is configured.
struct HttpTokenConfig {
  std::string name;                // the principal the token authenticates
  std::string sha256;              // lowercase hex SHA-256 of the token (64 chars)
  std::vector<std::string> roles;  // operator | reviewer | admin
};

struct HttpConfig {
  std::string listen;                      // "host:port"; "" = no HTTP server
  int64_t max_body_bytes = 1 << 20;        // larger request bodies get 413
  int64_t request_timeout_ms = 30000;      // reading a request / writing a response / idle keep-alive
  int64_t handshake_timeout_ms = 10000;    // TLS handshake, before RESTinio's own timers start
  int64_t max_connections = 1024;             // open at once; more wait in the accept backlog
  int64_t max_connections_per_address = 256;  // more from one IP are closed at accept; 0 = no limit
  int threads = 4;                         // Asio threads of the server (they also run the handlers)
  double rate_per_s = 50;                  // per principal; 0 = no limit
  int rate_burst = 100;                    // bucket size
  std::vector<HttpTokenConfig> tokens;     // from `tokens`, then `tokens_file`
  std::string tokens_file;                 // resolved path, "" if none (already merged into tokens)
  std::string tls_cert;                    // PEM certificate chain; "" = plain HTTP
  std::string tls_key;                     // PEM private key
};

// Span export. The OTEL_* environment variables override it when the
// exporter is made (tracing/tracing_setup.h).
struct TracingConfig {
  std::string otlp_endpoint;          // "" = spans are not exported (and not built)
  std::string service_name = "steadfast";
  int64_t queue_size = 2048;
  int64_t batch_size = 512;
  int64_t flush_interval_ms = 1000;
  int64_t export_timeout_ms = 10000;
};

struct EngineConfig {
  std::string database = "steadfast.db";
  SyncMode sync = SyncMode::kFull;
  int shards = 0;  // SQLite files the instances are spread over; 0 = as many as the database has
  int workers = 8;
  std::string node_name = "local";
  int64_t lease_ms = 60000;
  int64_t poll_interval_ms = 200;
  std::string workflows_dir = "workflows";
  std::vector<std::string> plugins;  // shared objects to load
  Value plugin_config;               // map: plugin name -> its section
  LogLevel log_level = LogLevel::kInfo;
  std::string log_format = "auto";   // auto | json | text (docs/observability.md)
  std::string log_file;              // resolved path; "" = stderr
  HttpConfig http;
  TracingConfig tracing;
  std::vector<ActivityLimit> activity_limits;  // in file order; attempts beyond them wait
  int64_t priority_step_ms = 60000;            // ClaimRequest::priority_step_ms
  int64_t retention_interval_ms = 3'600'000;    // RetentionSweeper's interval
  // A PostgreSQL database (database: postgres://...): the connections a
  // process keeps open to it, and the statement timeout (0 = the server's).
  // TLS and every other libpq setting go in the URL (sslmode=...).
  int postgres_pool_size = 8;
  int64_t postgres_statement_timeout_ms = 0;
  // Group commit of checkpoints (store/postgres/pg_checkpoint_committer.h):
  // checkpoints per pipelined transaction, pipelines in flight at once.
  int postgres_max_batch = 64;
  int postgres_pipelines = 2;
};

// Reads the file; relative paths in it are resolved against its directory.
// Problems come back as InvalidArgument "file:line:col: message".
Result<EngineConfig> LoadEngineConfig(const std::string& path);

Result<SyncMode> ParseSyncMode(std::string_view text);

// True for a URL starting with http:// or https://.
bool IsHttpUrl(std::string_view url);

// "1048576", "64KiB", "1MiB", "2MB", "512KB" -> bytes. InvalidArgument otherwise.
Result<int64_t> ParseByteSize(std::string_view text);

// "127.0.0.1:8080", "[::1]:0", "localhost:80" -> {host, port}.
// InvalidArgument for a missing host or a port outside 0..65535.
Result<std::pair<std::string, int>> SplitHostPort(std::string_view listen);

// Parses a YAML (or JSON) list of tokens, [{name, sha256, roles}], as used by
// `http.tokens`, `http.tokens_file` and the STEADFAST_HTTP_TOKENS variable.
// `origin` names the source in messages ("file:line:col: ..."). Checks that
// each hash is 64 hex digits and each role is known; never echoes a hash.
Result<std::vector<HttpTokenConfig>> ParseHttpTokens(const std::string& text, const std::string& origin);

}  // namespace steadfast

#endif  // STEADFAST_CONFIG_ENGINE_CONFIG_H_
