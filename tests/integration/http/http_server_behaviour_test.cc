// How `steadfast serve` behaves as an HTTP server: per-principal rate
// limits, graceful SIGTERM with a request in flight, slow clients that hold
// sockets but no threads, request timeouts (also for a trickled request),
// TLS handshake timeouts, the per-address connection limit, oversized
// requests, and HTTPS with a certificate generated at test time.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <future>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "http/token_store.h"
#include "test_server.h"

namespace steadfast::testing {
namespace {

using namespace std::chrono_literals;

int PortOf(const std::string& url) { return std::stoi(url.substr(url.rfind(':') + 1)); }

// A server with one worker and these lines under `http:`.
ServerOptions OneWorker(std::string http_extra, bool tls = false) {
  ServerOptions o;
  o.http_extra = std::move(http_extra);
  o.tls = tls;
  o.workers = 1;
  return o;
}

// A raw TCP connection to 127.0.0.1:port (-1 on failure).
int Connect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

void SendAll(int fd, const std::string& data) {
  size_t sent = 0;
  while (sent < data.size()) {
    ssize_t n = send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += static_cast<size_t>(n);
  }
}

// True when the peer closes the connection within timeout.
bool ClosedWithin(int fd, std::chrono::milliseconds timeout) {
  timeval tv{static_cast<time_t>(timeout.count() / 1000), static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  char buf[4096];
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n == 0) return true;
    if (n < 0 && errno != EINTR) return errno == ECONNRESET;
  }
  return false;
}

TEST(HttpServerTest, RateLimitPerPrincipalAnswers429) {
  TestServer server(ServerOptions{"  rate_limit: { per_principal_per_s: 0.2, burst: 3 }\n", false, 1});
  for (int i = 0; i < 3; ++i) EXPECT_EQ(server.Get("/v1/workflows", kRitaToken).status, 200) << i;
  Reply limited = server.Get("/v1/workflows", kRitaToken);
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.code(), "rate_limited");
  ASSERT_FALSE(limited.headers["retry-after"].empty());
  EXPECT_GE(std::stoi(limited.headers["retry-after"]), 1);
  // Each principal has its own bucket; probes are not limited.
  EXPECT_EQ(server.Get("/v1/workflows", kRobToken).status, 200);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(server.Get("/healthz", "").status, 200);
  Reply metrics = server.Get("/metrics", "");
  EXPECT_NE(metrics.body.find("steadfast_http_rate_limited_total 1"), std::string::npos) << metrics.body;
  EXPECT_NE(metrics.body.find("status=\"429\""), std::string::npos);
}

