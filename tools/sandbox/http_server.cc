// RunHttpServer: RESTinio request translation, delays, drops and shutdown.
#include "http_server.h"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>
#include <set>
#include <stdexcept>

#include <restinio/all.hpp>
#include <restinio/helpers/http_field_parsers/authorization.hpp>
#include <restinio/helpers/http_field_parsers/basic_auth.hpp>
#include <restinio/helpers/http_field_parsers/bearer_auth.hpp>
#include <restinio/helpers/http_field_parsers/content-type.hpp>

namespace steadfast::sandbox {

namespace {

namespace asio = restinio::asio_ns;
namespace hfp = restinio::http_field_parsers;
using Traits = restinio::default_single_thread_traits_t;

// Thrown from the request handler to make RESTinio close the connection
// without a response (it catches std::exception there and closes).
class DropConnection : public std::runtime_error {
 public:
  DropConnection() : std::runtime_error("sandbox fault: response dropped") {}
};

const char* ReasonPhrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 402: return "Request Failed";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    default: return "Unknown";
  }
}

template <class Target>
bool ParseParams(std::string_view text, Target& out) {
  auto parsed = restinio::try_parse_query<restinio::parse_query_traits::relaxed>(text);
  if (!parsed) return false;
  for (const auto& [name, value] : *parsed) out.emplace_back(std::string(name), std::string(value));
  return true;
}

SandboxRequest Translate(const restinio::request_t& req) {
  SandboxRequest r;
  const auto& header = req.header();
  r.method = header.method().c_str();
  r.path = std::string(header.path());
  r.raw_query = std::string(header.query());
  r.query_valid = ParseParams(header.query(), r.query);
  r.body = req.body();

  if (const auto content_type = header.opt_value_of(restinio::http_field::content_type)) {
    const auto parsed = hfp::content_type_value_t::try_parse(*content_type);
    r.is_form = parsed && parsed->media_type.type == "application" &&
                parsed->media_type.subtype == "x-www-form-urlencoded";
  }
  if (r.is_form) r.form_valid = ParseParams(r.body, r.form);

  if (const auto authorization = header.opt_value_of(restinio::http_field::authorization)) {
    r.has_authorization = true;
    if (const auto parsed = hfp::authorization_value_t::try_parse(*authorization)) {
      if (parsed->auth_scheme == "bearer") {
        if (const auto bearer = hfp::bearer_auth::try_extract_params(*parsed)) r.api_key = bearer->token;
      } else if (parsed->auth_scheme == "basic") {
        if (const auto basic = hfp::basic_auth::try_extract_params(*parsed)) r.api_key = basic->username;
      }
    }
  }
  if (const auto key = header.opt_value_of("Idempotency-Key")) r.idempotency_key = std::string(*key);
  if (const auto tp = header.opt_value_of("traceparent")) r.traceparent = std::string(*tp);
  return r;
}

void Send(const restinio::request_handle_t& req, const SandboxResponse& response) {
  auto builder = req->create_response(restinio::http_status_line_t{
      restinio::http_status_code_t{static_cast<std::uint16_t>(response.status)}, ReasonPhrase(response.status)});
  builder.append_header(restinio::http_field::content_type, "application/json");
  for (const auto& [name, value] : response.headers) builder.append_header(name, value);
  builder.set_body(response.body);
  builder.done();
}

// A request waiting on a latency or timeout-hold timer.
struct HeldCall {
  asio::steady_timer timer;
  restinio::request_handle_t req;
  SandboxRequest request;
  Admission admission;

  HeldCall(asio::io_context& io, restinio::request_handle_t r, SandboxRequest s, Admission a)
      : timer(io), req(std::move(r)), request(std::move(s)), admission(std::move(a)) {}
};

}  // namespace

Status RunHttpServer(const HttpServerOptions& options, SandboxService& service) {
  asio::io_context io;
  std::set<std::shared_ptr<HeldCall>> held;  // requests waiting on a timer; only touched on the io thread

  auto handler = [&](restinio::request_handle_t req) -> restinio::request_handling_status_t {
    SandboxRequest request = Translate(*req);
    Admission admission = service.Admit(request);
    if (admission.immediate) {
      Send(req, *admission.immediate);
      return restinio::request_accepted();
    }
    if (admission.fault.kind == FaultKind::kDropped) {
      (void)service.Handle(request, admission);  // committed, then the answer is lost
      throw DropConnection();
    }
    if (admission.fault.delay_ms <= 0) {
      Send(req, service.Handle(request, admission));
      return restinio::request_accepted();
    }
    auto call = std::make_shared<HeldCall>(io, req, std::move(request), std::move(admission));
    held.insert(call);
    call->timer.expires_after(std::chrono::milliseconds(call->admission.fault.delay_ms));
    call->timer.async_wait([&service, &held, call](const asio::error_code& ec) {
      if (held.erase(call) == 0) return;  // already abandoned at shutdown
      if (ec) {
        service.Abandon(call->request, call->admission);
        return;
      }
      const SandboxResponse response = service.Handle(call->request, call->admission);
      try {
        Send(call->req, response);  // the client may be gone: RESTinio then just closes
      } catch (const std::exception& e) {
        std::fprintf(stderr, "steadfast-sandbox: late response not sent: %s\n", e.what());
      }
    });
    return restinio::request_accepted();
  };

  uint16_t bound_port = 0;
  auto settings = restinio::server_settings_t<Traits>{}
                      .address(options.address)
                      .port(options.port)
                      .handle_request_timeout(std::chrono::milliseconds(kMaxFaultDelayMs + 60'000))
                      .read_next_http_message_timelimit(std::chrono::seconds(120))
                      .acceptor_post_bind_hook([&bound_port](asio::ip::tcp::acceptor& acceptor) {
                        bound_port = acceptor.local_endpoint().port();
                      })
                      .request_handler(std::move(handler));

  try {
    restinio::http_server_t<Traits> server{restinio::external_io_context(io), std::move(settings)};
    // Handlers first: whoever reads the listening line may signal at once.
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const asio::error_code& ec, int) {
      if (ec) return;
      server.close_sync();
      for (const auto& call : held) service.Abandon(call->request, call->admission);
      held.clear();
      io.stop();
    });
    server.open_sync();
    if (options.on_listening) options.on_listening(options.address, bound_port);
    io.run();
  } catch (const std::exception& e) {
    return Status::Internal(std::string("http server: ") + e.what());
  }
  return Status::Ok();
}

}  // namespace steadfast::sandbox
