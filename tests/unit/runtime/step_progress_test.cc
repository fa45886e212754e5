// StepProgressFromHistory: each step's state after replaying its events.
#include "runtime/step_progress.h"

#include <gtest/gtest.h>

namespace steadfast {
namespace {

HistoryEvent Ev(std::string type, std::string step, Value data = Value::Map{}, int attempt = 0) {
  HistoryEvent e;
  e.type = std::move(type);
  e.step_id = std::move(step);
  e.attempt = attempt;
  e.data = std::move(data);
  return e;
}

std::string State(const std::map<std::string, StepProgress>& m, const std::string& step) {
  auto it = m.find(step);
  return it == m.end() ? "pending" : std::string(StepStateName(it->second.state));
}

TEST(StepProgress, ReplaysEveryOutcome) {
  std::vector<HistoryEvent> events = {
      Ev("workflow_started", ""),
      Ev("step_scheduled", "a"),
      Ev("attempt_failed", "a", Value::Map{{"code", "psp_unavailable"}}, 1),
      Ev("retry_scheduled", "a", Value::Map{{"delay_ms", 300}}, 2),
      Ev("attempt_succeeded", "a", Value::Map{}, 2),
      Ev("step_skipped", "b", Value::Map{{"when", "x"}}),
      Ev("approval_not_required", "c"),
      Ev("wait_started", "d", Value::Map{{"kind", "approval"}}),
      Ev("approval_decided", "d", Value::Map{{"principal", "rita"}, {"decision", "approve"}, {"approvals", 1},
                                             {"required_approvals", 2}}),
  };
  auto m = StepProgressFromHistory(events);
  EXPECT_EQ(State(m, "a"), "completed");
  EXPECT_EQ(m["a"].attempts, 2);
  EXPECT_EQ(State(m, "b"), "skipped");
  EXPECT_EQ(State(m, "c"), "skipped");
  EXPECT_EQ(State(m, "d"), "waiting");
  EXPECT_EQ(m["d"].detail, "1 of 2 approvals (last: rita)");
  EXPECT_EQ(State(m, "e"), "pending");

  events.push_back(Ev("approval_decided", "d", Value::Map{{"principal", "rob"}, {"decision", "approve"},
                                                          {"approvals", 2}, {"required_approvals", 2}}));
  events.push_back(Ev("wait_started", "e", Value::Map{{"kind", "signal"}, {"signal", "go"}}));
  m = StepProgressFromHistory(events);
  EXPECT_EQ(State(m, "d"), "completed");
  EXPECT_EQ(m["d"].detail, "approved by rob");
  EXPECT_EQ(State(m, "e"), "waiting");
  EXPECT_EQ(m["e"].detail, "waiting for signal go");

  events.push_back(Ev("workflow_cancelled", "", Value::Map{{"principal", "ops"}}));
  m = StepProgressFromHistory(events);
  EXPECT_EQ(State(m, "e"), "cancelled");
  EXPECT_EQ(State(m, "a"), "completed");
}

TEST(StepProgress, FailureRejectionTimeoutAndCompensation) {
  auto m = StepProgressFromHistory({
      Ev("step_scheduled", "a"),
      Ev("attempt_succeeded", "a", Value::Map{}, 1),
      Ev("wait_started", "r", Value::Map{{"kind", "approval"}}),
      Ev("approval_decided", "r", Value::Map{{"principal", "rob"}, {"decision", "reject"}}),
      Ev("wait_started", "s", Value::Map{{"kind", "signal"}, {"signal", "go"}}),
      Ev("wait_timed_out", "s"),
      Ev("step_scheduled", "p"),
      Ev("attempt_failed", "p", Value::Map{{"code", "refund_failed"}}, 1),
      Ev("step_failed", "p", Value::Map{{"code", "refund_failed"}}),
      Ev("compensation_started", "p"),
      Ev("compensation_succeeded", "a", Value::Map{{"activity", "std.echo"}}, 1),
  });
  EXPECT_EQ(State(m, "r"), "rejected");
  EXPECT_EQ(m["r"].detail, "rejected by rob");
  EXPECT_EQ(State(m, "s"), "timed_out");
  EXPECT_EQ(State(m, "p"), "failed");
  EXPECT_EQ(m["p"].detail, "refund_failed");
  EXPECT_EQ(State(m, "a"), "compensated");
}

}  // namespace
}  // namespace steadfast
