// What every fuzz target shares: FUZZ_CHECK, a property check that aborts
// with a message (libFuzzer then saves the input that broke it as a crash),
// and the fuzz input viewed as text.
#ifndef STEADFAST_TESTS_FUZZ_FUZZ_CHECK_H_
#define STEADFAST_TESTS_FUZZ_FUZZ_CHECK_H_

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <utility>

#define FUZZ_CHECK(cond)                                                                   \
  do {                                                                                     \
    if (!(cond)) {                                                                         \
      std::fprintf(stderr, "FUZZ_CHECK failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
      std::abort();                                                                        \
    }                                                                                      \
  } while (0)

namespace steadfast::fuzz {

inline std::string_view AsText(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Splits text at the first occurrence of separator: {before, after}; no
// separator gives {text, ""}. Targets whose input has several parts (an
// expression and its scope, a response's status line and its body) use it.
inline std::pair<std::string_view, std::string_view> SplitOnce(std::string_view text, std::string_view separator) {
  size_t at = text.find(separator);
  if (at == std::string_view::npos) return {text, {}};
  return {text.substr(0, at), text.substr(at + separator.size())};
}

}  // namespace steadfast::fuzz

#endif  // STEADFAST_TESTS_FUZZ_FUZZ_CHECK_H_
