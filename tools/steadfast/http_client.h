// The CLI's client of the Steadfast HTTP API, for --server mode.
//
// The exchange goes through an HttpTransport (steadfast/http_transport.h):
// the engine's libcurl transport with a kept-alive connection (consecutive
// calls reuse it) and an optional CA file to pin a private CA. ApiClient
// adds what every verb needs: the server's base URL, the bearer token (from
// STEADFAST_TOKEN; it only ever goes into the Authorization header, never
// into messages), JSON bodies, and the API's {"error": {code, message}}
// replies.
#ifndef STEADFAST_TOOLS_HTTP_CLIENT_H_
#define STEADFAST_TOOLS_HTTP_CLIENT_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "steadfast/http_transport.h"
#include "steadfast/status.h"
#include "steadfast/value.h"

namespace steadfast::cli {

// The engine's curl transport, keeping its connection alive between calls;
// ca_file: PEM bundle to verify HTTPS servers against ("" = system CAs).
std::unique_ptr<HttpTransport> MakeApiTransport(std::string ca_file);

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
  ApiClient(std::unique_ptr<HttpTransport> transport, std::string base_url, std::string token);

  // Any HTTP status is a reply; Unavailable when no reply came (connection
  // refused, TLS failure, timeout), naming the URL and the cause.
  Result<ApiReply> Get(const std::string& path);
  Result<ApiReply> Post(const std::string& path, const std::string& json_body,
                        const std::vector<std::pair<std::string, std::string>>& headers = {});

 private:
  Result<ApiReply> Exchange(HttpRequest request);

  std::unique_ptr<HttpTransport> transport_;
  std::string base_url_;
  std::string token_;
};

}  // namespace steadfast::cli

#endif  // STEADFAST_TOOLS_HTTP_CLIENT_H_
