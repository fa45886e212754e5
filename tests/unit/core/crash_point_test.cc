// Crash points: the selected point exits the process with 137, others pass.
#include "core/crash_point.h"

#include <gtest/gtest.h>
#include <stdlib.h>

namespace steadfast {
namespace {

TEST(CrashPointDeathTest, ExitsAtSelectedPointAndStep) {
  EXPECT_EXIT(
      {
        setenv("STEADFAST_CRASH_AT", "before_activity:psp", 1);
        ReloadCrashPointsForTest();
        CrashPoint("before_activity", "eligibility");  // other step: passes
        CrashPoint("after_claim", "psp");              // other point: passes
        CrashPoint("before_activity", "psp");
        exit(0);
      },
      testing::ExitedWithCode(137), "crash point before_activity");
}

TEST(CrashPointDeathTest, NthHit) {
  EXPECT_EXIT(
      {
        setenv("STEADFAST_CRASH_AT", "after_claim@3", 1);
        ReloadCrashPointsForTest();
        CrashPoint("after_claim", "a");
        CrashPoint("after_claim", "b");
        CrashPoint("after_claim", "c");
        exit(0);
      },
      testing::ExitedWithCode(137), "");
}

TEST(CrashPointTest, UnsetDoesNothing) {
  unsetenv("STEADFAST_CRASH_AT");
  ReloadCrashPointsForTest();
  CrashPoint("after_claim", "x");
  SUCCEED();
}

}  // namespace
}  // namespace steadfast
