// ApiServer: the HTTP(S) listener in front of an ApiHandler.
//
// Runs RESTinio (on standalone Asio) on its own io_context and thread pool,
// apart from the engine's workers: reading and writing are asynchronous, so
// a slow or stalled client holds a socket, never a thread, and never delays
// a checkpoint. Requests are handled on the pool's threads by ApiHandler.
// This header does not include RESTinio; api_server.cc is the only file
// that does (it is slow to compile).
//
// Limits: request bodies above max_body are answered 413 by the handler up
// to a hard cap of 4 x max_body (at least max_body + 64 KiB); beyond the cap
// RESTinio closes the connection without reading the rest. URLs, header
// names, values and counts are bounded; a request must arrive, and a
// response be written, within request_timeout, which is also how long an
// idle keep-alive connection is kept: the time counts from the first wait
// for a request, so one trickled in a byte at a time is cut all the same.
//
// Connections: at most max_connections at once (more wait in the backlog),
// at most max_connections_per_address from one IP address (more are closed
// as they are accepted), and on TLS the handshake must be done within
// handshake_timeout (RESTinio's own timers start only after it), so idle
// sockets cannot hold the connection cap (http/connection_guard.h).
//
// TLS: with cert and key set the listener speaks only HTTPS (TLS 1.2+,
// Asio SSL over OpenSSL).
#ifndef STEADFAST_HTTP_API_SERVER_H_
#define STEADFAST_HTTP_API_SERVER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "http/api_handler.h"
#include "steadfast/logger.h"
#include "steadfast/status.h"

namespace steadfast::http {

struct ApiServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;     // 0: the kernel picks a free port (see ApiServer::port())
  int threads = 4;  // Asio threads serving connections and running handlers
  int64_t request_timeout_ms = 30000;
  size_t max_connections = 1024;  // further connections wait in the accept backlog
  int64_t max_connections_per_address = 256;  // more from one IP address are closed at accept; 0 = no limit
  int64_t handshake_timeout_ms = 10000;       // TLS: a handshake not done by then is closed; 0 = none
  std::string tls_cert;           // PEM chain; with tls_key: HTTPS only
  std::string tls_key;            // PEM private key
};

class ApiServer {
 public:
  // Binds and starts serving. InvalidArgument for a bad address or TLS
  // files, Unavailable when the address cannot be bound. handler and logger
  // must outlive the server.
  static Result<std::unique_ptr<ApiServer>> Start(const ApiServerOptions& options, ApiHandler& handler, Logger& logger);
  ~ApiServer();  // Stop(0) if still running
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // The bound port (the real one when 0 was asked for).
  int port() const;
  // "http://127.0.0.1:8080" or "https://...".
  std::string url() const;

  // Graceful stop: /readyz turns 503, the listener closes (no new
  // connections), requests already being handled are answered (their
  // responses carry Connection: close) for up to grace_ms, then every
  // connection is closed and the threads are joined. Requests still being
  // received when the listener closes are dropped unanswered (nothing of
  // them was done, so clients may retry). Idempotent; call from one thread.
  void Stop(int64_t grace_ms);

  class Impl;

 private:
  explicit ApiServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace steadfast::http

#endif  // STEADFAST_HTTP_API_SERVER_H_
