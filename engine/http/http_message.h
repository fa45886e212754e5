// HttpRequest / HttpResponse: one HTTP exchange as plain values.
//
// The RESTinio front end (api_server.cc, the only file that includes
// RESTinio) turns the wire request into an HttpRequest: the path already
// split into percent-decoded segments, the query string decoded, the bearer
// token and the media type taken out of their headers by RESTinio's field
// parsers. Everything behind it (routing, access control, rate limiting, the
// handlers) works on these values, so it compiles fast and is unit-tested
// without sockets.
#ifndef STEADFAST_HTTP_HTTP_MESSAGE_H_
#define STEADFAST_HTTP_HTTP_MESSAGE_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace steadfast::http {

// Decoded name=value pairs in wire order (names may repeat).
using Params = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;                       // "GET", "POST", ...
  std::string path;                         // raw path without the query, e.g. "/v1/workflows/wf-1"
  std::vector<std::string> segments;        // the path split on '/', each percent-decoded ("" segments kept)
  bool path_valid = true;                   // false when a segment could not be percent-decoded
  Params query;                             // decoded query string
  bool query_valid = true;                  // false when the query string could not be decoded
  std::string malformed;                    // why the message itself is refused (400); "" when it is not
  bool has_authorization = false;           // an Authorization header was present
  std::optional<std::string> bearer_token;  // its token when the scheme is Bearer; never logged
  bool has_content_type = false;            // a Content-Type header was present
  std::string media_type;                   // "application/json" (lowercase, without parameters)
  std::string charset;                      // the charset parameter, lowercase, "" when absent
  std::string idempotency_key;              // Idempotency-Key header, "" when absent
  std::string traceparent;                  // traceparent header as received, "" when absent
  std::string body;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Type
  std::string body;
};

// First value of `name` in params, or nullopt.
inline std::optional<std::string> FindParam(const Params& params, std::string_view name) {
  for (const auto& [key, value] : params) {
    if (key == name) return value;
  }
  return std::nullopt;
}

}  // namespace steadfast::http

#endif  // STEADFAST_HTTP_HTTP_MESSAGE_H_
