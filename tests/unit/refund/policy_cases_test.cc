// Runs tests/data/refund_policy_cases.yaml: one test per hand-checked case.
//
// Each case builds a refund.calculate_amount input (a named reservation
// fixture, optionally with fields replaced, plus policy / cancel_at /
// refund_method), runs the activity logic against config/refund_policies.yaml
// and compares every expected amount. Every successful case is also checked
// against the invariants no policy may break (lines add up to the totals, the
// original payment is fully accounted for, nothing is refunded beyond what
// was paid).
#include <gtest/gtest.h>

#include <set>

#include <yaml-cpp/yaml.h>

#include "refund/calculate_amount_activity.h"
#include "refund/currency.h"
#include "refund/money.h"
#include "refund/policy.h"
#include "yaml_value.h"

namespace steadfast::refund {
namespace {

using testing::SourcePath;
using testing::YamlToValue;

constexpr char kCasesFile[] = "tests/data/refund_policy_cases.yaml";

struct PolicyCase {
  std::string name;
  int line = 0;  // 1-based, for failure messages
  YAML::Node node;
  YAML::Node fixtures;
};

// For readable failure output.
void PrintTo(const PolicyCase& c, std::ostream* os) { *os << c.name << " (line " << c.line << ")"; }

// Why the case file could not be read ("" when it could); reported by the
// coverage test, since LoadCases also runs before gtest starts.
std::string& LoadError() {
  static std::string error;
  return error;
}

std::vector<PolicyCase> LoadCases() {
  std::vector<PolicyCase> out;
  try {
    YAML::Node root = YAML::LoadFile(SourcePath(kCasesFile));
    for (const YAML::Node& c : root["cases"]) {
      out.push_back({c["name"].as<std::string>(), c.Mark().line + 1, c, root["reservations"]});
    }
  } catch (const YAML::Exception& e) {
    LoadError() = std::string(kCasesFile) + ": " + e.what();
  }
  return out;
}

const PolicySet& Policies() {
  static const PolicySet* set = [] {
    Result<PolicySet> loaded = PolicySet::Load(SourcePath("config/refund_policies.yaml"));
    if (!loaded.ok()) {
      ADD_FAILURE() << loaded.status().ToString();
      return new PolicySet(*PolicySet::Parse("default: x\npolicies: [{name: x, version: 1}]", "fallback"));
    }
    return new PolicySet(std::move(loaded).value());
  }();
  return *set;
}

Value BuildInput(const PolicyCase& c) {
  const YAML::Node& n = c.node;
  if (n["input"]) return YamlToValue(n["input"]);
  Value reservation;
  YAML::Node r = n["reservation"];
  if (r.IsScalar()) {
    YAML::Node fixture = c.fixtures[r.Scalar()];
    EXPECT_TRUE(fixture.IsDefined()) << "no reservation fixture named " << r.Scalar();
    reservation = YamlToValue(fixture);
  } else {
    reservation = YamlToValue(r);
  }
  if (YAML::Node with = n["with"]) {
    const Value replacements = YamlToValue(with);
    for (const auto& [k, v] : replacements.AsMap()) {
      if (v.is_null()) {
        reservation.MutableMap().erase(k);
      } else {
        reservation[k] = v;
      }
    }
  }
  Value input;
  input["reservation"] = std::move(reservation);
  for (const char* key : {"policy", "cancel_at", "refund_method"}) {
    if (n[key]) input[key] = YamlToValue(n[key]);
  }
  return input;
}

Money Out(const Value& out, std::string_view key) {
  Result<Money> m = MoneyFromValue(out.Get(key));
  EXPECT_TRUE(m.ok()) << key << ": " << m.status().ToString();
  return m.ok() ? *m : Money{};
}

Money Expected(const YAML::Node& node, const std::string& currency) {
  Result<Money> m = ParseAmount(node.Scalar(), currency);
  EXPECT_TRUE(m.ok()) << "expected amount at line " << node.Mark().line + 1 << ": " << m.status().ToString();
  return m.ok() ? *m : Money{};
}

const std::vector<std::string> kLineKinds = {"rental",           "delivery",          "cleaning_fee",
                                             "discount",         "tax",               "guest_service_fee",
                                             "cancellation_fee", "voucher_bonus"};

void CheckInvariants(const Value& out) {
  const std::string currency = out.Get("currency").AsString();
  const Value::List& lines = out.Get("lines").AsList();
  ASSERT_EQ(lines.size(), kLineKinds.size());
  int64_t paid = 0, refund = 0, bonus = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i].Get("kind").AsString(), kLineKinds[i]);
    Money p = *MoneyFromValue(lines[i].Get("paid"));
    Money r = *MoneyFromValue(lines[i].Get("refund"));
    EXPECT_EQ(p.currency, currency);
    EXPECT_EQ(r.currency, currency);
    paid += p.minor;
    refund += r.minor;
    if (kLineKinds[i] == "voucher_bonus") bonus = r.minor;
  }
  const Money paid_total = Out(out, "paid_total");
  const Money refund_total = Out(out, "refund_total");
  const Money to_guest = Out(out, "refund_to_guest");
  const Money payout = Out(out, "payout_to_host");
  const Value& s = out.Get("settlement");
  const int64_t tax_retained = MoneyFromValue(s.Get("tax_retained"))->minor;
  const int64_t platform_retained = MoneyFromValue(s.Get("platform_retained"))->minor;
  EXPECT_EQ(paid, paid_total.minor) << "lines' paid amounts add up to the paid total";
  EXPECT_EQ(refund, to_guest.minor) << "lines add up to refund_to_guest (service fee counted once)";
  EXPECT_EQ(refund - bonus, refund_total.minor) << "lines without the bonus add up to refund_total";
  EXPECT_GE(refund_total.minor, 0);
  EXPECT_LE(refund_total.minor, paid_total.minor) << "never refund more than was paid";
  EXPECT_GE(payout.minor, 0);
  EXPECT_GE(tax_retained, 0);
  EXPECT_GE(platform_retained, 0);
  EXPECT_EQ(refund_total.minor + payout.minor + tax_retained + platform_retained, paid_total.minor)
      << "the payment is fully accounted for";
  EXPECT_EQ(Out(out, "host_payout_adjustment").minor, payout.minor - Out(out, "host_payout_before").minor);
}

