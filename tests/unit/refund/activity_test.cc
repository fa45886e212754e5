// refund.calculate_amount through the registry (as the engine runs it), the
// plugin config, and the quote that `steadfast refund quote` prints.
#include "refund/calculate_amount_activity.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "refund/money.h"
#include "refund/plugin.h"
#include "refund/quote.h"
#include "steadfast/time_text.h"
#include "steadfast/registry.h"
#include "test_host.h"
#include "yaml_value.h"

namespace steadfast::refund {
namespace {

using ::testing::HasSubstr;

constexpr char kReservationJson[] = R"({
  "id": "r-1001", "currency": "EUR",
  "start_at": "2026-06-15T15:00:00+02:00", "end_at": "2026-06-20T11:00:00+02:00",
  "lines": {"rental": 50000, "delivery": 10000, "discount": 6000, "tax": 5400, "service_fee": 8100},
  "units_total": 5, "units_used": 0, "policy": "moderate@1", "status": "confirmed", "paid": true
})";

Value Reservation() { return *Value::FromJson(kReservationJson); }

RefundPluginConfig Config() {
  RefundPluginConfig config;
  config.policies_path = testing::SourcePath("config/refund_policies.yaml");
  return config;
}

ActivityResult RunActivity(ActivityRegistry& registry, Value input, const Clock& clock) {
  Activity* activity = registry.Find(kCalculateAmountActivity);
  EXPECT_NE(activity, nullptr);
  ActivityContext::Params params;
  params.input = std::move(input);
  params.idempotency_key = "wf-1/amount";
  params.activity = kCalculateAmountActivity;
  ActivityContext ctx(std::move(params), clock, NullLogger::Instance(), nullptr);
  return activity->Run(ctx);
}

TEST(RefundPluginTest, RegistersCalculateAmount) {
  ActivityRegistry registry;
  ASSERT_TRUE(RegisterRefundActivities(registry, Config(), TestHost()).ok());
  EXPECT_TRUE(registry.Contains("refund.calculate_amount"));
  EXPECT_EQ(RegisterRefundActivities(registry, Config(), TestHost()).code(), StatusCode::kAlreadyExists);
}

TEST(RefundPluginTest, BadPolicyFileFailsRegistration) {
  ActivityRegistry registry;
  RefundPluginConfig config;
  config.policies_path = "/nonexistent/refund_policies.yaml";
  EXPECT_EQ(RegisterRefundActivities(registry, config, TestHost()).code(), StatusCode::kNotFound);
  EXPECT_FALSE(registry.Contains("refund.calculate_amount"));
}

TEST(RefundPluginTest, ConfigFromValue) {
  EXPECT_EQ(RefundPluginConfig::FromValue(Value())->policies_path, "config/refund_policies.yaml");
  Value section;
  section["policies"] = "/etc/steadfast/policies.yaml";
  EXPECT_EQ(RefundPluginConfig::FromValue(section)->policies_path, "/etc/steadfast/policies.yaml");
  section["policies"] = 3;
  EXPECT_FALSE(RefundPluginConfig::FromValue(section).ok());
  EXPECT_FALSE(RefundPluginConfig::FromValue(Value("x")).ok());
}

TEST(RefundPluginTest, ReconcileSettleMarginFromConfig) {
  EXPECT_EQ(RefundPluginConfig::FromValue(Value())->reconcile_settle_margin_ms, kDefaultSettleMarginMs);
  Value section;
  section["reconcile_settle_margin"] = "1h";
  EXPECT_EQ(RefundPluginConfig::FromValue(section)->reconcile_settle_margin_ms, 3'600'000);
  section["reconcile_settle_margin"] = "0s";  // compare everything finished
  EXPECT_EQ(RefundPluginConfig::FromValue(section)->reconcile_settle_margin_ms, 0);
  section["reconcile_settle_margin"] = "soon";
  EXPECT_FALSE(RefundPluginConfig::FromValue(section).ok());
}

