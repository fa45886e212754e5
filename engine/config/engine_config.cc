// Loading config/steadfast.yaml through the shared YAML reader
// (steadfast/yaml_document.h), which turns every problem into file:line:col.
#include "config/engine_config.h"

#include <algorithm>
#include <cstdint>
#include <filesystem>

#include "config/database_url.h"
#include "definition/duration.h"
#include "steadfast/yaml_document.h"

namespace steadfast {
namespace {

std::string Resolve(const std::filesystem::path& base, const std::string& p) {
  if (p.empty() || std::filesystem::path(p).is_absolute()) return p;
  return (base / p).lexically_normal().string();
}

bool IsHex64(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!hex) return false;
  }
  return true;
}

std::string Lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

// The message for an unknown key of a token entry. The key may carry a
// hash: "sha256:9f86..." (no space after ':') is one key in YAML, and a
// pasted hash alone is one too. So only a short key is quoted, and only
// what comes before a ':'.
std::string UnknownTokenKey(const std::string& key) {
  constexpr size_t kMaxQuoted = 24;
  const size_t colon = key.find(':');
  const std::string before = key.substr(0, colon);
  std::string what =
      before.size() <= kMaxQuoted ? "'" + before + "'" : "of " + std::to_string(before.size()) + " characters";
  if (colon != std::string::npos) what += " followed by ':' and a value (a space is missing after ':'?)";
  return "unknown token key " + what + " (name, sha256, roles)";
}

// A token list node: [{name, sha256, roles}]. Messages never echo a hash.
Result<std::vector<HttpTokenConfig>> TokensFromNode(const YamlNode& list) {
  std::vector<HttpTokenConfig> out;
  if (list.IsNull()) return out;
  if (!list.IsList()) return list.Error("tokens must be a list of {name, sha256, roles}");
  for (const YamlNode& entry : list.items()) {
    if (!entry.IsMap()) return entry.Error("a token must be a mapping {name, sha256, roles}");
    HttpTokenConfig t;
    for (const YamlEntry& kv : entry.entries()) {
      SF_ASSIGN_OR_RETURN(std::string key, kv.key.AsString());
      const YamlNode& v = kv.value;
      if (key == "name") {
        SF_ASSIGN_OR_RETURN(t.name, v.AsString());
      } else if (key == "sha256") {
        if (!v.IsScalar()) return v.Error("sha256 must be a string");  // AsString would echo the value
        t.sha256 = Lower(v.scalar());
        if (!IsHex64(t.sha256)) {
          return v.Error("sha256 must be the 64 hex digits of the token's SHA-256 "
                         "(printf %s \"$TOKEN\" | sha256sum), not the token itself");
        }
      } else if (key == "roles") {
        if (!v.IsList()) return v.Error("roles must be a list");
        for (const YamlNode& r : v.items()) {
          SF_ASSIGN_OR_RETURN(std::string role, r.AsString());
          if (role != "operator" && role != "reviewer" && role != "admin") {
            return r.Error("unknown role '" + role + "' (operator, reviewer or admin)");
          }
          t.roles.push_back(role);
        }
      } else {
        return kv.key.Error(UnknownTokenKey(key));
      }
    }
    if (t.name.empty()) return entry.Error("token without a name");
    if (t.sha256.empty()) return entry.Error("token '" + t.name + "' without sha256");
    if (t.roles.empty()) return entry.Error("token '" + t.name + "' without roles");
    out.push_back(std::move(t));
  }
  return out;
}

// A duration setting that must be positive, in milliseconds.
Result<int64_t> PositiveDurationMs(const YamlNode& v, const std::string& key) {
  SF_ASSIGN_OR_RETURN(std::string text, v.AsString());
  auto d = ParseDurationMs(text);
  if (!d.ok()) return v.Error(d.status().message());
  if (*d <= 0) return v.Error(key + " must be positive");
  return *d;
}

