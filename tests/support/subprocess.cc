// fork/exec-based subprocesses for tests.
#include "subprocess.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace steadfast::testing {

Subprocess::Subprocess(std::vector<std::string> argv, std::map<std::string, std::string> env, std::string log_path) {
  pid_ = fork();
  if (pid_ == 0) {
    setpgid(0, 0);
    for (const auto& [k, v] : env) {
      if (v.empty()) unsetenv(k.c_str());
      else setenv(k.c_str(), v.c_str(), 1);
    }
    if (!log_path.empty()) {
      int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
        close(fd);
      }
    }
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    execv(cargv[0], cargv.data());
    _exit(127);
  }
}

Subprocess::~Subprocess() {
  if (running()) {
    Kill(SIGKILL);
    Wait(10000);
  }
}

std::optional<int> Subprocess::Wait(int timeout_ms) {
  if (exit_code_) return exit_code_;
  if (pid_ <= 0) return std::nullopt;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    int status = 0;
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return exit_code_;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

void Subprocess::Kill(int signal) {
  if (running()) kill(pid_, signal);
}

RunResult RunCommand(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                     int timeout_ms) {
  TempDir dir;
  std::string log = dir.File("out.log");
  RunResult result;
  {
    Subprocess p(argv, env, log);
    auto code = p.Wait(timeout_ms);
    result.exit_code = code ? *code : -1;
  }
  result.output = ReadFile(log);
  return result;
}

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "steadfast-test-XXXXXX").string();
  char* made = mkdtemp(tmpl.data());
  path_ = made ? made : tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  if (!std::getenv("STEADFAST_KEEP_TEST_DIRS")) std::filesystem::remove_all(path_, ec);
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace steadfast::testing
