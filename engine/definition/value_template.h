// ValueTemplate: a Value tree whose strings may contain ${...} expressions,
// used for step inputs (`with:`), workflow output and signal/approval context.
//
// A string that is exactly one "${expr}" evaluates to the expression's typed
// value (so "${steps.amount.refund_total}" passes a map through). A string
// mixing text and expressions evaluates to a string: string values are
// inserted as they are, other values as compact JSON. "$${" escapes a literal "${".
#ifndef STEADFAST_DEFINITION_VALUE_TEMPLATE_H_
#define STEADFAST_DEFINITION_VALUE_TEMPLATE_H_

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "definition/expression.h"
#include "steadfast/status.h"
#include "steadfast/value.h"

namespace steadfast {

class StringTemplate {
 public:
  // Parses s. On error returns InvalidArgument and stores the 0-based offset
  // into s of the problem in *error_offset (if given).
  static Result<StringTemplate> Parse(std::string_view s, int* error_offset = nullptr);

  bool is_constant() const { return exprs_.empty(); }
  Result<Value> Evaluate(const Value& scope) const;
  // All expressions, with the 0-based offset of each within the source string.
  const std::vector<std::pair<int, Expression>>& expressions() const { return exprs_; }

 private:
  std::vector<std::string> literals_;                // literals_.size() == exprs_.size() + 1
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
  // prefixed with the path, e.g. "with.reservation: ...").
  Result<Value> Evaluate(const Value& scope) const;
  // Every expression in the tree, depth-first.
  void ForEachExpression(const std::function<void(const Expression&)>& fn) const;
  bool is_null() const;

 private:
  std::variant<Value, StringTemplate, std::vector<ValueTemplate>, std::map<std::string, ValueTemplate>> node_;
};

}  // namespace steadfast

#endif  // STEADFAST_DEFINITION_VALUE_TEMPLATE_H_
