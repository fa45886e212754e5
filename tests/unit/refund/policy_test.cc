// Refund policy files: loading, validation errors with file:line:col,
// version selection and window matching.
#include "refund/policy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "refund/calculator.h"
#include "refund/reservation.h"
#include "yaml_value.h"

namespace steadfast::refund {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr int64_t kHour = 3'600'000;
constexpr int64_t kDay = 24 * kHour;

Status ParseError(std::string_view yaml) {
  Result<PolicySet> set = PolicySet::Parse(yaml, "p.yaml");
  EXPECT_FALSE(set.ok()) << "parsed:\n" << yaml;
  return set.ok() ? Status::Ok() : set.status();
}

TEST(PolicyFileTest, ShippedFileLoads) {
  Result<PolicySet> set = PolicySet::Load(testing::SourcePath("config/refund_policies.yaml"));
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_EQ(set->default_spec(), "moderate");
  EXPECT_GE(set->policies().size(), 9u);
  const RefundPolicy* moderate = *set->Select("moderate");
  EXPECT_EQ(moderate->version, 2);
  ASSERT_EQ(moderate->windows.size(), 2u);
  EXPECT_EQ(moderate->windows[0].min_notice_ms, 7 * kDay);
  EXPECT_EQ(moderate->windows[1].refund_bps, 5000);
  EXPECT_EQ(moderate->cancellation_fee_bps, 500);
  EXPECT_EQ(moderate->minimum_refund.at("KWD"), 300);
  EXPECT_EQ(moderate->host_cancellation_fee_share_bps, 5000);
  EXPECT_THAT(moderate->source, StartsWith(testing::SourcePath("config/refund_policies.yaml") + ":"));
  const RefundPolicy* credit = *set->Select("credit_only@1");
  EXPECT_EQ(credit->refund_as, RefundAs::kVoucher);
  EXPECT_EQ(credit->voucher_bonus_bps, 1000);
}

TEST(PolicyFileTest, MissingFileIsNotFound) {
  EXPECT_EQ(PolicySet::Load("/nonexistent/policies.yaml").status().code(), StatusCode::kNotFound);
}

constexpr char kTwoVersions[] = R"(default: p
policies:
  - name: p
    version: 1
    windows: [{ min_notice: 7d, refund_percent: 100 }]
  - name: p
    version: 3
    windows: [{ min_notice: 24h, refund_percent: 50 }]
  - name: q
    version: 1
)";

TEST(PolicySelectTest, NameVersionAndDefault) {
  PolicySet set = *PolicySet::Parse(kTwoVersions, "p.yaml");
  EXPECT_EQ((*set.Select(""))->Id(), "p@3");
  EXPECT_EQ((*set.Select("p"))->Id(), "p@3");
  EXPECT_EQ((*set.Select("p@1"))->Id(), "p@1");
  EXPECT_EQ((*set.Select("q"))->Id(), "q@1");

  Status unknown = set.Select("r").status();
  EXPECT_EQ(unknown.code(), StatusCode::kNotFound);
  EXPECT_THAT(unknown.message(), HasSubstr("known: p, q"));
  Status version = set.Select("p@2").status();
  EXPECT_EQ(version.code(), StatusCode::kNotFound);
  EXPECT_THAT(version.message(), HasSubstr("versions: 1, 3"));
  for (const char* bad : {"p@", "p@x", "p@0", "p@-1", "@1"}) {
    EXPECT_EQ(set.Select(bad).status().code(), StatusCode::kNotFound) << bad;
  }
}

TEST(PolicySelectTest, SpecFromValue) {
  EXPECT_EQ(*PolicySpecFromValue(Value()), "");
  EXPECT_EQ(*PolicySpecFromValue(Value("p@2")), "p@2");
  Value m;
  m["name"] = "p";
  EXPECT_EQ(*PolicySpecFromValue(m), "p");
  m["version"] = 4;
  EXPECT_EQ(*PolicySpecFromValue(m), "p@4");
  m["version"] = "4";
  EXPECT_FALSE(PolicySpecFromValue(m).ok());
  EXPECT_FALSE(PolicySpecFromValue(Value(3)).ok());
}

