// Duration parsing and formatting ("1h30m" <-> 5400000 ms).
#include "steadfast/time_text.h"

#include <array>
#include <limits>

namespace steadfast {
namespace {

struct Unit {
  std::string_view name;
  int64_t ms;
};

// Largest first: FormatDurationMs relies on the order.
constexpr std::array<Unit, 5> kUnits = {{
    {"d", 86'400'000},
    {"h", 3'600'000},
    {"m", 60'000},
    {"s", 1'000},
    {"ms", 1},
}};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

}  // namespace

Result<int64_t> ParseDurationMs(std::string_view text) {
  if (text.empty()) return Status::InvalidArgument("empty duration");
  int64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    if (!IsDigit(text[i])) {
      if (text[i] == '-') return Status::InvalidArgument("negative duration " + Quote(text));
      return Status::InvalidArgument("expected a number at " + Quote(text.substr(i)) + " in duration " +
                                     Quote(text));
    }
    int64_t n = 0;
    while (i < text.size() && IsDigit(text[i])) {
      int digit = text[i] - '0';
      if (n > (std::numeric_limits<int64_t>::max() - digit) / 10) {
        return Status::InvalidArgument("duration " + Quote(text) + " overflows");
      }
      n = n * 10 + digit;
      ++i;
    }
    size_t unit_start = i;
    while (i < text.size() && IsAlpha(text[i])) ++i;
    std::string_view unit = text.substr(unit_start, i - unit_start);
    if (unit.empty()) {
      if (i == text.size()) return Status::InvalidArgument("missing unit in " + Quote(text) + " (use ms, s, m, h or d)");
      return Status::InvalidArgument("unexpected " + Quote(text.substr(i, 1)) + " in duration " + Quote(text));
    }
    int64_t unit_ms = 0;
    for (const Unit& u : kUnits) {
      if (u.name == unit) unit_ms = u.ms;
    }
    if (unit_ms == 0) {
      return Status::InvalidArgument("unknown unit " + Quote(unit) + " in " + Quote(text) +
                                     " (use ms, s, m, h or d)");
    }
    if (n > std::numeric_limits<int64_t>::max() / unit_ms) {
      return Status::InvalidArgument("duration " + Quote(text) + " overflows");
    }
    int64_t part = n * unit_ms;
    if (total > std::numeric_limits<int64_t>::max() - part) {
      return Status::InvalidArgument("duration " + Quote(text) + " overflows");
    }
    total += part;
  }
  return total;
}

std::string FormatDurationMs(int64_t ms) {
  if (ms == 0) return "0s";
  std::string out;
  // Work in unsigned so that INT64_MIN negates without overflow.
  uint64_t rest = static_cast<uint64_t>(ms);
  if (ms < 0) {
    out = "-";
    rest = ~rest + 1;
  }
  for (const Unit& u : kUnits) {
    uint64_t unit_ms = static_cast<uint64_t>(u.ms);
    uint64_t n = rest / unit_ms;
    if (n == 0) continue;
    out += std::to_string(n);
    out += u.name;
    rest -= n * unit_ms;
  }
  return out;
}

}  // namespace steadfast
