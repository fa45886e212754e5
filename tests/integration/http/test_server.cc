// The serve child process and the curl client of the HTTP tests.
#include "test_server.h"

#include <curl/curl.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <mutex>
#include <regex>
#include <thread>

#include "http/token_store.h"

namespace steadfast::testing {
namespace {

constexpr const char* kFlakyYaml = R"(name: flaky
version: 1
defaults:
  retry: { max_attempts: 1, on_exhausted: pause }
steps:
  - id: once
    activity: std.fail
    with: { times: 1, code: boom }
)";

constexpr const char* kQuickYaml = R"(name: quick
version: 1
steps:
  - id: a
    activity: std.noop
  - id: b
    activity: std.noop
)";

// The openssl CLI (Subprocess does not search PATH).
std::string OpensslPath() {
  for (const char* p : {"/usr/bin/openssl", "/usr/local/bin/openssl", "/bin/openssl"}) {
    if (std::filesystem::exists(p)) return p;
  }
  return "openssl";
}

size_t AppendBody(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

size_t AppendHeader(char* data, size_t size, size_t count, void* user) {
  std::string line(data, size * count);
  size_t colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ')) value.erase(0, 1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) value.pop_back();
    (*static_cast<std::map<std::string, std::string>*>(user))[name] = value;
  }
  return size * count;
}

std::string TokenLine(const std::string& name, const std::string& token, const std::string& roles) {
  return "    - { name: " + name + ", sha256: " + http::Sha256Hex(token) + ", roles: [" + roles + "] }\n";
}

}  // namespace

Reply Send(const std::string& base_url, const Call& call) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  Reply reply;
  CURL* h = curl_easy_init();
  curl_slist* headers = nullptr;
  std::string url = base_url + call.path;
  if (!call.token.empty()) headers = curl_slist_append(headers, ("Authorization: Bearer " + call.token).c_str());
  if (!call.content_type.empty() && call.method != "GET") {
    headers = curl_slist_append(headers, ("Content-Type: " + call.content_type).c_str());
  } else {
    headers = curl_slist_append(headers, "Content-Type:");
  }
  headers = curl_slist_append(headers, "Expect:");
  for (const auto& [k, v] : call.headers) headers = curl_slist_append(headers, (k + ": " + v).c_str());
  char err[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(call.timeout_ms));
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &AppendBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &reply.body);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &AppendHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &reply.headers);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, err);
  if (!call.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, call.ca_file.c_str());
  if (call.method == "GET") {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, call.method.c_str());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(call.body.size()));
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, call.body.c_str());
  }
  CURLcode rc = curl_easy_perform(h);
  if (rc == CURLE_OK) {
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    reply.status = static_cast<int>(status);
  } else {
    reply.error = std::string(curl_easy_strerror(rc)) + (err[0] ? std::string(": ") + err : "");
  }
  curl_slist_free_all(headers);
  curl_easy_cleanup(h);
  if (reply.headers["content-type"].rfind("application/json", 0) == 0) {
    auto v = Value::FromJson(reply.body, kMaxEnvelopedValueDepth);  // answers wrap accepted values
    if (v.ok()) reply.json = *v;
  }
  return reply;
}

int ConnectionsForRequests(const std::string& base_url, const std::string& path, int count) {
  CURL* h = curl_easy_init();
  std::string url = base_url + path;
  std::string body;
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 10000L);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &AppendBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
  int connections = 0;
  for (int i = 0; i < count; ++i) {
    long status = 0, connects = 0;
    if (curl_easy_perform(h) != CURLE_OK) {
      connections = -1;
      break;
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &connects);
    if (status != 200) {
      connections = -1;
      break;
    }
    connections += static_cast<int>(connects);
  }
  curl_easy_cleanup(h);
  return connections;
}

Reply SeedSandboxCharge(const std::string& sandbox_url, const std::string& charge_id, int64_t amount_minor,
                        const std::string& currency) {
  Call seed = MakeCall("POST", "/sandbox/charges", "",
                       Value(Value::Map{{"id", charge_id}, {"amount", amount_minor}, {"currency", currency}}).ToJson());
  seed.headers.push_back({"Idempotency-Key", "seed-" + charge_id});
  return Send(sandbox_url, seed);
}

