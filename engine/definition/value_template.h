// ValueTemplate: a Value tree whose strings may contain ${...} expressions,
// used for step inputs (`with:`), workflow output and signal/approval context.
//
// A string that is exactly one "${expr}" evaluates to the expression's typed
// value (so "${steps.amount.refund_total}" passes a map through). A string
// mixing text and expressions evaluates to a string: string values are
// inserted as they are, other values as compact JSON (null as "null").
// "$${" escapes a literal "${"; a '$' not followed by '{' is literal.
#ifndef STEADFAST_DEFINITION_VALUE_TEMPLATE_H_
#define STEADFAST_DEFINITION_VALUE_TEMPLATE_H_

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "definition/expression.h"
#include "steadfast/status.h"
#include "steadfast/value.h"

namespace steadfast {

class StringTemplate {
 public:
  StringTemplate() = default;  // the empty string

  // Parses s. On error (an unclosed "${", an empty or malformed expression)
  // returns InvalidArgument and stores the 0-based offset into s of the
  // problem in *error_offset (if given). Never throws.
  static Result<StringTemplate> Parse(std::string_view s, int* error_offset = nullptr);

  bool is_constant() const { return exprs_.empty(); }
  // True when the whole string is one "${...}" (evaluates to a typed value).
  bool is_single_expression() const { return single_expression_; }
  // Errors are the expression's, prefixed with "${<text>}: ".
  Result<Value> Evaluate(const ExpressionScope& scope) const;
  // All expressions, each with the 0-based offset within the source string
  // of its text (the character just after "${"), so that offset + an offset
  // inside the expression is a position in the source string.
  const std::vector<std::pair<int, Expression>>& expressions() const { return exprs_; }

 private:
  std::vector<std::string> literals_{std::string()};  // literals_.size() == exprs_.size() + 1
  std::vector<std::pair<int, Expression>> exprs_;
  bool single_expression_ = false;                   // the whole string is one ${...}
};

class ValueTemplate {
 public:
  ValueTemplate() = default;  // evaluates to null
  static ValueTemplate Constant(Value v);
  static ValueTemplate FromString(StringTemplate t);
  static ValueTemplate FromList(std::vector<ValueTemplate> items);
  static ValueTemplate FromMap(std::map<std::string, ValueTemplate> fields);

  // Evaluates every expression; the first error wins (its message is
  // prefixed with the path, e.g. "with.reservation: ..."; the first segment
  // is name() when set); a result nested deeper than kMaxValueDepth is an
  // error too (IsValueTooDeep). Thread-safe (const).
  Result<Value> Evaluate(const ExpressionScope& scope) const;
  // For a template that is one plain path (`"${input.items}"`), what it
  // names in scope without copying it; nullptr otherwise or when absent.
  const Value* Find(const ExpressionScope& scope) const;
  // Every expression in the tree, depth-first (map fields in key order).
  void ForEachExpression(const std::function<void(const Expression&)>& fn) const;
  // True for the default (null) template: "absent" in a definition.
  bool is_null() const;

  // The label used as the first segment of error paths ("with", "output",
  // "context", "compensate_with"); the parser sets it.
  const std::string& name() const { return name_; }
  void set_name(std::string name) { name_ = std::move(name); }

 private:
  Result<Value> EvaluateAt(const ExpressionScope& scope, const std::string& path) const;

  std::variant<Value, StringTemplate, std::vector<ValueTemplate>, std::map<std::string, ValueTemplate>> node_;
  std::string name_;
};

}  // namespace steadfast

#endif  // STEADFAST_DEFINITION_VALUE_TEMPLATE_H_
