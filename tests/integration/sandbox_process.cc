// SandboxProcess: posix_spawn, a stdout pipe and a bounded wait.
#include "sandbox_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <thread>

#ifndef STEADFAST_SANDBOX_PATH
#error "STEADFAST_SANDBOX_PATH must name the steadfast-sandbox binary"
#endif

extern char** environ;

namespace steadfast::integration {

SandboxProcess::SandboxProcess() {
  std::string pattern = (std::filesystem::temp_directory_path() / "steadfast-sandbox-XXXXXX").string();
  if (mkdtemp(pattern.data()) != nullptr) dir_ = pattern;
  db_path_ = dir_ + "/sandbox.sqlite3";
}

SandboxProcess::~SandboxProcess() {
  (void)Stop();
  if (!dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
}

Status SandboxProcess::Start(const std::vector<std::string>& extra_args) {
  if (running()) return Status::FailedPrecondition("sandbox already running");
  if (dir_.empty()) return Status::Internal("could not create a temporary directory");
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return Status::Internal(std::string("pipe: ") + std::strerror(errno));

  std::vector<std::string> args{STEADFAST_SANDBOX_PATH, "--port", "0", "--db", db_path_,
                                "--secret-key", kSecretKey, "--seed", "42"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    return Status::Internal(std::string("spawn ") + argv[0] + ": " + std::strerror(rc));
  }
  pid_ = pid;
  stdout_fd_ = fds[0];

  // Read until the first newline or 10 s.
  std::string line;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (line.find('\n') == std::string::npos) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd pfd{stdout_fd_, POLLIN, 0};
    if (poll(&pfd, 1, static_cast<int>(left.count())) <= 0) continue;
    char buffer[256];
    const ssize_t n = read(stdout_fd_, buffer, sizeof(buffer));
    if (n <= 0) break;  // the child exited
    line.append(buffer, static_cast<size_t>(n));
  }
  // "listening on ADDRESS:PORT" (127.0.0.1 unless --address said otherwise).
  const std::string prefix = "listening on ";
  const size_t at = line.find(prefix);
  const size_t colon = at == std::string::npos ? std::string::npos : line.find(':', at + prefix.size());
  if (colon == std::string::npos) {
    (void)Stop();
    return Status::Internal("sandbox did not report its port; stdout was: '" + line + "'");
  }
  address_ = line.substr(at + prefix.size(), colon - at - prefix.size());
  port_ = static_cast<uint16_t>(std::atoi(line.c_str() + colon + 1));
  if (port_ == 0) {
    (void)Stop();
    return Status::Internal("unparseable listening line: '" + line + "'");
  }
  return Status::Ok();
}

Status SandboxProcess::Stop() {
  if (pid_ <= 0) return Status::Ok();
  kill(pid_, SIGTERM);
  int status = 0;
  bool exited = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    const pid_t done = waitpid(pid_, &status, WNOHANG);
    if (done == pid_ || (done < 0 && errno == ECHILD)) {
      exited = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (!exited) {
    kill(pid_, SIGKILL);
    waitpid(pid_, &status, 0);
  }
  pid_ = -1;
  if (stdout_fd_ >= 0) close(stdout_fd_);
  stdout_fd_ = -1;
  if (!exited) return Status::Internal("sandbox ignored SIGTERM and was killed");
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return Status::Internal("sandbox exited abnormally (status " + std::to_string(status) + ")");
  }
  return Status::Ok();
}

std::string RefundPluginConfig(const std::string& source_root, const std::string& url,
                               const std::string& psp_options) {
  return "plugin_config:\n  refund:\n"
         "    policies: " + source_root + "/config/refund_policies.yaml\n"
         "    risk_rules: " + source_root + "/config/risk_rules.yaml\n"
         "    psp: { base_url: \"" + url + "\", timeout: 10s, settle_wait: 2s" + psp_options + " }\n"
         "    inventory_url: \"" + url + "\"\n    notification_url: \"" + url + "\"\n";
}

}  // namespace steadfast::integration
