#include "attempt_history.h"

#include <map>
#include <optional>
#include <string_view>
#include <utility>

namespace steadfast::soak {
namespace {

// Start and end of an attempt in ms since the epoch, as far as known.
struct Interval {
  std::optional<TimeMs> start;
  TimeMs end = 0;
};

// Clocks: started_at is wall time, duration_ms a steady clock's; a few ms
// of disagreement between them is not an overlap.
constexpr TimeMs kClockSlackMs = 5;

bool IsAttemptOutcome(std::string_view type) {
  return type == history::kAttemptSucceeded || type == history::kAttemptFailed ||
         type == history::kAttemptAbandoned || type == history::kCompensationSucceeded ||
         type == history::kCompensationFailed;
}

bool IsCompensation(const HistoryEvent& e) {
  if (e.type == history::kCompensationSucceeded || e.type == history::kCompensationFailed) return true;
  return e.data.Get("compensation").is_bool() && e.data.Get("compensation").AsBool();
}

Interval IntervalOf(const HistoryEvent& e) {
  Interval i;
  i.end = e.at;
  if (e.type == history::kAttemptAbandoned) return i;
  const Value& duration = e.data.Get("duration_ms");
  if (!duration.is_int()) return i;
  const Value& started = e.data.Get("started_at");
  i.start = started.is_int() ? started.AsInt() : e.at - duration.AsInt();
  i.end = *i.start + duration.AsInt();
  return i;
}

}  // namespace

std::vector<std::string> AttemptHistoryProblems(const std::vector<HistoryEvent>& history) {
  std::vector<std::string> problems;
  for (size_t i = 0; i < history.size(); ++i) {
    if (history[i].seq != static_cast<int64_t>(i + 1)) {
      problems.push_back("event " + std::to_string(i + 1) + " has seq " + std::to_string(history[i].seq));
      break;
    }
  }
  // (step, compensation) -> attempt number -> intervals of its outcomes.
  std::map<std::pair<std::string, bool>, std::map<int, std::vector<Interval>>> attempts;
  for (const HistoryEvent& e : history) {
    if (!IsAttemptOutcome(e.type)) continue;
    attempts[{e.step_id, IsCompensation(e)}][e.attempt].push_back(IntervalOf(e));
  }
  for (const auto& [key, by_number] : attempts) {
    const std::string what = "step '" + key.first + "'" + (key.second ? " (compensation)" : "");
    int expected = 1;
    for (const auto& [number, outcomes] : by_number) {
      if (number != expected) {
        problems.push_back(what + ": attempt " + std::to_string(number) + " follows attempt " +
                           std::to_string(expected - 1) + " (not numbered 1..n)");
      }
      expected = number + 1;
      if (outcomes.size() != 1) {
        problems.push_back(what + ": attempt " + std::to_string(number) + " has " + std::to_string(outcomes.size()) +
                           " outcomes");
      }
    }
    for (auto a = by_number.begin(); a != by_number.end(); ++a) {
      for (auto b = std::next(a); b != by_number.end(); ++b) {
        const Interval& earlier = a->second.front();
        const Interval& later = b->second.front();
        if (!earlier.start || !later.start) continue;
        if (*later.start + kClockSlackMs < earlier.end) {
          problems.push_back(what + ": attempt " + std::to_string(b->first) + " started at " +
                             std::to_string(*later.start) + ", before attempt " + std::to_string(a->first) +
                             " ended at " + std::to_string(earlier.end) + " (ran concurrently)");
        }
      }
    }
  }
  return problems;
}

}  // namespace steadfast::soak
