// serve --dev's pieces (dev_server.h).
#include "dev_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "http/token_store.h"

namespace steadfast::cli {

bool IsLoopbackHost(const std::string& host) {
  std::string h = host;
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  if (h == "localhost") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, h.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, h.c_str(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6);
  return false;
}

Result<std::string> DevListenAddress(const std::string& listen, const std::string& config_listen) {
  std::string address = listen;
  if (address.empty()) {
    Result<std::pair<std::string, int>> configured = SplitHostPort(config_listen);
    address = configured.ok() && IsLoopbackHost(configured->first) ? config_listen : kDevListen;
  }
  SF_ASSIGN_OR_RETURN(auto host_port, SplitHostPort(address));
  if (!IsLoopbackHost(host_port.first)) {
    return Status::InvalidArgument("serve --dev listens on loopback only (127.0.0.1, ::1, localhost): it prints "
                                   "tokens anyone who reaches it could use; '" + address +
                                   "' is not loopback. Serve other addresses without --dev, with tokens in "
                                   "http.tokens (docs/http.md)");
  }
  return address;
}

Result<ThrowawayDirectory> ThrowawayDirectory::Create() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/steadfast-dev-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    return Status::Internal("cannot create a throwaway directory like " + pattern + ": " +
                            std::error_code(errno, std::generic_category()).message());
  }
  return ThrowawayDirectory(pattern);
}

ThrowawayDirectory::~ThrowawayDirectory() {
  if (path_.empty()) return;
  std::error_code ignored;  // best effort: a leftover /tmp directory harms nobody
  std::filesystem::remove_all(path_, ignored);
}

Result<std::vector<DevToken>> MakeDevTokens(const TokenSource& source) {
  std::vector<DevToken> tokens;
  for (const char* role : {"operator", "reviewer", "admin"}) {
    SF_ASSIGN_OR_RETURN(std::string text, source(std::string("sfdev_") + role[0] + "_"));
    tokens.push_back(DevToken{role, std::string("dev-") + role, std::move(text)});
  }
  return tokens;
}

std::vector<HttpTokenConfig> DevTokenConfigs(const std::vector<DevToken>& tokens) {
  std::vector<HttpTokenConfig> out;
  for (const DevToken& t : tokens) out.push_back(HttpTokenConfig{t.principal, http::Sha256Hex(t.token), {t.role}});
  return out;
}

std::string DevBanner(const std::string& url, const std::string& database, bool throwaway,
                      const std::vector<DevToken>& tokens, const std::vector<std::string>& workflows) {
  std::string out = "Steadfast development server: loopback only, throwaway tokens. Not for production.\n\n";
  out += "  Console:   " + url + "/ui/   (paste a token below when it asks)\n";
  out += "  API:       " + url + "/v1/   (docs/http.md; " + url + "/v1/openapi.yaml)\n";
  out += "  Database:  " + database + (throwaway ? "   (deleted on exit; --db PATH keeps one)" : "") + "\n";
  std::string names;
  for (const std::string& w : workflows) names += (names.empty() ? "" : ", ") + w;
  out += "  Workflows: " + (names.empty() ? std::string("none (--workflows DIR)") : names) + "\n\n";
  out += "  Tokens, valid until this server stops:\n";
  const DevToken* operator_token = nullptr;
  for (const DevToken& t : tokens) {
    const char* can = t.role == "operator"   ? "starts, cancels, resumes"
                      : t.role == "reviewer" ? "approves and rejects"
                                             : "everything";
    char line[256];
    std::snprintf(line, sizeof line, "    %-9s %-13s %s   (%s)\n", t.role.c_str(), t.principal.c_str(), t.token.c_str(),
                  can);
    out += line;
    if (t.role == "operator") operator_token = &t;
  }
  if (operator_token != nullptr) {
    out += "\n  Try, in another terminal:\n";
    out += "    export STEADFAST_TOKEN=" + operator_token->token + "\n";
    out += "    steadfast list --server " + url + "\n";
  }
  return out + "\n";
}

}  // namespace steadfast::cli
