// steadfast/testing.h: running one activity alone, as plugin authors do.
#include "steadfast/testing.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "builtin/std_activities.h"

namespace steadfast {
namespace {

TEST(ActivityTestRunTest, RunsARegisteredActivityWithItsContext) {
  ActivityRegistry registry;
  ASSERT_TRUE(RegisterStdActivities(registry).ok());
  ActivityTestRun run;
  run.input = Value::Map{{"times", 2}, {"code", "psp_unavailable"}};
  run.attempt = 2;
  ActivityResult failing = run.Run(registry, "std.fail");
  ASSERT_FALSE(failing.ok());
  EXPECT_EQ(failing.error().code, "psp_unavailable");
  EXPECT_EQ(failing.error().kind, ErrorKind::kRetryable);
  run.attempt = 3;
  ActivityResult ok = run.Run(registry, "std.fail");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok.output().Get("attempts").IntOr(0), 3);
  EXPECT_EQ(run.Run(registry, "nope.missing").error().code, "unknown_activity");
}

TEST(ActivityTestRunTest, PassesKeyAndConvertsExceptions) {
  ActivityRegistry registry;
  ASSERT_TRUE(registry.Register("t.key", [](ActivityContext& c) -> ActivityResult {
                        return Value(Value::Map{{"key", c.idempotency_key()}, {"left", c.remaining_ms()}});
                      }).ok());
  ASSERT_TRUE(registry.Register("t.throw", [](ActivityContext&) -> ActivityResult {
                        throw std::runtime_error("boom");
                      }).ok());
  ActivityTestRun run;
  run.workflow_id = "wf-1";
  run.step_id = "psp";
  run.timeout_ms = 5000;
  ActivityResult r = run.Run(registry, "t.key");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.output().Get("key").StringOr(""), "wf-1/psp");
  EXPECT_EQ(r.output().Get("left").IntOr(0), 5000);
  ActivityResult thrown = run.Run(registry, "t.throw");
  ASSERT_FALSE(thrown.ok());
  EXPECT_EQ(thrown.error().code, "uncaught_exception");
}

}  // namespace
// What a plugin author's test of a stateful activity does: real tables from
// OpenTestPluginStorage, the activity's AtCheckpoint write applied after it
// ran, and a failing write turning the result into checkpoint_write_failed.
TEST(ActivityTestRunTest, CheckpointWritesLandInRealPluginTables) {
  const std::string path =
      (std::filesystem::temp_directory_path() / ("activity_test_run_" + std::to_string(::getpid()) + ".db")).string();
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  PluginSchema schema;
  schema.plugin = "notes";
  schema.migrations.push_back({1, "notes", "CREATE TABLE notes_items (key TEXT PRIMARY KEY, body TEXT NOT NULL)"});
  Result<std::unique_ptr<PluginStorage>> storage = OpenTestPluginStorage(path, {schema});
  ASSERT_TRUE(storage.ok()) << storage.status().ToString();

  ActivityRegistry registry;
  ASSERT_TRUE(registry
                  .Register("notes.add",
                            [](ActivityContext& c) -> ActivityResult {
                              std::string key = c.idempotency_key();
                              std::string body = c.input().Get("body").StringOr("");
                              c.AtCheckpoint([key, body](PluginTransaction& tx) -> Status {
                                return tx.Execute("INSERT INTO notes_items (key, body) VALUES (?, ?)", {key, body})
                                    .status();
                              });
                              return Value(Value::Map{{"note", key}});
                            })
                  .ok());
  ActivityTestRun run;
  run.storage = storage->get();
  run.input = Value::Map{{"body", "hello"}};
  ASSERT_TRUE(run.Run(registry, "notes.add").ok());
  Result<std::vector<Row>> rows = (*storage)->Query("SELECT key, body FROM notes_items");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0][0], Value("wf-test/step"));
  EXPECT_EQ((*rows)[0][1], Value("hello"));

  // The same key again violates the primary key: the write is refused and
  // the attempt reported as the engine would report it.
  ActivityResult again = run.Run(registry, "notes.add");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, "checkpoint_write_failed");

  schema.migrations.clear();
  EXPECT_EQ(OpenTestPluginStorage(path + ".other", {schema}).status().code(), StatusCode::kInvalidArgument);
  storage->reset();
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
}

}  // namespace steadfast
