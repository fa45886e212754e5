// Cron parsing (a small, fixed grammar: fields of lists, ranges and steps)
// and the search for the next firing time across a zone's UTC periods.
#include "schedule/cron_expression.h"

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <chrono>
#include <vector>

namespace steadfast {
namespace {

constexpr int64_t kSecondsPerDay = 86'400;
// How far Next() looks: long enough for a February 29th on a fixed
// weekday pattern across a non-leap century year (2096 -> 2104).
constexpr int64_t kHorizonSeconds = (8 * 366 + 1) * kSecondsPerDay;

struct FieldSpec {
  const char* name;
  int min;
  int max;
  const char* const* names;  // names[i] stands for min + i; null = numbers only
};

constexpr const char* kMonthNames[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                       "jul", "aug", "sep", "oct", "nov", "dec", nullptr};
constexpr const char* kDayNames[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat", nullptr};

constexpr FieldSpec kSecond{"second", 0, 59, nullptr};
constexpr FieldSpec kMinute{"minute", 0, 59, nullptr};
constexpr FieldSpec kHour{"hour", 0, 23, nullptr};
constexpr FieldSpec kDayOfMonth{"day-of-month", 1, 31, nullptr};
constexpr FieldSpec kMonth{"month", 1, 12, kMonthNames};
constexpr FieldSpec kDayOfWeek{"day-of-week", 0, 7, kDayNames};  // 7 = Sunday too

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0); }

// Reads one field's text into `bits` (bit i = value i). Offsets in errors
// are relative to the whole expression (field_offset is where it starts).
class FieldParser {
 public:
  FieldParser(std::string_view text, int field_offset, const FieldSpec& spec)
      : text_(text), base_(field_offset), spec_(spec) {}

  template <size_t N>
  Status Parse(std::bitset<N>& bits, int* error_offset) {
    size_t item_start = 0;
    while (true) {
      size_t comma = text_.find(',', item_start);
      std::string_view item = text_.substr(item_start, comma == std::string_view::npos ? std::string_view::npos
                                                                                       : comma - item_start);
      Status s = ParseItem(item, static_cast<int>(item_start), bits);
      if (!s.ok()) {
        if (error_offset != nullptr) *error_offset = error_at_;
        return s;
      }
      if (comma == std::string_view::npos) break;
      item_start = comma + 1;
    }
    return Status::Ok();
  }

 private:
  Status Fail(int at, std::string message) {
    error_at_ = base_ + at;
    return Status::InvalidArgument(fmt::format("{} field: {}", spec_.name, message));
  }

  // A number or (where the field has them) a name, at item[pos..]; advances pos.
  Result<int> ReadValue(std::string_view item, int item_at, size_t& pos) {
    size_t start = pos;
    if (pos < item.size() && std::isdigit(static_cast<unsigned char>(item[pos]))) {
      int64_t v = 0;
      while (pos < item.size() && std::isdigit(static_cast<unsigned char>(item[pos]))) {
        v = v * 10 + (item[pos] - '0');
        if (v > 1000) return Fail(item_at + static_cast<int>(start), "number too large");
        ++pos;
      }
      if (v < spec_.min || v > spec_.max) {
        return Fail(item_at + static_cast<int>(start),
                    fmt::format("{} is out of range {}-{}", v, spec_.min, spec_.max));
      }
      return static_cast<int>(v);
    }
    if (spec_.names != nullptr && pos < item.size() && std::isalpha(static_cast<unsigned char>(item[pos]))) {
      while (pos < item.size() && std::isalpha(static_cast<unsigned char>(item[pos]))) ++pos;
      std::string word(item.substr(start, pos - start));
      for (char& c : word) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      for (int i = 0; spec_.names[i] != nullptr; ++i) {
        if (word == spec_.names[i]) return spec_.min + i;
      }
      return Fail(item_at + static_cast<int>(start), fmt::format("unknown name '{}'", item.substr(start, pos - start)));
    }
    if (pos >= item.size()) return Fail(item_at + static_cast<int>(pos), "a value is missing");
    return Fail(item_at + static_cast<int>(pos), fmt::format("unexpected '{}'", item[pos]));
  }

