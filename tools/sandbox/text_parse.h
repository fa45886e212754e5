// Small text helpers shared by the sandbox's flag, query and form handling.
//
// Whole-string parses only: "12" is 12, "12x" and "" are nothing.
#ifndef STEADFAST_TOOLS_SANDBOX_TEXT_PARSE_H_
#define STEADFAST_TOOLS_SANDBOX_TEXT_PARSE_H_

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace steadfast::sandbox {

template <class Number>
std::optional<Number> ParseNumber(std::string_view text) {
  Number value{};
  if (text.empty()) return std::nullopt;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

inline std::optional<int64_t> ParseInt(std::string_view text) { return ParseNumber<int64_t>(text); }
inline std::optional<double> ParseDouble(std::string_view text) { return ParseNumber<double>(text); }

// ASCII lower case (currency codes, header-ish tokens).
inline std::string AsciiLower(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

}  // namespace steadfast::sandbox

#endif  // STEADFAST_TOOLS_SANDBOX_TEXT_PARSE_H_
