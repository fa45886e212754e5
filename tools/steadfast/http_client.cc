// The API client over the engine's HTTP transport.
#include "http_client.h"

#include "net/curl_transport.h"

namespace steadfast::cli {
namespace {

constexpr int64_t kTimeoutMs = 30'000;
constexpr int64_t kConnectTimeoutMs = 10'000;

}  // namespace

std::unique_ptr<HttpTransport> MakeApiTransport(std::string ca_file) {
  return std::make_unique<net::CurlTransport>(net::CurlTransportOptions{true, std::move(ca_file)});
}

ApiClient::ApiClient(std::unique_ptr<HttpTransport> transport, std::string base_url, std::string token)
    : transport_(std::move(transport)), base_url_(std::move(base_url)), token_(std::move(token)) {
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
}

Result<ApiReply> ApiClient::Exchange(HttpRequest request) {
  request.timeout_ms = kTimeoutMs;
  request.connect_timeout_ms = kConnectTimeoutMs;
  request.headers.emplace_back("Accept", "application/json");
  if (!token_.empty()) request.headers.emplace_back("Authorization", "Bearer " + token_);
  TransportResult sent = transport_->Send(request);
  if (const auto* error = std::get_if<TransportError>(&sent)) {
    return Status::Unavailable(request.url + ": " + error->message);
  }
  const HttpResponse& reply = std::get<HttpResponse>(sent);
  ApiReply out;
  out.status = reply.status;
  if (reply.Header("content-type").value_or("").rfind("application/json", 0) == 0) {
    // The server's answers wrap accepted values (an instance in a list).
    Result<Value> v = Value::FromJson(reply.body, kMaxEnvelopedValueDepth);
    if (!v.ok()) return Status::Internal("the server sent invalid JSON (HTTP " + std::to_string(reply.status) + ")");
    out.json = std::move(v).value();
  }
  return out;
}

Result<ApiReply> ApiClient::Get(const std::string& path) {
  HttpRequest request;
  request.method = HttpMethod::kGet;
  request.url = base_url_ + path;
  return Exchange(std::move(request));
}

Result<ApiReply> ApiClient::Post(const std::string& path, const std::string& json_body,
                                 const std::vector<std::pair<std::string, std::string>>& headers) {
  HttpRequest request;
  request.method = HttpMethod::kPost;
  request.url = base_url_ + path;
  request.headers = headers;
  request.headers.emplace_back("Content-Type", "application/json");
  request.body = json_body;
  return Exchange(std::move(request));
}

}  // namespace steadfast::cli
