// The readable history lines `steadfast history` prints.
#include "runtime/views.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace steadfast {
namespace {

using ::testing::HasSubstr;

constexpr TimeMs kAt = 1795000000123;  // 2026-11-18T11:06:40.123Z

TEST(HistoryEventLine, AttemptOutcomesSayWhenTheAttemptStarted) {
  HistoryEvent ok;
  ok.seq = 3;
  ok.at = kAt;
  ok.type = "attempt_succeeded";
  ok.step_id = "psp";
  ok.attempt = 2;
  ok.data = Value::Map{{"output", Value::Map{}}, {"duration_ms", 250}, {"started_at", kAt - 250}};
  std::string line = HistoryEventLine(ok);
  EXPECT_THAT(line, HasSubstr("psp #2"));
  EXPECT_THAT(line, HasSubstr("started " + FormatTime(kAt - 250) + "  250ms"));

  // A failure carries no started_at: its start is derived from the duration.
  HistoryEvent failed = ok;
  failed.type = "attempt_failed";
  failed.data = Value::Map{{"code", "psp_unavailable"}, {"message", "503"}, {"duration_ms", 40}};
  line = HistoryEventLine(failed);
  EXPECT_THAT(line, HasSubstr("started " + FormatTime(kAt - 40) + "  psp_unavailable: 503"));
}

TEST(HistoryEventLine, EventsThatAreNotAttemptsHaveNoStartTime) {
  HistoryEvent retry;
  retry.seq = 4;
  retry.at = kAt;
  retry.type = "retry_scheduled";
  retry.step_id = "psp";
  retry.attempt = 3;
  retry.data = Value::Map{{"delay_ms", 2000}, {"due_at", kAt + 2000}, {"failures", 2}};
  std::string line = HistoryEventLine(retry);
  EXPECT_THAT(line, HasSubstr("in 2000ms"));
  EXPECT_THAT(line, ::testing::Not(HasSubstr("started")));
}

}  // namespace
}  // namespace steadfast
