// ServeProcess: a real `steadfast serve` child process for the
// observability integration tests (metrics scrape, traces), on port 0 with
// two bearer tokens, stopped with SIGTERM when the test ends.
#ifndef STEADFAST_TESTS_INTEGRATION_OBSERVABILITY_SERVE_PROCESS_H_
#define STEADFAST_TESTS_INTEGRATION_OBSERVABILITY_SERVE_PROCESS_H_

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <regex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "http/token_store.h"
#include "subprocess.h"
#include "test_server.h"

namespace steadfast::testing {

inline constexpr const char* kOps = "obs-ops-token-1";        // operator
inline constexpr const char* kReviewer = "obs-rita-token-2";  // reviewer

// Config lines for the shipped refund workflows and plugin against a
// sandbox at `psp` (PSP, inventory and notifications).
inline std::string RefundConfig(const std::string& source_root, const std::string& psp) {
  return "workflows_dir: " + source_root + "/workflows\n" +
         "plugin_config:\n  refund:\n"
         "    policies: " + source_root + "/config/refund_policies.yaml\n"
         "    risk_rules: " + source_root + "/config/risk_rules.yaml\n"
         "    psp: { base_url: \"" + psp + "\", timeout: 10s, settle_wait: 2s }\n"
         "    inventory_url: \"" + psp + "\"\n    notification_url: \"" + psp + "\"\n";
}

class ServeProcess {
 public:
  // Writes `workflows` (name -> YAML) to a workflows directory, a config
  // with the two tokens plus `extra_config` (later keys win), and starts
  // `steadfast serve` with `env`.
  explicit ServeProcess(const std::vector<std::pair<std::string, std::string>>& workflows,
                        const std::string& extra_config = "", std::map<std::string, std::string> env = {}) {
    std::filesystem::create_directories(dir_.File("workflows"));
    for (const auto& [name, yaml] : workflows) testing::WriteFile(dir_.File("workflows/" + name + ".yaml"), yaml);
    config_ = dir_.File("steadfast.yaml");
    testing::WriteFile(config_, "database: engine.db\nworkflows_dir: workflows\nworkers: 2\nnode_name: obstest\n"
                                "poll_interval: 50ms\nhttp:\n  listen: 127.0.0.1:0\n  tokens:\n"
                                "    - { name: ops, sha256: " + http::Sha256Hex(kOps) + ", roles: [operator] }\n"
                                "    - { name: rita, sha256: " + http::Sha256Hex(kReviewer) + ", roles: [reviewer] }\n" +
                                    extra_config);
    process_ = std::make_unique<Subprocess>(std::vector<std::string>{STEADFAST_BIN, "serve", "--config", config_}, env,
                                            dir_.File("serve.log"));
    const std::regex listening("listening on (http://[0-9.]+:[0-9]+)");
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      std::smatch m;
      std::string log = Log();
      if (std::regex_search(log, m, listening)) {
        url_ = m[1];
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "serve did not start:\n" << Log();
  }
  ~ServeProcess() {
    if (process_ && process_->running()) {
      process_->Kill(SIGTERM);
      if (!process_->Wait(10000)) process_->Kill(SIGKILL);
    }
  }

  std::string Log() const { return testing::ReadFile(dir_.File("serve.log")); }
  const std::string& url() const { return url_; }
  const TempDir& dir() const { return dir_; }

  Reply Post(const std::string& path, const std::string& token, const Value& body) const {
    return Send(url_, testing::MakeCall("POST", path, token, body.ToJson()));
  }
  std::string Start(const std::string& workflow, const std::string& id, const Value& input) const {
    Reply r = Post("/v1/workflows", kOps, Value::Map{{"workflow", workflow}, {"id", id}, {"input", input}});
    EXPECT_EQ(r.status, 201) << r.body;
    return id;
  }
  // Polls until the instance has `status`; returns false on timeout.
  bool WaitFor(const std::string& id, const std::string& status, int timeout_ms = 20000) const {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    std::string last;
    while (std::chrono::steady_clock::now() < deadline) {
      Reply r = Send(url_, testing::MakeCall("GET", "/v1/workflows/" + id, kOps, ""));
      last = r.json.Get("status").StringOr("");
      if (last == status) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(30));
    }
    ADD_FAILURE() << id << " stayed " << last << ", expected " << status << "\n" << Log();
    return false;
  }
  std::string Scrape() const {
    Reply r = Send(url_, testing::MakeCall("GET", "/metrics", "", ""));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
    return r.body;
  }

 private:
  TempDir dir_;
  std::string config_, url_;
  std::unique_ptr<Subprocess> process_;
};

}  // namespace steadfast::testing

#endif  // STEADFAST_TESTS_INTEGRATION_OBSERVABILITY_SERVE_PROCESS_H_
