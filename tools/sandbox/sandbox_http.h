// SandboxRequest / SandboxResponse: HTTP exchanges as plain values.
//
// The RESTinio front end (http_server.cc, the only file that includes
// RESTinio) parses the wire request into a SandboxRequest: query string and
// form body already decoded by RESTinio's parsers, credentials already
// extracted from the Authorization header. Everything behind it (routing,
// the Stripe logic, faults, recording) works on these values and can be
// reasoned about, and compiled, without the HTTP library.
#ifndef STEADFAST_TOOLS_SANDBOX_SANDBOX_HTTP_H_
#define STEADFAST_TOOLS_SANDBOX_SANDBOX_HTTP_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace steadfast::sandbox {

// Decoded name=value pairs, in wire order (names may repeat).
using Params = std::vector<std::pair<std::string, std::string>>;

// First value of `name`, or nullopt.
inline std::optional<std::string> FindParam(const Params& params, std::string_view name) {
  for (const auto& [key, value] : params) {
    if (key == name) return value;
  }
  return std::nullopt;
}

struct SandboxRequest {
  std::string method;           // "GET", "POST", ...
  std::string path;             // "/v1/refunds/re_123" (no query)
  std::string raw_query;        // as received, for the call log
  Params query;                 // decoded query string
  bool query_valid = true;      // false when the query string could not be decoded
  Params form;                  // decoded application/x-www-form-urlencoded body
  bool is_form = false;         // Content-Type is application/x-www-form-urlencoded
  bool form_valid = true;       // false when the form body could not be decoded
  std::string body;             // raw body (JSON endpoints parse it themselves)
  bool has_authorization = false;  // an Authorization header was present
  std::string api_key;          // bearer token or basic-auth user name; never logged
  std::string idempotency_key;  // Idempotency-Key header, may be empty
  std::string traceparent;      // W3C traceparent header, may be empty (recorded, not interpreted)
};

struct SandboxResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Type
  std::string body;                                          // JSON text
};

}  // namespace steadfast::sandbox

#endif  // STEADFAST_TOOLS_SANDBOX_SANDBOX_HTTP_H_
