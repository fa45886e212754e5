// Subprocess: start a real program (the steadfast binary, the sandbox) for
// integration and crash tests, wait for it, or kill -9 it.
#ifndef STEADFAST_TESTS_SUPPORT_SUBPROCESS_H_
#define STEADFAST_TESTS_SUPPORT_SUBPROCESS_H_

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace steadfast::testing {

class Subprocess {
 public:
  // Starts argv[0] with argv and the current environment plus `env`
  // (an empty value unsets the variable). stdout/stderr go to log_path
  // (appended) when given, else are inherited.
  Subprocess(std::vector<std::string> argv, std::map<std::string, std::string> env = {},
             std::string log_path = "");
  ~Subprocess();  // kills (SIGKILL) and reaps if still running
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  pid_t pid() const { return pid_; }
  // Waits up to timeout_ms; returns the exit code (128+signal when killed),
  // or nullopt on timeout.
  std::optional<int> Wait(int timeout_ms);
  void Kill(int signal);
  bool running() const { return pid_ > 0 && !exit_code_; }

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
};

// Runs to completion and returns {exit code, combined output}.
struct RunResult {
  int exit_code = -1;
  std::string output;
};
RunResult RunCommand(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env = {},
                     int timeout_ms = 60000);

// A fresh directory under /tmp, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

void WriteFile(const std::string& path, const std::string& text);
std::string ReadFile(const std::string& path);

}  // namespace steadfast::testing

#endif  // STEADFAST_TESTS_SUPPORT_SUBPROCESS_H_
