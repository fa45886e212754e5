// ApiServer: the only file that includes RESTinio. Translates wire requests
// into HttpRequest values (RESTinio parses the message, the query string,
// percent-encoding, Authorization and Content-Type), hands them to the
// ApiHandler and writes its HttpResponse back; counts requests in flight for
// the graceful stop.
#include "http/api_server.h"

#include <fcntl.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

#include <restinio/all.hpp>
#include <restinio/helpers/http_field_parsers/authorization.hpp>
#include <restinio/helpers/http_field_parsers/bearer_auth.hpp>
#include <restinio/helpers/http_field_parsers/content-type.hpp>
#include <restinio/tls.hpp>

#include "http/connection_guard.h"

namespace steadfast::http {

namespace asio = restinio::asio_ns;

// "address:port", the key ConnectionGuard knows a connection by.
inline std::string EndpointKey(const restinio::endpoint_t& ep) {
  return ep.address().to_string() + ":" + std::to_string(ep.port());
}

// The IP blocker RESTinio consults on every accepted socket, before it reads
// from it: the per-address limit, and for TLS a duplicate of the socket for
// the handshake deadline (see the acceptor hook below).
class AcceptGate {
 public:
  AcceptGate(std::shared_ptr<ConnectionGuard> guard, bool tls) : guard_(std::move(guard)), tls_(tls) {}

  // From now on every new connection is closed at accept (the server is
  // stopping). The listener itself is closed once the io threads are gone:
  // RESTinio's acceptor is not safe to close while another io thread may be
  // starting the next accept.
  void Close() { closed_.store(true, std::memory_order_release); }

  // Required by RESTinio's settings; the acceptor hook calls Inspect instead.
  restinio::ip_blocker::inspection_result_t inspect(const restinio::ip_blocker::incoming_info_t&) noexcept {
    return restinio::ip_blocker::allow();
  }

  // socket: the TCP socket under the (TLS) stream.
  template <class TcpSocket>
  restinio::ip_blocker::inspection_result_t Inspect(TcpSocket& socket) noexcept {
    if (closed_.load(std::memory_order_acquire)) return restinio::ip_blocker::deny();
    asio::error_code ec;
    const asio::ip::tcp::endpoint ep = socket.remote_endpoint(ec);
    if (ec) return restinio::ip_blocker::deny();  // already gone
    const int fd = tls_ ? ::fcntl(socket.native_handle(), F_DUPFD_CLOEXEC, 0) : -1;
    try {
      bool admitted = guard_->Admit(ep.address().to_string(), EndpointKey(ep), fd, std::chrono::steady_clock::now());
      return admitted ? restinio::ip_blocker::allow() : restinio::ip_blocker::deny();
    } catch (const std::exception&) {  // bad_alloc: refuse rather than throw into the acceptor
      return restinio::ip_blocker::deny();
    }
  }

 private:
  std::shared_ptr<ConnectionGuard> guard_;
  const bool tls_;
  std::atomic<bool> closed_{false};
};

// Tells the guard when a connection's handshake is done (RESTinio reports a
// TLS connection "accepted" only after it) and when it is closed.
class ConnectionListener {
 public:
  explicit ConnectionListener(std::shared_ptr<ConnectionGuard> guard) : guard_(std::move(guard)) {}

  void state_changed(const restinio::connection_state::notice_t& notice) noexcept {
    try {
      const std::string key = EndpointKey(notice.remote_endpoint());
      const auto cause = notice.cause();
      if (restinio::holds_alternative<restinio::connection_state::accepted_t>(cause)) {
        guard_->HandshakeDone(key);
      } else {
        guard_->Closed(key);
      }
    } catch (const std::exception&) {  // bad_alloc building the key: nothing better to do
    }
  }

 private:
  std::shared_ptr<ConnectionGuard> guard_;
};

}  // namespace steadfast::http

