// ServeApi: the HTTP API of a running `steadfast serve`, as the soak's
// operators and reviewers call it (real HTTP over loopback, bearer tokens).
// Every call reports what came back on the wire: a status and a JSON body,
// or status 0 and the transport error (the server may be down on purpose).
#ifndef STEADFAST_TESTS_SOAK_SERVE_API_H_
#define STEADFAST_TESTS_SOAK_SERVE_API_H_

#include <string>

#include "steadfast/value.h"

namespace steadfast::soak {

struct ApiReply {
  int status = 0;          // 0: no HTTP answer (refused, reset, timeout)
  Value body;              // the parsed JSON body (null when empty or not JSON)
  std::string text;        // the raw body, or the transport error

  // The error code of a 4xx/5xx body ({"error": {"code": ...}}), "" otherwise.
  std::string ErrorCode() const;
};

class ServeApi {
 public:
  explicit ServeApi(std::string base_url) : base_url_(std::move(base_url)) {}

  ApiReply Post(const std::string& path, const std::string& token, const Value& body,
                const std::string& idempotency_key = "") const;
  ApiReply Get(const std::string& path, const std::string& token = "") const;

  const std::string& base_url() const { return base_url_; }

 private:
  std::string base_url_;
};

}  // namespace steadfast::soak

#endif  // STEADFAST_TESTS_SOAK_SERVE_API_H_
