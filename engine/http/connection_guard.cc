// Per-address connection counts and TLS handshake deadlines.
#include "http/connection_guard.h"

#include <sys/socket.h>
#include <unistd.h>

namespace steadfast::http {

ConnectionGuard::~ConnectionGuard() {
  for (auto& [endpoint, e] : entries_) ReleaseFd(e);
}

void ConnectionGuard::ReleaseFd(Entry& e) {
  if (e.handshake_fd >= 0) ::close(e.handshake_fd);
  e.handshake_fd = -1;
}

bool ConnectionGuard::Admit(const std::string& address, const std::string& endpoint, int handshake_fd,
                            TimePoint now) {
  std::lock_guard<std::mutex> lock(mu_);
  int64_t& held = per_address_[address];
  if (options_.max_per_address > 0 && held >= options_.max_per_address) {
    if (handshake_fd >= 0) ::close(handshake_fd);
    return false;
  }
  Entry e{address, options_.handshake_timeout_ms > 0 ? handshake_fd : -1,
          now + std::chrono::milliseconds(options_.handshake_timeout_ms)};
  if (e.handshake_fd < 0 && handshake_fd >= 0) ::close(handshake_fd);
  auto [it, inserted] = entries_.try_emplace(endpoint, std::move(e));
  if (!inserted) {
    // The same endpoint again: the previous connection's close was missed.
    ReleaseFd(it->second);
    it->second = std::move(e);
    return true;
  }
  ++held;
  return true;
}

void ConnectionGuard::HandshakeDone(const std::string& endpoint) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(endpoint);
  if (it != entries_.end()) ReleaseFd(it->second);
}

void ConnectionGuard::Closed(const std::string& endpoint) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(endpoint);
  if (it == entries_.end()) return;
  ReleaseFd(it->second);
  auto held = per_address_.find(it->second.address);
  if (held != per_address_.end() && --held->second <= 0) per_address_.erase(held);
  entries_.erase(it);
}

int ConnectionGuard::ExpireHandshakes(TimePoint now) {
  std::lock_guard<std::mutex> lock(mu_);
  int expired = 0;
  for (auto& [endpoint, e] : entries_) {
    if (e.handshake_fd < 0 || now < e.deadline) continue;
    // Shutting down the shared socket fails the pending handshake read; the
    // server then closes the connection (and Closed() forgets it).
    ::shutdown(e.handshake_fd, SHUT_RDWR);
    ReleaseFd(e);
    ++expired;
  }
  return expired;
}

int64_t ConnectionGuard::ConnectionsFrom(const std::string& address) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = per_address_.find(address);
  return it == per_address_.end() ? 0 : it->second;
}

}  // namespace steadfast::http