// RESTinio hands an IP blocker only the remote endpoint; the handshake
// deadline needs the socket itself, so the acceptor's holder of our blocker
// passes it on. (A specialization of RESTinio's own template for our type.)
namespace restinio::impl::acceptor_details {
template <>
struct ip_blocker_holder_t<steadfast::http::AcceptGate> {
  std::shared_ptr<steadfast::http::AcceptGate> m_ip_blocker;

  template <typename Settings>
  explicit ip_blocker_holder_t(const Settings& settings) : m_ip_blocker{settings.ip_blocker()} {}

  template <typename Socket>
  restinio::ip_blocker::inspection_result_t inspect_incoming(Socket& socket) const noexcept {
    return m_ip_blocker->Inspect(socket.lowest_layer());
  }
};
}  // namespace restinio::impl::acceptor_details

namespace steadfast::http {
namespace {

namespace hfp = restinio::http_field_parsers;

// Thread-pool traits (strands guard each connection) with a connection cap
// and the ConnectionGuard's hooks.
struct PlainTraits : public restinio::default_traits_t {
  static constexpr bool use_connection_count_limiter = true;
  using ip_blocker_t = AcceptGate;
  using connection_state_listener_t = ConnectionListener;
};
struct TlsTraits : public restinio::default_tls_traits_t {
  static constexpr bool use_connection_count_limiter = true;
  using ip_blocker_t = AcceptGate;
  using connection_state_listener_t = ConnectionListener;
};

constexpr std::size_t kMaxUrlBytes = 8 * 1024;
constexpr std::size_t kMaxFieldNameBytes = 256;
constexpr std::size_t kMaxFieldValueBytes = 8 * 1024;
constexpr std::size_t kMaxFieldCount = 100;
// Pipelined requests are read one at a time (RESTinio's default, made
// explicit): the next once the previous answer is written, so a client that
// never reads its answers makes the server hold at most one of them.
constexpr std::size_t kMaxPipelinedRequests = 1;

const char* ReasonPhrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Unknown";
  }
}

std::string Lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

// RFC 9110 token characters: what a header name may be made of.
bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// What http_parser lets through in its lenient mode but HTTP/1.1 forbids:
// another version than 1.0/1.1 (0.9 has none), and a header name with a
// space or other non-token byte ("Content-Length : 5" is not a length to us
// but may be to a proxy in front: a request-smuggling seam). "" when fine.
std::string MalformedReason(const restinio::http_request_header_t& header) {
  if (header.http_major() != 1 || header.http_minor() > 1) {
    return "HTTP/" + std::to_string(header.http_major()) + "." + std::to_string(header.http_minor()) +
           " is not supported; use HTTP/1.1";
  }
  std::string reason;
  header.for_each_field([&reason](const restinio::http_header_field_t& f) {
    const std::string& name = f.name();
    if (reason.empty() && (name.empty() || !std::all_of(name.begin(), name.end(), IsTokenChar))) {
      reason = "a header name may contain only token characters (no spaces)";
    }
  });
  return reason;
}

