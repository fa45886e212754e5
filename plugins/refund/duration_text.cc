// Duration text parsing and formatting for refund policies.
#include "refund/duration_text.h"

#include <array>

#include <fmt/format.h>

namespace steadfast::refund {
namespace {

struct Unit {
  std::string_view name;
  int64_t ms;
};

// Longest unit first; "ms" precedes "m" so that matching "ms" wins over "m".
constexpr std::array<Unit, 5> kUnits{{{"d", 86'400'000}, {"h", 3'600'000}, {"ms", 1}, {"m", 60'000}, {"s", 1'000}}};
// The order units must appear in, by size.
constexpr int Rank(std::string_view unit) {
  return unit == "d" ? 0 : unit == "h" ? 1 : unit == "m" ? 2 : unit == "s" ? 3 : 4;
}

}  // namespace

Result<int64_t> ParseDurationText(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument(fmt::format("bad duration '{}': {} (e.g. 7d, 24h, 1d12h, 30m, 0s)", text, why));
  };
  if (text.empty()) return bad("empty");
  int64_t total = 0;
  int last_rank = -1;
  size_t pos = 0;
  while (pos < text.size()) {
    int64_t n = 0;
    size_t digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (__builtin_mul_overflow(n, 10, &n) || __builtin_add_overflow(n, text[pos] - '0', &n)) return bad("overflow");
      ++digits;
      ++pos;
    }
    if (digits == 0) return bad("expected a number");
    if (pos == text.size()) return bad("missing unit");
    const Unit* unit = nullptr;
    for (const Unit& u : kUnits) {
      if (text.substr(pos, u.name.size()) == u.name) {
        unit = &u;
        break;
      }
    }
    if (unit == nullptr) return bad(fmt::format("unknown unit at '{}'", text.substr(pos)));
    pos += unit->name.size();
    int rank = Rank(unit->name);
    if (rank <= last_rank) return bad("units must go from days down to milliseconds, each once");
    last_rank = rank;
    int64_t part = 0;
    if (__builtin_mul_overflow(n, unit->ms, &part) || __builtin_add_overflow(total, part, &total)) {
      return bad("overflow");
    }
  }
  return total;
}

std::string FormatDurationText(int64_t ms) {
  if (ms == 0) return "0s";
  std::string out;
  uint64_t rest = ms < 0 ? 0 - static_cast<uint64_t>(ms) : static_cast<uint64_t>(ms);
  if (ms < 0) out = "-";
  static constexpr std::array<Unit, 5> kBySize{{{"d", 86'400'000}, {"h", 3'600'000}, {"m", 60'000}, {"s", 1'000}, {"ms", 1}}};
  for (const Unit& u : kBySize) {
    uint64_t n = rest / static_cast<uint64_t>(u.ms);
    if (n == 0) continue;
    out += fmt::format("{}{}", n, u.name);
    rest -= n * static_cast<uint64_t>(u.ms);
  }
  return out;
}

}  // namespace steadfast::refund
