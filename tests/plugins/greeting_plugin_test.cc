// The example plugin as a user runs it: `steadfast serve` loads
// libgreeting.so from its config's `plugins` list and runs
// plugins/example/workflows/greeting.yaml, started and followed over HTTP.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "subprocess.h"
#include "test_server.h"

namespace steadfast {
namespace {

using testing::Reply;
using testing::ServerOptions;
using testing::TempDir;
using testing::TestServer;

const std::string kExampleDir = STEADFAST_EXAMPLE_DIR;

ServerOptions GreetingServer(const std::string& outbox_dir) {
  ServerOptions options;
  options.workflows = {{"greeting", testing::ReadFile(kExampleDir + "/workflows/greeting.yaml")}};
  options.config_extra = "plugins: [" + std::string(STEADFAST_GREETING_PLUGIN) +
                         "]\nplugin_config:\n  greeting:\n    outbox_dir: " + outbox_dir +
                         "\n    greetings: { en: Hello, fr: Bonjour }\n";
  return options;
}

void Start(const TestServer& s, const std::string& id, const Value& input) {
  Reply r = s.Post("/v1/workflows", testing::kOpsToken,
                   Value(Value::Map{{"workflow", "greeting"}, {"id", id}, {"input", input}}).ToJson());
  ASSERT_EQ(r.status, 201) << r.body;
}

Value::List History(const TestServer& s, const std::string& id) {
  Reply r = s.Get("/v1/workflows/" + id + "/history?limit=1000", testing::kOpsToken);
  EXPECT_EQ(r.status, 200) << r.body;
  return r.json.Get("items").is_list() ? r.json.Get("items").AsList() : Value::List{};
}

// The history events of `step` with type `type`.
Value::List Events(const Value::List& history, const std::string& step, const std::string& type) {
  Value::List out;
  for (const Value& e : history) {
    if (e.Get("step").StringOr("") == step && e.Get("type").StringOr("") == type) out.push_back(e);
  }
  return out;
}

TEST(GreetingPlugin, AWorkflowOfThePluginsActivitiesRunsToTheEnd) {
  TempDir outbox;
  TestServer s(GreetingServer(outbox.path()));
  ASSERT_FALSE(s.url().empty()) << s.Log();
  EXPECT_THAT(s.Log(), ::testing::HasSubstr("greeting plugin: delivering to " + outbox.path()));
  Start(s, "greet-ada", Value::Map{{"name", "Ada"}, {"language", "fr"}});
  Value instance = s.WaitForStatus("greet-ada", "completed");
  ASSERT_EQ(instance.Get("status").StringOr(""), "completed") << instance.ToJson() << s.Log();
  EXPECT_EQ(instance.Get("output").Get("message").StringOr(""), "Bonjour, Ada!");
  // The delivery is the file named by the step's idempotency key.
  const std::string file = instance.Get("output").Get("file").StringOr("");
  EXPECT_EQ(file, outbox.File("greet-ada%2Fdeliver.json"));
  auto record = Value::FromJson(testing::ReadFile(file));
  ASSERT_TRUE(record.ok()) << record.status().ToString();
  EXPECT_EQ(record->Get("message").StringOr(""), "Bonjour, Ada!");
  EXPECT_EQ(record->Get("attempt").IntOr(0), 1);
  Value::List history = History(s, "greet-ada");
  EXPECT_EQ(Events(history, "compose", "attempt_succeeded").size(), 1u);
  EXPECT_EQ(Events(history, "deliver", "attempt_succeeded").size(), 1u);
}

TEST(GreetingPlugin, BadInputFailsTheWorkflowWithoutARetry) {
  TempDir outbox;
  TestServer s(GreetingServer(outbox.path()));
  ASSERT_FALSE(s.url().empty()) << s.Log();
  Start(s, "greet-nobody", Value::Map{{"name", "Ada"}, {"language", "tlh"}});
  Value instance = s.WaitForStatus("greet-nobody", "failed");
  ASSERT_EQ(instance.Get("status").StringOr(""), "failed") << instance.ToJson();
  EXPECT_EQ(instance.Get("error").Get("code").StringOr(""), "unknown_language");
  Value::List failed = Events(History(s, "greet-nobody"), "compose", "attempt_failed");
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].Get("data").Get("retryable"), Value(false));
  EXPECT_TRUE(std::filesystem::is_empty(outbox.path()));
}

TEST(GreetingPlugin, AMissingOutboxIsRetriedUntilItAppears) {
  TempDir dir;
  const std::string outbox = dir.File("outbox");  // not created yet
  TestServer s(GreetingServer(outbox));
  ASSERT_FALSE(s.url().empty()) << s.Log();
  Start(s, "greet-later", Value::Map{{"name", "Grace"}});
  // Wait for the first retryable failure, then let the operator "fix" it.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  Value::List failed;
  while (failed.empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    failed = Events(History(s, "greet-later"), "deliver", "attempt_failed");
  }
  ASSERT_FALSE(failed.empty()) << s.Log();
  EXPECT_EQ(failed[0].Get("data").Get("code").StringOr(""), "outbox_unavailable");
  EXPECT_EQ(failed[0].Get("data").Get("retryable"), Value(true));
  std::filesystem::create_directory(outbox);
  Value instance = s.WaitForStatus("greet-later", "completed", 30000);
  ASSERT_EQ(instance.Get("status").StringOr(""), "completed") << instance.ToJson() << s.Log();
  EXPECT_EQ(instance.Get("output").Get("message").StringOr(""), "Hello, Grace!");
  // One delivery, made by the attempt after the failures.
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(outbox)) files.push_back(entry.path().filename());
  EXPECT_THAT(files, ::testing::ElementsAre("greet-later%2Fdeliver.json"));
  auto record = Value::FromJson(testing::ReadFile(outbox + "/greet-later%2Fdeliver.json"));
  ASSERT_TRUE(record.ok());
  EXPECT_GT(record->Get("attempt").IntOr(0), 1);
}

}  // namespace
}  // namespace steadfast