class PolicyCaseTest : public ::testing::TestWithParam<PolicyCase> {};

TEST_P(PolicyCaseTest, MatchesHandCheckedBreakdown) {
  const PolicyCase& c = GetParam();
  SCOPED_TRACE(std::string(kCasesFile) + ":" + std::to_string(c.line) + ": " + c.name);
  const YAML::Node expect = c.node["expect"];
  ASSERT_TRUE(expect.IsMap()) << "case has no expect map";

  ActivityResult result = CalculateAmount(Policies(), BuildInput(c), /*now_ms=*/0);

  if (expect["error"]) {
    ASSERT_FALSE(result.ok()) << "expected error " << expect["error"].Scalar() << ", got "
                              << result.output().ToPrettyJson();
    EXPECT_EQ(result.error().code, expect["error"].Scalar()) << result.error().message;
    EXPECT_EQ(result.error().kind, ErrorKind::kNonRetryable);
    if (expect["message"]) {
      EXPECT_NE(result.error().message.find(expect["message"].Scalar()), std::string::npos)
          << "message: " << result.error().message;
    }
    return;
  }
  ASSERT_TRUE(result.ok()) << result.error().code << ": " << result.error().message;
  const Value& out = result.output();
  const std::string currency = out.Get("currency").AsString();

  if (expect["policy"]) {
    EXPECT_EQ(out.Get("policy").Get("name").AsString() + "@" + std::to_string(out.Get("policy").Get("version").AsInt()),
              expect["policy"].Scalar());
  }
  if (expect["rounding"]) {
    EXPECT_EQ(out.Get("rounding").AsString(), expect["rounding"].Scalar()) << "the breakdown states its rounding mode";
  }
  ASSERT_TRUE(expect["window"]) << "expect.window is required";
  EXPECT_EQ(out.Get("window").Get("name").AsString(), expect["window"].Scalar());
  if (expect["window_kind"]) {
    EXPECT_EQ(out.Get("window").Get("kind").AsString(), expect["window_kind"].Scalar());
  }
  // expect.grace: the grace status the breakdown states; not_in_policy means
  // the breakdown has no grace section at all.
  if (expect["grace"]) {
    EXPECT_EQ(out.Get("grace").Get("status").StringOr("not_in_policy"), expect["grace"].Scalar())
        << "grace reason: " << out.Get("grace").Get("reason").StringOr("(none)");
  }
  if (expect["start_at"]) {
    EXPECT_EQ(out.Get("start_at").AsString(), expect["start_at"].Scalar()) << "the start instant, in UTC";
  }
  // expect.check_in: {local, fit}: what a local check-in was resolved to.
  if (const YAML::Node check_in = expect["check_in"]) {
    for (const auto& entry : check_in) {
      const std::string key = entry.first.Scalar();
      EXPECT_EQ(out.Get("check_in").Get(key).StringOr("(none)"), entry.second.Scalar()) << "check_in." << key;
    }
  }

  const YAML::Node lines = expect["lines"];
  ASSERT_TRUE(lines.IsMap()) << "expect.lines is required";
  ASSERT_EQ(lines.size(), kLineKinds.size()) << "expect.lines must list all eight lines";
  const Value::List& got_lines = out.Get("lines").AsList();
  ASSERT_EQ(got_lines.size(), kLineKinds.size());
  for (size_t i = 0; i < kLineKinds.size(); ++i) {
    ASSERT_TRUE(lines[kLineKinds[i]]) << "expect.lines." << kLineKinds[i] << " missing";
    EXPECT_EQ(FormatMoney(*MoneyFromValue(got_lines[i].Get("refund"))),
              FormatMoney(Expected(lines[kLineKinds[i]], currency)))
        << "line " << kLineKinds[i] << " (basis: " << got_lines[i].Get("basis").StringOr("") << ")";
  }
  // expect.percents: {rental: "50%", ...}: the percent the breakdown states on a host line.
  if (const YAML::Node percents = expect["percents"]) {
    for (const auto& entry : percents) {
      const std::string kind = entry.first.Scalar();
      bool found = false;
      for (const Value& l : got_lines) {
        if (l.Get("kind").AsString() != kind) continue;
        found = true;
        EXPECT_EQ(l.Get("percent").StringOr("(none)"), entry.second.Scalar()) << "percent of line " << kind;
      }
      EXPECT_TRUE(found) << "expect.percents names no line " << kind;
    }
  }
  for (const char* key : {"refund_total", "refund_to_guest", "payout_to_host", "host_payout_adjustment"}) {
    ASSERT_TRUE(expect[key]) << "expect." << key << " is required";
    EXPECT_EQ(FormatMoney(Out(out, key)), FormatMoney(Expected(expect[key], currency))) << key;
  }
  for (const char* key : {"tax_retained", "platform_retained", "host_fee", "cancellation_fee_to_host"}) {
    if (!expect[key]) continue;
    EXPECT_EQ(FormatMoney(*MoneyFromValue(out.Get("settlement").Get(key))),
              FormatMoney(Expected(expect[key], currency)))
        << key;
  }
  EXPECT_EQ(out.Get("refund_method").AsString(),
            expect["refund_method"] ? expect["refund_method"].Scalar() : std::string("cash"));
  EXPECT_EQ(out.Get("minimum_refund_applied").AsBool(),
            expect["minimum_refund_applied"] ? expect["minimum_refund_applied"].as<bool>() : false);
  CheckInvariants(out);
}