Status ParseHttpSection(const YamlNode& node, const std::filesystem::path& base, HttpConfig& http) {
  if (!node.IsMap()) return node.Error("http must be a mapping");
  for (const YamlEntry& kv : node.entries()) {
    SF_ASSIGN_OR_RETURN(std::string key, kv.key.AsString());
    const YamlNode& v = kv.value;
    if (key == "listen") {
      SF_ASSIGN_OR_RETURN(http.listen, v.AsString());
      auto hp = SplitHostPort(http.listen);
      if (!hp.ok()) return v.Error(hp.status().message());
    } else if (key == "max_body") {
      SF_ASSIGN_OR_RETURN(std::string text, v.AsString());
      auto n = ParseByteSize(text);
      if (!n.ok()) return v.Error(n.status().message());
      if (*n < 1) return v.Error("max_body must be positive");
      http.max_body_bytes = *n;
    } else if (key == "request_timeout") {
      SF_ASSIGN_OR_RETURN(http.request_timeout_ms, PositiveDurationMs(v, key));
    } else if (key == "handshake_timeout") {
      SF_ASSIGN_OR_RETURN(http.handshake_timeout_ms, PositiveDurationMs(v, key));
    } else if (key == "max_connections") {
      SF_ASSIGN_OR_RETURN(http.max_connections, v.AsInt());
      if (http.max_connections < 1) return v.Error("max_connections must be at least 1");
    } else if (key == "max_connections_per_address") {
      SF_ASSIGN_OR_RETURN(http.max_connections_per_address, v.AsInt());
      if (http.max_connections_per_address < 0) {
        return v.Error("max_connections_per_address must be >= 0 (0 = no limit)");
      }
    } else if (key == "threads") {
      SF_ASSIGN_OR_RETURN(int64_t threads, v.AsInt());
      if (threads < 1 || threads > 256) return v.Error("threads must be 1..256");
      http.threads = static_cast<int>(threads);
    } else if (key == "rate_limit") {
      if (!v.IsMap()) return v.Error("rate_limit must be {per_principal_per_s, burst}");
      for (const YamlEntry& rl : v.entries()) {
        SF_ASSIGN_OR_RETURN(std::string k, rl.key.AsString());
        if (k == "per_principal_per_s") {
          SF_ASSIGN_OR_RETURN(http.rate_per_s, rl.value.AsDouble());
          if (http.rate_per_s < 0) return rl.value.Error("per_principal_per_s must be >= 0");
        } else if (k == "burst") {
          SF_ASSIGN_OR_RETURN(int64_t burst, rl.value.AsInt());
          if (burst < 1) return rl.value.Error("burst must be >= 1");
          if (burst > INT32_MAX) return rl.value.Error("burst must be at most 2147483647");
          http.rate_burst = static_cast<int>(burst);
        } else {
          return rl.key.Error("unknown rate_limit key '" + k + "' (per_principal_per_s, burst)");
        }
      }
    } else if (key == "tokens") {
      SF_ASSIGN_OR_RETURN(std::vector<HttpTokenConfig> tokens, TokensFromNode(v));
      http.tokens.insert(http.tokens.end(), tokens.begin(), tokens.end());
    } else if (key == "tokens_file") {
      SF_ASSIGN_OR_RETURN(std::string file, v.AsString());
      http.tokens_file = Resolve(base, file);
    } else if (key == "tls") {
      if (!v.IsMap()) return v.Error("tls must be {cert, key}");
      for (const YamlEntry& t : v.entries()) {
        SF_ASSIGN_OR_RETURN(std::string k, t.key.AsString());
        if (k == "cert") {
          SF_ASSIGN_OR_RETURN(std::string cert, t.value.AsString());
          http.tls_cert = Resolve(base, cert);
        } else if (k == "key") {
          SF_ASSIGN_OR_RETURN(std::string tls_key, t.value.AsString());
          http.tls_key = Resolve(base, tls_key);
        } else {
          return t.key.Error("unknown tls key '" + k + "' (cert, key)");
        }
      }
      if (http.tls_cert.empty() != http.tls_key.empty()) return v.Error("tls needs both cert and key");
    } else {
      return kv.key.Error("unknown http key '" + key +
                          "' (listen, max_body, request_timeout, handshake_timeout, "
                          "max_connections, max_connections_per_address, threads, rate_limit, tokens, tokens_file, tls)");
    }
  }
  if (!http.tokens_file.empty()) {
    Result<YamlNode> list = LoadYamlFile(http.tokens_file);
    if (list.status().code() == StatusCode::kNotFound) {
      return Status::InvalidArgument(http.tokens_file + ":0:0: cannot read tokens file");
    }
    if (!list.ok()) return list.status();
    SF_ASSIGN_OR_RETURN(std::vector<HttpTokenConfig> tokens, TokensFromNode(*list));
    http.tokens.insert(http.tokens.end(), tokens.begin(), tokens.end());
  }
  return Status::Ok();
}

}  // namespace

