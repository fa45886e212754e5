// Risk scoring from YAML rules, and the receipt wording of notify_customer.
#include <gtest/gtest.h>

#include "refund/activities.h"
#include "refund/risk_rules.h"
#include "yaml_value.h"

namespace steadfast::refund {
namespace {

constexpr char kRules[] = R"(
version: 1
rules:
  - { name: customer_velocity, kind: velocity, per: customer, window: 30d, threshold: 2, score: 0.4 }
  - name: large_refund
    kind: amount_above
    amounts: { EUR: "400.00", JPY: "60000" }
    score: 0.3
  - { name: requester_not_booker, kind: mismatch, fields: [requester, booker], score: 0.5 }
)";

RiskFacts Facts(int64_t minor, const char* currency, Value input = Value::Map{}) {
  RiskFacts f;
  f.amount_minor = minor;
  f.currency = currency;
  f.input = std::move(input);
  return f;
}

TEST(RiskRules, ParsesAndRejectsMistakes) {
  auto rules = RiskRules::Parse(kRules, "risk.yaml");
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  EXPECT_EQ(rules->rules.size(), 3u);
  EXPECT_EQ(rules->rules[0].score_bps, 4000);
  EXPECT_EQ(rules->rules[1].amounts.at("EUR"), 40000);
  EXPECT_FALSE(RiskRules::Parse("rules: [{name: a, kind: velocity, per: ip, window: 1d, score: 0.1}]", "x").ok());
  EXPECT_FALSE(RiskRules::Parse("rules: [{name: a, kind: mismatch, fields: [a, b], score: 1.5}]", "x").ok());
  EXPECT_FALSE(RiskRules::Parse("rules: [{name: a, kind: amount_above, amounts: {EUR: '1.234'}, score: 0.1}]", "x").ok());
  auto typo = RiskRules::Parse("rules: [{name: a, kind: mismatch, fields: [a, b], scroe: 0.1}]", "risk.yaml");
  ASSERT_FALSE(typo.ok());
  EXPECT_NE(typo.status().message().find("risk.yaml:1:"), std::string::npos) << typo.status().message();
}

// Found by the risk_rules fuzzer (tests/fuzz/corpus/risk_rules/regress-score-huge-whole-part):
// std::stoll threw out_of_range through Parse, killing whoever loaded the file.
TEST(RiskRules, AHugeScoreIsAnErrorNotAnException) {
  for (const char* score : {"08888888888888888888888888888888888.4", "99999999999999999999", "922337203685477.5807",
                            "10", "1.0001"}) {
    auto r = RiskRules::Parse(std::string("rules: [{name: a, kind: mismatch, fields: [a, b], score: ") + score + "}]",
                              "risk.yaml");
    ASSERT_FALSE(r.ok()) << score;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << score;
  }
  auto padded = RiskRules::Parse("rules: [{name: a, kind: mismatch, fields: [a, b], score: 00.25}]", "risk.yaml");
  ASSERT_TRUE(padded.ok()) << padded.status().ToString();
  EXPECT_EQ(padded->rules[0].score_bps, 2'500);
}

TEST(RiskRules, NothingFiresForAnOrdinaryRefund) {
  auto rules = *RiskRules::Parse(kRules, "risk.yaml");
  RiskAssessment a = ScoreRisk(rules, Facts(27000, "EUR", Value::Map{{"requester", "g"}, {"booker", "g"}}),
                               {{"customer_velocity", 1}});
  EXPECT_EQ(a.score_bps, 0);
  EXPECT_TRUE(a.reasons.empty());
}

TEST(RiskRules, SignalsAddUpAndCapAtOne) {
  auto rules = *RiskRules::Parse(kRules, "risk.yaml");
  // Velocity at its threshold (2) and an amount above 400.00 EUR: 0.4 + 0.3.
  RiskAssessment a = ScoreRisk(rules, Facts(40001, "EUR"), {{"customer_velocity", 2}});
  EXPECT_EQ(a.score_bps, 7000);
  ASSERT_EQ(a.reasons.size(), 2u);
  EXPECT_EQ(a.reasons[0].Get("rule").StringOr(""), "customer_velocity");
  // Exactly at the amount does not fire; other currencies only by their own threshold.
  EXPECT_EQ(ScoreRisk(rules, Facts(40000, "EUR"), {}).score_bps, 0);
  EXPECT_EQ(ScoreRisk(rules, Facts(40001, "USD"), {}).score_bps, 0);
  EXPECT_EQ(ScoreRisk(rules, Facts(60001, "JPY"), {}).score_bps, 3000);
  // All three: 1.2 capped at 1.
  RiskAssessment all = ScoreRisk(rules, Facts(50000, "EUR", Value::Map{{"requester", "agent-7"}, {"booker", "g-1"}}),
                                 {{"customer_velocity", 5}});
  EXPECT_EQ(all.score_bps, 10000);
  EXPECT_EQ(all.reasons.size(), 3u);
}

TEST(RiskRules, MismatchNeedsBothFields) {
  auto rules = *RiskRules::Parse(kRules, "risk.yaml");
  EXPECT_EQ(ScoreRisk(rules, Facts(100, "EUR", Value::Map{{"booker", "g-1"}}), {}).score_bps, 0);
  EXPECT_EQ(ScoreRisk(rules, Facts(100, "EUR", Value::Map{{"requester", "x"}, {"booker", "g-1"}}), {}).score_bps, 5000);
}

TEST(Receipt, SettledCashRefundGivesTiming) {
  Receipt r = ComposeReceipt(ReceiptFacts{"r-1", 27000, "EUR", "cash", "succeeded", ""});
  EXPECT_FALSE(r.provisional);
  EXPECT_EQ(r.subject, "Your refund of 270.00 EUR for reservation r-1");
  EXPECT_NE(r.body.find("We have refunded 270.00 EUR to your original payment method"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("5-10 business days"), std::string::npos);
  EXPECT_EQ(r.body.find("provisional"), std::string::npos);
}

TEST(Receipt, PendingRefundIsProvisional) {
  Receipt r = ComposeReceipt(ReceiptFacts{"r-1", 1500, "JPY", "cash", "pending", ""});
  EXPECT_TRUE(r.provisional);
  EXPECT_NE(r.subject.find("is being processed"), std::string::npos);
  EXPECT_NE(r.body.find("1500 JPY"), std::string::npos);
  EXPECT_NE(r.body.find("provisional"), std::string::npos);
  EXPECT_EQ(r.body.find("We have refunded"), std::string::npos) << "a pending refund must not claim it is done";
}

TEST(Receipt, VoucherIsImmediateAndSellerNoticeNamesThePayout) {
  Receipt v = ComposeReceipt(ReceiptFacts{"r-1", 74250, "EUR", "voucher", "", ""});
  EXPECT_EQ(v.expected_timing, "immediately");
  EXPECT_NE(v.body.find("voucher worth 742.50 EUR"), std::string::npos);
  ReceiptFacts seller{"m-1", 10515, "EUR", "cash", "succeeded", ""};
  seller.recipient_role = "seller";
  seller.payout_adjustment_minor = -7480;
  Receipt s = ComposeReceipt(seller);
  EXPECT_NE(s.body.find("buyer has been refunded 105.15 EUR"), std::string::npos) << s.body;
  EXPECT_NE(s.body.find("-74.80 EUR"), std::string::npos) << s.body;
}

// The approval threshold is declared in major units per currency and
// compared in that currency's minor units (JPY 0, USD 2, KWD 3 decimals).
// Before, the workflow compared refund_total.minor with 50000 for every
// currency: 50000 JPY (~330 USD) and 50.000 KWD (~160 USD) were held, while
// the same rule meant 500.00 USD for dollars.
TEST(ReviewThreshold, ComparesInEachCurrencysMinorUnits) {
  auto rules = RiskRules::Parse(R"(
review_above: { USD: "500.00", JPY: "75000", KWD: "150.000" }
rules: []
)", "risk.yaml");
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  EXPECT_EQ(rules->review_above.at("USD"), 50000);
  EXPECT_EQ(rules->review_above.at("JPY"), 75000);
  EXPECT_EQ(rules->review_above.at("KWD"), 150000);

  EXPECT_FALSE(DecideReview(*rules, 50000, "USD").required);   // 500.00 USD: at the threshold
  EXPECT_TRUE(DecideReview(*rules, 50001, "USD").required);    // 500.01 USD
  EXPECT_FALSE(DecideReview(*rules, 60000, "JPY").required);   // 60000 JPY: the old rule held it
  EXPECT_TRUE(DecideReview(*rules, 75001, "JPY").required);
  EXPECT_FALSE(DecideReview(*rules, 100000, "KWD").required);  // 100.000 KWD: the old rule held it
  EXPECT_TRUE(DecideReview(*rules, 150001, "KWD").required);   // 150.001 KWD
  ReviewDecision held = DecideReview(*rules, 200000, "KWD");
  EXPECT_EQ(held.threshold_minor.value_or(0), 150000);
  EXPECT_NE(held.reason.find("200.000 KWD is above the review threshold 150.000 KWD"), std::string::npos)
      << held.reason;
  // A currency without a threshold is held rather than guessed.
  ReviewDecision unknown = DecideReview(*rules, 1, "EUR");
  EXPECT_TRUE(unknown.required);
  EXPECT_FALSE(unknown.threshold_minor.has_value());
  // Without review_above nothing is held for its amount.
  EXPECT_FALSE(DecideReview(RiskRules{}, 1'000'000'000, "EUR").required);
}

TEST(ReviewThreshold, RefusesAmountsWithTooManyDecimals) {
  // 1.5 JPY does not exist; 150.0001 KWD has one decimal too many.
  EXPECT_FALSE(RiskRules::Parse("review_above: { JPY: '1.5' }\nrules: []", "x").ok());
  EXPECT_FALSE(RiskRules::Parse("review_above: { KWD: '150.0001' }\nrules: []", "x").ok());
  EXPECT_FALSE(RiskRules::Parse("review_above: [EUR]\nrules: []", "x").ok());
}

TEST(ReviewThreshold, ShippedRulesHoldAboutTheSameValueInEveryCurrency) {
  auto rules = RiskRules::Load(testing::SourcePath("config/risk_rules.yaml"));
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  EXPECT_TRUE(DecideReview(*rules, 78500, "EUR").required);     // the held example, 785.00 EUR
  EXPECT_FALSE(DecideReview(*rules, 27000, "EUR").required);    // 270.00 EUR runs straight through
  EXPECT_FALSE(DecideReview(*rules, 60000, "JPY").required);
  EXPECT_TRUE(DecideReview(*rules, 80000, "JPY").required);
  EXPECT_FALSE(DecideReview(*rules, 60000, "KWD").required);    // 60.000 KWD
  EXPECT_TRUE(DecideReview(*rules, 160000, "KWD").required);    // 160.000 KWD
  EXPECT_FALSE(DecideReview(*rules, 55000, "USD").required);
  EXPECT_TRUE(DecideReview(*rules, 55001, "USD").required);
}

}  // namespace
}  // namespace steadfast::refund
