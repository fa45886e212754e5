// Sleep steps' wake times from every form, and the values refused: exact,
// with no clock at all.
#include "runtime/wake_time.h"

#include <gtest/gtest.h>

#include "definition/parser.h"
#include "steadfast/time_text.h"

namespace steadfast {
namespace {

constexpr TimeMs kNow = 1'800'000'000'000;  // 2027-01-15T08:00:00Z

// The first step of a one-step workflow whose step is `step_yaml`.
StepDef Step(const std::string& step_yaml) {
  ParseResult r = ParseWorkflow("name: w\nsteps:\n  - id: nap\n    " + step_yaml + "\n", "w.yaml", nullptr);
  EXPECT_TRUE(r.ok()) << (r.diagnostics.empty() ? "" : r.diagnostics.front().ToString());
  return r.ok() ? r.def->steps[0] : StepDef{};
}

Value Input(Value input) { return Value::Map{{"input", std::move(input)}, {"steps", Value::Map{}}}; }

Result<TimeMs> Wake(const std::string& step_yaml, Value input = Value::Map{}) {
  return WakeTime(Step(step_yaml), Input(std::move(input)), kNow);
}

std::string Error(const std::string& step_yaml, Value input) {
  Result<TimeMs> r = Wake(step_yaml, std::move(input));
  return r.ok() ? "woke at " + std::to_string(*r) : r.status().message();
}

TEST(WakeTimeTest, ALiteralSleepCountsFromTheStepsStart) {
  EXPECT_EQ(*Wake("sleep: 3d"), kNow + 3 * 86'400'000LL);
  EXPECT_EQ(*Wake("sleep: 1h30m"), kNow + 5'400'000);
}

TEST(WakeTimeTest, AComputedSleepTakesADurationOrMilliseconds) {
  EXPECT_EQ(*Wake("sleep: \"${input.grace}\"", Value::Map{{"grace", "36h"}}), kNow + 36 * 3'600'000LL);
  EXPECT_EQ(*Wake("sleep: \"${input.grace}\"", Value::Map{{"grace", 2500}}), kNow + 2500);
  EXPECT_EQ(*Wake("sleep: \"${input.grace}\"", Value::Map{{"grace", 0}}), kNow);
}

TEST(WakeTimeTest, UntilTakesAnInstantWithItsOffsetOrEpochMilliseconds) {
  EXPECT_EQ(*Wake("until: \"${input.at}\"", Value::Map{{"at", "2027-01-15T10:00:00+01:00"}}), kNow + 3'600'000);
  EXPECT_EQ(*Wake("until: \"${input.at}\"", Value::Map{{"at", kNow + 42}}), kNow + 42);
  EXPECT_EQ(*Wake("until: 2027-01-16T08:00:00Z"), kNow + 86'400'000);
  // Already past: returned as is, so the step wakes at once.
  EXPECT_EQ(*Wake("until: \"${input.at}\"", Value::Map{{"at", "2020-01-01T00:00:00Z"}}),
            *ParseRfc3339("2020-01-01T00:00:00Z"));
}

TEST(WakeTimeTest, BadValuesAreRefusedSayingWhy) {
  EXPECT_EQ(Error("sleep: \"${input.grace}\"", Value::Map{{"grace", "soon"}}),
            "sleep: expected a number at 'soon' in duration 'soon'");
  EXPECT_EQ(Error("sleep: \"${input.grace}\"", Value::Map{{"grace", -5}}), "sleep of -5 ms is negative");
  EXPECT_EQ(Error("sleep: \"${input.grace}\"", Value::Map{{"grace", true}}),
            "sleep must give a duration such as '3d' or milliseconds, not bool true");
  EXPECT_EQ(Error("sleep: \"${input.grace}\"", Value::Map{{"grace", "36501d"}}),
            "sleep of 36501d is longer than 36500d");
  EXPECT_EQ(Error("until: \"${input.at}\"", Value::Map{{"at", "2027-01-15 10:00"}}).rfind("until: ", 0), 0u);
  EXPECT_EQ(Error("until: \"${input.at}\"", Value::Map{{"at", Value()}}),
            "until must give an RFC 3339 instant or epoch milliseconds, not null");
  EXPECT_EQ(Error("until: \"${input.at}\"", Value::Map{{"at", "9999-01-01T00:00:00Z"}}),
            "until 9999-01-01T00:00:00Z is more than 36500d away");
}

}  // namespace
}  // namespace steadfast
