// Tokens of the ${...} expression language (private to engine/definition).
//
// The lexer is separate from the parser so that the parser only ever sees
// well-formed tokens: every malformed literal (unterminated string, bad
// escape, integer beyond 2^63) is reported here with its offset.
#ifndef STEADFAST_DEFINITION_EXPRESSION_LEXER_H_
#define STEADFAST_DEFINITION_EXPRESSION_LEXER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "steadfast/status.h"

namespace steadfast::expr {

enum class TokenKind : int {
  kEnd,
  kInt,       // integer literal; magnitude may be exactly 2^63 (only valid after unary '-')
  kDouble,    // literal with '.' or exponent
  kString,    // '..' or ".." with escapes decoded into text
  kIdent,     // a name; after '.', any run of [A-Za-z0-9_] (so "steps.1st" works)
  kTrue,
  kFalse,
  kNull,
  kDot,
  kLBracket,
  kRBracket,
  kLParen,
  kRParen,
  kOr,        // ||
  kAnd,       // &&
  kNot,       // !
  kEq,        // ==
  kNe,        // !=
  kLt,
  kLe,
  kGt,
  kGe,
  kPlus,
  kMinus,
  kStar,
  kSlash,
  kPercent,
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  int offset = 0;           // 0-based byte offset of the token's first character
  std::string text;         // kIdent: the name; kString: the decoded value
  uint64_t int_magnitude = 0;  // kInt
  double double_value = 0;     // kDouble
};

// Splits text into tokens ending with one kEnd token. On a malformed token
// returns InvalidArgument and stores its offset in *error_offset.
Result<std::vector<Token>> Tokenize(std::string_view text, int* error_offset);

// How a token is shown in messages: "'+'", "end of expression", "name 'x'".
std::string DescribeToken(const Token& token);

}  // namespace steadfast::expr

#endif  // STEADFAST_DEFINITION_EXPRESSION_LEXER_H_