TEST(CalculateAmountActivityTest, DefaultsCancelAtToTheClock) {
  ActivityRegistry registry;
  ASSERT_TRUE(RegisterRefundActivities(registry, Config(), TestHost()).ok());
  ManualClock clock(*ParseRfc3339("2026-06-12T12:00:00+02:00"));  // 3 days 3 hours before: half window
  Value input;
  input["reservation"] = Reservation();
  ActivityResult r = RunActivity(registry, input, clock);
  ASSERT_TRUE(r.ok()) << r.error().code << ": " << r.error().message;
  const Value& out = r.output();
  EXPECT_EQ(out.Get("cancel_at").AsString(), "2026-06-12T10:00:00Z");
  EXPECT_EQ(out.Get("policy").Get("name").AsString(), "moderate");
  EXPECT_EQ(out.Get("policy").Get("version").AsInt(), 1);
  EXPECT_EQ(out.Get("window").Get("name").AsString(), "half");
  EXPECT_EQ(out.Get("window").Get("min_notice").AsString(), "1d");
  EXPECT_EQ(out.Get("rounding").AsString(), "half_even");  // moderate@1 says nothing: the default
  EXPECT_EQ(out.Get("notice").AsString(), "3d3h");
  EXPECT_EQ(*MoneyFromValue(out.Get("refund_total")), (Money{29700, "EUR"}));
  EXPECT_EQ(*MoneyFromValue(out.Get("refund_to_guest")), (Money{29700, "EUR"}));
  EXPECT_EQ(*MoneyFromValue(out.Get("payout_to_host")), (Money{26190, "EUR"}));
  EXPECT_EQ(out.Get("lines").AsList().size(), 8u);
  EXPECT_EQ(out.Get("lines").AsList()[2].Get("kind").AsString(), "cleaning_fee");
  EXPECT_EQ(out.Get("lines").AsList()[5].Get("kind").AsString(), "guest_service_fee");
  EXPECT_EQ(out.Get("lines").AsList()[0].Get("percent").AsString(), "50%");
  EXPECT_FALSE(out.Get("window").Get("per_line").AsBool());
  EXPECT_EQ(out.Get("window").Get("line_percents").Get("cleaning_fee").AsString(), "50%");
  // The DESIGN.md approval condition reads this path.
  EXPECT_EQ(out.Get("refund_total").Get("minor").AsInt(), 29700);

  // A retry sees the same output: the activity is pure.
  ActivityResult again = RunActivity(registry, input, clock);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.output(), out);
  // The output survives a JSON round trip (it is stored in history).
  EXPECT_EQ(*Value::FromJson(out.ToJson()), out);
}

TEST(CalculateAmountActivityTest, ErrorsAreNonRetryableWithStableCodes) {
  ActivityRegistry registry;
  ASSERT_TRUE(RegisterRefundActivities(registry, Config(), TestHost()).ok());
  ManualClock clock;
  struct Row {
    Value input;
    const char* code;
  };
  Value unknown_policy;
  unknown_policy["reservation"] = Reservation();
  unknown_policy["policy"] = "platinum";
  Value bad_policy_field;
  bad_policy_field["reservation"] = Reservation();
  bad_policy_field["policy"] = 7;
  Value bad_cancel_at;
  bad_cancel_at["reservation"] = Reservation();
  bad_cancel_at["cancel_at"] = true;
  Value bad_reservation;
  bad_reservation["reservation"] = "r-1001";
  for (const Row& row : {Row{Value("nope"), "invalid_input"}, Row{Value(Value::Map{}), "invalid_reservation"},
                         Row{bad_reservation, "invalid_reservation"}, Row{unknown_policy, "unknown_policy"},
                         Row{bad_policy_field, "invalid_input"}, Row{bad_cancel_at, "invalid_input"}}) {
    ActivityResult r = RunActivity(registry, row.input, clock);
    ASSERT_FALSE(r.ok()) << row.input.ToJson();
    EXPECT_EQ(r.error().code, row.code) << r.error().message;
    EXPECT_EQ(r.error().kind, ErrorKind::kNonRetryable);
    EXPECT_FALSE(r.error().message.empty());
  }
}

