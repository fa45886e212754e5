// steadfast token NAME --role ROLE[,ROLE]: a new API token for a person or
// a client, and the http.tokens entry that lets the server accept it. The
// server keeps only the token's SHA-256, so nobody hashes by hand and the
// token text is shown once, here (docs/http.md, "Authentication and roles").
#include <cstdio>

#include "api_token.h"
#include "cli_context.h"
#include "commands.h"
#include "http/roles.h"
#include "http/token_store.h"

namespace steadfast::cli {

void DeclareToken(CommandSpec& spec) {
  spec.Summary("makes an API token and prints the http.tokens entry that accepts it")
      .Positional("NAME", "the principal the token authenticates (recorded in the history)")
      .Option("role", "ROLE[,ROLE]", "operator, reviewer or admin (required)")
      .Json()
      .Details("The token is shown once; the config keeps only its SHA-256. Add the entry under http.tokens\n"
               "(or to the http.tokens_file list, or STEADFAST_HTTP_TOKENS) and restart serve.");
}

int RunToken(const Flags& flags) {
  const std::string& name = flags.positional()[0];
  std::vector<std::string> roles;
  if (!flags.Get("role")) return Fail(kExitUsage, "--role is required: operator, reviewer or admin");
  std::string text = *flags.Get("role");
  for (size_t start = 0; start <= text.size();) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    std::string role = text.substr(start, comma - start);
    if (!http::ParseRole(role)) {
      return Fail(kExitUsage, "--role: '" + role + "' is not a role (operator, reviewer, admin)");
    }
    roles.push_back(role);
    start = comma + 1;
  }
  Result<std::string> token = NewApiToken("sf_");
  if (!token.ok()) return Fail(kExitError, token.status().message());
  std::string sha256 = http::Sha256Hex(*token);
  std::string role_list;
  for (const std::string& r : roles) role_list += (role_list.empty() ? "" : ", ") + r;
  // The name goes in as a JSON string: YAML reads it back whatever it holds.
  std::string entry = "- { name: " + Value(name).ToJson() + ", sha256: " + sha256 + ", roles: [" + role_list + "] }";
  if (flags.Has("json")) {
    Value::List role_values(roles.begin(), roles.end());
    Value out = Value::Map{{"name", name},         {"roles", Value(std::move(role_values))},
                           {"token", *token},      {"sha256", sha256},
                           {"tokens_entry", entry}};
    std::printf("%s\n", out.ToPrettyJson().c_str());
    return kExitOk;
  }
  std::printf("token for %s (%s), shown once:\n  %s\n\n", name.c_str(), role_list.c_str(), token->c_str());
  std::printf("add under http.tokens in the engine config (or to the http.tokens_file list) and restart serve:\n");
  std::printf("  %s\n", entry.c_str());
  return kExitOk;
}

}  // namespace steadfast::cli
