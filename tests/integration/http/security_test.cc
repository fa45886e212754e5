// Promises docs/SECURITY.md makes that no other test holds the server to:
// the files a fresh `steadfast serve` creates are owner-only whatever the
// umask, every role may do exactly what its row in the table says and is
// refused the rest, and no token (nor its hash) shows up in /metrics, in an
// error body or in the log.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "http/token_store.h"
#include "net/curl_transport.h"
#include "steadfast/http_transport.h"
#include "test_server.h"

namespace steadfast::testing {
namespace {

using namespace std::chrono_literals;

unsigned ModeOf(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 0777;
}

// Sets the process umask for the scope (children inherit it).
class ScopedUmask {
 public:
  explicit ScopedUmask(mode_t mask) : old_(::umask(mask)) {}
  ~ScopedUmask() { ::umask(old_); }
  ScopedUmask(const ScopedUmask&) = delete;
  ScopedUmask& operator=(const ScopedUmask&) = delete;

 private:
  mode_t old_;
};

TEST(SecurityTest, FilesServeCreatesAreOwnerOnlyWhateverTheUmask) {
  TempDir dir;
  WriteFile(dir.File("c.yaml"),
            "database: engine.db\nworkflows_dir: workflows\nnode_name: modes\nlog_file: engine.log\n"
            "http:\n  listen: 127.0.0.1:0\n");
  std::unique_ptr<Subprocess> serve;
  {
    ScopedUmask open_to_all(0);  // the most permissive: every mode below is the engine's own
    serve = std::make_unique<Subprocess>(std::vector<std::string>{STEADFAST_BIN, "serve", "--config", dir.File("c.yaml")},
                                         std::map<std::string, std::string>{}, dir.File("stdout.log"));
  }
  bool listening = false;
  for (int i = 0; i < 1500 && !listening; ++i) {
    listening = ReadFile(dir.File("engine.log")).find("listening on") != std::string::npos;
    if (!listening) std::this_thread::sleep_for(20ms);
  }
  ASSERT_TRUE(listening) << ReadFile(dir.File("engine.log")) << ReadFile(dir.File("stdout.log"));
  std::vector<std::string> created;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    const std::string name = entry.path().filename().string();
    if (name != "c.yaml" && name != "stdout.log") created.push_back(name);
  }
  // The database, its WAL and shared-memory index, the node lock, the shard
  // layout's lock (docs/store.md "Shards") and the log.
  EXPECT_THAT(created, ::testing::UnorderedElementsAre("engine.db", "engine.db-wal", "engine.db-shm",
                                                       "engine.db.node-modes.lock", "engine.db.shards.lock",
                                                       "engine.log"));
  for (const std::string& name : created) {
    EXPECT_EQ(ModeOf(dir.File(name)), 0600u) << name << " is " << std::oct << ModeOf(dir.File(name));
  }
  serve->Kill(SIGTERM);
  EXPECT_EQ(serve->Wait(20000), 0);
  // A database the operator made (and chmod-ed) keeps its mode.
  ::chmod(dir.File("engine.db").c_str(), 0640);
  RunResult list = RunCommand({STEADFAST_BIN, "list", "--config", dir.File("c.yaml")});
  EXPECT_EQ(list.exit_code, 0) << list.output;
  EXPECT_EQ(ModeOf(dir.File("engine.db")), 0640u);
}

// Each role against each action (the table in docs/http.md and
// engine/http/roles.h). Calls on an instance name one that does not exist:
// an allowed call gets 404, a refused one 403 forbidden, decided before the
// instance is looked up.
TEST(SecurityTest, EachRoleMayDoExactlyWhatItsRowSays) {
  TestServer server;
  struct Action {
    std::string name, method, path, body;
  };
  const std::vector<Action> actions = {
      {"start", "POST", "/v1/workflows", R"({"workflow": "quick"})"},
      {"start on behalf", "POST", "/v1/workflows", R"({"workflow": "quick", "requested_by": "zed"})"},
      {"list", "GET", "/v1/workflows", ""},
      {"get", "GET", "/v1/workflows/no-such-instance", ""},
      {"history", "GET", "/v1/workflows/no-such-instance/history", ""},
      {"graph", "GET", "/v1/workflows/no-such-instance/graph", ""},
      {"cancel", "POST", "/v1/workflows/no-such-instance/cancel", ""},
      {"signal", "POST", "/v1/workflows/no-such-instance/signals/go", "{}"},
      {"resume", "POST", "/v1/workflows/no-such-instance/resume", ""},
      {"decide", "POST", "/v1/workflows/no-such-instance/approvals/review", R"({"decision": "approve"})"},
      {"bulk", "POST", "/v1/bulk-operations",
       R"({"action": "resume", "filter": {"status": "paused"}, "reason": "r", "dry_run": true})"},
      {"bulk list", "GET", "/v1/bulk-operations", ""},
      {"bulk get", "GET", "/v1/bulk-operations/no-such-operation", ""},
  };
  const std::map<std::string, std::set<std::string>> allowed = {
      {kOpsToken, {"start", "list", "get", "history", "graph", "cancel", "signal", "resume", "bulk", "bulk list", "bulk get"}},
      {kRitaToken, {"list", "get", "history", "graph", "decide", "bulk list", "bulk get"}},
      {kRootToken,
       {"start", "start on behalf", "list", "get", "history", "graph", "cancel", "signal", "resume", "decide", "bulk",
        "bulk list", "bulk get"}},
  };
  for (const auto& [token, may] : allowed) {
    for (const Action& a : actions) {
      Call call = MakeCall(a.method, a.path, token, a.body);
      Reply r = server.Request(call);
      const std::string who = std::string(token == kOpsToken ? "operator" : token == kRitaToken ? "reviewer" : "admin");
      if (may.count(a.name) != 0) {
        EXPECT_NE(r.status, 403) << who << " " << a.name << ": " << r.body;
        EXPECT_LT(r.status, 500) << who << " " << a.name << ": " << r.body;
      } else {
        EXPECT_EQ(r.status, 403) << who << " " << a.name << ": " << r.body;
        EXPECT_EQ(r.code(), "forbidden") << who << " " << a.name;
      }
    }
  }
}

TEST(SecurityTest, TokensAndTheirHashesAreInNoMetricErrorBodyOrLogLine) {
  TestServer server;
  const std::vector<std::string> tokens = {kOpsToken, kRitaToken, kRobToken, kRootToken, "wrong-token-9d1f"};
  std::vector<std::string> bodies;
  for (const std::string& token : tokens) {
    bodies.push_back(server.Get("/v1/workflows", token).body);
    bodies.push_back(server.Post("/v1/workflows", token, R"({"workflow": "nope"})").body);
    bodies.push_back(server.Post("/v1/workflows/x/approvals/review", token, "{").body);
  }
  // A token sent in a query string is neither echoed nor logged.
  bodies.push_back(server.Get("/v1/workflows?token=" + std::string(kOpsToken), kOpsToken).body);
  const std::string metrics = server.Get("/metrics", "").body;
  const std::string log = server.Log();
  ASSERT_THAT(log, ::testing::HasSubstr("http: GET /v1/workflows"));  // the debug log records requests
  for (const std::string& token : tokens) {
    for (const std::string& secret : {token, http::Sha256Hex(token)}) {
      EXPECT_EQ(metrics.find(secret), std::string::npos) << secret;
      EXPECT_EQ(log.find(secret), std::string::npos) << secret;
      for (const std::string& body : bodies) EXPECT_EQ(body.find(secret), std::string::npos) << secret << " in " << body;
    }
  }
}

// Built-in TLS speaks 1.2 and 1.3 only. The client is let down to any
// version and cipher (SECLEVEL=0), so a refusal is the server's: it answers
// TLS 1.0 and 1.1 with a protocol_version alert.
TEST(SecurityTest, TlsBelow12IsRefusedByTheServer) {
  ServerOptions o;
  o.tls = true;
  TestServer server(o);
  const std::string port = server.url().substr(server.url().rfind(':') + 1);
  auto handshake = [&](const std::string& version) {
    return RunCommand({"/bin/sh", "-c",
                       "echo | openssl s_client -connect 127.0.0.1:" + port + " -" + version +
                           " -cipher 'DEFAULT@SECLEVEL=0' 2>&1"},
                      {}, 20000);
  };
  for (const char* old_version : {"tls1", "tls1_1"}) {
    RunResult r = handshake(old_version);
    EXPECT_NE(r.exit_code, 0) << old_version << ": " << r.output;
    EXPECT_THAT(r.output, ::testing::HasSubstr("alert protocol version")) << old_version;
  }
  for (const char* version : {"tls1_2", "tls1_3"}) {
    RunResult r = handshake(version);
    EXPECT_EQ(r.exit_code, 0) << version << ": " << r.output;
  }
}

// What the PSP and the other remote services send is kept up to
// max_response_bytes (the refund plugin asks for 1 MiB): a bigger answer is
// cut, not buffered whole. Here a 29 KB answer against a 1000-byte limit.
TEST(SecurityTest, ARemoteAnswerIsCutAtItsLimit) {
  TestServer server;
  net::CurlTransport transport;
  steadfast::HttpRequest request;
  request.url = server.url() + "/v1/openapi.yaml";
  request.max_response_bytes = 1000;
  TransportResult result = transport.Send(request);
  ASSERT_TRUE(std::holds_alternative<steadfast::HttpResponse>(result));
  const auto& response = std::get<steadfast::HttpResponse>(result);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body.size(), 1000u);
  EXPECT_GT(server.Get("/v1/openapi.yaml", "").body.size(), 20000u);
}

}  // namespace
}  // namespace steadfast::testing
