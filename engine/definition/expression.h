// Expressions inside ${...}: data flow and `when` conditions.
//
// Parsed once when a definition is loaded, evaluated many times by the
// runtime against a scope such as {input: {...}, steps: {<id>: <output>}}.
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
// Identifiers are [A-Za-z_][A-Za-z0-9_]*; a segment after "." may also start
// with a digit (step id "1st"). true/false/null are keywords except after ".".
// Numbers: integers up to 2^63-1 (larger is a parse error), decimals with a
// '.' or an exponent (1.5, 2e3). String escapes: \\ \' \" \n \t \r \$ \uXXXX.
//
// Paths resolve against a scope map, e.g. input.reservation_id or
// steps.amount.refund_total.minor. A missing key or index yields null, and so
// does reading a field of something that is not a map. A segment of digits
// indexes a list: items.0 is items[0].
//
// Semantics: == and != compare any two values (int 3 == double 3.0 is true;
// lists and maps compare deeply); < <= > >= need two numbers or two strings
// (strings compare bytewise), so "null > 1" is an error; && || ! need
// booleans, except that null counts as false; && and || short-circuit and
// yield a bool. + adds numbers or concatenates two strings; - * / % need
// numbers. int op int stays int (7 / 2 == 3, truncated; % takes the sign of
// the left side); a double on either side gives a double. int arithmetic
// that overflows, a non-finite double result, and division by zero are
// evaluation errors.
#ifndef STEADFAST_DEFINITION_EXPRESSION_H_
#define STEADFAST_DEFINITION_EXPRESSION_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "definition/expression_scope.h"
#include "steadfast/status.h"
#include "steadfast/value.h"

namespace steadfast {

struct ExpressionNode;  // private to expression.cc

// Parentheses, unary operators and operator chains all count towards this
// nesting limit; deeper is a parse error.
inline constexpr int kMaxExpressionDepth = 64;

// One path read by an expression, and where it starts in the text.
struct PathReference {
  std::vector<std::string> segments;  // e.g. {"steps", "amount", "refund_total"}
  int offset = 0;                     // 0-based offset of the path's first character
};

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

  // Evaluates against scope (names such as input, steps, workflow; a Value
  // map converts). Type errors are InvalidArgument with a message naming
  // the operator and the operand types. Thread-safe (const).
  Result<Value> Evaluate(const ExpressionScope& scope) const;
  // For an expression that is one path (`${input.items}`), what it names
  // in scope without copying it; nullptr when absent or not a plain path.
  const Value* Find(const ExpressionScope& scope) const;

  // Every path the expression reads, as its segments (list indexes as
  // decimal strings), e.g. {"steps", "amount", "refund_total", "minor"}.
  std::vector<std::vector<std::string>> References() const;
  // The same paths in order of appearance, with their offsets in text().
  std::vector<PathReference> PathReferences() const;

  const std::string& text() const { return text_; }

 private:
  Expression() = default;
  std::string text_;
  std::shared_ptr<const ExpressionNode> root_;  // immutable, so sharing on copy is safe
};

}  // namespace steadfast

#endif  // STEADFAST_DEFINITION_EXPRESSION_H_