TEST(HttpServerTest, SigtermFinishesTheRequestInFlightAndExitsZero) {
  TestServer server(ServerOptions{"", false, 1});
  ASSERT_EQ(server.Get("/healthz", "").status, 200);
  // Hold the database's write lock so a start blocks inside its handler.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(server.database().c_str(), &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  ASSERT_EQ(sqlite3_exec(db, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  auto in_flight = std::async(std::launch::async, [&] {
    return server.Post("/v1/workflows", kOpsToken, R"({"workflow": "quick", "id": "in-flight-1"})");
  });
  ASSERT_EQ(in_flight.wait_for(500ms), std::future_status::timeout) << "the start did not block on the lock";
  server.process().Kill(SIGTERM);
  // The listener closes: new connections are refused while the request is held.
  auto refused_deadline = std::chrono::steady_clock::now() + 3s;
  bool refused = false;
  while (!refused && std::chrono::steady_clock::now() < refused_deadline) {
    Call probe;
    probe.path = "/healthz";
    probe.timeout_ms = 1000;
    refused = server.Request(probe).status == 0;
    if (!refused) std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(refused) << "the listener was still accepting after SIGTERM";
  EXPECT_EQ(in_flight.wait_for(200ms), std::future_status::timeout);
  EXPECT_TRUE(server.process().running());
  ASSERT_EQ(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  Reply answered = in_flight.get();
  EXPECT_EQ(answered.status, 201) << answered.error << answered.body;
  EXPECT_EQ(answered.headers["connection"], "close");
  auto code = server.process().Wait(20000);
  ASSERT_TRUE(code.has_value()) << server.Log();
  EXPECT_EQ(*code, 0) << server.Log();
  std::string log = server.Log();
  EXPECT_NE(log.find("received SIGTERM"), std::string::npos);
  EXPECT_NE(log.find("stopped"), std::string::npos);
  // The answered start is durable.
  RunResult status = RunCommand({STEADFAST_BIN, "status", "in-flight-1", "--config", server.config()});
  EXPECT_EQ(status.exit_code, 0) << status.output;
}

TEST(HttpServerTest, SlowClientsHoldSocketsNotThreads) {
  // One HTTP thread; a dozen clients that stop half-way through a request.
  TestServer server(ServerOptions{"  threads: 1\n", false, 2});
  int port = PortOf(server.url());
  std::vector<int> stalled;
  for (int i = 0; i < 12; ++i) {
    int fd = Connect(port);
    ASSERT_GE(fd, 0);
    SendAll(fd, i % 2 == 0 ? "POST /v1/workflows HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                             "Content-Length: 200\r\n\r\n{\"workflow\""
                           : "GET /v1/workf");
    stalled.push_back(fd);
  }
  auto started = std::chrono::steady_clock::now();
  Reply created = server.Post("/v1/workflows", kOpsToken, R"({"workflow": "quick"})");
  ASSERT_EQ(created.status, 201) << created.error;
  Value done = server.WaitForStatus(created.json.Get("id").StringOr(""), "completed");
  EXPECT_EQ(done.Get("status").StringOr(""), "completed");
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
  EXPECT_EQ(server.Get("/readyz", "").status, 200);
  for (int fd : stalled) close(fd);
}

TEST(HttpServerTest, KeepAliveReusesOneConnection) {
  TestServer server(ServerOptions{"", false, 1});
  EXPECT_EQ(ConnectionsForRequests(server.url(), "/healthz", 5), 1);
}

TEST(HttpServerTest, RequestTimeoutClosesStalledConnections) {
  TestServer server(ServerOptions{"  request_timeout: 1s\n", false, 1});
  int fd = Connect(PortOf(server.url()));
  ASSERT_GE(fd, 0);
  SendAll(fd, "GET /healthz HTTP/1.1\r\nHost: x\r\n");  // never finishes the headers
  EXPECT_TRUE(ClosedWithin(fd, 6000ms));
  close(fd);
  int idle = Connect(PortOf(server.url()));  // keep-alive idle connection
  ASSERT_GE(idle, 0);
  EXPECT_TRUE(ClosedWithin(idle, 6000ms));
  close(idle);
  EXPECT_EQ(server.Get("/healthz", "").status, 200);
}

// RESTinio's read timer bounds the whole request, counted from the first
// wait: a client trickling a byte at a time cannot keep its socket.
TEST(HttpServerTest, TrickledRequestIsCutAfterTheRequestTimeout) {
  TestServer server(OneWorker("  request_timeout: 1s\n"));
  int fd = Connect(PortOf(server.url()));
  ASSERT_GE(fd, 0);
  const std::string request = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + std::string(200, 'a');
  auto started = std::chrono::steady_clock::now();
  bool closed = false;
  for (size_t i = 0; i < request.size() && !closed; ++i) {
    if (send(fd, &request[i], 1, MSG_NOSIGNAL) != 1) closed = true;  // the server has gone
    if (!closed) closed = ClosedWithin(fd, 100ms);
  }
  EXPECT_TRUE(closed);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 8s);
  close(fd);
  EXPECT_EQ(server.Get("/healthz", "").status, 200);
}

// Sockets that never start the TLS handshake used to be held forever
// (RESTinio's timers start after it) and could fill the connection cap.
TEST(HttpServerTest, IdleTlsSocketsAreClosedAfterTheHandshakeTimeout) {
  TestServer server(OneWorker("  handshake_timeout: 1s\n", /*tls=*/true));
  const int port = PortOf(server.url());
  std::vector<int> idle;
  for (int i = 0; i < 20; ++i) {
    int fd = Connect(port);
    ASSERT_GE(fd, 0);
    idle.push_back(fd);
  }
  EXPECT_EQ(server.Get("/healthz", "").status, 200);  // a real client is served meanwhile
  int fd_half = Connect(port);  // starts a handshake, then stalls
  ASSERT_GE(fd_half, 0);
  SendAll(fd_half, std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11));
  idle.push_back(fd_half);
  auto started = std::chrono::steady_clock::now();
  for (int fd : idle) EXPECT_TRUE(ClosedWithin(fd, 6000ms));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 8s);
  for (int fd : idle) close(fd);
  Reply health = server.Get("/healthz", "");
  EXPECT_EQ(health.status, 200) << health.error;
}