  template <size_t N>
  Status ParseItem(std::string_view item, int item_at, std::bitset<N>& bits) {
    if (item.empty()) return Fail(item_at, "empty list item");
    int low = spec_.min;
    int high = spec_.max;
    size_t pos = 0;
    bool star = false;
    if (item[0] == '*') {
      star = true;
      pos = 1;
    } else {
      SF_ASSIGN_OR_RETURN(low, ReadValue(item, item_at, pos));
      high = low;
      if (pos < item.size() && item[pos] == '-') {
        ++pos;
        size_t high_at = pos;
        SF_ASSIGN_OR_RETURN(high, ReadValue(item, item_at, pos));
        if (high < low) {
          return Fail(item_at + static_cast<int>(high_at),
                      fmt::format("range {}-{} runs backwards (write the smaller value first)", low, high));
        }
      }
    }
    int step = 1;
    if (pos < item.size() && item[pos] == '/') {
      ++pos;
      size_t step_at = pos;
      if (pos >= item.size() || !std::isdigit(static_cast<unsigned char>(item[pos]))) {
        return Fail(item_at + static_cast<int>(pos), "a step needs a number after '/'");
      }
      int64_t v = 0;
      while (pos < item.size() && std::isdigit(static_cast<unsigned char>(item[pos]))) {
        v = v * 10 + (item[pos] - '0');
        if (v > 1000) break;
        ++pos;
      }
      if (v < 1 || v > spec_.max - spec_.min + 1) {
        return Fail(item_at + static_cast<int>(step_at),
                    fmt::format("step must be from 1 to {}", spec_.max - spec_.min + 1));
      }
      step = static_cast<int>(v);
      // "N/step" runs from N to the field's maximum.
      if (!star && high == low) high = spec_.max;
    }
    if (pos != item.size()) return Fail(item_at + static_cast<int>(pos), fmt::format("unexpected '{}'", item[pos]));
    for (int v = low; v <= high; v += step) {
      int bit = (&spec_ == &kDayOfWeek && v == 7) ? 0 : v;  // 7 is Sunday
      bits.set(static_cast<size_t>(bit));
    }
    return Status::Ok();
  }

  std::string_view text_;
  int base_;
  const FieldSpec& spec_;
  int error_at_ = 0;
};

struct Macro {
  const char* name;
  const char* expansion;
};
constexpr Macro kMacros[] = {
    {"@yearly", "0 0 1 1 *"}, {"@annually", "0 0 1 1 *"}, {"@monthly", "0 0 1 * *"}, {"@weekly", "0 0 * * 0"},
    {"@daily", "0 0 * * *"},  {"@midnight", "0 0 * * *"}, {"@hourly", "0 * * * *"},
};

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

}  // namespace

Result<CronExpression> CronExpression::Parse(std::string_view text, int* error_offset) {
  int ignored = 0;
  int* at = error_offset != nullptr ? error_offset : &ignored;
  *at = 0;
  std::string_view fields_text = text;
  std::string expansion;
  size_t first = 0;
  while (first < text.size() && IsBlank(text[first])) ++first;
  if (first < text.size() && text[first] == '@') {
    size_t end = text.size();
    while (end > first && IsBlank(text[end - 1])) --end;
    std::string_view word = text.substr(first, end - first);
    for (const Macro& m : kMacros) {
      if (word == m.name) {
        expansion = m.expansion;
        break;
      }
    }
    if (expansion.empty()) {
      *at = static_cast<int>(first);
      return Status::InvalidArgument(fmt::format(
          "unknown cron macro '{}' (expected @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly)",
          word));
    }
    fields_text = expansion;
  }

  struct Field {
    std::string_view text;
    int offset;
  };
  std::vector<Field> fields;
  size_t i = 0;
  while (i < fields_text.size()) {
    while (i < fields_text.size() && IsBlank(fields_text[i])) ++i;
    if (i >= fields_text.size()) break;
    size_t start = i;
    while (i < fields_text.size() && !IsBlank(fields_text[i])) ++i;
    fields.push_back(Field{fields_text.substr(start, i - start), expansion.empty() ? static_cast<int>(start) : 0});
  }
  if (fields.size() != 5 && fields.size() != 6) {
    *at = fields.size() > 6 ? fields[6].offset : static_cast<int>(text.size());
    return Status::InvalidArgument(fmt::format(
        "a cron expression has 5 fields (minute hour day-of-month month day-of-week) or 6 (with a leading "
        "second), got {}",
        fields.size()));
  }

  CronExpression cron;
  cron.text_ = std::string(text.substr(first));
  while (!cron.text_.empty() && IsBlank(cron.text_.back())) cron.text_.pop_back();
  size_t k = 0;
  if (fields.size() == 6) {
    SF_RETURN_IF_ERROR(FieldParser(fields[k].text, fields[k].offset, kSecond).Parse(cron.seconds_, at));
    ++k;
  } else {
    cron.seconds_.set(0);
  }
  SF_RETURN_IF_ERROR(FieldParser(fields[k].text, fields[k].offset, kMinute).Parse(cron.minutes_, at));
  ++k;
  SF_RETURN_IF_ERROR(FieldParser(fields[k].text, fields[k].offset, kHour).Parse(cron.hours_, at));
  cron.hour_star_ = fields[k].text[0] == '*';
  ++k;
  SF_RETURN_IF_ERROR(FieldParser(fields[k].text, fields[k].offset, kDayOfMonth).Parse(cron.days_of_month_, at));
  cron.dom_star_ = fields[k].text[0] == '*';
  ++k;
  SF_RETURN_IF_ERROR(FieldParser(fields[k].text, fields[k].offset, kMonth).Parse(cron.months_, at));
  ++k;
  SF_RETURN_IF_ERROR(FieldParser(fields[k].text, fields[k].offset, kDayOfWeek).Parse(cron.days_of_week_, at));
  cron.dow_star_ = fields[k].text[0] == '*';
  return cron;
}

