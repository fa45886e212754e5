// Expression semantics as a table: each row is text -> value or error, all
// evaluated against one scope. Parse errors are checked with their offsets.
#include "definition/expression.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace steadfast {
namespace {

using ::testing::HasSubstr;

Value SampleScope() {
  Result<Value> v = Value::FromJson(R"({
    "input": {"amount": 12000, "name": "ada", "ratio": 0.5, "flag": true, "off": false,
              "items": [10, 20, {"sku": "x"}], "nothing": null, "big": 9223372036854775807,
              "small": -9223372036854775808, "weird key": 1, "0": "zero"},
    "steps": {"amount": {"refund_total": {"minor": 60000, "currency": "EUR"}},
              "1st": {"ok": true}}
  })");
  EXPECT_TRUE(v.ok());
  return *v;
}

struct EvalRow {
  std::string text;
  Value want;
};

Value Eval(const std::string& text) {
  Result<Expression> e = Expression::Parse(text);
  EXPECT_TRUE(e.ok()) << text << ": " << e.status().ToString();
  if (!e.ok()) return Value("<parse error>");
  Result<Value> v = e->Evaluate(SampleScope());
  EXPECT_TRUE(v.ok()) << text << ": " << v.status().ToString();
  if (!v.ok()) return Value("<eval error>");
  return *v;
}

std::string EvalError(const std::string& text) {
  Result<Expression> e = Expression::Parse(text);
  EXPECT_TRUE(e.ok()) << text << ": " << e.status().ToString();
  if (!e.ok()) return "<parse error>";
  Result<Value> v = e->Evaluate(SampleScope());
  EXPECT_FALSE(v.ok()) << text << " evaluated to " << (v.ok() ? v->ToJson() : "");
  return v.ok() ? "<no error>" : v.status().message();
}

TEST(ExpressionTest, Literals) {
  for (const EvalRow& r : std::vector<EvalRow>{
           {"42", Value(42)},
           {"-7", Value(-7)},
           {"1.5", Value(1.5)},
           {"2e3", Value(2000.0)},
           {"2.5E-1", Value(0.25)},
           {"'single'", Value("single")},
           {"\"double\"", Value("double")},
           {"true", Value(true)},
           {"false", Value(false)},
           {"null", Value()},
           {"9223372036854775807", Value(INT64_MAX)},
           {"-9223372036854775808", Value(INT64_MIN)},
           {R"('a\'b\"c\\d\ne\tf\rg\$h')", Value("a'b\"c\\d\ne\tf\rg$h")},
           {R"("\u00e9\u20ac")", Value("\xC3\xA9\xE2\x82\xAC")},
           {"'}'", Value("}")},
       }) {
    EXPECT_EQ(Eval(r.text), r.want) << r.text;
  }
}

TEST(ExpressionTest, PrecedenceAndAssociativity) {
  for (const EvalRow& r : std::vector<EvalRow>{
           {"1 + 2 * 3", Value(7)},
           {"(1 + 2) * 3", Value(9)},
           {"10 - 4 - 3", Value(3)},    // left-associative
           {"100 / 10 / 5", Value(2)},  // left-associative
           {"-2 * 3", Value(-6)},
           {"- (2 + 3)", Value(-5)},
           {"--4", Value(4)},
           {"7 % 3 + 1", Value(2)},
           {"1 + 1 == 2", Value(true)},
           {"true || false && false", Value(true)},   // && before ||
           {"(true || false) && false", Value(false)},
           {"!false && true", Value(true)},
           {"!(1 == 1)", Value(false)},
           {"!1 == 2", Value(true)},  // '!' applies to the comparison: !(1 == 2)
       }) {
    EXPECT_EQ(Eval(r.text), r.want) << r.text;
  }
}

TEST(ExpressionTest, Comparisons) {
  for (const EvalRow& r : std::vector<EvalRow>{
           {"3 == 3.0", Value(true)},
           {"3 != 3.0", Value(false)},
           {"2 < 2.5", Value(true)},
           {"2.5 >= 3", Value(false)},
           {"input.amount > 10000", Value(true)},
           {"input.amount <= 12000", Value(true)},
           {"9007199254740993 == 9007199254740992.0", Value(false)},  // exact int/double compare
           {"9007199254740993 > 9007199254740992.0", Value(true)},
           {"input.big < 1e19", Value(true)},
           {"input.small > -1e19", Value(true)},
           {"'abc' < 'abd'", Value(true)},
           {"'b' > 'abc'", Value(true)},
           {"'' < 'a'", Value(true)},
           {"input.name == 'ada'", Value(true)},
           {"'1' == 1", Value(false)},  // different types are unequal, not an error
           {"null == null", Value(true)},
           {"input.nothing == null", Value(true)},
           {"input.missing == null", Value(true)},
           {"input.amount != null", Value(true)},
           {"true == 1", Value(false)},
           {"input.items == input.items", Value(true)},
           {"steps.amount.refund_total == steps.amount.refund_total", Value(true)},
           {"steps.amount.refund_total != input.items", Value(true)},
       }) {
    EXPECT_EQ(Eval(r.text), r.want) << r.text;
  }
}

