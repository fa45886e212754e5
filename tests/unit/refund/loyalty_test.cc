// Loyalty points per currency (one per whole major unit, toward zero) and
// refund.adjust_loyalty taking them back for a refunded amount.
#include "refund/loyalty.h"

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

int64_t Points(int64_t minor, const char* currency) {
  Result<int64_t> p = LoyaltyPointsFor(Money{minor, currency});
  EXPECT_TRUE(p.ok()) << p.status().message();
  return p.ok() ? *p : -1;
}

// The same 17850 minor units are 178.50 EUR, 17850 JPY and 17.850 KWD.
TEST(LoyaltyPoints, OnePointPerWholeMajorUnitOfTheCurrency) {
  EXPECT_EQ(Points(17850, "EUR"), 178);
  EXPECT_EQ(Points(17850, "JPY"), 17850);  // exponent 0: a hard-coded /100 gave 178
  EXPECT_EQ(Points(17850, "KWD"), 17);     // exponent 3: a hard-coded /100 gave 178
  EXPECT_EQ(Points(17850, "CLF"), 1);      // exponent 4
}

TEST(LoyaltyPoints, FractionsOfAMajorUnitRoundTowardZero) {
  EXPECT_EQ(Points(99, "EUR"), 0);
  EXPECT_EQ(Points(100, "EUR"), 1);
  EXPECT_EQ(Points(999, "KWD"), 0);
  EXPECT_EQ(Points(-17850, "EUR"), -178);  // symmetric
  EXPECT_EQ(Points(INT64_MAX, "JPY"), INT64_MAX);
  EXPECT_FALSE(LoyaltyPointsFor(Money{100, "XXX"}).ok());
}

class AdjustLoyaltyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "/loyalty_" + std::to_string(::getpid()) + ".db";
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
  ActivityResult Adjust(const std::string& workflow, Value input) {
    ActivityTestRun run;
    run.workflow_id = workflow;
    run.step_id = "loyalty";
    run.input = std::move(input);
    return run.Run(registry_, "refund.adjust_loyalty");
  }
  Value Refunded(const std::string& customer, int64_t minor, const char* currency) {
    return Value::Map{{"customer_id", customer},
                      {"refunded", Value::Map{{"minor", minor}, {"currency", currency}}}};
  }

  std::string path_;
  ::steadfast::testing::RefundTables tables_;  // before registry_: outlives the activities using it
  ActivityRegistry registry_;
};

TEST_F(AdjustLoyaltyTest, TakesBackThePointsOfTheRefundedAmountInItsCurrency) {
  struct Row {
    const char* customer;
    int64_t minor;
    const char* currency;
    int64_t points;
  };
  for (const Row& row : {Row{"eur", 17850, "EUR", -178}, Row{"jpy", 17850, "JPY", -17850},
                         Row{"kwd", 17850, "KWD", -17}}) {
    ActivityResult r = Adjust(std::string("wf-") + row.customer, Refunded(row.customer, row.minor, row.currency));
    ASSERT_TRUE(r.ok()) << row.currency << ": " << r.error().message;
    EXPECT_EQ(r.output().Get("points").IntOr(0), row.points) << row.currency;
    EXPECT_EQ(r.output().Get("balance").IntOr(0), row.points) << row.currency;
  }
  // Explicit points still work, and a retry replays instead of deducting twice.
  ActivityResult grant = Adjust("wf-grant", Value::Map{{"customer_id", "eur"}, {"points", 10}});
  ASSERT_TRUE(grant.ok()) << grant.error().message;
  EXPECT_EQ(grant.output().Get("balance").IntOr(0), -168);
  ActivityResult again = Adjust("wf-eur", Refunded("eur", 17850, "EUR"));
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again.output().Get("replayed").BoolOr(false));
  EXPECT_EQ(again.output().Get("balance").IntOr(0), -168);
}

TEST_F(AdjustLoyaltyTest, BadInputIsNonRetryable) {
  for (const Value& bad :
       {Value(Value::Map{{"customer_id", "c"}}),                                        // neither
        Value(Value::Map{{"customer_id", "c"}, {"points", 1},
                         {"refunded", Value::Map{{"minor", 1}, {"currency", "EUR"}}}}),  // both
        Value(Value::Map{{"customer_id", "c"}, {"refunded", Value::Map{{"minor", 1}, {"currency", "XXX"}}}}),
        Value(Value::Map{{"customer_id", "c"}, {"refunded", Value::Map{{"minor", 1.5}, {"currency", "EUR"}}}}),
        Value(Value::Map{{"customer_id", "c"}, {"refunded", Value::Map{{"minor", -100}, {"currency", "EUR"}}}}),
        Value(Value::Map{{"customer_id", "c"}, {"points", "10"}})}) {
    ActivityResult r = Adjust("wf-bad", bad);
    ASSERT_FALSE(r.ok()) << bad.ToJson();
    EXPECT_EQ(r.error().code, "invalid_input") << bad.ToJson();
    EXPECT_EQ(r.error().kind, ErrorKind::kNonRetryable);
  }
}

}  // namespace
}  // namespace steadfast::refund