class QuoteTest : public ::testing::Test {
 protected:
  QuoteRequest Request() {
    QuoteRequest q;
    q.policies_path = testing::SourcePath("config/refund_policies.yaml");
    q.reservation = kReservationJson;
    q.cancel_at = "2026-06-12T12:00:00+02:00";
    return q;
  }
  ManualClock clock_{*ParseRfc3339("2026-06-14T15:00:01+02:00")};
};

TEST_F(QuoteTest, PrintsTheBreakdownTable) {
  Result<std::string> table = QuoteRefund(Request(), clock_);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_THAT(*table, HasSubstr("Refund quote for reservation r-1001 (EUR)"));
  EXPECT_THAT(*table, HasSubstr("policy     moderate v1"));
  EXPECT_THAT(*table, HasSubstr("rounding   half_even (a tie of half a minor unit goes to the even neighbour)"));
  EXPECT_THAT(*table, HasSubstr("cancel at  2026-06-12T10:00:00Z  (notice 3d3h)"));
  EXPECT_THAT(*table, HasSubstr("window     half (notice >= 1d): 50% refundable, service fee not refundable"));
  EXPECT_THAT(*table, HasSubstr("rental"));
  EXPECT_THAT(*table, HasSubstr("guest_service_fee"));
  EXPECT_THAT(*table, HasSubstr("refund to guest"));
  EXPECT_THAT(*table, HasSubstr("297.00"));
  EXPECT_THAT(*table, HasSubstr("523.80"));  // host payout before
  EXPECT_THAT(*table, HasSubstr("261.90"));  // after
}

TEST_F(QuoteTest, PolicyOverrideFileReservationAndNow) {
  std::string path = ::testing::TempDir() + "refund_quote_reservation.json";
  {
    std::ofstream(path) << kReservationJson;
  }
  QuoteRequest q = Request();
  q.reservation = "@" + path;
  q.policy = "moderate@2";
  q.cancel_at = "now";  // the clock: 24 h - 1 s before the start -> no refund
  Result<RefundBreakdown> b = ComputeQuote(q, clock_);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(b->policy_version, 2);
  EXPECT_EQ(b->window.kind, WindowKind::kNone);
  EXPECT_EQ(b->refund_to_guest, (Money{0, "EUR"}));
  std::remove(path.c_str());
}

TEST_F(QuoteTest, StatesAHalfUpPolicysRounding) {
  QuoteRequest q = Request();
  q.policy = "moderate_half_up";
  Result<RefundBreakdown> b = ComputeQuote(q, clock_);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(b->rounding, RoundingMode::kHalfUp);
  EXPECT_EQ(BreakdownToValue(*b).Get("rounding").AsString(), "half_up");
  EXPECT_THAT(FormatBreakdownTable(*b), HasSubstr("rounding   half_up (a tie of half a minor unit goes away from zero)"));
}

TEST_F(QuoteTest, VoucherChoice) {
  QuoteRequest q = Request();
  q.policy = "flexible_choice";
  q.refund_method = "voucher";
  Result<RefundBreakdown> b = ComputeQuote(q, clock_);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(b->method, RefundMethod::kVoucher);
  EXPECT_EQ(b->refund_to_guest, (Money{77625, "EUR"}));  // 675.00 + 15%
  EXPECT_THAT(FormatBreakdownTable(*b), HasSubstr("as voucher"));
}

