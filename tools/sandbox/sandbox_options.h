// SandboxOptions: steadfast-sandbox's command line and environment.
//
// Flags take "--name value" or "--name=value". Secrets are better passed in
// the environment (STEADFAST_SANDBOX_SECRET_KEY, STEADFAST_SANDBOX_SERVICE_TOKEN)
// than as flags, which other users of the machine can read from the process
// list. The full list is printed by --help and documented in docs/sandbox.md.
#ifndef STEADFAST_TOOLS_SANDBOX_SANDBOX_OPTIONS_H_
#define STEADFAST_TOOLS_SANDBOX_SANDBOX_OPTIONS_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sandbox_service.h"
#include "steadfast/status.h"

namespace steadfast::sandbox {

struct SandboxOptions {
  std::string address = "127.0.0.1";
  int port = 12111;                                 // 0 picks a free port
  std::string db_path = "steadfast-sandbox.sqlite3";  // ":memory:" keeps nothing
  bool show_help = false;
  bool seed_given = false;
  ServiceOptions service;
};

// The default Stripe secret key when neither --secret-key nor the
// environment gives one.
inline constexpr const char* kDefaultSecretKey = "sk_test_sandbox";

// Parses argv[1..]; `getenv` reads the environment (injected for tests).
// InvalidArgument names the offending flag.
Result<SandboxOptions> ParseSandboxOptions(const std::vector<std::string>& args,
                                           const std::function<const char*(const char*)>& getenv);

std::string SandboxUsage();

}  // namespace steadfast::sandbox

#endif  // STEADFAST_TOOLS_SANDBOX_SANDBOX_OPTIONS_H_