INSTANTIATE_TEST_SUITE_P(Cases, PolicyCaseTest, ::testing::ValuesIn(LoadCases()),
                         [](const ::testing::TestParamInfo<PolicyCase>& info) { return info.param.name; });

// The table must stay broad: enough cases, every shipped policy, every
// currency exponent, and names usable as test names.
TEST(PolicyCaseCoverage, EveryPolicyAndExponentIsCovered) {
  std::vector<PolicyCase> cases = LoadCases();
  ASSERT_EQ(LoadError(), "");
  EXPECT_GE(cases.size(), 60u);
  std::set<std::string> names, policies_hit;
  std::set<int> exponents;
  for (const PolicyCase& c : cases) {
    EXPECT_TRUE(names.insert(c.name).second) << "duplicate case name " << c.name;
    if (c.node["expect"]["error"]) continue;
    ActivityResult r = CalculateAmount(Policies(), BuildInput(c), 0);
    if (!r.ok()) continue;  // reported by the case itself
    const Value& p = r.output().Get("policy");
    policies_hit.insert(p.Get("name").AsString() + "@" + std::to_string(p.Get("version").AsInt()));
    exponents.insert(*CurrencyExponent(r.output().Get("currency").AsString()));
  }
  for (const RefundPolicy& p : Policies().policies()) {
    EXPECT_TRUE(policies_hit.count(p.Id())) << "no case exercises policy " << p.Id();
  }
  EXPECT_EQ(exponents, (std::set<int>{0, 2, 3}));
}

}  // namespace
}  // namespace steadfast::refund
