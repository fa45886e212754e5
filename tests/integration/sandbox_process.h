// SandboxProcess: runs the real steadfast-sandbox binary for a test.
//
// Starts the binary as a child process on port 0 with its own SQLite file in
// a fresh temporary directory, reads "listening on 127.0.0.1:PORT" from its
// stdout, and stops it with SIGTERM (SIGKILL after a grace period) when the
// test is done. Other integration tests (workflows against the sandbox) can
// reuse it; the binary path comes from the build (STEADFAST_SANDBOX_PATH).
#ifndef STEADFAST_TESTS_INTEGRATION_SANDBOX_PROCESS_H_
#define STEADFAST_TESTS_INTEGRATION_SANDBOX_PROCESS_H_

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "steadfast/status.h"

namespace steadfast::integration {

class SandboxProcess {
 public:
  // The secret key the sandbox is started with (tests pass it to the adapter).
  static constexpr const char* kSecretKey = "sk_test_integration_0123456789";

  SandboxProcess();  // creates the temporary directory
  ~SandboxProcess();  // stops the child and removes the directory
  SandboxProcess(const SandboxProcess&) = delete;
  SandboxProcess& operator=(const SandboxProcess&) = delete;

  // Starts the sandbox with `extra_args` added to --port 0 --db ... --seed.
  // Waits up to 10 s for the listening line. Internal on failure.
  Status Start(const std::vector<std::string>& extra_args = {});
  // SIGTERM, wait up to 5 s, then SIGKILL. Returns the exit status seen
  // (Internal if it had to be killed or exited non-zero).
  Status Stop();
  bool running() const { return pid_ > 0; }

  uint16_t port() const { return port_; }
  std::string base_url() const { return "http://" + address_ + ":" + std::to_string(port_); }
  const std::string& db_path() const { return db_path_; }

 private:
  std::string dir_;
  std::string db_path_;
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  uint16_t port_ = 0;
  std::string address_ = "127.0.0.1";
};

// The `plugin_config:` block of a steadfast.yaml for the refund plugin:
// the repository's policies and risk rules under `source_root`, and the
// PSP, inventory and notification services all at `url` (a sandbox).
// `psp_options` adds keys to the psp map, e.g. ", breaker_open: 1s".
std::string RefundPluginConfig(const std::string& source_root, const std::string& url,
                               const std::string& psp_options = "");

}  // namespace steadfast::integration

#endif  // STEADFAST_TESTS_INTEGRATION_SANDBOX_PROCESS_H_
