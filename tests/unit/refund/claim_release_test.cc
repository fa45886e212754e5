// The duplicate-request claim of refund.check_eligibility and its release by
// refund.release_claim (the eligibility step's compensation), through the
// registered activities on a real SQLite file.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "refund/plugin.h"
#include "steadfast/registry.h"
#include "test_host.h"
#include "steadfast/testing.h"
#include "yaml_value.h"
#include "refund_tables.h"

namespace steadfast::refund {
namespace {

class ClaimTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "/claims_" + std::to_string(::getpid()) + ".db";
    std::filesystem::remove(path_);
    RefundPluginConfig config;
    config.policies_path = testing::SourcePath("config/refund_policies.yaml");
    auto tables = ::steadfast::testing::OpenRefundTables(path_);
    ASSERT_TRUE(tables.ok()) << tables.status().ToString();
    tables_ = std::move(tables).value();
    ASSERT_TRUE(RegisterRefundActivities(registry_, config, TestHost(&tables_.storage())).ok());
  }
  void TearDown() override {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix);
  }
  Value EligibilityInput() const {
    return *Value::FromJson(R"({"reservation": {
        "id": "r-7", "status": "confirmed", "paid": true, "currency": "EUR",
        "start_at": "2030-12-18T15:00:00+01:00", "lines": {"rental": 20000}},
      "request": {"kind": "cancellation"}})");
  }
  ActivityResult Run(const std::string& workflow, const std::string& step, const std::string& activity, Value input) {
    ActivityTestRun run;
    run.workflow_id = workflow;
    run.step_id = step;
    run.input = std::move(input);
    return run.Run(registry_, activity);
  }
  ActivityResult Eligibility(const std::string& workflow) {
    return Run(workflow, "eligibility", "refund.check_eligibility", EligibilityInput());
  }

  std::string path_;
  ::steadfast::testing::RefundTables tables_;  // before registry_: outlives the activities using it
  ActivityRegistry registry_;
};

TEST_F(ClaimTest, RetryAfterACompensatedWorkflowIsAccepted) {
  ActivityResult first = Eligibility("wf-a");
  ASSERT_TRUE(first.ok()) << first.error().message;
  ASSERT_TRUE(first.output().Get("eligible").BoolOr(false));

  // While wf-a owns the request, a second request is a duplicate.
  ActivityResult dup = Eligibility("wf-b");
  ASSERT_TRUE(dup.ok());
  EXPECT_EQ(dup.output().Get("reason").StringOr(""), "duplicate_request");
  EXPECT_EQ(dup.output().Get("existing_workflow").StringOr(""), "wf-a");

  // Another workflow cannot release wf-a's claim.
  ActivityResult stranger = Run("wf-b", "eligibility/compensate", "refund.release_claim",
                                Value::Map{{"reservation_id", "r-7"}, {"kind", "cancellation"}});
  ASSERT_TRUE(stranger.ok());
  EXPECT_FALSE(stranger.output().Get("released").BoolOr(true));
  EXPECT_EQ(Eligibility("wf-b").output().Get("reason").StringOr(""), "duplicate_request");

  // wf-a fails and compensates: the engine's default compensation input is
  // {input, output} of the eligibility step.
  Value comp = Value::Map{{"input", EligibilityInput()}, {"output", first.output()}};
  ActivityResult released = Run("wf-a", "eligibility/compensate", "refund.release_claim", comp);
  ASSERT_TRUE(released.ok()) << released.error().message;
  EXPECT_TRUE(released.output().Get("released").BoolOr(false));
  // Repeating the compensation is a no-op.
  ActivityResult again = Run("wf-a", "eligibility/compensate", "refund.release_claim", comp);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again.output().Get("released").BoolOr(true));

  // The guest's retry is now accepted, and owns the request.
  ActivityResult retry = Eligibility("wf-b");
  ASSERT_TRUE(retry.ok());
  EXPECT_TRUE(retry.output().Get("eligible").BoolOr(false)) << retry.output().ToJson();
  EXPECT_EQ(Eligibility("wf-c").output().Get("reason").StringOr(""), "duplicate_request");
}

TEST_F(ClaimTest, ReleaseNeedsToKnowWhichRequest) {
  ActivityResult r = Run("wf-a", "eligibility/compensate", "refund.release_claim", Value::Map{});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "invalid_input");
}

}  // namespace
}  // namespace steadfast::refund
