// ConnectionGuard: the bookkeeping that keeps idle or hostile sockets from
// locking everyone out of the listener.
//
// Two limits, checked when a connection is accepted, before any byte of it
// is read: at most max_per_address connections from one IP address (so one
// client cannot fill the server's connection cap), and, for TLS, a deadline
// for the handshake (RESTinio starts its own timers only once the handshake
// is done, so a socket that never says hello would otherwise be held
// forever). Plain-HTTP requests need no deadline here: RESTinio bounds the
// time to receive a whole request (request_timeout), however slowly it
// trickles in.
//
// The guard knows no RESTinio (api_server.cc wires it in), so it is tested
// alone: connections are keyed by their remote endpoint text, and a handshake
// is cut short by shutting down a duplicate of the socket's descriptor that
// the guard owns until the handshake ends or the connection closes.
// Thread-safe: every method may be called from any Asio thread.
#ifndef STEADFAST_HTTP_CONNECTION_GUARD_H_
#define STEADFAST_HTTP_CONNECTION_GUARD_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace steadfast::http {

struct ConnectionGuardOptions {
  int64_t max_per_address = 0;       // connections one IP address may hold; 0 = unlimited
  int64_t handshake_timeout_ms = 0;  // TLS handshake deadline; 0 = none
};

class ConnectionGuard {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  explicit ConnectionGuard(ConnectionGuardOptions options) : options_(options) {}
  ~ConnectionGuard();  // closes every descriptor still held
  ConnectionGuard(const ConnectionGuard&) = delete;
  ConnectionGuard& operator=(const ConnectionGuard&) = delete;

  // A connection just accepted from `address` (the IP as text) with remote
  // `endpoint` ("address:port"). handshake_fd is a duplicate of its socket,
  // owned by the guard from now on, to shut down when the TLS handshake is
  // not done by now + handshake_timeout; -1 when there is no handshake.
  // False when the address already holds max_per_address connections: the
  // caller refuses it (and the guard has closed handshake_fd).
  bool Admit(const std::string& address, const std::string& endpoint, int handshake_fd, TimePoint now);
  // The handshake of endpoint's connection succeeded: its deadline is off.
  void HandshakeDone(const std::string& endpoint);
  // endpoint's connection is closed; a second call, or one for an endpoint
  // never admitted, does nothing.
  void Closed(const std::string& endpoint);
  // Shuts down every connection whose handshake is past its deadline (the
  // pending handshake then fails and the server closes it); how many.
  int ExpireHandshakes(TimePoint now);

  // Connections held by address (admitted and not yet closed).
  int64_t ConnectionsFrom(const std::string& address) const;

 private:
  struct Entry {
    std::string address;
    int handshake_fd = -1;  // owned; -1 once the handshake is done or cut short
    TimePoint deadline;
  };
  void ReleaseFd(Entry& e);

  const ConnectionGuardOptions options_;
  mutable std::mutex mu_;
  std::map<std::string, Entry> entries_;        // GUARDED_BY(mu_): by endpoint
  std::map<std::string, int64_t> per_address_;  // GUARDED_BY(mu_): open connections by address
};

}  // namespace steadfast::http

#endif  // STEADFAST_HTTP_CONNECTION_GUARD_H_
