// JsonHttpClient: JSON requests with idempotency keys and classified errors.
#include "http_client.h"

#include <utility>

#include "error_classification.h"

namespace steadfast::refund {

Result<std::unique_ptr<JsonHttpClient>> JsonHttpClient::Create(JsonHttpClientOptions options,
                                                               HttpTransport& transport, const Clock& clock) {
  if (options.service.empty()) return Status::InvalidArgument("a JSON client needs a service name");
  if (options.base_url.rfind("https://", 0) != 0 && options.base_url.rfind("http://", 0) != 0) {
    return Status::InvalidArgument(options.service + ".base_url must start with https:// or http://");
  }
  while (!options.base_url.empty() && options.base_url.back() == '/') options.base_url.pop_back();
  if (options.timeout_ms <= 0 || options.connect_timeout_ms <= 0) {
    return Status::InvalidArgument(options.service + " timeouts must be positive");
  }
  return std::unique_ptr<JsonHttpClient>(new JsonHttpClient(std::move(options), transport, clock));
}

RemoteResult<JsonResponse> JsonHttpClient::PostJson(std::string_view path, const Value& body,
                                                    std::string_view idempotency_key) {
  if (idempotency_key.empty()) {
    return ActivityError::NonRetryable("invalid_request", options_.service + " calls need an idempotency key");
  }
  HttpRequest request;
  request.method = HttpMethod::kPost;
  request.url = options_.base_url + std::string(path);
  request.body = body.ToJson();
  request.headers.emplace_back("Content-Type", "application/json");
  request.headers.emplace_back("Idempotency-Key", std::string(idempotency_key));
  return Exchange(std::move(request));
}

RemoteResult<JsonResponse> JsonHttpClient::GetJson(std::string_view path) {
  HttpRequest request;
  request.method = HttpMethod::kGet;
  request.url = options_.base_url + std::string(path);
  return Exchange(std::move(request));
}

RemoteResult<JsonResponse> JsonHttpClient::Exchange(HttpRequest request) {
  request.timeout_ms = options_.timeout_ms;
  request.connect_timeout_ms = options_.connect_timeout_ms;
  request.max_response_bytes = kMaxRemoteResponseBytes;
  request.headers.emplace_back("Accept", "application/json");
  if (!options_.bearer_token.empty()) {
    request.headers.emplace_back("Authorization", "Bearer " + options_.bearer_token);
  }
  TransportResult result = transport_.Send(request);
  if (auto* error = std::get_if<TransportError>(&result)) return ClassifyTransportError(options_.service, *error);
  const HttpResponse& response = std::get<HttpResponse>(result);
  if (response.status < 200 || response.status >= 300) {
    return ClassifyHttpError(options_.service, response, clock_.NowMs());
  }
  JsonResponse out;
  out.status = response.status;
  out.replayed = response.Header("idempotent-replayed").value_or("") == "true";
  if (!response.body.empty()) {
    Result<Value> parsed = Value::FromJson(response.body);
    if (!parsed.ok()) {
      return ActivityError::Retryable(options_.service + "_bad_response",
                                      "unexpected answer from " + options_.service + ": " +
                                          parsed.status().message());
    }
    out.body = std::move(parsed).value();
  }
  return out;
}

}  // namespace steadfast::refund
