// flock-based node identity lock beside a SQLite database file.
#include "store/sqlite/node_lock_file.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include <fmt/format.h>

namespace steadfast {
namespace {

class FileNodeLock final : public NodeLock {
 public:
  explicit FileNodeLock(int fd) : fd_(fd) {}
  ~FileNodeLock() override { ::close(fd_); }  // the kernel drops the flock with the last descriptor

 private:
  int fd_;
};

std::string EncodeNodeName(const std::string& name) {
  std::string out;
  for (unsigned char c : name) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

std::string HolderOf(int fd) {
  char buf[256];
  ssize_t n = ::pread(fd, buf, sizeof(buf) - 1, 0);
  if (n <= 0) return "another process";
  std::string text(buf, static_cast<size_t>(n));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\0')) text.pop_back();
  return text.empty() ? "another process" : text;
}

// "pid 1234 on host web-1": who holds the lock, for the next one refused.
void WriteHolder(int fd) {
  char host[256] = {};
  if (::gethostname(host, sizeof(host) - 1) != 0) std::strcpy(host, "?");
  std::string text = fmt::format("pid {} on host {}\n", ::getpid(), host);
  bool written = ::ftruncate(fd, 0) == 0 && ::pwrite(fd, text.data(), text.size(), 0) == std::ssize(text);
  (void)written;  // only a diagnostic: the lock is held either way
}

}  // namespace

std::string NodeLockPath(const std::string& db_path, const std::string& node_name) {
  std::string path = db_path;
  if (char* real = ::realpath(db_path.c_str(), nullptr); real != nullptr) {
    path = real;
    std::free(real);
  }
  return path + ".node-" + EncodeNodeName(node_name) + ".lock";
}

Result<std::unique_ptr<NodeLock>> LockNodeFile(const std::string& db_path, const std::string& node_name) {
  const std::string path = NodeLockPath(db_path, node_name);
  // Owner-only like the database beside it (it names the host and pid).
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Status::FailedPrecondition(
        fmt::format("cannot create the lock file of node '{}' ({}): {}", node_name, path, std::strerror(errno)));
  }
  int rc = 0;
  do {
    rc = ::flock(fd, LOCK_EX | LOCK_NB);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    const int err = errno;
    if (err == EWOULDBLOCK) {
      std::string holder = HolderOf(fd);
      ::close(fd);
      return Status::AlreadyExists(fmt::format("node '{}' is already running on database {} ({}; lock file {})",
                                               node_name, db_path, holder, path));
    }
    ::close(fd);
    return Status::FailedPrecondition(
        fmt::format("cannot lock the lock file of node '{}' ({}): {}", node_name, path, std::strerror(err)));
  }
  WriteHolder(fd);
  return std::unique_ptr<NodeLock>(std::make_unique<FileNodeLock>(fd));
}

}  // namespace steadfast
