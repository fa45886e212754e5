// Progress lines and bars (progress_reporter.h).
#include "progress_reporter.h"

#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace steadfast::cli {
namespace {

constexpr TimeMs kBarRedrawMs = 100;     // a terminal redraw at most this often
constexpr TimeMs kLinesEveryMs = 10'000;  // a log line at least this often
constexpr int kBarWidth = 30;

std::string Seconds(TimeMs ms) {
  char text[32];
  if (ms < 60'000) {
    std::snprintf(text, sizeof text, "%.1fs", static_cast<double>(ms) / 1000.0);
  } else {
    std::snprintf(text, sizeof text, "%lldm%02llds", static_cast<long long>(ms / 60'000),
                  static_cast<long long>((ms / 1000) % 60));
  }
  return text;
}

}  // namespace

ProgressReporter::ProgressReporter(std::string label, int64_t total, std::FILE* out, const Clock& clock, Style style)
    : label_(std::move(label)),
      out_(out),
      clock_(clock),
      style_(style),
      started_at_(clock.NowMs()),
      total_(total < 0 ? 0 : total),
      last_drawn_at_(started_at_) {}

ProgressReporter ProgressReporter::ForStderr(std::string label, int64_t total) {
  const char* term = std::getenv("TERM");
  bool tty = isatty(STDERR_FILENO) == 1 && (term == nullptr || std::strcmp(term, "dumb") != 0);
  return ProgressReporter(std::move(label), total, stderr, SystemClock::Instance(), tty ? Style::kBar : Style::kLines);
}

void ProgressReporter::Advance(int64_t n, int64_t failed) {
  std::lock_guard<std::mutex> lock(mu_);
  if (finished_) return;
  done_ += n;
  failed_ += failed;
  TimeMs now = clock_.NowMs();
  if (style_ == Style::kBar) {
    if (now - last_drawn_at_ >= kBarRedrawMs) DrawLocked(now, false);
    return;
  }
  int tenth = total_ > 0 ? static_cast<int>(done_ * 10 / total_) : 0;
  if (tenth > last_tenth_ && done_ < total_) {
    last_tenth_ = tenth;
    DrawLocked(now, false);
  } else if (now - last_drawn_at_ >= kLinesEveryMs) {
    DrawLocked(now, false);
  }
}

void ProgressReporter::SetTotal(int64_t total) {
  std::lock_guard<std::mutex> lock(mu_);
  total_ = total < 0 ? 0 : total;
}

void ProgressReporter::Finish() {
  std::lock_guard<std::mutex> lock(mu_);
  if (finished_) return;
  DrawLocked(clock_.NowMs(), true);
  finished_ = true;
}

int64_t ProgressReporter::done() const {
  std::lock_guard<std::mutex> lock(mu_);
  return done_;
}

int64_t ProgressReporter::failed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return failed_;
}

std::string ProgressReporter::StatusTextLocked(TimeMs now, bool final) const {
  std::string text = std::to_string(done_);
  if (total_ > 0) text += "/" + std::to_string(total_);
  TimeMs elapsed = now - started_at_;
  if (final) {
    text += " done in " + Seconds(elapsed);
  } else {
    if (total_ > 0) text += " (" + std::to_string(done_ * 100 / total_) + "%)";
    if (elapsed > 0 && done_ > 0) {
      double rate = static_cast<double>(done_) * 1000.0 / static_cast<double>(elapsed);
      char per_second[32];
      std::snprintf(per_second, sizeof per_second, "  %.0f/s", rate);
      text += per_second;
      if (total_ > done_) text += "  " + Seconds(static_cast<TimeMs>((total_ - done_) * 1000.0 / rate)) + " left";
    }
  }
  if (failed_ > 0) text += (final ? ", " : "  ") + std::to_string(failed_) + " failed";
  return text;
}

void ProgressReporter::DrawLocked(TimeMs now, bool final) {
  last_drawn_at_ = now;
  std::string status = StatusTextLocked(now, final);
  if (style_ == Style::kLines) {
    std::fprintf(out_, "%s: %s\n", label_.c_str(), status.c_str());
  } else {
    std::string bar;
    if (total_ > 0) {
      int64_t filled = (done_ >= total_ ? total_ : done_) * kBarWidth / total_;
      bar = "[" + std::string(static_cast<size_t>(filled), '#') + std::string(static_cast<size_t>(kBarWidth - filled), '.') + "] ";
    }
    // \r back to the line's start, \x1b[K clears what a longer line left.
    std::fprintf(out_, "\r%s %s%s\x1b[K%s", label_.c_str(), bar.c_str(), status.c_str(), final ? "\n" : "");
  }
  std::fflush(out_);
}

}  // namespace steadfast::cli
