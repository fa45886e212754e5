// Randomized robustness of the whole parser: mutated workflow files (bytes,
// lines, indentation) must yield either a definition or diagnostics, never
// a crash, hang or exception, and diagnostics must point inside the file.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "definition/parser.h"

namespace steadfast {
namespace {

std::string Fixture() {
  std::ifstream in(std::string(STEADFAST_TEST_DATA) + "/workflows/all_features.yaml", std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::string Join(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

const std::vector<std::string> kTokens = {
    ":", "- ", "{", "}", "[", "]", ",", "'", "\"", "&a ", "*a", "!!str ", "|", ">", "#", "${", "}", "$${",
    "next: end", "when: x >", "id: eligibility", "  ", "\t", "~", "null", "9999999999999999999999", "-1s", "?",
};

std::string MutateBytes(std::string s, std::mt19937_64& rng) {
  int edits = 1 + static_cast<int>(rng() % 6);
  for (int k = 0; k < edits && !s.empty(); ++k) {
    size_t at = rng() % s.size();
    switch (rng() % 3) {
      case 0: s.insert(at, kTokens[rng() % kTokens.size()]); break;
      case 1: s.erase(at, 1 + rng() % 5); break;
      default: s[at] = static_cast<char>(rng() & 0x7F); break;
    }
  }
  return s;
}

std::string MutateLines(const std::string& text, std::mt19937_64& rng) {
  std::vector<std::string> lines = Lines(text);
  int edits = 1 + static_cast<int>(rng() % 4);
  for (int k = 0; k < edits && !lines.empty(); ++k) {
    size_t a = rng() % lines.size();
    size_t b = rng() % lines.size();
    switch (rng() % 4) {
      case 0: std::swap(lines[a], lines[b]); break;
      case 1: lines.erase(lines.begin() + static_cast<long>(a)); break;
      case 2: lines.insert(lines.begin() + static_cast<long>(a), lines[b]); break;
      default: lines[a] = std::string(rng() % 8, ' ') + lines[a]; break;
    }
  }
  return Join(lines);
}

TEST(ParserRobustnessTest, MutatedFilesNeverCrash) {
  const std::string base = Fixture();
  ASSERT_FALSE(base.empty());
  std::mt19937_64 rng(424242);
  int accepted = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string text = (i % 2 == 0) ? MutateBytes(base, rng) : MutateLines(base, rng);
    ParseResult r = ParseWorkflow(text, "fuzz.yaml", nullptr);
    ASSERT_EQ(r.def.has_value(), r.diagnostics.empty());
    if (r.ok()) ++accepted;
    const int line_count = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
    for (const Diagnostic& d : r.diagnostics) {
      EXPECT_GE(d.line, 0);
      EXPECT_LE(d.line, line_count + 1) << d.ToString();
      EXPECT_FALSE(d.message.empty());
    }
    for (size_t k = 1; k < r.diagnostics.size(); ++k) {
      const Diagnostic& p = r.diagnostics[k - 1];
      const Diagnostic& q = r.diagnostics[k];
      EXPECT_TRUE(p.line < q.line || (p.line == q.line && p.column <= q.column));
    }
  }
  EXPECT_GT(accepted, 0);  // some mutations are harmless (comments, descriptions)
}

}  // namespace
}  // namespace steadfast
