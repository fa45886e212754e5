// The CLI's HTTP client for --server mode.
//
// HttpClient is the interface (one exchange: request in, reply out);
// CurlHttpClient implements it with libcurl (HTTP and HTTPS, optional CA
// file to pin a private CA). ApiClient adds what every verb needs: the
// server's base URL, the bearer token (from STEADFAST_TOKEN; it only ever
// goes into the Authorization header, never into messages), JSON bodies,
// and the API's {"error": {code, message}} replies.
#ifndef STEADFAST_TOOLS_HTTP_CLIENT_H_
#define STEADFAST_TOOLS_HTTP_CLIENT_H_

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "steadfast/status.h"
#include "steadfast/value.h"

namespace steadfast::cli {

struct HttpCall {
  std::string method = "GET";  // GET or POST
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // sent with POST
  int64_t timeout_ms = 30000;
};

struct HttpReply {
  int status = 0;
  std::string content_type;
  std::string body;
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // Any HTTP status is a reply; Unavailable when no reply came (connection
  // refused, TLS failure, timeout), naming the cause. Thread-safe.
  virtual Result<HttpReply> Send(const HttpCall& call) = 0;
};

// Keeps one libcurl handle, so consecutive calls reuse the connection
// (keep-alive); calls from several threads take turns on it.
class CurlHttpClient final : public HttpClient {
 public:
  // ca_file: PEM bundle to verify HTTPS servers against ("" = system CAs).
  explicit CurlHttpClient(std::string ca_file = "");
  ~CurlHttpClient() override;
  CurlHttpClient(const CurlHttpClient&) = delete;
  CurlHttpClient& operator=(const CurlHttpClient&) = delete;
  Result<HttpReply> Send(const HttpCall& call) override;

 private:
  std::string ca_file_;
  std::mutex mu_;
  void* handle_ = nullptr;  // GUARDED_BY(mu_): CURL*, created on first use
};

// A reply of the Steadfast API: status plus the parsed JSON body.
struct ApiReply {
  int status = 0;
  Value json;  // null when the body was not JSON
  bool ok() const { return status >= 200 && status < 300; }
  // error.code / error.message of an error reply ("" when absent).
  std::string error_code() const { return json.Get("error").Get("code").StringOr(""); }
  std::string error_message() const { return json.Get("error").Get("message").StringOr(""); }
};

class ApiClient {
 public:
  // base_url: "http://127.0.0.1:8080" (a trailing '/' is ignored); token
  // may be empty (the server then answers 401).
  ApiClient(std::unique_ptr<HttpClient> client, std::string base_url, std::string token);

  Result<ApiReply> Get(const std::string& path);
  Result<ApiReply> Post(const std::string& path, const std::string& json_body,
                        const std::vector<std::pair<std::string, std::string>>& headers = {});

 private:
  Result<ApiReply> Exchange(HttpCall call);

  std::unique_ptr<HttpClient> client_;
  std::string base_url_;
  std::string token_;
};

// Percent-encodes everything but unreserved characters (RFC 3986), for a
// path segment or a query value.
std::string UrlEncode(std::string_view text);

}  // namespace steadfast::cli

#endif  // STEADFAST_TOOLS_HTTP_CLIENT_H_
