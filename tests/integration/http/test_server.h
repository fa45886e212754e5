// TestServer: a real `steadfast serve` child process with a temp config
// (port 0, tokens for ops/rita/rob/root, small test workflows, anything
// more through ServerOptions), and a libcurl client for talking to it over
// loopback. Used by the HTTP and the observability integration tests.
#ifndef STEADFAST_TESTS_INTEGRATION_HTTP_TEST_SERVER_H_
#define STEADFAST_TESTS_INTEGRATION_HTTP_TEST_SERVER_H_

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "steadfast/value.h"
#include "subprocess.h"

namespace steadfast::testing {

// Tokens of the test principals (the config holds only their hashes).
inline constexpr const char* kOpsToken = "ops-token-3f9a1c";    // operator
inline constexpr const char* kRitaToken = "rita-token-77b2e0";  // reviewer
inline constexpr const char* kRobToken = "rob-token-c41d95";    // reviewer
inline constexpr const char* kRootToken = "root-token-0e6f28";  // admin

struct Reply {
  int status = 0;                              // 0 when no reply came (see error)
  std::string error;                           // curl's message when status is 0
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  Value json;  // parsed when the body is JSON
  std::string code() const { return json.Get("error").Get("code").StringOr(""); }
  std::string message() const { return json.Get("error").Get("message").StringOr(""); }
  // The ids of a listing's items (GET /v1/workflows), in order.
  std::vector<std::string> ids() const {
    std::vector<std::string> out;
    if (!json.Get("items").is_list()) return out;
    for (const Value& item : json.Get("items").AsList()) out.push_back(item.Get("id").StringOr(""));
    return out;
  }
};

struct Call {
  std::string method = "GET";
  std::string path;   // "/v1/workflows?limit=2"
  std::string token;  // "" = no Authorization header
  std::string body;
  std::string content_type = "application/json";  // "" = no Content-Type header
  std::vector<std::pair<std::string, std::string>> headers;
  std::string ca_file;  // HTTPS: pin this CA
  int timeout_ms = 20000;
};

inline Call MakeCall(std::string method, std::string path, std::string token, std::string body,
                     std::string content_type = "application/json") {
  Call c;
  c.method = std::move(method);
  c.path = std::move(path);
  c.token = std::move(token);
  c.body = std::move(body);
  c.content_type = std::move(content_type);
  return c;
}

// One exchange with libcurl (fresh connection).
Reply Send(const std::string& base_url, const Call& call);

// Seeds a charge at a steadfast-sandbox (POST /sandbox/charges, keyed by
// the charge id so a repeat is harmless).
Reply SeedSandboxCharge(const std::string& sandbox_url, const std::string& charge_id, int64_t amount_minor,
                        const std::string& currency);

// Sends `count` GETs of path over one libcurl handle (keep-alive) and
// returns how many TCP connections it had to open; -1 if a request failed.
int ConnectionsForRequests(const std::string& base_url, const std::string& path, int count);

struct ServerOptions {
  std::string http_extra;  // more lines under `http:` (indented by two spaces)
  bool tls = false;        // generate a self-signed cert with `openssl req` and serve HTTPS
  int workers = 2;
  // More workflow files, name -> YAML, written after (and over) the built-in
  // held, wait, flaky and quick.
  std::vector<std::pair<std::string, std::string>> workflows;
  std::string config_extra;                 // top-level config lines, after the rest (a repeated key wins)
  std::map<std::string, std::string> env;   // for the serve process (e.g. the PSP secret)
};

class TestServer {
 public:
  // Starts the server and waits for its "listening on" line (fails the
  // test on timeout).
  explicit TestServer(ServerOptions options = {});
  ~TestServer();  // SIGKILL if still running

  const std::string& url() const { return url_; }
  const std::string& config() const { return config_; }
  const std::string& database() const { return db_; }
  const std::string& ca_file() const { return ca_; }
  std::string Log() const { return ReadFile(log_); }
  Subprocess& process() { return *process_; }

  // Kills the server with `signal` (SIGKILL: a crash), waits for it to
  // exit and then `down_ms` more, and starts it again on the same config
  // and database; waits for its new "listening on" line (a new port: url()
  // changes).
  void Restart(int signal, int down_ms = 0);

  Reply Request(Call call) const;
  Reply Get(const std::string& path, const std::string& token) const;
  Reply Post(const std::string& path, const std::string& token, const std::string& body,
             std::vector<std::pair<std::string, std::string>> headers = {}) const;

  // Polls GET /v1/workflows/{id} until status is `status` (or a terminal
  // one); returns the last instance JSON.
  Value WaitForStatus(const std::string& id, const std::string& status, int timeout_ms = 15000) const;
  // True when the instance reached exactly `status` within the timeout.
  bool WaitUntil(const std::string& id, const std::string& status, int timeout_ms = 15000) const {
    return WaitForStatus(id, status, timeout_ms).Get("status").StringOr("") == status;
  }

 private:
  TempDir dir_;
  // Starts serve and waits for a "listening on" line after byte `log_from` of the log.
  void Launch(size_t log_from);

  std::string config_, db_, log_, ca_, url_;
  std::map<std::string, std::string> env_;
  std::unique_ptr<Subprocess> process_;
};

}  // namespace steadfast::testing

#endif  // STEADFAST_TESTS_INTEGRATION_HTTP_TEST_SERVER_H_