TestServer::TestServer(ServerOptions options) {
  std::filesystem::create_directories(dir_.File("workflows"));
  for (const char* name : {"held.yaml", "wait.yaml"}) {
    WriteFile(dir_.File(std::string("workflows/") + name),
              ReadFile(std::string(STEADFAST_HTTP_TEST_WORKFLOWS) + "/" + name));
  }
  WriteFile(dir_.File("workflows/flaky.yaml"), kFlakyYaml);
  WriteFile(dir_.File("workflows/quick.yaml"), kQuickYaml);
  for (const auto& [name, yaml] : options.workflows) WriteFile(dir_.File("workflows/" + name + ".yaml"), yaml);
  db_ = dir_.File("engine.db");
  log_ = dir_.File("serve.log");
  config_ = dir_.File("steadfast.yaml");
  std::string tls;
  if (options.tls) {
    ca_ = dir_.File("cert.pem");
    RunResult made = RunCommand({OpensslPath(), "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                                 dir_.File("key.pem"), "-out", ca_, "-days", "1", "-subj", "/CN=localhost", "-addext",
                                 "subjectAltName=IP:127.0.0.1,DNS:localhost"});
    EXPECT_EQ(made.exit_code, 0) << made.output;
    tls = "  tls: { cert: cert.pem, key: key.pem }\n";
  }
  WriteFile(config_,
            "database: engine.db\n"
            "workflows_dir: workflows\n"
            "workers: " +
                std::to_string(options.workers) +
                "\n"
                "node_name: httptest\n"
                "poll_interval: 50ms\n"
                "http:\n"
                "  listen: 127.0.0.1:0\n"
                "  tokens:\n" +
                TokenLine("ops", kOpsToken, "operator") + TokenLine("rita", kRitaToken, "reviewer") +
                TokenLine("rob", kRobToken, "reviewer") + TokenLine("root", kRootToken, "admin") + tls +
                options.http_extra + options.config_extra);
  env_ = options.env;
  env_.emplace("STEADFAST_LOG_LEVEL", "debug");
  Launch(0);
}

void TestServer::Launch(size_t log_from) {
  process_ = std::make_unique<Subprocess>(std::vector<std::string>{STEADFAST_BIN, "serve", "--config", config_}, env_,
                                          log_);
  const std::regex listening(R"(listening on (https?://127\.0\.0\.1:[0-9]+))");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline && process_->running()) {
    std::smatch m;
    std::string log = ReadFile(log_);
    log = log.size() > log_from ? log.substr(log_from) : std::string();
    if (std::regex_search(log, m, listening)) {
      url_ = m[1];
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    (void)process_->Wait(0);
  }
  ADD_FAILURE() << "steadfast serve did not start listening; log:\n" << ReadFile(log_);
}

void TestServer::Restart(int signal, int down_ms) {
  process_->Kill(signal);
  EXPECT_TRUE(process_->Wait(10000).has_value()) << "serve did not exit after signal " << signal;
  std::this_thread::sleep_for(std::chrono::milliseconds(down_ms));
  Launch(ReadFile(log_).size());
}

TestServer::~TestServer() {
  if (process_ && process_->running()) {
    process_->Kill(SIGTERM);
    if (!process_->Wait(10000)) process_->Kill(SIGKILL);
  }
}

Reply TestServer::Request(Call call) const {
  if (call.ca_file.empty()) call.ca_file = ca_;
  return Send(url_, call);
}

Reply TestServer::Get(const std::string& path, const std::string& token) const {
  Call c;
  c.path = path;
  c.token = token;
  return Request(c);
}

Reply TestServer::Post(const std::string& path, const std::string& token, const std::string& body,
                       std::vector<std::pair<std::string, std::string>> headers) const {
  Call c;
  c.method = "POST";
  c.path = path;
  c.token = token;
  c.body = body;
  c.headers = std::move(headers);
  return Request(c);
}

Value TestServer::WaitForStatus(const std::string& id, const std::string& status, int timeout_ms) const {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  Value last;
  while (std::chrono::steady_clock::now() < deadline) {
    Reply r = Get("/v1/workflows/" + id, kRootToken);
    if (r.status == 200) {
      last = r.json;
      std::string s = last.Get("status").StringOr("");
      if (s == status || s == "completed" || s == "failed" || s == "cancelled" || s == "compensated") return last;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return last;
}

}  // namespace steadfast::testing
