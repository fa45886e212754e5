// ProgressReporter (tools/steadfast/progress_reporter.h) with a manual clock:
// a log gets a line per tenth and one at the end; a terminal gets a bar
// redrawn at most every 100 ms.
#include "progress_reporter.h"

#include <cstdio>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace steadfast::cli {
namespace {

using ::testing::HasSubstr;

// Collects what the reporter writes.
class Captured {
 public:
  Captured() : file_(open_memstream(&data_, &size_)) {}
  ~Captured() {
    std::fclose(file_);
    std::free(data_);
  }
  std::FILE* file() { return file_; }
  std::string text() {
    std::fflush(file_);
    return std::string(data_, size_);
  }

 private:
  char* data_ = nullptr;
  size_t size_ = 0;
  std::FILE* file_;
};

int Count(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(ProgressReporterTest, ALogGetsALinePerTenthAndTheEnd) {
  Captured out;
  ManualClock clock;
  ProgressReporter progress("resuming", 200, out.file(), clock, ProgressReporter::Style::kLines);
  for (int i = 0; i < 200; ++i) {
    clock.Advance(10);
    progress.Advance(1, i < 3 ? 1 : 0);
  }
  progress.Finish();
  progress.Finish();  // once only
  std::string text = out.text();
  EXPECT_EQ(Count(text, "\n"), 10) << text;  // 10% .. 90%, then the end
  EXPECT_THAT(text, HasSubstr("resuming: 20/200 (10%)  100/s  1.8s left  3 failed\n"));
  EXPECT_THAT(text, HasSubstr("resuming: 180/200 (90%)"));
  EXPECT_THAT(text, HasSubstr("resuming: 200/200 done in 2.0s, 3 failed\n"));
  EXPECT_EQ(progress.done(), 200);
  EXPECT_EQ(progress.failed(), 3);
}

TEST(ProgressReporterTest, AnUnknownTotalPrintsALineEveryTenSeconds) {
  Captured out;
  ManualClock clock;
  ProgressReporter progress("starting", 0, out.file(), clock, ProgressReporter::Style::kLines);
  for (int i = 0; i < 25; ++i) {
    clock.Advance(1000);
    progress.Advance();
  }
  EXPECT_EQ(out.text(), "starting: 10  1/s\nstarting: 20  1/s\n");
  progress.SetTotal(30);
  progress.Finish();
  EXPECT_THAT(out.text(), HasSubstr("starting: 25/30 done in 25.0s\n"));
}

TEST(ProgressReporterTest, ATerminalGetsABarRedrawnInPlaceAtMostEveryTenthOfASecond) {
  Captured out;
  ManualClock clock;
  ProgressReporter progress("pausing", 10, out.file(), clock, ProgressReporter::Style::kBar);
  for (int i = 0; i < 5; ++i) progress.Advance();
  EXPECT_EQ(out.text(), "");  // no time passed: nothing redrawn
  clock.Advance(100);
  progress.Advance();
  std::string text = out.text();
  EXPECT_THAT(text, HasSubstr("\rpausing [##################............] 6/10 (60%)"));
  EXPECT_EQ(Count(text, "\n"), 0);
  progress.Finish();
  text = out.text();
  EXPECT_THAT(text, HasSubstr("\rpausing [##################............] 6/10 done in 0.1s\x1b[K\n"));
}

}  // namespace
}  // namespace steadfast::cli
