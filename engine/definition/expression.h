// Expressions inside ${...}: data flow and `when` conditions.
//
// Grammar (total: every input either parses or yields an error with an
// offset; evaluation never throws, never aborts, never recurses without bound):
//   expr    := or
//   or      := and ( "||" and )*
//   and     := not ( "&&" not )*
//   not     := "!" not | cmp
//   cmp     := add ( ("==" | "!=" | "<" | "<=" | ">" | ">=") add )?
//   add     := mul ( ("+" | "-") mul )*
//   mul     := unary ( ("*" | "/" | "%") unary )*
//   unary   := "-" unary | primary
//   primary := number | string ('..' or "..", backslash escapes) | true | false | null
//            | path | "(" expr ")"
//   path    := ident ( "." ident | "[" integer "]" | "[" string "]" )*
// Paths resolve against a scope map, e.g. input.reservation_id or
// steps.amount.refund_total.minor. A missing key or index yields null.
// Semantics: == and != compare any two values (int 3 == double 3.0 is true);
// < <= > >= need two numbers or two strings; && || ! need booleans, except
// that null counts as false; + adds numbers or concatenates two strings;
// int arithmetic that overflows, and division by zero, are evaluation errors.
#ifndef STEADFAST_DEFINITION_EXPRESSION_H_
#define STEADFAST_DEFINITION_EXPRESSION_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "steadfast/status.h"
#include "steadfast/value.h"

namespace steadfast {

struct ExpressionNode;  // private to expression.cc

class Expression {
 public:
  // Parses the text between ${ and }. On error returns InvalidArgument and,
  // if error_offset is given, stores the 0-based offset in text where the
  // problem is. Nesting deeper than 64 levels is an error, not a crash.
  static Result<Expression> Parse(std::string_view text, int* error_offset = nullptr);

  Expression(const Expression&);
  Expression& operator=(const Expression&);
  Expression(Expression&&) noexcept;
  Expression& operator=(Expression&&) noexcept;
  ~Expression();

  // Evaluates against scope (a map such as {input: ..., steps: {...}}).
  // Type errors are InvalidArgument with a message naming the operator and
  // the operand types. Thread-safe (const).
  Result<Value> Evaluate(const Value& scope) const;

  // Every path the expression reads, as its segments (list indexes as
  // decimal strings), e.g. {"steps", "amount", "refund_total", "minor"}.
  std::vector<std::vector<std::string>> References() const;

  const std::string& text() const { return text_; }

 private:
  Expression() = default;
  std::string text_;
  std::shared_ptr<const ExpressionNode> root_;  // immutable, so sharing on copy is safe
};

}  // namespace steadfast

#endif  // STEADFAST_DEFINITION_EXPRESSION_H_