HttpRequest Translate(const restinio::request_t& req) {
  HttpRequest r;
  const auto& header = req.header();
  r.malformed = MalformedReason(header);
  r.method = header.method().c_str();
  r.path = std::string(header.path());
  for (const std::string& raw : SplitPath(r.path)) {
    auto decoded = restinio::utils::try_unescape_percent_encoding<restinio::utils::relaxed_unescape_traits>(raw);
    if (!decoded) {
      r.path_valid = false;
      break;
    }
    r.segments.push_back(std::move(*decoded));
  }
  auto query = restinio::try_parse_query<restinio::parse_query_traits::relaxed>(header.query());
  if (query) {
    for (const auto& [name, value] : *query) r.query.emplace_back(std::string(name), std::string(value));
  } else {
    r.query_valid = false;
  }
  if (const auto authorization = header.opt_value_of(restinio::http_field::authorization)) {
    r.has_authorization = true;
    if (auto parsed = hfp::authorization_value_t::try_parse(*authorization)) {
      if (parsed->auth_scheme == "bearer") {
        if (auto bearer = hfp::bearer_auth::try_extract_params(*parsed)) r.bearer_token = std::move(bearer->token);
      }
    }
  }
  if (const auto content_type = header.opt_value_of(restinio::http_field::content_type)) {
    r.has_content_type = true;
    if (const auto parsed = hfp::content_type_value_t::try_parse(*content_type)) {
      r.media_type = parsed->media_type.type + "/" + parsed->media_type.subtype;
      for (const auto& [name, value] : parsed->media_type.parameters) {
        if (Lower(name) == "charset") r.charset = Lower(value);
      }
    } else {
      r.media_type = "(unparsable)";
    }
  }
  if (const auto key = header.opt_value_of("Idempotency-Key")) r.idempotency_key = std::string(*key);
  if (const auto tp = header.opt_value_of("traceparent")) r.traceparent = std::string(*tp);
  r.body = req.body();
  return r;
}

}  // namespace

class ApiServer::Impl {
 public:
  virtual ~Impl() = default;
  virtual void Stop(int64_t grace_ms) = 0;
  int port = 0;
  std::string url;
};

namespace {

// Decrements the in-flight count when the response has been written (or
// abandoned): owned by the write callback, which RESTinio always invokes or
// destroys.
class InFlight {
 public:
  InFlight(std::mutex& mu, std::condition_variable& cv, int& count) : mu_(mu), cv_(cv), count_(count) {
    std::lock_guard<std::mutex> lock(mu_);
    ++count_;
  }
  ~InFlight() {
    std::lock_guard<std::mutex> lock(mu_);
    --count_;
    cv_.notify_all();
  }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;

 private:
  std::mutex& mu_;
  std::condition_variable& cv_;
  int& count_;
};

// asio's io_context with the first half of its destruction callable on its
// own: shutdown() destroys every handler still queued, and with them the
// connections they own (ServerImpl's destructor).
class ServerIoContext : public asio::io_context {  // not final: asio derives from it to detect executors
 public:
  using asio::io_context::shutdown;
};

template <class Traits>
class ServerImpl final : public ApiServer::Impl {
 public:
  ServerImpl(const ApiServerOptions& options, ApiHandler& handler, Logger& logger)
      : options_(options), handler_(handler), logger_(logger) {}

  ~ServerImpl() override {
    Stop(0);
    // Destroy the connections still owned by queued handlers while the
    // server lives: each one's destructor counts itself out in the server's
    // connection limiter (ThreadSanitizer found it freed first when the
    // io_context went after the server).
    if (server_) io_.shutdown();
  }