Result<int64_t> ParseByteSize(std::string_view text) {
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0 || digits > 15) {
    return Status::InvalidArgument("'" + std::string(text) + "' is not a size (e.g. 1048576, 64KiB, 1MiB)");
  }
  int64_t n = std::stoll(std::string(text.substr(0, digits)));
  std::string_view unit = text.substr(digits);
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  int64_t mult = 0;
  if (unit.empty() || unit == "B") mult = 1;
  else if (unit == "KiB" || unit == "k" || unit == "K") mult = 1024;
  else if (unit == "MiB" || unit == "m" || unit == "M") mult = 1024 * 1024;
  else if (unit == "KB") mult = 1000;
  else if (unit == "MB") mult = 1000 * 1000;
  if (mult == 0) {
    return Status::InvalidArgument("unknown size unit '" + std::string(unit) + "' (B, KiB, MiB, KB, MB)");
  }
  return n * mult;
}

Result<std::pair<std::string, int>> SplitHostPort(std::string_view listen) {
  size_t colon = listen.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return Status::InvalidArgument("listen address '" + std::string(listen) + "' must be HOST:PORT");
  }
  std::string host(listen.substr(0, colon));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  std::string_view port_text = listen.substr(colon + 1);
  if (port_text.empty() || port_text.size() > 5) {
    return Status::InvalidArgument("listen address '" + std::string(listen) + "' needs a port 0..65535");
  }
  int port = 0;
  for (char c : port_text) {
    if (c < '0' || c > '9') {
      return Status::InvalidArgument("listen address '" + std::string(listen) + "' needs a port 0..65535");
    }
    port = port * 10 + (c - '0');
  }
  if (port > 65535 || host.empty()) {
    return Status::InvalidArgument("listen address '" + std::string(listen) + "' needs a host and a port 0..65535");
  }
  return std::make_pair(host, port);
}

Result<std::vector<HttpTokenConfig>> ParseHttpTokens(const std::string& text, const std::string& origin) {
  SF_ASSIGN_OR_RETURN(YamlNode list, ParseYaml(text, origin));
  return TokensFromNode(list);
}

bool IsHttpUrl(std::string_view url) { return url.starts_with("http://") || url.starts_with("https://"); }

Result<SyncMode> ParseSyncMode(std::string_view text) {
  if (text == "full") return SyncMode::kFull;
  if (text == "normal") return SyncMode::kNormal;
  if (text == "off") return SyncMode::kOff;
  return Status::InvalidArgument("sync must be full, normal or off, not '" + std::string(text) + "'");
}

