// `steadfast serve --dev` as a user starts it (README, docs/cli.md): it
// listens on loopback with a throwaway database and prints tokens that work
// at once, each for its role; it refuses a non-loopback address; and a
// plain `serve` refuses a workflow with problems, naming file:line:col.
#include <chrono>
#include <filesystem>
#include <regex>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "subprocess.h"
#include "test_server.h"

namespace steadfast::testing {
namespace {

using ::testing::HasSubstr;

class DevServer : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir_.File("workflows"));
    WriteFile(dir_.File("workflows/held.yaml"), ReadFile(std::string(STEADFAST_HTTP_TEST_WORKFLOWS) + "/held.yaml"));
    log_ = dir_.File("serve.log");
  }

  // Starts `steadfast serve --dev ARGS` in dir_ (no engine config there) and
  // waits for the banner.
  void Start(std::vector<std::string> args) {
    std::vector<std::string> argv = {"/bin/sh", "-c",
                                     "cd '" + dir_.path() + "' && exec '" STEADFAST_BIN "' serve --dev --workflows "
                                     "workflows --listen 127.0.0.1:0 \"$@\"",
                                     "sh"};
    argv.insert(argv.end(), args.begin(), args.end());
    // TMPDIR inside the test's directory: the throwaway database can be found and checked.
    process_ = std::make_unique<Subprocess>(argv, std::map<std::string, std::string>{{"TMPDIR", dir_.path()}}, log_);
    const std::regex banner(R"(Console:   (http://127\.0\.0\.1:[0-9]+)/ui/)");
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline && process_->running()) {
      std::smatch m;
      std::string log = ReadFile(log_);
      if (std::regex_search(log, m, banner) && log.find("  Try, in another terminal:") != std::string::npos) {
        url_ = m[1];
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      (void)process_->Wait(0);
    }
    FAIL() << "serve --dev printed no banner; log:\n" << ReadFile(log_);
  }

  // The token printed for `role`.
  std::string TokenOf(const std::string& role) {
    std::smatch m;
    std::string log = ReadFile(log_);
    std::regex line("\n    " + role + R"( +dev-[a-z]+ +(sfdev_[a-z]_[0-9a-f]{64}) )");
    return std::regex_search(log, m, line) ? std::string(m[1]) : "";
  }

  int Stop() {
    process_->Kill(SIGTERM);
    std::optional<int> code = process_->Wait(15000);
    return code ? *code : -1;
  }

  TempDir dir_;
  std::string log_, url_;
  std::unique_ptr<Subprocess> process_;
};

TEST_F(DevServer, PrintsTokensThatWorkForTheirRolesOnAThrowawayDatabase) {
  Start({});
  std::string ops = TokenOf("operator"), reviewer = TokenOf("reviewer"), admin = TokenOf("admin");
  ASSERT_FALSE(ops.empty()) << ReadFile(log_);
  ASSERT_FALSE(reviewer.empty());
  ASSERT_FALSE(admin.empty());
  EXPECT_NE(ops, reviewer);
  // The tokens are in the banner only (the operator's twice: listed, and in
  // the export line), never in a log line.
  std::string log = ReadFile(log_);
  auto count = [&log](const std::string& what) {
    int n = 0;
    for (size_t at = log.find(what); at != std::string::npos; at = log.find(what, at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count(ops), 2);
  EXPECT_EQ(count(reviewer), 1);
  EXPECT_EQ(count(admin), 1);
  EXPECT_THAT(log, HasSubstr("held@v1"));

  Reply started = Send(url_, MakeCall("POST", "/v1/workflows", ops, R"({"workflow": "held", "input": {"amount": 500}})"));
  ASSERT_EQ(started.status, 201) << started.body;
  std::string id = started.json.Get("id").StringOr("");
  // The operator may not decide; the reviewer, another principal, may.
  Reply refused = Send(url_, MakeCall("POST", "/v1/workflows/" + id + "/approvals/review", ops, R"({"decision": "approve"})"));
  EXPECT_EQ(refused.status, 403) << refused.body;
  Reply listed = Send(url_, MakeCall("GET", "/v1/workflows", admin, ""));
  EXPECT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(Send(url_, MakeCall("GET", "/v1/workflows", "sfdev_o_guess", "")).status, 401);
  EXPECT_EQ(Send(url_, MakeCall("GET", "/ui/", "", "")).status, 200);

  // The database lives in a steadfast-dev-* directory until the server stops.
  std::smatch m;
  ASSERT_TRUE(std::regex_search(log, m, std::regex(R"(Database:  (\S+steadfast-dev-\S+/steadfast\.db))")));
  std::string db = m[1];
  EXPECT_TRUE(std::filesystem::exists(db));
  EXPECT_EQ(Stop(), 0);
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::path(db).parent_path()));
}

TEST_F(DevServer, KeepsTheDatabaseGivenWithDb) {
  Start({"--db", "kept.db"});
  EXPECT_THAT(ReadFile(log_), HasSubstr("Database:  kept.db\n"));
  EXPECT_EQ(Stop(), 0);
  EXPECT_TRUE(std::filesystem::exists(dir_.File("kept.db")));
}

TEST_F(DevServer, RefusesAnAddressThatIsNotLoopback) {
  RunResult r = RunCommand({STEADFAST_BIN, "serve", "--dev", "--listen", "0.0.0.0:0", "--workflows", dir_.File("workflows"),
                            "--db", dir_.File("x.db")});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_THAT(r.output, HasSubstr("loopback only"));
  EXPECT_THAT(r.output, HasSubstr("'0.0.0.0:0' is not loopback"));
  EXPECT_THAT(r.output, ::testing::Not(HasSubstr("sfdev_")));
}

TEST_F(DevServer, ServeRefusesAWorkflowWithProblemsNamingFileLineColumn) {
  WriteFile(dir_.File("workflows/broken.yaml"), "name: broken\nsteps:\n  - id: a\n    activity: std.nope\n");
  RunResult r = RunCommand({"/bin/sh", "-c", "cd '" + dir_.path() + "' && exec '" STEADFAST_BIN
                                             "' serve --workflows workflows --db x.db --listen 127.0.0.1:0"});
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_THAT(r.output, HasSubstr("workflows/broken.yaml:4:15: unknown activity 'std.nope'"));
  EXPECT_THAT(r.output, ::testing::Not(HasSubstr("listening on")));
}

// `steadfast token`: the entry it prints lets a server accept the token.
TEST(TokenVerb, ItsEntryLetsTheServerAcceptTheToken) {
  RunResult made = RunCommand({STEADFAST_BIN, "token", "carol", "--role", "operator,reviewer", "--json"});
  ASSERT_EQ(made.exit_code, 0) << made.output;
  Result<Value> out = Value::FromJson(made.output);
  ASSERT_TRUE(out.ok()) << made.output;
  std::string token = out->Get("token").StringOr("");
  EXPECT_EQ(token.rfind("sf_", 0), 0u);
  EXPECT_EQ(out->Get("tokens_entry").StringOr("").find(token), std::string::npos);  // only its hash
  ServerOptions options;
  options.env["STEADFAST_HTTP_TOKENS"] = out->Get("tokens_entry").StringOr("");
  TestServer server(options);
  EXPECT_EQ(server.Get("/v1/workflows", token).status, 200);
  Reply started = server.Post("/v1/workflows", token, R"({"workflow": "held", "input": {"amount": 5}})");
  EXPECT_EQ(started.status, 201) << started.body;
  EXPECT_EQ(started.json.Get("started_by").StringOr(""), "carol");
}

}  // namespace
}  // namespace steadfast::testing