TEST(HttpServerTest, ConnectionsBeyondThePerAddressLimitAreClosed) {
  TestServer server(OneWorker("  max_connections_per_address: 4\n"));
  const int port = PortOf(server.url());
  std::vector<int> held;
  for (int i = 0; i < 4; ++i) {
    int fd = Connect(port);
    ASSERT_GE(fd, 0);
    held.push_back(fd);
  }
  // The fifth from 127.0.0.1 is closed as soon as it is accepted (a real
  // client too: the address is the same).
  int fifth = Connect(port);
  ASSERT_GE(fifth, 0);
  EXPECT_TRUE(ClosedWithin(fifth, 3000ms));
  close(fifth);
  Call quick;
  quick.path = "/healthz";
  quick.timeout_ms = 3000;
  EXPECT_NE(server.Request(quick).status, 200);
  // The held ones are served, and once they go everyone is again.
  SendAll(held[0], "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  char buf[64] = {};
  EXPECT_GT(recv(held[0], buf, sizeof(buf) - 1, 0), 0);
  EXPECT_EQ(std::string(buf).rfind("HTTP/1.1 200", 0), 0u) << buf;
  for (int fd : held) close(fd);
  int status = 0;
  for (int i = 0; i < 50 && status != 200; ++i) {
    status = server.Request(quick).status;
    if (status != 200) std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(status, 200);
}

TEST(HttpServerTest, HugeBodiesAndHeadersAreRefusedAndTheServerStaysUp) {
  TestServer server(ServerOptions{"  max_body: 16KiB\n", false, 1});
  std::string big = R"({"workflow": "quick", "pad": ")" + std::string(40 * 1024, 'x') + "\"}";
  Reply over = server.Post("/v1/workflows", kOpsToken, big);
  EXPECT_EQ(over.status, 413);
  EXPECT_EQ(over.code(), "payload_too_large");
  // Far beyond the limit (over the 4x hard cap): the connection is closed
  // without reading the body.
  std::string huge(4 * 1024 * 1024, 'x');
  Reply closed = server.Post("/v1/workflows", kOpsToken, huge);
  EXPECT_EQ(closed.status, 0);
  Call long_header;
  long_header.path = "/healthz";
  long_header.headers = {{"X-Padding", std::string(64 * 1024, 'h')}};
  EXPECT_NE(server.Request(long_header).status, 200);
  EXPECT_EQ(server.Get("/healthz", "").status, 200);
  EXPECT_EQ(server.Post("/v1/workflows", kOpsToken, R"({"workflow": "quick"})").status, 201);
}

TEST(HttpServerTest, HttpsWithAPinnedSelfSignedCertificate) {
  TestServer server(ServerOptions{"", true, 1});
  ASSERT_EQ(server.url().rfind("https://127.0.0.1:", 0), 0u) << server.url();
  Reply health = server.Get("/healthz", "");  // the CA file is pinned by TestServer
  EXPECT_EQ(health.status, 200) << health.error;
  Reply created = server.Post("/v1/workflows", kOpsToken, R"({"workflow": "quick"})");
  EXPECT_EQ(created.status, 201) << created.error;
  // Without the pinned CA the self-signed certificate is not trusted.
  Call unpinned;
  unpinned.path = "/healthz";
  unpinned.ca_file = "/dev/null";
  Reply untrusted = Send(server.url(), unpinned);
  EXPECT_EQ(untrusted.status, 0);
  EXPECT_FALSE(untrusted.error.empty());
  // Plain HTTP to the TLS port gets no HTTP answer.
  Call plain;
  plain.path = "/healthz";
  plain.timeout_ms = 3000;
  Reply cleartext = Send("http://127.0.0.1:" + std::to_string(PortOf(server.url())), plain);
  EXPECT_NE(cleartext.status, 200);
  // The CLI over HTTPS.
  RunResult status = RunCommand({STEADFAST_BIN, "status", created.json.Get("id").StringOr(""), "--server", server.url(),
                                 "--cacert", server.ca_file()},
                                {{"STEADFAST_TOKEN", kOpsToken}});
  EXPECT_EQ(status.exit_code, 0) << status.output;
  EXPECT_NE(status.output.find("workflow:  quick v1"), std::string::npos) << status.output;
}

TEST(HttpServerTest, ListenFlagOverridesTheConfigAndBadTokensConfigFailsFast) {
  TempDir dir;
  WriteFile(dir.File("c.yaml"), "database: e.db\nworkflows_dir: workflows\nhttp:\n  tokens_file: missing.yaml\n");
  RunResult bad =
      RunCommand({STEADFAST_BIN, "serve", "--config", dir.File("c.yaml"), "--listen", "127.0.0.1:0"}, {}, 20000);
  EXPECT_EQ(bad.exit_code, 3) << bad.output;
  EXPECT_NE(bad.output.find("tokens file"), std::string::npos) << bad.output;
  WriteFile(dir.File("d.yaml"), "database: e.db\nworkflows_dir: workflows\n");
  RunResult usage =
      RunCommand({STEADFAST_BIN, "serve", "--config", dir.File("d.yaml"), "--listen", "nowhere"}, {}, 20000);
  EXPECT_EQ(usage.exit_code, 2) << usage.output;
  // --listen alone turns the API on (tokens may come from the environment).
  Subprocess serve(
      {STEADFAST_BIN, "serve", "--config", dir.File("d.yaml"), "--listen", "127.0.0.1:0"},
      {{"STEADFAST_HTTP_TOKENS", "[{name: envy, sha256: " + http::Sha256Hex("env-token") + ", roles: [reviewer]}]"}},
      dir.File("serve.log"));
  std::string url;
  for (int i = 0; i < 1500 && url.empty(); ++i) {
    std::string log = ReadFile(dir.File("serve.log"));
    size_t at = log.find("listening on ");
    // The URL ends at the line's end (text logs) or at the closing quote (JSON logs).
    if (at != std::string::npos) url = log.substr(at + 13, log.find_first_of("\"\n", at) - at - 13);
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_FALSE(url.empty()) << ReadFile(dir.File("serve.log"));
  Call list;
  list.path = "/v1/workflows";
  list.token = "env-token";
  EXPECT_EQ(Send(url, list).status, 200);
  serve.Kill(SIGTERM);
  EXPECT_EQ(serve.Wait(20000), 0);
}

}  // namespace
}  // namespace steadfast::testing
