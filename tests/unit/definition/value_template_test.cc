// StringTemplate and ValueTemplate: typed single expressions, mixed strings,
// the "$${" escape, error offsets and error paths.
#include "definition/value_template.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace steadfast {
namespace {

using ::testing::HasSubstr;

Value TemplateScope() {
  Result<Value> v = Value::FromJson(R"({
    "input": {"reservation_id": "r-1", "amount": 12000, "ratio": 0.5, "tags": ["a", "b"], "flag": true},
    "steps": {"amount": {"refund_total": {"minor": 60000, "currency": "EUR"}}}
  })");
  EXPECT_TRUE(v.ok());
  return *v;
}

Value EvalString(std::string_view s) {
  Result<StringTemplate> t = StringTemplate::Parse(s);
  EXPECT_TRUE(t.ok()) << s << ": " << t.status().ToString();
  if (!t.ok()) return Value("<parse error>");
  Result<Value> v = t->Evaluate(TemplateScope());
  EXPECT_TRUE(v.ok()) << s << ": " << v.status().ToString();
  return v.ok() ? *v : Value("<eval error>");
}

TEST(StringTemplateTest, SingleExpressionKeepsItsType) {
  EXPECT_EQ(EvalString("${input.amount}"), Value(12000));
  EXPECT_EQ(EvalString("${ input.flag }"), Value(true));
  EXPECT_EQ(EvalString("${input.missing}"), Value());
  Value total = EvalString("${steps.amount.refund_total}");
  ASSERT_TRUE(total.is_map());
  EXPECT_EQ(total.Get("minor").AsInt(), 60000);
  Result<StringTemplate> t = StringTemplate::Parse("${input.amount}");
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->is_single_expression());
  EXPECT_FALSE(t->is_constant());
}

TEST(StringTemplateTest, MixedTextMakesAString) {
  EXPECT_EQ(EvalString("refund ${input.reservation_id}"), Value("refund r-1"));
  EXPECT_EQ(EvalString("${input.amount} minor"), Value("12000 minor"));
  EXPECT_EQ(EvalString("${input.ratio}/${input.flag}/${input.missing}"), Value("0.5/true/null"));
  EXPECT_EQ(EvalString("tags=${input.tags}"), Value("tags=[\"a\",\"b\"]"));
  EXPECT_EQ(EvalString("${ 'a}b' }!"), Value("a}b!"));  // '}' inside a quoted string does not close
  EXPECT_EQ(EvalString(" ${input.amount}"), Value(" 12000"));
}

TEST(StringTemplateTest, EscapesAndLiteralDollars) {
  EXPECT_EQ(EvalString("$${input.amount}"), Value("${input.amount}"));
  EXPECT_EQ(EvalString("cost: $5, $$, ${input.amount}$"), Value("cost: $5, $$, 12000$"));
  EXPECT_EQ(EvalString("$$${input.amount}"), Value("$${input.amount}"));  // "$" then the "$${" escape
  EXPECT_EQ(EvalString("plain"), Value("plain"));
  EXPECT_EQ(EvalString(""), Value(""));
  Result<StringTemplate> t = StringTemplate::Parse("$${x}");
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->is_constant());
}

TEST(StringTemplateTest, ExpressionOffsetsPointAfterTheBrace) {
  Result<StringTemplate> t = StringTemplate::Parse("ab ${x} cd ${ y.z }");
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t->expressions().size(), 2u);
  EXPECT_EQ(t->expressions()[0].first, 5);
  EXPECT_EQ(t->expressions()[1].first, 13);
  EXPECT_EQ(t->expressions()[1].second.text(), " y.z ");
}

TEST(StringTemplateTest, ParseErrorsHaveOffsetsInTheString) {
  struct Case {
    const char* text;
    int offset;
    const char* message;
  };
  for (const Case& c : {
           Case{"abc ${input.amount", 4, "'${' is not closed by '}' (write '$${' for a literal '${')"},
           Case{"x ${}", 4, "empty expression"},
           Case{"x ${1 +}", 7, "unexpected end of expression"},
           Case{"${a} ${b c}", 9, "unexpected name 'c' after a complete expression"},
           Case{"${'unterminated}", 0, "'${' is not closed by '}' (write '$${' for a literal '${')"},
       }) {
    int offset = -1;
    Result<StringTemplate> t = StringTemplate::Parse(c.text, &offset);
    ASSERT_FALSE(t.ok()) << c.text;
    EXPECT_EQ(t.status().message(), c.message) << c.text;
    EXPECT_EQ(offset, c.offset) << c.text;
  }
}

TEST(StringTemplateTest, EvaluationErrorsNameTheExpression) {
  Result<StringTemplate> t = StringTemplate::Parse("n=${input.amount / 0}");
  ASSERT_TRUE(t.ok());
  Result<Value> v = t->Evaluate(TemplateScope());
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().message(), "${input.amount / 0}: division by zero");
}

ValueTemplate Str(std::string_view s) {
  Result<StringTemplate> t = StringTemplate::Parse(s);
  EXPECT_TRUE(t.ok());
  return ValueTemplate::FromString(std::move(t).value());
}

TEST(ValueTemplateTest, EvaluatesTrees) {
  std::map<std::string, ValueTemplate> fields;
  fields.emplace("reservation", Str("${input.reservation_id}"));
  fields.emplace("policy", ValueTemplate::Constant(Value("moderate")));
  fields.emplace("amounts", ValueTemplate::FromList({Str("${input.amount}"), ValueTemplate::Constant(Value(1))}));
  fields.emplace("none", ValueTemplate());
  ValueTemplate t = ValueTemplate::FromMap(std::move(fields));
  Result<Value> v = t.Evaluate(TemplateScope());
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->ToJson(), R"({"amounts":[12000,1],"none":null,"policy":"moderate","reservation":"r-1"})");

  int count = 0;
  t.ForEachExpression([&count](const Expression&) { ++count; });
  EXPECT_EQ(count, 2);
  EXPECT_FALSE(t.is_null());
  EXPECT_TRUE(ValueTemplate().is_null());
  EXPECT_TRUE(ValueTemplate().Evaluate(TemplateScope())->is_null());
  EXPECT_FALSE(ValueTemplate::Constant(Value(0)).is_null());
}

TEST(ValueTemplateTest, ErrorsArePrefixedWithTheirPath) {
  std::map<std::string, ValueTemplate> inner;
  inner.emplace("bad", ValueTemplate::FromList({ValueTemplate::Constant(Value(1)), Str("${1 / 0}")}));
  std::map<std::string, ValueTemplate> fields;
  fields.emplace("reservation", ValueTemplate::FromMap(std::move(inner)));
  ValueTemplate t = ValueTemplate::FromMap(std::move(fields));
  t.set_name("with");
  Result<Value> v = t.Evaluate(TemplateScope());
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().message(), "with.reservation.bad[1]: ${1 / 0}: division by zero");

  ValueTemplate unnamed = Str("${-'x'}");
  EXPECT_THAT(unnamed.Evaluate(TemplateScope()).status().message(), HasSubstr("unary '-' needs a number, got string"));
}

}  // namespace
}  // namespace steadfast
