// Policy diff: each cancellation priced under the old and the new policy
// file; counts, per-currency totals (never mixed) and the largest changes.
#include "refund/policy_diff.h"

#include <gtest/gtest.h>

namespace steadfast::refund {
namespace {

constexpr char kOld[] = R"(
default: moderate
policies:
  - name: moderate
    version: 1
    windows:
      - { name: full, min_notice: 7d, refund_percent: 100, service_fee_refundable: true, charge_cancellation_fee: false }
      - { name: half, min_notice: 24h, refund_percent: 50, charge_cancellation_fee: false }
  - name: strict
    version: 1
    windows:
      - { name: full, min_notice: 14d, refund_percent: 100, charge_cancellation_fee: false }
)";

// moderate@2 halves the 24-hour window; moderate@1 stays for old bookings;
// strict is gone.
constexpr char kNew[] = R"(
default: moderate
policies:
  - name: moderate
    version: 1
    windows:
      - { name: full, min_notice: 7d, refund_percent: 100, service_fee_refundable: true, charge_cancellation_fee: false }
      - { name: half, min_notice: 24h, refund_percent: 50, charge_cancellation_fee: false }
  - name: moderate
    version: 2
    windows:
      - { name: full, min_notice: 7d, refund_percent: 100, service_fee_refundable: true, charge_cancellation_fee: false }
      - { name: quarter, min_notice: 24h, refund_percent: 25, charge_cancellation_fee: false }
)";

std::string Line(const std::string& id, const std::string& currency, int64_t rental, const std::string& cancel_at,
                 const std::string& policy = "") {
  std::string line = R"({"reservation": {"id": ")" + id + R"(", "currency": ")" + currency +
                     R"(", "start_at": "2026-06-15T15:00:00+02:00", "lines": {"rental": )" + std::to_string(rental) +
                     R"(}}, "cancel_at": ")" + cancel_at + "\"";
  if (!policy.empty()) line += R"(, "policy": ")" + policy + "\"";
  return line + "}\n";
}

constexpr char kThreeDaysBefore[] = "2026-06-12T15:00:00+02:00";
constexpr char kTenDaysBefore[] = "2026-06-05T15:00:00+02:00";

class PolicyDiffTest : public ::testing::Test {
 protected:
  void SetUp() override {
    old_ = std::make_unique<PolicySet>(std::move(PolicySet::Parse(kOld, "old.yaml").value()));
    new_ = std::make_unique<PolicySet>(std::move(PolicySet::Parse(kNew, "new.yaml").value()));
  }
  std::unique_ptr<PolicySet> old_, new_;
};

TEST_F(PolicyDiffTest, CountsTotalsPerCurrencyAndRanksTheLargestChanges) {
  std::string jsonl = Line("r-1", "EUR", 10000, kThreeDaysBefore) +   // 50.00 -> 25.00
                      Line("r-2", "EUR", 40000, kThreeDaysBefore) +   // 200.00 -> 100.00
                      "\n" +                                          // blank lines are skipped
                      Line("r-3", "JPY", 9000, kThreeDaysBefore) +    // 4500 -> 2250
                      Line("r-4", "EUR", 30000, kTenDaysBefore) +     // full refund under both
                      Line("r-5", "EUR", 30000, kThreeDaysBefore, "moderate@1") +  // pinned: unchanged
                      Line("r-6", "KWD", 12345, kThreeDaysBefore, "strict");       // gone in the new file
  auto report = DiffPolicies(*old_, *new_, jsonl, "res.jsonl", 1);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->entries.size(), 6u);
  EXPECT_EQ(report->changed, 3);
  EXPECT_EQ(report->unpriced, 1);

  const CurrencyDiff& eur = report->currencies.at("EUR");
  EXPECT_EQ(eur.reservations, 4);
  EXPECT_EQ(eur.changed, 2);
  EXPECT_EQ(eur.new_refund - eur.old_refund, -12500);
  const CurrencyDiff& jpy = report->currencies.at("JPY");
  EXPECT_EQ(jpy.new_refund - jpy.old_refund, -2250);  // never added to the EUR total
  EXPECT_EQ(report->currencies.at("KWD").reservations, 1);

  // --top 1: the largest EUR change is r-2's.
  ASSERT_EQ(report->top.at("EUR").size(), 1u);
  const PolicyDiffEntry& top = report->entries[report->top.at("EUR")[0]];
  EXPECT_EQ(top.reservation_id, "r-2");
  EXPECT_EQ(top.old_policy, "moderate@1");
  EXPECT_EQ(top.new_policy, "moderate@2");
  EXPECT_EQ(top.old_window, "half");
  EXPECT_EQ(top.new_window, "quarter");
  EXPECT_EQ(top.change(), -10000);
  EXPECT_EQ(top.line, 2);

  const PolicyDiffEntry& gone = report->entries[5];
  EXPECT_EQ(gone.line, 7);
  EXPECT_NE(gone.error.find("new:"), std::string::npos) << gone.error;

  std::string table = FormatPolicyDiff(*report, "old.yaml", "new.yaml");
  EXPECT_NE(table.find("3 refund(s) change, 2 unchanged, 1 could not be priced"), std::string::npos) << table;
  EXPECT_NE(table.find("-125.00"), std::string::npos) << table;
  EXPECT_NE(table.find("-2250"), std::string::npos) << table;
  Value json = PolicyDiffToValue(*report);
  EXPECT_EQ(json.Get("changed").IntOr(0), 3);
  EXPECT_EQ(json.Get("unpriced_lines").AsList().size(), 1u);
}

TEST_F(PolicyDiffTest, MalformedLinesNameTheirLine) {
  auto bad = DiffPolicies(*old_, *new_, Line("r-1", "EUR", 100, kThreeDaysBefore) + "{\"reservation\": 5}\n",
                          "res.jsonl", 10);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("res.jsonl:2:"), std::string::npos) << bad.status().message();
  auto no_time = DiffPolicies(*old_, *new_,
                              R"({"reservation": {"id": "r", "currency": "EUR", "start_at": "2026-06-15T15:00:00+02:00", )"
                              R"("lines": {"rental": 1}}})",
                              "res.jsonl", 10);
  ASSERT_FALSE(no_time.ok());
  EXPECT_NE(no_time.status().message().find("cancel_at"), std::string::npos);
  auto not_json = DiffPolicies(*old_, *new_, "nope\n", "res.jsonl", 10);
  EXPECT_FALSE(not_json.ok());
}

}  // namespace
}  // namespace steadfast::refund
