// ServeApi over the engine's libcurl transport (a fresh connection per call,
// so a killed server never leaves a stale keep-alive connection behind).
#include "serve_api.h"

#include <variant>

#include "net/curl_transport.h"

namespace steadfast::soak {
namespace {

ApiReply Exchange(HttpRequest request) {
  request.timeout_ms = 15'000;
  request.connect_timeout_ms = 2'000;
  TransportResult result = net::CurlTransport::Instance().Send(request);
  ApiReply reply;
  if (const auto* error = std::get_if<TransportError>(&result)) {
    reply.text = error->message;
    return reply;
  }
  const auto& response = std::get<HttpResponse>(result);
  reply.status = response.status;
  reply.text = response.body;
  if (!response.body.empty()) {
    auto parsed = Value::FromJson(response.body);
    if (parsed.ok()) reply.body = std::move(parsed).value();
  }
  return reply;
}

}  // namespace

std::string ApiReply::ErrorCode() const { return body.Get("error").Get("code").StringOr(""); }

ApiReply ServeApi::Post(const std::string& path, const std::string& token, const Value& body,
                        const std::string& idempotency_key) const {
  HttpRequest request;
  request.method = HttpMethod::kPost;
  request.url = base_url_ + path;
  request.headers = {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}};
  if (!idempotency_key.empty()) request.headers.emplace_back("Idempotency-Key", idempotency_key);
  request.body = body.ToJson();
  return Exchange(std::move(request));
}

ApiReply ServeApi::Get(const std::string& path, const std::string& token) const {
  HttpRequest request;
  request.url = base_url_ + path;
  if (!token.empty()) request.headers = {{"Authorization", "Bearer " + token}};
  return Exchange(std::move(request));
}

}  // namespace steadfast::soak