TEST(PolicyRuleTest, WindowsMatchOnNoticeWithEdgesInclusive) {
  PolicySet set = *PolicySet::Parse(R"(default: m
policies:
  - name: m
    version: 1
    windows:
      - { name: full, min_notice: 7d, refund_percent: 100 }
      - { min_notice: 24h, refund_percent: 50 }
    after_start: { refund_percent: 100, prorate: true }
)", "p.yaml");
  const RefundPolicy& p = **set.Select("m");
  EXPECT_EQ(p.RuleFor(30 * kDay).rule.name, "full");
  EXPECT_EQ(p.RuleFor(7 * kDay).rule.name, "full");
  EXPECT_EQ(p.RuleFor(7 * kDay - 1).rule.name, "notice>=1d");  // default name
  EXPECT_EQ(p.RuleFor(kDay).kind, WindowKind::kNotice);
  EXPECT_EQ(p.RuleFor(kDay - 1).kind, WindowKind::kNone);
  EXPECT_EQ(p.RuleFor(1).kind, WindowKind::kNone);
  EXPECT_EQ(p.RuleFor(0).kind, WindowKind::kAfterStart);
  AppliedRule after = p.RuleFor(-5 * kDay);
  EXPECT_EQ(after.kind, WindowKind::kAfterStart);
  EXPECT_EQ(after.rule.name, "after_start");
  EXPECT_TRUE(after.rule.prorate);
  AppliedRule none = p.RuleFor(kHour);
  EXPECT_EQ(none.rule.name, "none");
  EXPECT_EQ(none.rule.refund_bps, 0);
}

// The grace rule reads two clocks: since booking <= max_since_booking and
// notice >= min_notice, both inclusive; when it does not apply the windows
// decide exactly as without it, and the check says why.
TEST(PolicyRuleTest, GraceRuleNeedsBothClocks) {
  PolicySet set = *PolicySet::Parse(R"(default: m
policies:
  - name: m
    version: 1
    grace: { max_since_booking: 48h, min_notice: 14d, refund_percent: 100, service_fee_refundable: true }
    windows:
      - { name: half, min_notice: 7d, refund_percent: 50 }
)", "p.yaml");
  const RefundPolicy& p = **set.Select("m");
  ASSERT_TRUE(p.grace.has_value());
  EXPECT_EQ(p.grace->name, "grace");  // default name
  EXPECT_EQ(p.grace->max_since_booking_ms, 48 * kHour);
  EXPECT_EQ(p.grace->min_notice_ms, 14 * kDay);
  EXPECT_TRUE(p.grace->service_fee_refundable);

  struct Probe {
    int64_t notice_ms;
    std::optional<int64_t> since_booking_ms;
    GraceStatus status;
    std::string_view rule;
  };
  for (const Probe& probe : {
           Probe{20 * kDay, 48 * kHour, GraceStatus::kApplied, "grace"},
           Probe{20 * kDay, 48 * kHour + 1, GraceStatus::kTooLate, "half"},
           Probe{14 * kDay, 0, GraceStatus::kApplied, "grace"},
           Probe{14 * kDay - 1, kHour, GraceStatus::kTooCloseToStart, "half"},
           Probe{20 * kDay, std::nullopt, GraceStatus::kNoBookedAt, "half"},
           Probe{20 * kDay, -1, GraceStatus::kBeforeBooking, "half"},
           Probe{3 * kDay, kHour, GraceStatus::kTooCloseToStart, "none"},
       }) {
    GraceCheck g = p.CheckGrace(probe.notice_ms, probe.since_booking_ms);
    EXPECT_EQ(g.status, probe.status) << g.reason;
    EXPECT_EQ(g.rule, "grace");
    EXPECT_FALSE(g.reason.empty());
    AppliedRule applied = p.RuleFor(probe.notice_ms, g);
    EXPECT_EQ(applied.rule.name, probe.rule) << g.reason;
    EXPECT_EQ(applied.kind == WindowKind::kGrace, probe.status == GraceStatus::kApplied);
  }
  EXPECT_THAT(p.CheckGrace(20 * kDay, std::nullopt).reason, HasSubstr("no booked_at"));
  EXPECT_THAT(p.CheckGrace(20 * kDay, 48 * kHour + 1000).reason,
              HasSubstr("cancelled 2d1s after booking, more than 2d"));

  // A policy without a grace rule: nothing to check, the windows as always.
  PolicySet plain = *PolicySet::Parse("default: q\npolicies: [{name: q, version: 1}]\n", "q.yaml");
  GraceCheck none = (*plain.Select("q"))->CheckGrace(20 * kDay, kHour);
  EXPECT_EQ(none.status, GraceStatus::kNotInPolicy);
  EXPECT_EQ(none.reason, "");
}