  Status Open() {
    constexpr bool kTls = std::is_same_v<Traits, TlsTraits>;
    const int64_t max_body = handler_.options().max_body_bytes;
    const uint64_t hard_cap = static_cast<uint64_t>(std::max<int64_t>(max_body * 4, max_body + 64 * 1024));
    const auto timeout = std::chrono::milliseconds(options_.request_timeout_ms);
    int bound_port = 0;
    try {
      auto settings = restinio::server_settings_t<Traits>{};
      settings.address(options_.host)
          .port(static_cast<std::uint16_t>(options_.port))
          .protocol(options_.host.find(':') != std::string::npos ? asio::ip::tcp::v6() : asio::ip::tcp::v4())
          .read_next_http_message_timelimit(timeout)
          .write_http_response_timelimit(timeout)
          .handle_request_timeout(timeout)
          .max_parallel_connections(options_.max_connections)
          .max_pipelined_requests(kMaxPipelinedRequests)
          .ip_blocker(gate_)
          .connection_state_listener(std::make_shared<ConnectionListener>(guard_))
          .incoming_http_msg_limits(restinio::incoming_http_msg_limits_t{}
                                        .max_url_size(kMaxUrlBytes)
                                        .max_field_name_size(kMaxFieldNameBytes)
                                        .max_field_value_size(kMaxFieldValueBytes)
                                        .max_field_count(kMaxFieldCount)
                                        .max_body_size(hard_cap))
          .acceptor_post_bind_hook(
              [&bound_port](asio::ip::tcp::acceptor& acceptor) { bound_port = acceptor.local_endpoint().port(); })
          .request_handler([this](restinio::request_handle_t req) { return OnRequest(std::move(req)); });
      if constexpr (kTls) {
        asio::ssl::context tls{asio::ssl::context::tls_server};
        tls.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                        asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1 |
                        asio::ssl::context::single_dh_use);
        asio::error_code ec;
        tls.use_certificate_chain_file(options_.tls_cert, ec);
        if (ec) return Status::InvalidArgument("tls cert " + options_.tls_cert + ": " + ec.message());
        tls.use_private_key_file(options_.tls_key, asio::ssl::context::pem, ec);
        if (ec) return Status::InvalidArgument("tls key " + options_.tls_key + ": " + ec.message());
        settings.tls_context(std::move(tls));
      }
      server_ =
          std::make_unique<restinio::http_server_t<Traits>>(restinio::external_io_context(io_), std::move(settings));
      server_->open_sync();
    } catch (const std::exception& e) {
      server_.reset();
      return Status::Unavailable("cannot listen on " + options_.host + ":" + std::to_string(options_.port) + ": " +
                                 e.what());
    }
    port = bound_port;
    std::string host = options_.host.find(':') != std::string::npos ? "[" + options_.host + "]" : options_.host;
    url = std::string(kTls ? "https" : "http") + "://" + host + ":" + std::to_string(bound_port);
    if (kTls && options_.handshake_timeout_ms > 0) ScheduleHandshakeExpiry();
    for (int i = 0; i < std::max(1, options_.threads); ++i) {
      threads_.emplace_back([this] { RunLoop(); });
    }
    return Status::Ok();
  }