bool CronExpression::DayMatches(int64_t days) const {
  const std::chrono::sys_days day{std::chrono::days{days}};
  const std::chrono::year_month_day date{day};
  if (!months_.test(static_cast<unsigned>(date.month()))) return false;
  const bool dom = days_of_month_.test(static_cast<unsigned>(date.day()));
  const bool dow = days_of_week_.test(std::chrono::weekday{day}.c_encoding());  // 0 = Sunday
  // Vixie cron: either restricted day field may match when both are restricted.
  if (dom_star_ || dow_star_) return dom && dow;
  return dom || dow;
}

std::optional<int64_t> CronExpression::FirstCivilMatch(int64_t from, int64_t to) const {
  for (int64_t day = FloorDiv(from, kSecondsPerDay); day * kSecondsPerDay < to; ++day) {
    if (!DayMatches(day)) continue;
    const int64_t day_start = day * kSecondsPerDay;
    const int64_t first_tod = from > day_start ? from - day_start : 0;
    for (int h = static_cast<int>(first_tod / 3600); h < 24; ++h) {
      if (!hours_.test(static_cast<size_t>(h))) continue;
      for (int m = 0; m < 60; ++m) {
        if (!minutes_.test(static_cast<size_t>(m))) continue;
        const int64_t minute_start = day_start + h * 3600 + m * 60;
        if (minute_start + 59 < from) continue;
        for (int s = 0; s < 60; ++s) {
          if (!seconds_.test(static_cast<size_t>(s))) continue;
          const int64_t t = minute_start + s;
          if (t < from) continue;
          if (t >= to) return std::nullopt;
          return t;
        }
      }
    }
  }
  return std::nullopt;
}

std::optional<TimeMs> CronExpression::Next(TimeMs after, const TimeZone& zone) const {
  int64_t t = FloorDiv(after, 1000) + 1;  // the first whole second strictly after `after`
  const int64_t limit = t + kHorizonSeconds;
  while (t < limit) {
    const TimeZone::Period p = zone.PeriodAt(t);
    const int64_t o = p.offset_s;
    int64_t civil_from = t + o;
    const int64_t civil_to = std::min(p.end_s, limit) + o;
    if (!hour_star_ && p.begin_s > -(int64_t{1} << 39)) {
      const int64_t previous_offset = zone.PeriodAt(p.begin_s - 1).offset_s;
      if (previous_offset > o) {
        // Clocks went back at begin_s: wall-clock times up to begin + previous
        // offset happened already in the previous period; a fixed-hour
        // schedule fires only at their first occurrence.
        civil_from = std::max(civil_from, p.begin_s + previous_offset);
      } else if (previous_offset < o && t == p.begin_s &&
                 FirstCivilMatch(p.begin_s + previous_offset, p.begin_s + o).has_value()) {
        // Clocks jumped forward at begin_s over a time this schedule names:
        // it fires once, as the gap ends.
        return p.begin_s * 1000;
      }
    }
    if (civil_from < civil_to) {
      if (std::optional<int64_t> civil = FirstCivilMatch(civil_from, civil_to)) return (*civil - o) * 1000;
    }
    t = p.end_s;
  }
  return std::nullopt;
}

}  // namespace steadfast