TEST(PolicyRuleTest, CurrencyCoverage) {
  PolicySet set = *PolicySet::Parse(R"(default: m
policies:
  - name: m
    version: 1
    cancellation_fee: { fixed: { EUR: "10.00" } }
  - name: n
    version: 1
    minimum_refund: { JPY: "100" }
  - name: o
    version: 1
    cancellation_fee: { percent: 5 }
)", "p.yaml");
  EXPECT_TRUE((*set.Select("m"))->CheckCurrency("EUR").ok());
  EXPECT_EQ((*set.Select("m"))->CheckCurrency("USD").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ((*set.Select("m"))->cancellation_fee_fixed.at("EUR"), 1000);
  EXPECT_EQ((*set.Select("n"))->CheckCurrency("EUR").code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE((*set.Select("n"))->CheckCurrency("JPY").ok());
  EXPECT_TRUE((*set.Select("o"))->CheckCurrency("KWD").ok());
}

TEST(PolicyRuleTest, RoundingModePerPolicyAndCurrency) {
  PolicySet set = *PolicySet::Parse(R"(default: m
policies:
  - name: m
    version: 1
  - name: up
    version: 1
    rounding: half_up
  - name: mixed
    version: 1
    rounding: { default: half_up, EUR: half_even }
  - name: only_kwd
    version: 1
    rounding: { KWD: half_up }
)", "p.yaml");
  EXPECT_EQ((*set.Select("m"))->RoundingFor("EUR"), RoundingMode::kHalfEven);
  EXPECT_EQ((*set.Select("up"))->RoundingFor("JPY"), RoundingMode::kHalfUp);
  EXPECT_EQ((*set.Select("mixed"))->RoundingFor("USD"), RoundingMode::kHalfUp);
  EXPECT_EQ((*set.Select("mixed"))->RoundingFor("EUR"), RoundingMode::kHalfEven);
  EXPECT_EQ((*set.Select("only_kwd"))->RoundingFor("KWD"), RoundingMode::kHalfUp);
  EXPECT_EQ((*set.Select("only_kwd"))->RoundingFor("EUR"), RoundingMode::kHalfEven);
}

TEST(PolicyRuleTest, RefundPercentPerLineOrForAllLines) {
  PolicySet set = *PolicySet::Parse(R"(default: m
policies:
  - name: m
    version: 1
    windows:
      - { name: all, min_notice: 5d, refund_percent: 100 }
      - { name: partial, min_notice: 1d, refund_percent: { rental: 50, default: 100 } }
      - { name: named, min_notice: 0s, refund_percent: { rental: 0, delivery: 12.5, cleaning_fee: 100 } }
    after_start: { refund_percent: { rental: 50, default: 0 }, prorate: true }
)", "p.yaml");
  const RefundPolicy& p = **set.Select("m");
  const RefundRule& all = p.windows[0];
  EXPECT_FALSE(all.per_line);
  EXPECT_EQ(all.refund_bps, 10000);
  EXPECT_EQ(all.delivery_bps, 10000);
  EXPECT_EQ(all.cleaning_fee_bps, 10000);
  const RefundRule& partial = p.windows[1];
  EXPECT_TRUE(partial.per_line);
  EXPECT_EQ(partial.refund_bps, 5000);
  EXPECT_EQ(partial.delivery_bps, 10000);
  EXPECT_EQ(partial.cleaning_fee_bps, 10000);
  const RefundRule& named = p.windows[2];
  EXPECT_EQ(named.refund_bps, 0);
  EXPECT_EQ(named.delivery_bps, 1250);
  EXPECT_EQ(named.cleaning_fee_bps, 10000);
  ASSERT_TRUE(p.after_start.has_value());
  EXPECT_EQ(p.after_start->refund_bps, 5000);
  EXPECT_EQ(p.after_start->cleaning_fee_bps, 0);
  // The implicit "none" rule refunds no line.
  const AppliedRule none = p.RuleFor(1);
  EXPECT_EQ(none.kind, WindowKind::kNotice);
  PolicySet bare = *PolicySet::Parse("default: q\npolicies: [{name: q, version: 1}]\n", "q.yaml");
  const RefundPolicy& q = **bare.Select("q");
  const AppliedRule nothing = q.RuleFor(1);
  EXPECT_EQ(nothing.kind, WindowKind::kNone);
  EXPECT_EQ(nothing.rule.delivery_bps + nothing.rule.cleaning_fee_bps + nothing.rule.refund_bps, 0);
}

// The calculator rounds in the mode the policy gives the reservation's
// currency: 50% of 100.01 (USD, EUR) and of 1.001 (KWD) are exact ties.
TEST(PolicyRuleTest, CalculatorRoundsInTheCurrencysMode) {
  PolicySet set = *PolicySet::Parse(R"(default: m
policies:
  - name: m
    version: 1
    windows: [{ name: half, min_notice: 0s, refund_percent: 50 }]
    rounding: { default: half_up, EUR: half_even }
)", "p.yaml");
  const RefundPolicy& p = **set.Select("m");
  auto refund = [&](const char* currency, int64_t rental) {
    Reservation r;
    r.id = "r";
    r.currency = currency;
    r.start_at_ms = 10 * kDay;
    r.lines.rental = rental;
    Result<RefundBreakdown> b = CalculateRefund(r, p, 0);
    EXPECT_TRUE(b.ok()) << b.status().ToString();
    return b.ok() ? std::make_pair(b->refund_total.minor, b->rounding) : std::make_pair(int64_t{-1}, RoundingMode{});
  };
  EXPECT_EQ(refund("USD", 10001), std::make_pair(int64_t{5001}, RoundingMode::kHalfUp));    // 50.005 -> 50.01
  EXPECT_EQ(refund("EUR", 10001), std::make_pair(int64_t{5000}, RoundingMode::kHalfEven));  // 50.005 -> 50.00
  EXPECT_EQ(refund("KWD", 1001), std::make_pair(int64_t{501}, RoundingMode::kHalfUp));      // 0.5005 -> 0.501
  EXPECT_EQ(refund("JPY", 10003), std::make_pair(int64_t{5002}, RoundingMode::kHalfUp));    // 5001.5 -> 5002 (even too)
  EXPECT_EQ(refund("JPY", 10001), std::make_pair(int64_t{5001}, RoundingMode::kHalfUp));    // 5000.5 -> 5001 (half even: 5000)
}

struct BadPolicy {
  const char* name;
  const char* yaml;
  const char* position;  // "line:col" expected after "p.yaml:"
  const char* message;   // expected substring
};

class PolicyErrorTest : public ::testing::TestWithParam<BadPolicy> {};

TEST_P(PolicyErrorTest, ReportsFileLineColumn) {
  const BadPolicy& c = GetParam();
  Status s = ParseError(c.yaml);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), StartsWith(std::string("p.yaml:") + c.position + ": ")) << s.message();
  EXPECT_THAT(s.message(), HasSubstr(c.message));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, PolicyErrorTest,
    ::testing::Values(
        BadPolicy{"yaml_syntax", "default: m\npolicies:\n  - name: [m\n", "4:1", "end of sequence flow not found"},
        BadPolicy{"unknown_root_key", "default: m\npolicy: []\n", "2:1", "unknown key 'policy'"},
        BadPolicy{"no_policies", "default: m\n", "1:1", "'policies' must be a non-empty list"},
        BadPolicy{"no_default", "policies:\n  - { name: m, version: 1 }\n", "1:1", "'default' is required"},
        BadPolicy{"unknown_policy_key", "default: m\npolicies:\n  - name: m\n    version: 1\n    windws: []\n",
                  "5:5", "unknown key 'windws'"},
        BadPolicy{"missing_version", "default: m\npolicies:\n  - name: m\n", "3:5", "version is required"},
        BadPolicy{"bad_version", "default: m\npolicies:\n  - name: m\n    version: 1.5\n", "4:14",
                  "version must be a positive integer"},
        BadPolicy{"bad_name", "default: m\npolicies:\n  - name: Moderate\n    version: 1\n", "3:11",
                  "must be lower-case"},
        BadPolicy{"duplicate_version",
                  "default: m\npolicies:\n  - { name: m, version: 1 }\n  - { name: m, version: 1 }\n", "4:5",
                  "declared twice (first at p.yaml:3:5)"},
        BadPolicy{"bad_duration",
                  "default: m\npolicies:\n  - name: m\n    version: 1\n    windows:\n"
                  "      - { min_notice: 7days, refund_percent: 100 }\n",
                  "6:23", "bad duration '7days'"},
        BadPolicy{"missing_min_notice",
                  "default: m\npolicies:\n  - name: m\n    version: 1\n    windows:\n      - { refund_percent: 100 }\n",
                  "6:9", "min_notice is required"},
        BadPolicy{"missing_percent",
                  "default: m\npolicies:\n  - name: m\n    version: 1\n    windows:\n      - { min_notice: 1d }\n",
                  "6:9", "refund_percent is required"},
        BadPolicy{"percent_over_100",
                  "default: m\npolicies:\n  - name: m\n    version: 1\n    windows:\n"
                  "      - { min_notice: 1d, refund_percent: 150 }\n",
                  "6:43", "at most 100%"},
        BadPolicy{"percent_three_decimals",
                  "default: m\npolicies:\n  - name: m\n    version: 1\n    windows:\n"
                  "      - { min_notice: 1d, refund_percent: 33.333 }\n",
                  "6:43", "at most two decimals"},
        BadPolicy{"windows_out_of_order",
                  "default: m\npolicies:\n  - name: m\n    version: 1\n    windows:\n"
                  "      - { min_notice: 1d, refund_percent: 50 }\n      - { min_notice: 7d, refund_percent: 100 }\n",
                  "7:9", "strictly decreasing"},
        BadPolicy{"duplicate_window_name",
                  "default: m\npolicies:\n  - name: m\n    version: 1\n    windows:\n"
                  "      - { name: a, min_notice: 7d, refund_percent: 100 }\n"
                  "      - { name: a, min_notice: 1d, refund_percent: 50 }\n",
                  "7:9", "window name 'a' is used twice"},
        BadPolicy{"min_notice_in_after_start",
                  "default: m\npolicies:\n  - name: m\n    version: 1\n"
                  "    after_start: { min_notice: 0s, refund_percent: 50 }\n",
                  "5:20", "unknown key 'min_notice' in after_start"},
        BadPolicy{"bad_bool",
                  "default: m\npolicies:\n  - name: m\n    version: 1\n    windows:\n"
                  "      - { min_notice: 1d, refund_percent: 50, prorate: yes }\n",
                  "6:56", "prorate must be true or false"},
        BadPolicy{"fee_unknown_currency",
                  "default: m\npolicies:\n  - name: m\n    version: 1\n    cancellation_fee:\n"
                  "      fixed: { EUR: \"1.00\", XYZ: \"1.00\" }\n",
                  "6:29", "unknown currency 'XYZ'"},
        BadPolicy{"fee_too_many_decimals",
                  "default: m\npolicies:\n  - name: m\n    version: 1\n    cancellation_fee:\n"
                  "      fixed: { JPY: \"10.5\" }\n",
                  "6:21", "JPY has 0 decimal place(s)"},
        BadPolicy{"negative_minimum",
                  "default: m\npolicies:\n  - name: m\n    version: 1\n    minimum_refund: { EUR: \"-1.00\" }\n",
                  "5:28", "must not be negative"},
        BadPolicy{"bad_refund_as",
                  "default: m\npolicies:\n  - name: m\n    version: 1\n    refund_as: credit\n", "5:16",
                  "refund_as must be cash, voucher or guest_choice"},
        BadPolicy{"bonus_without_voucher",
                  "default: m\npolicies:\n  - name: m\n    version: 1\n    voucher_bonus_percent: 10\n", "5:28",
                  "needs refund_as"},
        BadPolicy{"unknown_host_key",
                  "default: m\npolicies:\n  - name: m\n    version: 1\n    host: { fee: 3 }\n", "5:13",
                  "unknown key 'fee' in host"},
        BadPolicy{"unknown_rounding",
                  "default: m\npolicies:\n  - name: m\n    version: 1\n    rounding: half_down\n", "5:15",
                  "unknown rounding mode 'half_down' (expected half_even or half_up)"},
        BadPolicy{"unknown_rounding_for_currency",
                  "default: m\npolicies:\n  - name: m\n    version: 1\n    rounding: { default: half_up, JPY: up }\n",
                  "5:40", "rounding.JPY: unknown rounding mode 'up'"},
        BadPolicy{"rounding_unknown_currency",
                  "default: m\npolicies:\n  - name: m\n    version: 1\n    rounding: { XYZ: half_up }\n", "5:17",
                  "rounding: unknown currency 'XYZ'"},
        BadPolicy{"rounding_list",
                  "default: m\npolicies:\n  - name: m\n    version: 1\n    rounding: [half_up]\n", "5:15",
                  "rounding must be half_even, half_up or a map"},
        BadPolicy{"per_line_unknown_line",
                  "default: m\npolicies:\n  - name: m\n    version: 1\n    windows:\n"
                  "      - { min_notice: 1d, refund_percent: { nights: 50, default: 100 } }\n",
                  "6:45", "unknown key 'nights' in refund_percent (expected one of: rental, delivery, cleaning_fee, default)"},
        BadPolicy{"per_line_line_missing",
                  "default: m\npolicies:\n  - name: m\n    version: 1\n    windows:\n"
                  "      - { min_notice: 1d, refund_percent: { rental: 50, cleaning_fee: 100 } }\n",
                  "6:43", "refund_percent: no percent for delivery"},
        BadPolicy{"per_line_over_100",
                  "default: m\npolicies:\n  - name: m\n    version: 1\n    windows:\n"
                  "      - { min_notice: 1d, refund_percent: { rental: 50, default: 150 } }\n",
                  "6:66", "default must be at most 100%"},
        BadPolicy{"per_line_three_decimals",
                  "default: m\npolicies:\n  - name: m\n    version: 1\n"
                  "    after_start: { refund_percent: { rental: 33.333, default: 0 } }\n",
                  "5:46", "rental: "},
        BadPolicy{"grace_without_max_since_booking",
                  "default: m\npolicies:\n  - name: m\n    version: 1\n"
                  "    grace: { min_notice: 14d, refund_percent: 100 }\n",
                  "5:12", "grace: max_since_booking is required (e.g. 48h)"},
        BadPolicy{"grace_without_min_notice",
                  "default: m\npolicies:\n  - name: m\n    version: 1\n"
                  "    grace: { max_since_booking: 48h, refund_percent: 100 }\n",
                  "5:12", "grace: min_notice is required"},
        BadPolicy{"grace_bad_duration",
                  "default: m\npolicies:\n  - name: m\n    version: 1\n"
                  "    grace: { max_since_booking: 2days, min_notice: 14d, refund_percent: 100 }\n",
                  "5:33", "max_since_booking: bad duration '2days'"},
        BadPolicy{"grace_zero_since_booking",
                  "default: m\npolicies:\n  - name: m\n    version: 1\n"
                  "    grace: { max_since_booking: 0s, min_notice: 14d, refund_percent: 100 }\n",
                  "5:33", "max_since_booking must be more than 0s"},
        BadPolicy{"grace_unknown_key",
                  "default: m\npolicies:\n  - name: m\n    version: 1\n"
                  "    grace: { within: 48h, min_notice: 14d, refund_percent: 100 }\n",
                  "5:14", "unknown key 'within' in grace"},
        BadPolicy{"grace_missing_percent",
                  "default: m\npolicies:\n  - name: m\n    version: 1\n"
                  "    grace: { max_since_booking: 48h, min_notice: 14d }\n",
                  "5:12", "grace: refund_percent is required"},
        BadPolicy{"grace_name_is_a_window_name",
                  "default: m\npolicies:\n  - name: m\n    version: 1\n"
                  "    windows:\n      - { name: full, min_notice: 7d, refund_percent: 100 }\n"
                  "    grace: { name: full, max_since_booking: 48h, min_notice: 14d, refund_percent: 100 }\n",
                  "7:20", "grace name 'full' is also a window's name"},
        BadPolicy{"default_unknown", "default: z\npolicies:\n  - { name: m, version: 1 }\n", "1:10", "unknown policy 'z'"}),
    [](const ::testing::TestParamInfo<BadPolicy>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace steadfast::refund
