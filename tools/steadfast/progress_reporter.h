// ProgressReporter: progress of long CLI work (a bulk action over thousands
// of instances, a batch start from a file) for the person waiting on it.
//
// On a terminal it redraws one line in place - label, a bar, done/total,
// percent, rate, time left - at most every 100 ms. Anywhere else (a pipe, a
// CI log) it prints a plain line at each tenth of the work and at least every
// 10 s, so logs stay short. It writes to stderr (ForStderr), never stdout, so
// the verb's data (--json) stays clean. Time comes from a Clock, so tests
// check the throttling with a ManualClock. Thread-safe: workers may call
// Advance concurrently.
//
//   ProgressReporter progress = ProgressReporter::ForStderr("resuming", matched);
//   for (...) { ...; progress.Advance(); }          // or Advance(1, /*failed=*/1)
//   progress.Finish();                              // "resuming: 200/200 done in 3.1s"
#ifndef STEADFAST_TOOLS_PROGRESS_REPORTER_H_
#define STEADFAST_TOOLS_PROGRESS_REPORTER_H_

#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>

#include "steadfast/clock.h"

namespace steadfast::cli {

class ProgressReporter {
 public:
  enum class Style { kBar, kLines };
  // total: units of work, 0 when unknown (then counts only). out and clock
  // must outlive the reporter.
  ProgressReporter(std::string label, int64_t total, std::FILE* out, const Clock& clock, Style style);
  // To stderr with the system clock: a bar when stderr is a terminal (and
  // TERM is not "dumb"), lines otherwise.
  static ProgressReporter ForStderr(std::string label, int64_t total);

  ProgressReporter(const ProgressReporter&) = delete;
  ProgressReporter& operator=(const ProgressReporter&) = delete;
  ProgressReporter(ProgressReporter&&) = delete;

  // n more units done, `failed` of them unsuccessfully (counted, shown).
  void Advance(int64_t n = 1, int64_t failed = 0);
  // When the total is learned after the start.
  void SetTotal(int64_t total);
  // The final line ("label: 200/200 done in 3.1s, 2 failed"); later calls
  // do nothing.
  void Finish();

  int64_t done() const;
  int64_t failed() const;

 private:
  void DrawLocked(TimeMs now, bool final);
  std::string StatusTextLocked(TimeMs now, bool final) const;

  const std::string label_;
  std::FILE* const out_;
  const Clock& clock_;
  const Style style_;
  const TimeMs started_at_;
  mutable std::mutex mu_;
  int64_t total_;           // GUARDED_BY(mu_)
  int64_t done_ = 0;        // GUARDED_BY(mu_)
  int64_t failed_ = 0;      // GUARDED_BY(mu_)
  TimeMs last_drawn_at_;    // GUARDED_BY(mu_)
  int last_tenth_ = 0;      // GUARDED_BY(mu_): lines style, the last tenth printed
  bool finished_ = false;   // GUARDED_BY(mu_)
};

}  // namespace steadfast::cli

#endif  // STEADFAST_TOOLS_PROGRESS_REPORTER_H_