TEST(ExpressionTest, Arithmetic) {
  for (const EvalRow& r : std::vector<EvalRow>{
           {"7 / 2", Value(3)},  // int / int truncates
           {"-7 / 2", Value(-3)},
           {"7 % -3", Value(1)},
           {"-7 % 3", Value(-1)},
           {"7 / 2.0", Value(3.5)},
           {"input.amount * input.ratio", Value(6000.0)},
           {"input.amount + 1", Value(12001)},
           {"1 + 0.5", Value(1.5)},
           {"7.5 % 2", Value(1.5)},
           {"'ref-' + input.name", Value("ref-ada")},
           {"input.small % -1", Value(0)},
           {"-input.amount", Value(-12000)},
           {"-input.ratio", Value(-0.5)},
       }) {
    EXPECT_EQ(Eval(r.text), r.want) << r.text;
  }
}

TEST(ExpressionTest, LogicWithNull) {
  for (const EvalRow& r : std::vector<EvalRow>{
           {"input.nothing && true", Value(false)},
           {"input.nothing || true", Value(true)},
           {"input.missing || false", Value(false)},
           {"!input.nothing", Value(true)},
           {"!input.missing.deeper", Value(true)},
           {"input.flag && !input.off", Value(true)},
           // Short-circuit: the right side, a type error, is never evaluated.
           {"false && 1", Value(false)},
           {"true || 'x'", Value(true)},
           {"input.missing != null && input.missing > 5", Value(false)},
       }) {
    EXPECT_EQ(Eval(r.text), r.want) << r.text;
  }
}

TEST(ExpressionTest, Paths) {
  for (const EvalRow& r : std::vector<EvalRow>{
           {"steps.amount.refund_total.minor", Value(60000)},
           {"steps.amount.refund_total['currency']", Value("EUR")},
           {"input.items[1]", Value(20)},
           {"input.items.1", Value(20)},
           {"input.items[2].sku", Value("x")},
           {"input.items[3]", Value()},
           {"input.items[99999999999999]", Value()},
           {"input.items.x", Value()},
           {"input['weird key']", Value(1)},
           {"input[0]", Value("zero")},  // a map key "0"
           {"input.name.length", Value()},  // fields of a string: null
           {"steps.1st.ok", Value(true)},
           {"steps.amount.null", Value()},  // keywords are plain segments after '.'
           {"nope.at.all", Value()},
       }) {
    EXPECT_EQ(Eval(r.text), r.want) << r.text;
  }
  Result<Value> whole = Expression::Parse("input.items")->Evaluate(SampleScope());
  ASSERT_TRUE(whole.ok());
  EXPECT_TRUE(whole->is_list());
  // A scope that is not a map resolves everything to null.
  EXPECT_EQ(*Expression::Parse("a.b")->Evaluate(Value(3)), Value());
}

TEST(ExpressionTest, EvaluationErrors) {
  EXPECT_EQ(EvalError("input.big + 1"), "integer overflow in '+'");
  EXPECT_EQ(EvalError("input.small - 1"), "integer overflow in '-'");
  EXPECT_EQ(EvalError("input.big * 2"), "integer overflow in '*'");
  EXPECT_EQ(EvalError("input.small / -1"), "integer overflow in '/'");
  EXPECT_EQ(EvalError("-input.small"), "integer overflow in unary '-'");
  EXPECT_EQ(EvalError("1 / 0"), "division by zero");
  EXPECT_EQ(EvalError("1.5 / 0"), "division by zero");
  EXPECT_EQ(EvalError("1 % 0"), "modulo by zero");
  EXPECT_EQ(EvalError("1e308 * 10"), "number overflow in '*'");
  EXPECT_EQ(EvalError("input.missing > 5"), "'>' needs two numbers or two strings, got null and int");
  EXPECT_EQ(EvalError("'a' < 1"), "'<' needs two numbers or two strings, got string and int");
  EXPECT_EQ(EvalError("1 + 'a'"), "'+' needs two numbers or two strings, got int and string");
  EXPECT_EQ(EvalError("'a' - 'b'"), "'-' needs numbers, got string and string");
  EXPECT_EQ(EvalError("input.amount && true"), "'&&' needs booleans, got int");
  EXPECT_EQ(EvalError("false || 'x'"), "'||' needs booleans, got string");
  EXPECT_EQ(EvalError("!input.name"), "'!' needs a boolean, got string");
  EXPECT_EQ(EvalError("-input.name"), "unary '-' needs a number, got string");
  EXPECT_EQ(EvalError("input.items * 2"), "'*' needs numbers, got list and int");
}

struct ParseErrorRow {
  std::string text;
  int offset;
  std::string message;
};