// A check-in given in the property's zone (02:30 on the night Paris skips
// 02:00-03:00) and a booking 27 h before the cancellation under a policy
// with a grace rule: the quote shows the derived instant, how it was
// derived, the booking clock and the rule that applied.
TEST_F(QuoteTest, ShowsTheLocalCheckInAndTheGraceRule) {
  QuoteRequest q = Request();
  q.reservation = R"({"id": "r-3003", "currency": "EUR",
    "check_in": {"date": "2026-03-29", "time": "02:30", "time_zone": "Europe/Paris"},
    "booked_at": "2026-03-10T09:00:00+01:00",
    "lines": {"rental": "480.00", "cleaning_fee": "65.00", "tax": "54.50", "service_fee": "76.30"},
    "units_total": 4, "policy": "marketplace_strict"})";
  q.cancel_at = "2026-03-11T12:00:00+01:00";
  Result<RefundBreakdown> b = ComputeQuote(q, clock_);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(b->window.kind, WindowKind::kGrace);
  EXPECT_EQ(b->refund_to_guest, (Money{67580, "EUR"}));
  const std::string table = FormatBreakdownTable(*b);
  EXPECT_THAT(table, HasSubstr("start      2026-03-29T01:30:00Z\n"));
  EXPECT_THAT(table, HasSubstr("check-in   2026-03-29 02:30 Europe/Paris = 2026-03-29T03:30:00+02:00; 02:30 does not "
                               "exist there (clocks spring forward): moved forward by the gap\n"));
  EXPECT_THAT(table, HasSubstr("booked at  2026-03-10T08:00:00Z  (cancelled 1d3h after booking)\n"));
  EXPECT_THAT(table, HasSubstr("grace      grace_48h applies: cancelled 1d3h after booking (at most 2d) with notice "
                               "17d14h30m (at least 14d)\n"));
  EXPECT_THAT(table, HasSubstr("window     grace_48h (grace: cancelled within 2d of booking, notice >= 14d): 100% "
                               "refundable, service fee refundable\n"));
  const Value out = BreakdownToValue(*b);
  EXPECT_EQ(out.Get("window").Get("kind").AsString(), "grace");
  EXPECT_EQ(out.Get("window").Get("max_since_booking").AsString(), "2d");
  EXPECT_EQ(out.Get("window").Get("min_notice").AsString(), "14d");
  EXPECT_EQ(out.Get("grace").Get("status").AsString(), "applied");
  EXPECT_TRUE(out.Get("grace").Get("applied").AsBool());
  EXPECT_EQ(out.Get("booked_at").AsString(), "2026-03-10T08:00:00Z");
  EXPECT_EQ(out.Get("since_booking").AsString(), "1d3h");
  EXPECT_EQ(out.Get("check_in").Get("fit").AsString(), "skipped");
  EXPECT_EQ(out.Get("check_in").Get("offset").AsString(), "+02:00");
  EXPECT_EQ(out.Get("check_in").Get("local").AsString(), "2026-03-29T03:30:00+02:00");

  // Without booked_at the grace rule cannot apply; the quote says so.
  q.reservation = R"({"id": "r-3004", "currency": "EUR", "start_at": "2026-03-29T15:00:00+02:00",
    "lines": {"rental": "480.00", "cleaning_fee": "65.00", "tax": "54.50", "service_fee": "76.30"},
    "units_total": 4, "policy": "marketplace_strict"})";
  b = ComputeQuote(q, clock_);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(b->window.rule.name, "half");
  EXPECT_THAT(FormatBreakdownTable(*b),
              HasSubstr("grace      grace_48h does not apply: the reservation has no booked_at (within 2d of booking "
                        "and at least 14d before the start)\n"));
  EXPECT_THAT(FormatBreakdownTable(*b), ::testing::Not(HasSubstr("check-in")));
  EXPECT_EQ(BreakdownToValue(*b).Find("check_in"), nullptr);
  EXPECT_EQ(BreakdownToValue(*b).Find("booked_at"), nullptr);
}

TEST_F(QuoteTest, Errors) {
  QuoteRequest q = Request();
  q.policy = "platinum";
  EXPECT_EQ(ComputeQuote(q, clock_).status().code(), StatusCode::kNotFound);
  q = Request();
  q.reservation = "@/nonexistent/reservation.json";
  EXPECT_EQ(ComputeQuote(q, clock_).status().code(), StatusCode::kNotFound);
  q = Request();
  q.reservation = "{not json";
  EXPECT_EQ(ComputeQuote(q, clock_).status().code(), StatusCode::kInvalidArgument);
  q = Request();
  q.cancel_at = "yesterday";
  EXPECT_EQ(ComputeQuote(q, clock_).status().code(), StatusCode::kInvalidArgument);
  q = Request();
  q.policies_path = "/nonexistent.yaml";
  EXPECT_EQ(ComputeQuote(q, clock_).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace steadfast::refund
