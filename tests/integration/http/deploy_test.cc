// Deploying a workflow version to a running `steadfast serve` (POST
// /v1/definitions, `steadfast deploy`): registered at once without a
// restart, idempotent for identical content, 409 for other content under
// the same version, 422 with file:line:col for problems, operators only,
// and kept in the store for every later process.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_server.h"

namespace steadfast::testing {
namespace {

using ::testing::HasSubstr;

constexpr const char* kQuickV2 = R"(name: quick
version: 2
steps:
  - id: first
    activity: std.noop
  - id: second
    activity: std.noop
)";

std::string Body(const std::string& source, const std::string& file) {
  return Value(Value::Map{{"source", source}, {"file", file}}).ToJson();
}

TEST(DeployTest, ANewVersionRunsAtOnceAndIsKeptForTheNextProcess) {
  TestServer server;
  Reply deployed = server.Post("/v1/definitions", kOpsToken, Body(kQuickV2, "quick_v2.yaml"));
  ASSERT_EQ(deployed.status, 201) << deployed.body;
  EXPECT_EQ(deployed.json.Get("name").StringOr(""), "quick");
  EXPECT_EQ(deployed.json.Get("version").IntOr(0), 2);
  EXPECT_EQ(deployed.json.Get("deployed_by").StringOr(""), "ops");
  EXPECT_TRUE(deployed.json.Get("created").BoolOr(false));

  // Started at once, without a restart; the newest version by default.
  Reply started = server.Post("/v1/workflows", kOpsToken, R"({"workflow": "quick"})");
  ASSERT_EQ(started.status, 201) << started.body;
  EXPECT_EQ(started.json.Get("version").IntOr(0), 2);
  std::string id = started.json.Get("id").StringOr("");
  EXPECT_TRUE(server.WaitUntil(id, "completed"));

  // The same content again changes nothing.
  Reply again = server.Post("/v1/definitions", kRootToken, Body(kQuickV2, "elsewhere.yaml"));
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_FALSE(again.json.Get("created").BoolOr(true));
  EXPECT_EQ(again.json.Get("deployed_by").StringOr(""), "ops");  // the first deploy's
  EXPECT_EQ(again.json.Get("hash").StringOr(""), deployed.json.Get("hash").StringOr(""));

  // Other content under the same version, deployed or from the directory, is refused.
  std::string changed = std::string(kQuickV2) + "  - id: third\n    activity: std.noop\n";
  Reply conflict = server.Post("/v1/definitions", kOpsToken, Body(changed, "quick_v2.yaml"));
  EXPECT_EQ(conflict.status, 409) << conflict.body;
  EXPECT_EQ(conflict.code(), "conflict");
  EXPECT_THAT(conflict.message(), HasSubstr("already registered with other content (from deployed quick@v2 (by ops at "));
  Reply directory = server.Post("/v1/definitions", kOpsToken,
                                Body("name: quick\nversion: 1\nsteps:\n  - id: other\n    activity: std.noop\n", "q.yaml"));
  EXPECT_EQ(directory.status, 409) << directory.body;
  EXPECT_THAT(directory.message(), HasSubstr("already registered with other content"));

  // Reviewers read; they do not deploy.
  Reply reviewer = server.Post("/v1/definitions", kRitaToken, Body(kQuickV2, "quick_v2.yaml"));
  EXPECT_EQ(reviewer.status, 403) << reviewer.body;

  // Stopped, the deployed version is still there for the next process.
  server.process().Kill(SIGTERM);
  ASSERT_TRUE(server.process().Wait(15000).has_value());
  RunResult local = RunCommand({STEADFAST_BIN, "start", "quick", "--version", "2", "--db", server.database(),
                                "--config", server.config(), "--json"});
  ASSERT_EQ(local.exit_code, 0) << local.output;
  EXPECT_THAT(local.output, HasSubstr("\"version\": 2"));
}

TEST(DeployTest, ADefinitionWithProblemsIsRefusedWholeWithFileLineColumn) {
  TestServer server;
  Reply bad = server.Post("/v1/definitions", kOpsToken,
                          Body("name: broken\nversion: 1\nsteps:\n  - id: a\n    activity: std.nope\n", "wf/broken.yaml"));
  ASSERT_EQ(bad.status, 422) << bad.body;
  EXPECT_EQ(bad.code(), "invalid_definition");
  const Value& problem = bad.json.Get("error").Get("problems").AsList().at(0);
  EXPECT_EQ(problem.Get("file").StringOr(""), "wf/broken.yaml");
  EXPECT_EQ(problem.Get("line").IntOr(0), 5);
  EXPECT_EQ(problem.Get("column").IntOr(0), 15);
  EXPECT_THAT(problem.Get("text").StringOr(""), HasSubstr("wf/broken.yaml:5:15: unknown activity 'std.nope'"));
  // Nothing was registered.
  EXPECT_EQ(server.Post("/v1/workflows", kOpsToken, R"({"workflow": "broken"})").status, 404);
  EXPECT_EQ(server.Post("/v1/definitions", kOpsToken, R"({"file": "x.yaml"})").status, 400);
}

TEST(DeployTest, TheCliDeploysPrintsProblemsAndExitsAsDocumented) {
  TestServer server;
  TempDir dir;
  WriteFile(dir.File("quick_v2.yaml"), kQuickV2);
  WriteFile(dir.File("broken.yaml"), "name: broken\nsteps:\n  - id: a\n    activity: std.nope\n");
  std::map<std::string, std::string> env = {{"STEADFAST_TOKEN", kOpsToken}};
  RunResult ok = RunCommand({STEADFAST_BIN, "deploy", dir.File("quick_v2.yaml"), "--server", server.url()}, env);
  ASSERT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_THAT(ok.output, HasSubstr("quick v2 deployed"));
  RunResult same = RunCommand({STEADFAST_BIN, "deploy", dir.File("quick_v2.yaml"), "--server", server.url()}, env);
  EXPECT_EQ(same.exit_code, 0) << same.output;
  EXPECT_THAT(same.output, HasSubstr("quick v2 already deployed, identical (by ops"));
  RunResult bad = RunCommand({STEADFAST_BIN, "deploy", dir.File("broken.yaml"), "--server", server.url()}, env);
  EXPECT_EQ(bad.exit_code, 1) << bad.output;
  EXPECT_THAT(bad.output, HasSubstr(dir.File("broken.yaml") + ":4:15: unknown activity 'std.nope'"));
  RunResult local = RunCommand({STEADFAST_BIN, "deploy", dir.File("quick_v2.yaml")}, env);
  EXPECT_EQ(local.exit_code, 2) << local.output;
  EXPECT_THAT(local.output, HasSubstr("deploy needs --server URL"));
}

}  // namespace
}  // namespace steadfast::testing
