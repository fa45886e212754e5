// plugins/example/outbox.cc: delivery by "write a temporary file, then link it into place".
#include "outbox.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace greeting {
namespace {

std::string ErrnoText(int err) { return std::strerror(err); }

// The file's content, or Corruption when it cannot be read or is not JSON.
steadfast::Result<steadfast::Value> ReadRecord(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) return steadfast::Status::Corruption("cannot read " + path);
  steadfast::Result<steadfast::Value> record = steadfast::Value::FromJson(text.str());
  if (!record.ok()) return steadfast::Status::Corruption(path + ": " + record.status().message());
  return record;
}

// Writes text to a new file and flushes it to disk; Unavailable on failure.
steadfast::Status WriteDurably(const std::string& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return steadfast::Status::Unavailable("cannot create a file: " + ErrnoText(errno));
  size_t written = 0;
  while (written < text.size()) {
    ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    written += static_cast<size_t>(n);
  }
  int err = written == text.size() && ::fsync(fd) == 0 ? 0 : errno;
  ::close(fd);
  if (err != 0) {
    ::unlink(path.c_str());
    return steadfast::Status::Unavailable("cannot write a file: " + ErrnoText(err));
  }
  return steadfast::Status::Ok();
}

}  // namespace

std::string Outbox::PathFor(const std::string& key) const {
  static const char kHex[] = "0123456789ABCDEF";
  std::string name;
  for (unsigned char c : key) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (plain) {
      name += static_cast<char>(c);
    } else {
      name += '%';
      name += kHex[c >> 4];
      name += kHex[c & 0xF];
    }
  }
  return dir_ + "/" + name + ".json";
}

steadfast::Result<Delivery> Outbox::Deliver(const std::string& key, const steadfast::Value& record) const {
  const std::string path = PathFor(key);
  if (::access(path.c_str(), F_OK) == 0) {
    steadfast::Result<steadfast::Value> first = ReadRecord(path);
    if (!first.ok()) return first.status();
    return Delivery{std::move(first).value(), path, true};
  }
  // A unique temporary name per call, so concurrent calls never share one.
  static std::atomic<unsigned long> counter{0};
  const std::string temp = dir_ + "/.tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
  steadfast::Status written = WriteDurably(temp, record.ToJson() + "\n");
  if (!written.ok()) return steadfast::Status::Unavailable("outbox " + dir_ + ": " + written.message());
  // link() fails with EEXIST if the name is taken: of two racing calls
  // exactly one delivers, and the other reads what the first wrote.
  int linked = ::link(temp.c_str(), path.c_str());
  int err = errno;
  ::unlink(temp.c_str());
  if (linked == 0) return Delivery{record, path, false};
  if (err != EEXIST) return steadfast::Status::Unavailable("outbox " + dir_ + ": cannot link " + path + ": " + ErrnoText(err));
  steadfast::Result<steadfast::Value> first = ReadRecord(path);
  if (!first.ok()) return first.status();
  return Delivery{std::move(first).value(), path, true};
}

}  // namespace greeting