TEST(ExpressionTest, ParseErrorsCarryOffsets) {
  for (const ParseErrorRow& r : std::vector<ParseErrorRow>{
           {"", 0, "empty expression"},
           {"   ", 3, "empty expression"},
           {"1 +", 3, "unexpected end of expression"},
           {"(1 + 2", 6, "expected ')' to close the '(' at offset 0, found end of expression"},
           {"1 + 2)", 5, "unexpected ')' after a complete expression"},
           {"a = 1", 2, "unexpected '=' (use '==' to compare)"},
           {"a & b", 2, "unexpected '&' (use '&&')"},
           {"a | b", 2, "unexpected '|' (use '||')"},
           {"a # b", 2, "unexpected character '#'"},
           {"'abc", 0, "unterminated string"},
           {"x + 'ab\\q'", 7, "unknown escape '\\q'"},
           {"'\\u12'", 1, "\\u needs four hex digits"},
           {"'\\ud800'", 1, "\\u escape of a surrogate code point"},
           {"9223372036854775808", 0, "integer literal out of range"},
           {"1 + 99999999999999999999", 4, "integer literal out of range"},
           {"1e999", 0, "number out of range"},
           {"1e", 1, "malformed exponent in number"},
           {"12abc", 2, "unexpected letter after number"},
           {"a.", 2, "expected a field name after '.', found end of expression"},
           {"a[", 2, "expected an integer index or a quoted key inside [], found end of expression"},
           {"a[b]", 2, "expected an integer index or a quoted key inside [], found name 'b'"},
           {"a[1", 3, "expected ']', found end of expression"},
           {"1 < 2 < 3", 6, "comparisons cannot be chained; combine them with && or ||"},
           {"a b", 2, "unexpected name 'b' after a complete expression"},
           {"*", 0, "unexpected '*'"},
       }) {
    int offset = -1;
    Result<Expression> e = Expression::Parse(r.text, &offset);
    ASSERT_FALSE(e.ok()) << r.text;
    EXPECT_EQ(e.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(e.status().message(), r.message) << r.text;
    EXPECT_EQ(offset, r.offset) << r.text;
  }
}

TEST(ExpressionTest, DepthIsLimited) {
  auto nested = [](int n) { return std::string(n, '(') + "1" + std::string(n, ')'); };
  EXPECT_TRUE(Expression::Parse(nested(kMaxExpressionDepth - 1)).ok());
  int offset = -1;
  Result<Expression> deep = Expression::Parse(nested(100000), &offset);
  ASSERT_FALSE(deep.ok());
  EXPECT_THAT(deep.status().message(), HasSubstr("nested too deeply"));
  EXPECT_EQ(offset, kMaxExpressionDepth);

  EXPECT_FALSE(Expression::Parse(std::string(100000, '!') + "true").ok());
  EXPECT_FALSE(Expression::Parse(std::string(100000, '-') + "x").ok());
  // A long flat chain builds a deep tree too.
  std::string chain = "1";
  for (int i = 0; i < 1000; ++i) chain += " + 1";
  EXPECT_FALSE(Expression::Parse(chain).ok());
  std::string short_chain = "1";
  for (int i = 0; i < 50; ++i) short_chain += " + 1";
  EXPECT_EQ(Eval(short_chain), Value(51));
}

TEST(ExpressionTest, ReferencesListEveryPath) {
  Result<Expression> e = Expression::Parse(
      "steps.amount.refund_total.minor > 50000 || steps.eligibility.fraud_score > 0.7 && input.items[2]['sku'] "
      "== (input.a + 1)");
  ASSERT_TRUE(e.ok());
  std::vector<std::vector<std::string>> want = {
      {"steps", "amount", "refund_total", "minor"},
      {"steps", "eligibility", "fraud_score"},
      {"input", "items", "2", "sku"},
      {"input", "a"},
  };
  EXPECT_EQ(e->References(), want);
  std::vector<PathReference> refs = e->PathReferences();
  ASSERT_EQ(refs.size(), 4u);
  EXPECT_EQ(refs[0].offset, 0);
  EXPECT_EQ(refs[1].offset, 43);
  EXPECT_TRUE(Expression::Parse("1 + 2")->References().empty());
}

TEST(ExpressionTest, CopiesShareAndKeepWorking) {
  Result<Expression> e = Expression::Parse("input.amount * 2");
  ASSERT_TRUE(e.ok());
  Expression copy = *e;
  Expression moved = std::move(*e);
  EXPECT_EQ(copy.text(), "input.amount * 2");
  EXPECT_EQ(*copy.Evaluate(SampleScope()), Value(24000));
  EXPECT_EQ(*moved.Evaluate(SampleScope()), Value(24000));
  copy = moved;
  EXPECT_EQ(*copy.Evaluate(SampleScope()), Value(24000));
}

}  // namespace
}  // namespace steadfast
