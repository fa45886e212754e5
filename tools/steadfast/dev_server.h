// `steadfast serve --dev`: a server to try in one line, like `temporal
// server start-dev`. It listens on loopback only, on a throwaway database
// unless --db is given, with throwaway operator, reviewer and admin tokens it
// prints with the /ui/ URL. The pieces here are what cmd_serve.cc adds to a
// normal serve for it.
#ifndef STEADFAST_TOOLS_DEV_SERVER_H_
#define STEADFAST_TOOLS_DEV_SERVER_H_

#include <string>
#include <vector>

#include "api_token.h"
#include "config/engine_config.h"
#include "steadfast/status.h"

namespace steadfast::cli {

// Where --dev listens without --listen.
inline constexpr char kDevListen[] = "127.0.0.1:8080";

// True for "localhost", 127.0.0.0/8 and ::1 (with or without brackets).
bool IsLoopbackHost(const std::string& host);

// The address --dev listens on: `listen` (--listen) or, when empty, the
// config's http.listen if it is loopback, else kDevListen. InvalidArgument
// for a listen address that is not loopback: the tokens are printed.
Result<std::string> DevListenAddress(const std::string& listen, const std::string& config_listen);

// A fresh directory for the throwaway database, removed with everything in
// it when this is destroyed.
class ThrowawayDirectory {
 public:
  // Under $TMPDIR (else /tmp): steadfast-dev-XXXXXX.
  static Result<ThrowawayDirectory> Create();
  ThrowawayDirectory(ThrowawayDirectory&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
  ThrowawayDirectory(const ThrowawayDirectory&) = delete;
  ThrowawayDirectory& operator=(const ThrowawayDirectory&) = delete;
  ~ThrowawayDirectory();
  const std::string& path() const { return path_; }

 private:
  explicit ThrowawayDirectory(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

struct DevToken {
  std::string role;       // operator | reviewer | admin
  std::string principal;  // dev-operator, ...
  std::string token;      // the bearer token text
};

// One token per role, each its own principal (four-eyes: the operator who
// starts is not the reviewer who decides).
Result<std::vector<DevToken>> MakeDevTokens(const TokenSource& source);
// As http.tokens entries (hashes only).
std::vector<HttpTokenConfig> DevTokenConfigs(const std::vector<DevToken>& tokens);

// What --dev prints once it listens: the console URL, the database, the
// tokens and how to use them.
std::string DevBanner(const std::string& url, const std::string& database, bool throwaway,
                      const std::vector<DevToken>& tokens, const std::vector<std::string>& workflows);

}  // namespace steadfast::cli

#endif  // STEADFAST_TOOLS_DEV_SERVER_H_
