// RunHttpServer: the sandbox's HTTP front end (the only RESTinio user).
//
// Serves SandboxService on one Asio thread. RESTinio parses the HTTP message,
// the query string and the form body (restinio::try_parse_query) and the
// Authorization header; delays (latency, timeout holds) are Asio timers, so a
// held request never blocks the others. A lost response is played by
// handling the request and then throwing from the request handler: RESTinio
// catches it and closes the connection without writing a byte, so the client
// sees an empty reply after the work was committed.
//
// Blocks until SIGTERM or SIGINT, then stops accepting, records any held
// requests as abandoned and returns.
#ifndef STEADFAST_TOOLS_SANDBOX_HTTP_SERVER_H_
#define STEADFAST_TOOLS_SANDBOX_HTTP_SERVER_H_

#include <cstdint>
#include <functional>
#include <string>

#include "sandbox_service.h"
#include "steadfast/status.h"

namespace steadfast::sandbox {

struct HttpServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 0;  // 0: the kernel picks a free port
  // Called once the socket is bound, with the actual address and port
  // (main prints "listening on ADDR:PORT" from here).
  std::function<void(const std::string& address, uint16_t port)> on_listening;
};

// Internal/InvalidArgument when the server cannot bind or fails while running.
Status RunHttpServer(const HttpServerOptions& options, SandboxService& service);

}  // namespace steadfast::sandbox

#endif  // STEADFAST_TOOLS_SANDBOX_HTTP_SERVER_H_