namespace {

Status ParseTracingSection(const YamlNode& node, TracingConfig& tracing) {
  if (!node.IsMap()) return node.Error("tracing must be a mapping");
  for (const YamlEntry& kv : node.entries()) {
    SF_ASSIGN_OR_RETURN(std::string key, kv.key.AsString());
    const YamlNode& v = kv.value;
    if (key == "otlp_endpoint") {
      SF_ASSIGN_OR_RETURN(tracing.otlp_endpoint, v.AsString());
      if (!tracing.otlp_endpoint.empty() && !IsHttpUrl(tracing.otlp_endpoint)) {
        return v.Error("otlp_endpoint must be an http:// or https:// URL");
      }
    } else if (key == "service_name") {
      SF_ASSIGN_OR_RETURN(tracing.service_name, v.AsString());
      if (tracing.service_name.empty()) return v.Error("service_name must not be empty");
    } else if (key == "queue_size" || key == "batch_size") {
      SF_ASSIGN_OR_RETURN(int64_t n, v.AsInt());
      if (n < 1 || n > 1'000'000) return v.Error(key + " must be 1..1000000");
      (key == "queue_size" ? tracing.queue_size : tracing.batch_size) = n;
    } else if (key == "flush_interval" || key == "export_timeout") {
      SF_ASSIGN_OR_RETURN(int64_t ms, PositiveDurationMs(v, key));
      (key == "flush_interval" ? tracing.flush_interval_ms : tracing.export_timeout_ms) = ms;
    } else {
      return kv.key.Error("unknown tracing key '" + key +
                          "' (otlp_endpoint, service_name, queue_size, batch_size, flush_interval, "
                          "export_timeout)");
    }
  }
  return Status::Ok();
}

// activity_limits: { ACTIVITY: { max_in_flight: N, per_second: R, burst: B, fair_by: KEY } }
Result<std::vector<ActivityLimit>> ParseActivityLimits(const YamlNode& node) {
  if (!node.IsMap()) return node.Error("activity_limits must be a mapping of activity name to its limits");
  std::vector<ActivityLimit> limits;
  for (const YamlEntry& a : node.entries()) {
    ActivityLimit limit;
    SF_ASSIGN_OR_RETURN(limit.activity, a.key.AsString());
    if (limit.activity.empty() || limit.activity == kAllActivities) {
      return a.key.Error("activity_limits: name one activity (limits are per activity)");
    }
    if (!a.value.IsMap()) return a.value.Error("the limits of " + limit.activity + " must be a mapping");
    bool has_burst = false;
    for (const YamlEntry& kv : a.value.entries()) {
      SF_ASSIGN_OR_RETURN(std::string key, kv.key.AsString());
      if (key == "max_in_flight") {
        SF_ASSIGN_OR_RETURN(limit.max_in_flight, kv.value.AsInt());
        if (limit.max_in_flight < 1 || limit.max_in_flight > 1'000'000) {
          return kv.value.Error("max_in_flight must be 1..1000000");
        }
      } else if (key == "per_second") {
        SF_ASSIGN_OR_RETURN(limit.per_second, kv.value.AsDouble());
        if (!(limit.per_second >= 0.001 && limit.per_second <= 1'000'000)) {
          return kv.value.Error("per_second must be 0.001..1000000");
        }
      } else if (key == "burst") {
        SF_ASSIGN_OR_RETURN(limit.burst, kv.value.AsInt());
        if (limit.burst < 1 || limit.burst > 1'000'000) return kv.value.Error("burst must be 1..1000000");
        has_burst = true;
      } else if (key == "fair_by") {
        SF_ASSIGN_OR_RETURN(limit.fair_by, kv.value.AsString());
        const bool lower_name = !limit.fair_by.empty() && limit.fair_by.size() <= 64 &&
                                std::all_of(limit.fair_by.begin(), limit.fair_by.end(), [](char c) {
                                  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
                                });
        if (!lower_name) {
          return kv.value.Error("fair_by must name a search key of the workflows (a-z, 0-9 and '_'), "
                                "such as merchant_id");
        }
      } else {
        return kv.key.Error("unknown activity limit '" + key + "' (max_in_flight, per_second, burst, fair_by)");
      }
    }
    if (limit.max_in_flight == 0 && limit.per_second == 0) {
      return a.value.Error("the limits of " + limit.activity + " set neither max_in_flight nor per_second");
    }
    if (has_burst && limit.per_second == 0) return a.value.Error("burst needs per_second");
    limits.push_back(std::move(limit));
  }
  return limits;
}

// A path setting, resolved against the config file's directory.
Result<std::string> PathSetting(const YamlNode& v, const std::filesystem::path& base) {
  SF_ASSIGN_OR_RETURN(std::string path, v.AsString());
  return Resolve(base, path);
}

}  // namespace

