// Loading config/steadfast.yaml with yaml-cpp; exceptions stop here.
#include "config/engine_config.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>

#include "definition/duration.h"

namespace steadfast {
namespace {

std::string Where(const std::string& file, const YAML::Mark& m) {
  return file + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1) + ": ";
}

Value ToValue(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: {
      Value::Map m;
      for (const auto& kv : n) m.emplace(kv.first.as<std::string>(), ToValue(kv.second));
      return Value(std::move(m));
    }
    case YAML::NodeType::Sequence: {
      Value::List l;
      for (const auto& e : n) l.push_back(ToValue(e));
      return Value(std::move(l));
    }
    case YAML::NodeType::Scalar: {
      const std::string& s = n.Scalar();
      if (n.Tag() != "!") {  // unquoted: try int, then bool
        try {
          size_t used = 0;
          long long i = std::stoll(s, &used);
          if (used == s.size()) return Value(static_cast<int64_t>(i));
        } catch (...) {
        }
        if (s == "true") return Value(true);
        if (s == "false") return Value(false);
      }
      return Value(s);
    }
    default: return Value();
  }
}

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

// A token list node: [{name, sha256, roles}]. Messages never echo a hash.
Result<std::vector<HttpTokenConfig>> TokensFromNode(const YAML::Node& list, const std::string& file) {
  std::vector<HttpTokenConfig> out;
  if (list.IsNull()) return out;
  if (!list.IsSequence()) {
    return Status::InvalidArgument(Where(file, list.Mark()) + "tokens must be a list of {name, sha256, roles}");
  }
  for (const auto& entry : list) {
    std::string at = Where(file, entry.Mark());
    if (!entry.IsMap()) return Status::InvalidArgument(at + "a token must be a mapping {name, sha256, roles}");
    HttpTokenConfig t;
    for (const auto& kv : entry) {
      std::string key = kv.first.as<std::string>();
      const YAML::Node& v = kv.second;
      if (key == "name") {
        t.name = v.as<std::string>();
      } else if (key == "sha256") {
        t.sha256 = Lower(v.as<std::string>());
        if (!IsHex64(t.sha256)) {
          return Status::InvalidArgument(Where(file, v.Mark()) +
                                         "sha256 must be the 64 hex digits of the token's SHA-256 "
                                         "(printf %s \"$TOKEN\" | sha256sum), not the token itself");
        }
      } else if (key == "roles") {
        if (!v.IsSequence()) return Status::InvalidArgument(Where(file, v.Mark()) + "roles must be a list");
        for (const auto& r : v) {
          std::string role = r.as<std::string>();
          if (role != "operator" && role != "reviewer" && role != "admin") {
            return Status::InvalidArgument(Where(file, r.Mark()) + "unknown role '" + role +
                                           "' (operator, reviewer or admin)");
          }
          t.roles.push_back(role);
        }
      } else {
        return Status::InvalidArgument(Where(file, kv.first.Mark()) + "unknown token key '" + key +
                                       "' (name, sha256, roles)");
      }
    }
    if (t.name.empty()) return Status::InvalidArgument(at + "token without a name");
    if (t.sha256.empty()) return Status::InvalidArgument(at + "token '" + t.name + "' without sha256");
    if (t.roles.empty()) return Status::InvalidArgument(at + "token '" + t.name + "' without roles");
    out.push_back(std::move(t));
  }
  return out;
}

