// plugins/example/greeting_test.cc: the greeting activities tested alone with steadfast/testing.h.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "greeting_activities.h"
#include "steadfast/testing.h"

namespace {

using steadfast::ActivityResult;
using steadfast::ActivityTestRun;
using steadfast::ErrorKind;
using steadfast::Value;

class GreetingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/greeting_test_XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    outbox_ = dir;
    config_.greetings = {{"en", "Hello"}, {"fr", "Bonjour"}};
    config_.outbox_dir = outbox_;
    ASSERT_TRUE(greeting::RegisterGreetingActivities(registry_, config_).ok());
  }
  void TearDown() override { std::filesystem::remove_all(outbox_); }

  std::string outbox_;
  greeting::GreetingConfig config_;
  steadfast::ActivityRegistry registry_;
};

TEST_F(GreetingTest, ComposesInTheRequestedLanguage) {
  ActivityTestRun run;
  run.input = Value::Map{{"name", "Ada"}, {"language", "fr"}};
  ActivityResult r = run.Run(registry_, "greeting.compose");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.output().Get("message").StringOr(""), "Bonjour, Ada!");
}

TEST_F(GreetingTest, AMissingNameIsNotRetried) {
  ActivityTestRun run;
  run.input = Value::Map{{"language", "en"}};
  ActivityResult r = run.Run(registry_, "greeting.compose");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "invalid_name");
  EXPECT_EQ(r.error().kind, ErrorKind::kNonRetryable);
}

TEST_F(GreetingTest, AMissingOutboxIsRetried) {
  std::filesystem::remove_all(outbox_);
  ActivityTestRun run;
  run.input = Value::Map{{"to", "Ada"}, {"message", "Hello, Ada!"}};
  ActivityResult r = run.Run(registry_, "greeting.deliver");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "outbox_unavailable");
  EXPECT_EQ(r.error().kind, ErrorKind::kRetryable);
}

TEST_F(GreetingTest, ALaterAttemptReturnsTheFirstDelivery) {
  ActivityTestRun run;  // the same workflow and step, so the same idempotency key
  run.input = Value::Map{{"to", "Ada"}, {"message", "Hello, Ada!"}};
  ActivityResult first = run.Run(registry_, "greeting.deliver");
  ASSERT_TRUE(first.ok()) << first.error().message;
  run.attempt = 2;
  ActivityResult again = run.Run(registry_, "greeting.deliver");
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_TRUE(again.output().Get("replayed").BoolOr(false));
  EXPECT_EQ(again.output().Get("delivered_attempt").IntOr(0), 1);
  EXPECT_EQ(again.output().Get("file"), first.output().Get("file"));
}

TEST(GreetingConfigTest, AnOutboxIsRequired) {
  steadfast::PluginContext ctx;
  ctx.config = Value::Map{{"greetings", Value::Map{{"en", "Hi"}}}};
  steadfast::Result<greeting::GreetingConfig> config = greeting::GreetingConfigFrom(ctx);
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("outbox_dir"), std::string::npos);
}

}  // namespace