Result<EngineConfig> LoadEngineConfig(const std::string& path) {
  EngineConfig cfg;
  Result<YamlNode> loaded = LoadYamlFile(path);
  if (loaded.status().code() == StatusCode::kNotFound) {
    return Status::InvalidArgument(path + ":0:0: cannot read config file");
  }
  if (!loaded.ok()) return loaded.status();
  const YamlNode& root = *loaded;
  if (root.IsNull()) return cfg;
  if (!root.IsMap()) return root.Error("config must be a mapping");
  std::filesystem::path base = std::filesystem::path(path).parent_path();
  for (const YamlEntry& kv : root.entries()) {
    SF_ASSIGN_OR_RETURN(std::string key, kv.key.AsString());
    const YamlNode& v = kv.value;
    if (key == "database") {
      // A PostgreSQL URL stays as written; a SQLite path is relative to the config file.
      SF_ASSIGN_OR_RETURN(std::string database, v.AsString());
      if (IsPostgresDatabase(database)) {
        cfg.database = std::move(database);
      } else {
        SF_ASSIGN_OR_RETURN(cfg.database, PathSetting(v, base));
      }
    } else if (key == "sync") {
      SF_ASSIGN_OR_RETURN(std::string text, v.AsString());
      auto m = ParseSyncMode(text);
      if (!m.ok()) return v.Error(m.status().message());
      cfg.sync = *m;
    } else if (key == "shards") {
      SF_ASSIGN_OR_RETURN(int64_t shards, v.AsInt());
      if (shards < 1 || shards > 16) return v.Error("shards must be 1..16");
      cfg.shards = static_cast<int>(shards);
    } else if (key == "workers") {
      SF_ASSIGN_OR_RETURN(int64_t workers, v.AsInt());
      if (workers < 1 || workers > 1024) return v.Error("workers must be 1..1024");
      cfg.workers = static_cast<int>(workers);
    } else if (key == "node_name") {
      SF_ASSIGN_OR_RETURN(cfg.node_name, v.AsString());
      if (cfg.node_name.empty() || cfg.node_name.find('/') != std::string::npos) {
        return v.Error("node_name must be non-empty and contain no '/'");
      }
    } else if (key == "lease" || key == "poll_interval") {
      SF_ASSIGN_OR_RETURN(int64_t ms, PositiveDurationMs(v, key));
      (key == "lease" ? cfg.lease_ms : cfg.poll_interval_ms) = ms;
    } else if (key == "retention_interval") {
      SF_ASSIGN_OR_RETURN(cfg.retention_interval_ms, PositiveDurationMs(v, key));
    } else if (key == "postgres") {
      if (!v.IsMap()) return v.Error("postgres must be a mapping (pool_size, statement_timeout, max_batch, pipelines)");
      for (const YamlEntry& pg : v.entries()) {
        SF_ASSIGN_OR_RETURN(std::string pg_key, pg.key.AsString());
        if (pg_key == "pool_size") {
          SF_ASSIGN_OR_RETURN(int64_t size, pg.value.AsInt());
          if (size < 1 || size > 1000) return pg.value.Error("postgres.pool_size must be 1..1000");
          cfg.postgres_pool_size = static_cast<int>(size);
        } else if (pg_key == "statement_timeout") {
          SF_ASSIGN_OR_RETURN(cfg.postgres_statement_timeout_ms, PositiveDurationMs(pg.value, "statement_timeout"));
        } else if (pg_key == "max_batch") {
          SF_ASSIGN_OR_RETURN(int64_t n, pg.value.AsInt());
          if (n < 1 || n > 1000) return pg.value.Error("postgres.max_batch must be 1..1000");
          cfg.postgres_max_batch = static_cast<int>(n);
        } else if (pg_key == "pipelines") {
          SF_ASSIGN_OR_RETURN(int64_t n, pg.value.AsInt());
          if (n < 1 || n > 64) return pg.value.Error("postgres.pipelines must be 1..64");
          cfg.postgres_pipelines = static_cast<int>(n);
        } else {
          return pg.key.Error("unknown postgres setting '" + pg_key +
                              "' (pool_size, statement_timeout, max_batch, pipelines)");
        }
      }
    } else if (key == "priority_step") {
      SF_ASSIGN_OR_RETURN(int64_t ms, PositiveDurationMs(v, key));
      if (ms > 86'400'000) return v.Error("priority_step must be at most 1d");
      cfg.priority_step_ms = ms;
    } else if (key == "workflows_dir") {
      SF_ASSIGN_OR_RETURN(cfg.workflows_dir, PathSetting(v, base));
    } else if (key == "plugins") {
      if (!v.IsList()) return v.Error("plugins must be a list of .so paths");
      for (const YamlNode& p : v.items()) {
        SF_ASSIGN_OR_RETURN(std::string plugin, PathSetting(p, base));
        cfg.plugins.push_back(std::move(plugin));
      }
    } else if (key == "plugin_config") {
      if (!v.IsMap()) return v.Error("plugin_config must be a mapping");
      SF_ASSIGN_OR_RETURN(cfg.plugin_config, v.ToValue());
      Status depth = CheckValueDepth(cfg.plugin_config, "plugin_config");
      if (!depth.ok()) return v.Error(ValueTooDeepMessage(depth));
    } else if (key == "log_level") {
      SF_ASSIGN_OR_RETURN(std::string l, v.AsString());
      if (l == "debug") cfg.log_level = LogLevel::kDebug;
      else if (l == "info") cfg.log_level = LogLevel::kInfo;
      else if (l == "warn") cfg.log_level = LogLevel::kWarn;
      else if (l == "error") cfg.log_level = LogLevel::kError;
      else return v.Error("log_level must be debug, info, warn or error");
    } else if (key == "log_format") {
      SF_ASSIGN_OR_RETURN(cfg.log_format, v.AsString());
      if (cfg.log_format != "auto" && cfg.log_format != "json" && cfg.log_format != "text") {
        return v.Error("log_format must be auto, json or text");
      }
    } else if (key == "log_file") {
      SF_ASSIGN_OR_RETURN(cfg.log_file, PathSetting(v, base));
    } else if (key == "http") {
      SF_RETURN_IF_ERROR(ParseHttpSection(v, base, cfg.http));
    } else if (key == "tracing") {
      SF_RETURN_IF_ERROR(ParseTracingSection(v, cfg.tracing));
    } else if (key == "activity_limits") {
      SF_ASSIGN_OR_RETURN(cfg.activity_limits, ParseActivityLimits(v));
    } else {
      return kv.key.Error("unknown config key '" + key + "'");
    }
  }
  return cfg;
}

}  // namespace steadfast
