// Config files: the engine's (config/steadfast.yaml through
// LoadEngineConfig, from a real file) and, from its plugin_config, the
// refund plugin's section (RefundPluginConfig::FromValue) with the PSP
// settings, plus the token list format (ParseHttpTokens, also what
// tokens_file and STEADFAST_HTTP_TOKENS hold) and the small value parsers.
// Properties: no exception escapes; problems are InvalidArgument (NotFound
// for a file the config names); accepted values are in range; the token
// list's errors never echo a hash, the refund section's never the PSP
// secret key. (A malformed engine config may quote its own bad value, say
// an unclosed quote that swallowed the rest of the file: that goes back to
// whoever wrote the file.)
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "config/engine_config.h"
#include "fuzz_check.h"
#include "refund/plugin.h"
#include "steadfast/yaml_document.h"

namespace steadfast {
namespace {

// The config file, in a directory of this process's own.
const std::string& ConfigPath() {
  static const std::string path = [] {
    std::string dir = (std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") + std::string("/fuzz-config.XXXXXX");
    FUZZ_CHECK(mkdtemp(dir.data()) != nullptr);
    static const std::string cleanup_dir = dir;
    std::atexit([] {
      std::remove((cleanup_dir + "/steadfast.yaml").c_str());
      rmdir(cleanup_dir.c_str());
    });
    return dir + "/steadfast.yaml";
  }();
  return path;
}

bool OkOr(const Status& status, StatusCode also) {
  return status.ok() || status.code() == StatusCode::kInvalidArgument || status.code() == also;
}

// A secret from the input must not appear in an error about it.
void CheckNotEchoed(const Status& status, const std::string& secret) {
  if (!status.ok() && secret.size() >= 8) FUZZ_CHECK(status.message().find(secret) == std::string::npos);
}

// Every scalar and key of a document, at any depth.
void CollectScalars(const YamlNode& node, std::vector<std::string>& out) {
  if (node.IsScalar()) out.push_back(node.scalar());
  for (const YamlNode& item : node.items()) CollectScalars(item, out);
  for (const YamlEntry& kv : node.entries()) {
    CollectScalars(kv.key, out);
    CollectScalars(kv.value, out);
  }
}

// The hashes a token list holds, read as the parser reads it: each entry's
// sha256 value, and what follows "sha256:" in a key (the value typed
// without its space). A hash that is also inside some other scalar of the
// document (a name, a role, at any depth) is left out: an error may
// rightly quote that.
std::vector<std::string> TokenHashes(std::string_view text) {
  std::vector<std::string> hashes;
  Result<YamlNode> root = ParseYaml(text, "tokens");
  if (!root.ok() || !root->IsList()) return hashes;
  std::vector<std::string> others;
  for (const YamlNode& entry : root->items()) {
    if (!entry.IsMap()) {
      CollectScalars(entry, others);
      continue;
    }
    for (const YamlEntry& kv : entry.entries()) {
      const std::string key = kv.key.IsScalar() ? kv.key.scalar() : "";
      if (key == "sha256" && kv.value.IsScalar()) {
        hashes.push_back(kv.value.scalar());
      } else if (key.rfind("sha256:", 0) == 0) {
        hashes.push_back(key.substr(7));
        CollectScalars(kv.value, others);
      } else {
        CollectScalars(kv.key, others);
        CollectScalars(kv.value, others);
      }
    }
  }
  std::erase_if(hashes, [&](const std::string& h) {
    for (const std::string& o : others) {
      if (o.find(h) != std::string::npos) return true;
    }
    return false;
  });
  return hashes;
}

// `hash` with every letter and digit moved on by one (z to a, 9 to 0) and
// everything else kept: the same YAML shape with a different value.
std::string Shifted(const std::string& hash) {
  std::string out = hash;
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = c == 'z' ? 'a' : static_cast<char>(c + 1);
    else if (c >= 'A' && c <= 'Z') c = c == 'Z' ? 'A' : static_cast<char>(c + 1);
    else if (c >= '0' && c <= '9') c = c == '9' ? '0' : static_cast<char>(c + 1);
  }
  return out;
}

// The token list's error must not hold a hash, unless it holds it whatever
// the hash is: with the hash changed in the text, the error still quotes
// the old one, so that text is the message's own (a hash of "the 64 hex"
// is inside the stock message about sha256).
void CheckTokenHashesNotEchoed(const Status& status, std::string_view text) {
  if (status.ok()) return;
  for (const std::string& hash : TokenHashes(text)) {
    if (hash.size() < 8 || status.message().find(hash) == std::string::npos) continue;
    std::string changed(text);
    const std::string other = Shifted(hash);
    for (size_t at = changed.find(hash); at != std::string::npos; at = changed.find(hash, at + other.size())) {
      changed.replace(at, hash.size(), other);
    }
    Result<std::vector<HttpTokenConfig>> again = ParseHttpTokens(changed, "fuzz-tokens.yaml");
    const bool stock = !again.ok() && again.status().message().find(hash) != std::string::npos;
    if (!stock) CheckNotEchoed(status, hash);
  }
}

void CheckRefundSection(const Value& section, std::string_view text) {
  Result<refund::RefundPluginConfig> refund = refund::RefundPluginConfig::FromValue(section);
  FUZZ_CHECK(OkOr(refund.status(), StatusCode::kInvalidArgument));
  // Unless the secret is written elsewhere too (an error may quote that),
  // or the message holds its text whatever the secret is: a secret of
  // "st be an integer from 1 to 10" is inside the message about max_tries,
  // not echoed (found by the CI smoke run).
  const std::string secret = section.Get("psp").Get("secret_key").StringOr("");
  if (!secret.empty() && text.find(secret) == text.rfind(secret) && !refund.ok()) {
    Value other = section;
    other.MutableMap()["psp"].MutableMap()["secret_key"] = Value(std::string("another-secret-key"));
    Result<refund::RefundPluginConfig> with_other = refund::RefundPluginConfig::FromValue(other);
    const bool in_any_message = !with_other.ok() && with_other.status().message().find(secret) != std::string::npos;
    if (!in_any_message) CheckNotEchoed(refund.status(), secret);
  }
  if (!refund.ok()) return;
  const refund::PspSettings& psp = refund->psp;
  FUZZ_CHECK(psp.timeout_ms > 0 && psp.poll_interval_ms > 0 && psp.breaker_failures > 0);
  FUZZ_CHECK(refund->notify_max_tries > 0 && refund->service_timeout_ms > 0);
}

}  // namespace
}  // namespace steadfast

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace steadfast;
  const std::string_view text = fuzz::AsText(data, size);
  {
    std::ofstream out(ConfigPath(), std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
  }
  Result<EngineConfig> config = LoadEngineConfig(ConfigPath());
  FUZZ_CHECK(OkOr(config.status(), StatusCode::kNotFound));
  if (config.ok()) {
    FUZZ_CHECK(config->workers > 0 && config->lease_ms > 0 && config->poll_interval_ms > 0);
    FUZZ_CHECK(config->http.max_body_bytes > 0 && config->http.threads > 0);
    for (const HttpTokenConfig& token : config->http.tokens) FUZZ_CHECK(token.sha256.size() == 64);
    FUZZ_CHECK(config->plugin_config.is_null() || config->plugin_config.is_map());
    CheckRefundSection(config->plugin_config.Get("refund"), text);
  }

  Result<std::vector<HttpTokenConfig>> tokens = ParseHttpTokens(std::string(text), "fuzz-tokens.yaml");
  FUZZ_CHECK(OkOr(tokens.status(), StatusCode::kInvalidArgument));
  CheckTokenHashesNotEchoed(tokens.status(), text);

  const std::string_view line = fuzz::SplitOnce(text, "\n").first;
  FUZZ_CHECK(OkOr(ParseByteSize(line).status(), StatusCode::kInvalidArgument));
  if (Result<int64_t> bytes = ParseByteSize(line); bytes.ok()) FUZZ_CHECK(*bytes >= 0);
  if (auto hp = SplitHostPort(line); hp.ok()) FUZZ_CHECK(hp->second >= 0 && hp->second <= 65535);
  FUZZ_CHECK(OkOr(ParseSyncMode(line).status(), StatusCode::kInvalidArgument));
  return 0;
}
