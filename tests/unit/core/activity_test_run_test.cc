// steadfast/testing.h: running one activity alone, as plugin authors do.
#include "steadfast/testing.h"

#include <gtest/gtest.h>

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
}  // namespace steadfast
