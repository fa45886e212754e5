// Randomized robustness: thousands of random and mutated inputs through
// Expression::Parse / Evaluate and StringTemplate::Parse / Evaluate. The
// property is totality: no crash, no hang, no exception, and every parse
// error reports an offset inside the text. Seeds are fixed so a failure
// reproduces; run under -Db_sanitize=address,undefined to catch UB too.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "definition/expression.h"
#include "definition/value_template.h"

namespace steadfast {
namespace {

const std::vector<std::string> kSeeds = {
    "steps.amount.refund_total.minor > 50000 || steps.eligibility.fraud_score > 0.7",
    "input.amount * 2 + 1 - (3 % 2) / 1.5",
    "!(input.flag && input.items[2]['sku'] == 'x')",
    "'a\\'b' + \"c\\u00e9\" < 'z'",
    "-9223372036854775808 - 1",
    "9223372036854775807 + 1",
    "input.big * input.big",
    "input.small / -1",
    "null == null != true",
    "input.items.1.x.y.z[0][1]['k']",
    "1e308 * 1e308",
    "((((((1))))))",
    "input.ratio % 0",
};

const std::string kAlphabet = "abcxyz019._[]()'\"\\!&|=<>+-*/% \t\nstepinputrufl${}e";

const std::vector<std::string> kFragments = {
    "steps",  "input", ".",  "[",  "]",  "(",   ")",    "'",   "\"", "\\", "!",   "&&",  "||", "==",
    "!=",     "<",     "<=", ">",  ">=", "+",   "-",    "*",   "/",  "%",  "0",   "1",   "-1", "1.5",
    "1e308",  "9223372036854775807", "9223372036854775808", "true", "false", "null", " ", "${", "}", "$${",
    "\\u00e9", "\xff", std::string(1, '\0'),
};

Value RobustnessScope() {
  Result<Value> v = Value::FromJson(R"({
    "input": {"amount": 12000, "flag": true, "ratio": 0.5, "big": 9223372036854775807,
              "small": -9223372036854775808, "items": [1, [2, 3], {"sku": "x", "k": null}]},
    "steps": {"amount": {"refund_total": {"minor": 60000}}, "eligibility": {"fraud_score": 0.9}}
  })");
  return v.ok() ? *v : Value();
}

std::string RandomString(std::mt19937_64& rng) {
  std::uniform_int_distribution<int> len(0, 40);
  std::uniform_int_distribution<int> pick(0, 2);
  std::string s;
  int n = len(rng);
  for (int i = 0; i < n; ++i) {
    switch (pick(rng)) {
      case 0: s += kAlphabet[rng() % kAlphabet.size()]; break;
      case 1: s += kFragments[rng() % kFragments.size()]; break;
      default: s += static_cast<char>(rng() & 0xFF); break;
    }
  }
  return s;
}

std::string Mutate(std::string s, std::mt19937_64& rng) {
  int edits = 1 + static_cast<int>(rng() % 4);
  for (int k = 0; k < edits; ++k) {
    size_t at = s.empty() ? 0 : rng() % (s.size() + 1);
    switch (rng() % 4) {
      case 0:  // insert a fragment
        s.insert(at, kFragments[rng() % kFragments.size()]);
        break;
      case 1:  // delete a run
        if (!s.empty() && at < s.size()) s.erase(at, 1 + rng() % 3);
        break;
      case 2:  // replace one byte
        if (!s.empty() && at < s.size()) s[at] = kAlphabet[rng() % kAlphabet.size()];
        break;
      default:  // duplicate a slice (grows nesting)
        if (!s.empty()) {
          size_t from = rng() % s.size();
          s.insert(at, s.substr(from, 1 + rng() % 8));
        }
        break;
    }
  }
  return s;
}

void Exercise(const std::string& text, const Value& scope, int& parsed) {
  int offset = -1;
  Result<Expression> e = Expression::Parse(text, &offset);
  if (e.ok()) {
    ++parsed;
    Result<Value> v = e->Evaluate(scope);
    if (!v.ok()) {
      EXPECT_EQ(v.status().code(), StatusCode::kInvalidArgument) << text;
    }
    (void)e->References();
    Expression copy = *e;
    (void)copy.Evaluate(Value());
  } else {
    EXPECT_GE(offset, 0) << text;
    EXPECT_LE(offset, static_cast<int>(text.size())) << text;
  }
  int t_offset = -1;
  Result<StringTemplate> t = StringTemplate::Parse(text, &t_offset);
  if (t.ok()) {
    (void)t->Evaluate(scope);
  } else {
    EXPECT_GE(t_offset, 0) << text;
    EXPECT_LE(t_offset, static_cast<int>(text.size())) << text;
  }
}

TEST(ExpressionRobustnessTest, RandomStrings) {
  std::mt19937_64 rng(20240601);
  const Value scope = RobustnessScope();
  int parsed = 0;
  for (int i = 0; i < 20000; ++i) Exercise(RandomString(rng), scope, parsed);
  EXPECT_GT(parsed, 0);  // the generator does reach the evaluator
}

TEST(ExpressionRobustnessTest, MutatedValidExpressions) {
  std::mt19937_64 rng(7);
  const Value scope = RobustnessScope();
  int parsed = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string s = kSeeds[rng() % kSeeds.size()];
    int rounds = 1 + static_cast<int>(rng() % 5);
    for (int r = 0; r < rounds; ++r) s = Mutate(std::move(s), rng);
    Exercise(s, scope, parsed);
  }
  EXPECT_GT(parsed, 1000);
}

TEST(ExpressionRobustnessTest, PathologicalShapes) {
  const Value scope = RobustnessScope();
  int parsed = 0;
  for (const std::string& s : {
           std::string(200000, '('),
           std::string(200000, '!'),
           std::string(200000, '-') + "1",
           std::string(100000, '[') ,
           "a" + std::string(100000, '.'),
           [] { std::string p = "input"; for (int i = 0; i < 50000; ++i) p += ".x"; return p; }(),
           [] { std::string p = "1"; for (int i = 0; i < 50000; ++i) p += "*1"; return p; }(),
           [] { std::string p = "true"; for (int i = 0; i < 50000; ++i) p += "&&true"; return p; }(),
           std::string(100000, '9'),
           "'" + std::string(100000, '\\'),
           "${" + std::string(100000, '{'),
           std::string(50000, '$') + "{",
       }) {
    Exercise(s, scope, parsed);
  }
}

}  // namespace
}  // namespace steadfast
