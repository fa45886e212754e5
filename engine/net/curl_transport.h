// CurlTransport: the engine's one HttpTransport (steadfast/http_transport.h),
// over libcurl. Every HTTP client in the process goes through it: the PSP
// adapter and JSON clients of plugins (PluginContext::http), the CLI's
// --server mode and the OTLP trace exporter.
//
// Two connection policies:
//  - fresh (the default, and Instance()): one easy handle per exchange, never
//    reused, so a connection that died under a request is never silently
//    retried by libcurl behind the caller's back: the caller's retry policy
//    (with its idempotency key) decides. Exchanges run concurrently.
//  - keep_alive: one handle kept for the transport's life, so consecutive
//    exchanges reuse the connection; concurrent callers take turns on it.
// TLS peer and host verification stay on (ca_file pins a private CA); no
// redirects; no verbose output, so request headers (secrets) never reach a
// log.
#ifndef STEADFAST_NET_CURL_TRANSPORT_H_
#define STEADFAST_NET_CURL_TRANSPORT_H_

#include <memory>
#include <mutex>
#include <string>

#include "steadfast/http_transport.h"

namespace steadfast::net {

struct CurlTransportOptions {
  bool keep_alive = false;
  std::string ca_file;  // PEM bundle to verify HTTPS servers against ("" = system CAs)
};

class CurlTransport final : public HttpTransport {
 public:
  explicit CurlTransport(CurlTransportOptions options = {});
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  // Errors carry libcurl's text and code ("... (curl error 7)").
  TransportResult Send(const HttpRequest& request) override;

  // A process-wide fresh-connection instance (stateless, so sharing is free).
  static CurlTransport& Instance();

 private:
  struct Handle;

  const CurlTransportOptions options_;
  std::mutex mu_;                  // keep_alive: one exchange at a time on handle_
  std::unique_ptr<Handle> handle_;  // GUARDED_BY(mu_); keep_alive only, created on first use
};

}  // namespace steadfast::net

#endif  // STEADFAST_NET_CURL_TRANSPORT_H_