  void Stop(int64_t grace_ms) override {
    if (stopped_ || !server_) return;
    stopped_ = true;
    stopped_expiry_.store(true);
    draining_.store(true);
    handler_.SetDraining(true);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(std::max<int64_t>(0, grace_ms));
    gate_->Close();
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (!cv_.wait_until(lock, deadline, [this] { return in_flight_ == 0; })) {
        logger_.Warn("http: " + std::to_string(in_flight_) + " request(s) still in flight after the grace period");
      }
    }
    io_.stop();
    for (std::thread& t : threads_) t.join();
    threads_.clear();
    // Alone now: close the listener (see AcceptGate::Close).
    try {
      server_->close_sync();
    } catch (const std::exception& e) {
      logger_.Warn(std::string("http: closing the listener: ") + e.what());
    }
  }

 private:
  // Checks the handshake deadlines a few times per timeout (at most every
  // second): a late handshake is cut within a quarter of its timeout.
  void ScheduleHandshakeExpiry() {
    const auto period = std::chrono::milliseconds(std::clamp<int64_t>(options_.handshake_timeout_ms / 4, 10, 1000));
    expiry_timer_.expires_after(period);
    expiry_timer_.async_wait([this](const asio::error_code& ec) {
      if (ec || stopped_expiry_.load()) return;
      const int expired = guard_->ExpireHandshakes(std::chrono::steady_clock::now());
      if (expired > 0) {
        logger_.Debug("http: closed " + std::to_string(expired) + " connection(s) stuck in the TLS handshake");
      }
      ScheduleHandshakeExpiry();
    });
  }

  void RunLoop() {
    for (;;) {
      try {
        io_.run();
        return;
      } catch (const std::exception& e) {
        // A handler escaped RESTinio's own catch; keep serving.
        logger_.Error(std::string("http: io thread: ") + e.what());
      }
    }
  }

  restinio::request_handling_status_t OnRequest(restinio::request_handle_t req) {
    auto in_flight = std::make_shared<InFlight>(mu_, cv_, in_flight_);
    HttpResponse response = handler_.Handle(Translate(*req));
    auto builder = req->create_response(restinio::http_status_line_t{
        restinio::http_status_code_t{static_cast<std::uint16_t>(response.status)}, ReasonPhrase(response.status)});
    builder.append_header(restinio::http_field::content_type, response.content_type);
    // API answers are never cached; a handler may say otherwise (the /ui/ files).
    bool has_cache_control = false;
    for (const auto& [name, value] : response.headers) has_cache_control |= Lower(name) == "cache-control";
    if (!has_cache_control) builder.append_header(restinio::http_field::cache_control, "no-store");
    for (const auto& [name, value] : response.headers) builder.append_header(name, value);
    if (draining_.load()) builder.connection_close();
    builder.set_body(std::move(response.body));
    // Sent from a later turn of the io_context, not from inside the handler:
    // RESTinio (0.6/0.7) reads the next pipelined request while a write it
    // started from inside the handler is pending, and then, with every
    // response slot taken, fails ("response_context_table is full") and
    // closes the connection, dropping the answers of requests it has
    // already run. Posted, its reads and writes stay in step.
    asio::post(io_, [builder = std::move(builder), in_flight]() mutable {
      builder.done([in_flight](const asio::error_code&) {});
    });
    return restinio::request_accepted();
  }

  const ApiServerOptions options_;
  ApiHandler& handler_;
  Logger& logger_;
  const std::shared_ptr<ConnectionGuard> guard_ = std::make_shared<ConnectionGuard>(
      ConnectionGuardOptions{options_.max_connections_per_address, options_.handshake_timeout_ms});
  const std::shared_ptr<AcceptGate> gate_ = std::make_shared<AcceptGate>(guard_, std::is_same_v<Traits, TlsTraits>);
  ServerIoContext io_;
  asio::steady_timer expiry_timer_{io_};   // the handshake deadlines' check (TLS only); one wait at a time
  std::atomic<bool> stopped_expiry_{false};  // Stop(): the check ends instead of rescheduling
  std::unique_ptr<restinio::http_server_t<Traits>> server_;
  std::vector<std::thread> threads_;
  std::mutex mu_;
  std::condition_variable cv_;
  int in_flight_ = 0;  // GUARDED_BY(mu_): requests handled whose response is not yet written
  std::atomic<bool> draining_{false};
  bool stopped_ = false;
};

template <class Traits>
Result<std::unique_ptr<ApiServer::Impl>> OpenServer(const ApiServerOptions& options, ApiHandler& handler,
                                                    Logger& logger) {
  auto impl = std::make_unique<ServerImpl<Traits>>(options, handler, logger);
  SF_RETURN_IF_ERROR(impl->Open());
  return std::unique_ptr<ApiServer::Impl>(std::move(impl));
}

}  // namespace

ApiServer::ApiServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ApiServer::~ApiServer() {
  if (impl_) impl_->Stop(0);
}

Result<std::unique_ptr<ApiServer>> ApiServer::Start(const ApiServerOptions& options, ApiHandler& handler,
                                                    Logger& logger) {
  if (options.port < 0 || options.port > 65535) return Status::InvalidArgument("port must be 0..65535");
  if (options.tls_cert.empty() != options.tls_key.empty()) {
    return Status::InvalidArgument("TLS needs both a certificate and a key");
  }
  Result<std::unique_ptr<Impl>> impl = options.tls_cert.empty() ? OpenServer<PlainTraits>(options, handler, logger)
                                                                : OpenServer<TlsTraits>(options, handler, logger);
  if (!impl.ok()) return impl.status();
  return std::unique_ptr<ApiServer>(new ApiServer(std::move(impl).value()));
}

int ApiServer::port() const { return impl_->port; }

std::string ApiServer::url() const { return impl_->url; }

void ApiServer::Stop(int64_t grace_ms) { impl_->Stop(grace_ms); }

}  // namespace steadfast::http