Status ParseHttpSection(const YAML::Node& node, const std::string& file, const std::filesystem::path& base,
                        HttpConfig& http) {
  if (!node.IsMap()) return Status::InvalidArgument(Where(file, node.Mark()) + "http must be a mapping");
  for (const auto& kv : node) {
    std::string key = kv.first.as<std::string>();
    const YAML::Node& v = kv.second;
    std::string at = Where(file, v.Mark());
    if (key == "listen") {
      http.listen = v.as<std::string>();
      auto hp = SplitHostPort(http.listen);
      if (!hp.ok()) return Status::InvalidArgument(at + hp.status().message());
    } else if (key == "max_body") {
      auto n = ParseByteSize(v.as<std::string>());
      if (!n.ok()) return Status::InvalidArgument(at + n.status().message());
      if (*n < 1) return Status::InvalidArgument(at + "max_body must be positive");
      http.max_body_bytes = *n;
    } else if (key == "request_timeout") {
      auto d = ParseDurationMs(v.as<std::string>());
      if (!d.ok()) return Status::InvalidArgument(at + d.status().message());
      if (*d <= 0) return Status::InvalidArgument(at + "request_timeout must be positive");
      http.request_timeout_ms = *d;
    } else if (key == "handshake_timeout") {
      auto d = ParseDurationMs(v.as<std::string>());
      if (!d.ok()) return Status::InvalidArgument(at + d.status().message());
      if (*d <= 0) return Status::InvalidArgument(at + "handshake_timeout must be positive");
      http.handshake_timeout_ms = *d;
    } else if (key == "max_connections_per_address") {
      http.max_connections_per_address = v.as<int64_t>();
      if (http.max_connections_per_address < 0) {
        return Status::InvalidArgument(at + "max_connections_per_address must be >= 0 (0 = no limit)");
      }
    } else if (key == "threads") {
      http.threads = v.as<int>();
      if (http.threads < 1 || http.threads > 256) return Status::InvalidArgument(at + "threads must be 1..256");
    } else if (key == "rate_limit") {
      if (!v.IsMap()) return Status::InvalidArgument(at + "rate_limit must be {per_principal_per_s, burst}");
      for (const auto& rl : v) {
        std::string k = rl.first.as<std::string>();
        std::string rat = Where(file, rl.second.Mark());
        if (k == "per_principal_per_s") {
          http.rate_per_s = rl.second.as<double>();
          if (http.rate_per_s < 0) return Status::InvalidArgument(rat + "per_principal_per_s must be >= 0");
        } else if (k == "burst") {
          http.rate_burst = rl.second.as<int>();
          if (http.rate_burst < 1) return Status::InvalidArgument(rat + "burst must be >= 1");
        } else {
          return Status::InvalidArgument(Where(file, rl.first.Mark()) + "unknown rate_limit key '" + k +
                                         "' (per_principal_per_s, burst)");
        }
      }
    } else if (key == "tokens") {
      SF_ASSIGN_OR_RETURN(std::vector<HttpTokenConfig> tokens, TokensFromNode(v, file));
      http.tokens.insert(http.tokens.end(), tokens.begin(), tokens.end());
    } else if (key == "tokens_file") {
      http.tokens_file = Resolve(base, v.as<std::string>());
    } else if (key == "tls") {
      if (!v.IsMap()) return Status::InvalidArgument(at + "tls must be {cert, key}");
      for (const auto& t : v) {
        std::string k = t.first.as<std::string>();
        if (k == "cert") {
          http.tls_cert = Resolve(base, t.second.as<std::string>());
        } else if (k == "key") {
          http.tls_key = Resolve(base, t.second.as<std::string>());
        } else {
          return Status::InvalidArgument(Where(file, t.first.Mark()) + "unknown tls key '" + k + "' (cert, key)");
        }
      }
      if (http.tls_cert.empty() != http.tls_key.empty()) {
        return Status::InvalidArgument(at + "tls needs both cert and key");
      }
    } else {
      return Status::InvalidArgument(Where(file, kv.first.Mark()) + "unknown http key '" + key +
                                     "' (listen, max_body, request_timeout, handshake_timeout, "
                                     "max_connections_per_address, threads, rate_limit, tokens, tokens_file, tls)");
    }
  }
  if (!http.tokens_file.empty()) {
    YAML::Node list;
    try {
      list = YAML::LoadFile(http.tokens_file);
    } catch (const YAML::BadFile&) {
      return Status::InvalidArgument(http.tokens_file + ":0:0: cannot read tokens file");
    } catch (const YAML::Exception& e) {
      return Status::InvalidArgument(Where(http.tokens_file, e.mark) + e.msg);
    }
    SF_ASSIGN_OR_RETURN(std::vector<HttpTokenConfig> tokens, TokensFromNode(list, http.tokens_file));
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
  try {
    return TokensFromNode(YAML::Load(text), origin);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(Where(origin, e.mark) + e.msg);
  }
}

bool IsHttpUrl(std::string_view url) { return url.starts_with("http://") || url.starts_with("https://"); }

Result<SyncMode> ParseSyncMode(std::string_view text) {
  if (text == "full") return SyncMode::kFull;
  if (text == "normal") return SyncMode::kNormal;
  if (text == "off") return SyncMode::kOff;
  return Status::InvalidArgument("sync must be full, normal or off, not '" + std::string(text) + "'");
}

namespace {

Status ParseTracingSection(const YAML::Node& node, const std::string& file, TracingConfig& tracing) {
  if (!node.IsMap()) return Status::InvalidArgument(Where(file, node.Mark()) + "tracing must be a mapping");
  for (const auto& kv : node) {
    std::string key = kv.first.as<std::string>();
    const YAML::Node& v = kv.second;
    std::string at = Where(file, v.Mark());
    if (key == "otlp_endpoint") {
      tracing.otlp_endpoint = v.as<std::string>();
      if (!tracing.otlp_endpoint.empty() && !IsHttpUrl(tracing.otlp_endpoint)) {
        return Status::InvalidArgument(at + "otlp_endpoint must be an http:// or https:// URL");
      }
    } else if (key == "service_name") {
      tracing.service_name = v.as<std::string>();
      if (tracing.service_name.empty()) return Status::InvalidArgument(at + "service_name must not be empty");
    } else if (key == "queue_size" || key == "batch_size") {
      int64_t n = v.as<int64_t>();
      if (n < 1 || n > 1'000'000) return Status::InvalidArgument(at + key + " must be 1..1000000");
      (key == "queue_size" ? tracing.queue_size : tracing.batch_size) = n;
    } else if (key == "flush_interval" || key == "export_timeout") {
      auto d = ParseDurationMs(v.as<std::string>());
      if (!d.ok()) return Status::InvalidArgument(at + d.status().message());
      if (*d <= 0) return Status::InvalidArgument(at + key + " must be positive");
      (key == "flush_interval" ? tracing.flush_interval_ms : tracing.export_timeout_ms) = *d;
    } else {
      return Status::InvalidArgument(Where(file, kv.first.Mark()) + "unknown tracing key '" + key +
                                     "' (otlp_endpoint, service_name, queue_size, batch_size, flush_interval, "
                                     "export_timeout)");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<EngineConfig> LoadEngineConfig(const std::string& path) {
  EngineConfig cfg;
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    return Status::InvalidArgument(path + ":0:0: cannot read config file");
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(Where(path, e.mark) + e.msg);
  }
  if (root.IsNull()) return cfg;
  if (!root.IsMap()) return Status::InvalidArgument(Where(path, root.Mark()) + "config must be a mapping");
  std::filesystem::path base = std::filesystem::path(path).parent_path();
  try {
    for (const auto& kv : root) {
      std::string key = kv.first.as<std::string>();
      const YAML::Node& v = kv.second;
      std::string at = Where(path, v.Mark());
      if (key == "database") {
        cfg.database = Resolve(base, v.as<std::string>());
      } else if (key == "sync") {
        auto m = ParseSyncMode(v.as<std::string>());
        if (!m.ok()) return Status::InvalidArgument(at + m.status().message());
        cfg.sync = *m;
      } else if (key == "workers") {
        cfg.workers = v.as<int>();
        if (cfg.workers < 1 || cfg.workers > 1024) return Status::InvalidArgument(at + "workers must be 1..1024");
      } else if (key == "node_name") {
        cfg.node_name = v.as<std::string>();
        if (cfg.node_name.empty() || cfg.node_name.find('/') != std::string::npos) {
          return Status::InvalidArgument(at + "node_name must be non-empty and contain no '/'");
        }
      } else if (key == "lease" || key == "poll_interval") {
        auto d = ParseDurationMs(v.as<std::string>());
        if (!d.ok()) return Status::InvalidArgument(at + d.status().message());
        if (*d <= 0) return Status::InvalidArgument(at + key + " must be positive");
        (key == "lease" ? cfg.lease_ms : cfg.poll_interval_ms) = *d;
      } else if (key == "workflows_dir") {
        cfg.workflows_dir = Resolve(base, v.as<std::string>());
      } else if (key == "plugins") {
        if (!v.IsSequence()) return Status::InvalidArgument(at + "plugins must be a list of .so paths");
        for (const auto& p : v) cfg.plugins.push_back(Resolve(base, p.as<std::string>()));
      } else if (key == "plugin_config") {
        if (!v.IsMap()) return Status::InvalidArgument(at + "plugin_config must be a mapping");
        cfg.plugin_config = ToValue(v);
        Status depth = CheckValueDepth(cfg.plugin_config, "plugin_config");
        if (!depth.ok()) return Status::InvalidArgument(at + std::string(ValueTooDeepMessage(depth)));
      } else if (key == "log_level") {
        std::string l = v.as<std::string>();
        if (l == "debug") cfg.log_level = LogLevel::kDebug;
        else if (l == "info") cfg.log_level = LogLevel::kInfo;
        else if (l == "warn") cfg.log_level = LogLevel::kWarn;
        else if (l == "error") cfg.log_level = LogLevel::kError;
        else return Status::InvalidArgument(at + "log_level must be debug, info, warn or error");
      } else if (key == "log_format") {
        cfg.log_format = v.as<std::string>();
        if (cfg.log_format != "auto" && cfg.log_format != "json" && cfg.log_format != "text") {
          return Status::InvalidArgument(at + "log_format must be auto, json or text");
        }
      } else if (key == "log_file") {
        cfg.log_file = Resolve(base, v.as<std::string>());
      } else if (key == "http") {
        SF_RETURN_IF_ERROR(ParseHttpSection(v, path, base, cfg.http));
      } else if (key == "tracing") {
        SF_RETURN_IF_ERROR(ParseTracingSection(v, path, cfg.tracing));
      } else {
        return Status::InvalidArgument(Where(path, kv.first.Mark()) + "unknown config key '" + key + "'");
      }
    }
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(Where(path, e.mark) + e.msg);
  }
  return cfg;
}

}  // namespace steadfast
