// Tokenizer for ${...} expressions. Total: any byte sequence yields tokens or
// one error with an offset; nothing here can overflow or read out of bounds.
#include "definition/expression_lexer.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <system_error>

namespace steadfast::expr {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsIdentChar(char c) { return IsIdentStart(c) || IsDigit(c); }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendUtf8(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

class Lexer {
 public:
  Lexer(std::string_view text, int* error_offset) : text_(text), error_offset_(error_offset) {}

  Result<std::vector<Token>> Run() {
    std::vector<Token> tokens;
    for (;;) {
      while (pos_ < text_.size() && IsSpace(text_[pos_])) ++pos_;
      Token t;
      t.offset = static_cast<int>(pos_);
      if (pos_ >= text_.size()) {
        t.kind = TokenKind::kEnd;
        tokens.push_back(std::move(t));
        return tokens;
      }
      bool after_dot = !tokens.empty() && tokens.back().kind == TokenKind::kDot;
      Status s = Next(t, after_dot);
      if (!s.ok()) return s;
      tokens.push_back(std::move(t));
    }
  }

 private:
  Status Fail(size_t offset, std::string message) {
    if (error_offset_ != nullptr) *error_offset_ = static_cast<int>(offset);
    return Status::InvalidArgument(std::move(message));
  }

  bool Peek(std::string_view s) const { return text_.substr(pos_, s.size()) == s; }

  Status Next(Token& t, bool after_dot) {
    char c = text_[pos_];
    // A path segment after '.' may start with a digit: step ids such as "1st".
    if (after_dot && IsIdentChar(c)) {
      size_t start = pos_;
      while (pos_ < text_.size() && IsIdentChar(text_[pos_])) ++pos_;
      t.kind = TokenKind::kIdent;
      t.text = std::string(text_.substr(start, pos_ - start));
      return Status::Ok();
    }
    if (IsIdentStart(c)) {
      size_t start = pos_;
      while (pos_ < text_.size() && IsIdentChar(text_[pos_])) ++pos_;
      t.text = std::string(text_.substr(start, pos_ - start));
      if (t.text == "true") {
        t.kind = TokenKind::kTrue;
      } else if (t.text == "false") {
        t.kind = TokenKind::kFalse;
      } else if (t.text == "null") {
        t.kind = TokenKind::kNull;
      } else {
        t.kind = TokenKind::kIdent;
      }
      return Status::Ok();
    }
    if (IsDigit(c)) return Number(t);
    if (c == '\'' || c == '"') return String(t);

    struct Op {
      std::string_view text;
      TokenKind kind;
    };
    // Two-character operators first so "<=" is not read as "<" "=".
    static constexpr Op kOps[] = {
        {"||", TokenKind::kOr}, {"&&", TokenKind::kAnd}, {"==", TokenKind::kEq}, {"!=", TokenKind::kNe},
        {"<=", TokenKind::kLe}, {">=", TokenKind::kGe},  {"<", TokenKind::kLt},  {">", TokenKind::kGt},
        {"!", TokenKind::kNot}, {"+", TokenKind::kPlus}, {"-", TokenKind::kMinus}, {"*", TokenKind::kStar},
        {"/", TokenKind::kSlash}, {"%", TokenKind::kPercent}, {".", TokenKind::kDot}, {"[", TokenKind::kLBracket},
        {"]", TokenKind::kRBracket}, {"(", TokenKind::kLParen}, {")", TokenKind::kRParen},
    };
    for (const Op& op : kOps) {
      if (Peek(op.text)) {
        t.kind = op.kind;
        pos_ += op.text.size();
        return Status::Ok();
      }
    }
    if (c == '=') return Fail(pos_, "unexpected '=' (use '==' to compare)");
    if (c == '&') return Fail(pos_, "unexpected '&' (use '&&')");
    if (c == '|') return Fail(pos_, "unexpected '|' (use '||')");
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7F) {
      return Fail(pos_, "unexpected character");
    }
    return Fail(pos_, std::string("unexpected character '") + c + "'");
  }

  Status Number(Token& t) {
    size_t start = pos_;
    while (pos_ < text_.size() && IsDigit(text_[pos_])) ++pos_;
    bool is_double = false;
    if (pos_ + 1 < text_.size() && text_[pos_] == '.' && IsDigit(text_[pos_ + 1])) {
      is_double = true;
      ++pos_;
      while (pos_ < text_.size() && IsDigit(text_[pos_])) ++pos_;
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      size_t p = pos_ + 1;
      if (p < text_.size() && (text_[p] == '+' || text_[p] == '-')) ++p;
      if (p >= text_.size() || !IsDigit(text_[p])) return Fail(pos_, "malformed exponent in number");
      is_double = true;
      pos_ = p;
      while (pos_ < text_.size() && IsDigit(text_[pos_])) ++pos_;
    }
    // "12abc" is a typo, not 12 followed by a name.
    if (pos_ < text_.size() && IsIdentStart(text_[pos_])) return Fail(pos_, "unexpected letter after number");
    std::string_view digits = text_.substr(start, pos_ - start);
    if (is_double) {
      double d = 0;
      auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), d);
      if (ec != std::errc() || ptr != digits.data() + digits.size() || !std::isfinite(d)) {
        return Fail(start, "number out of range");
      }
      t.kind = TokenKind::kDouble;
      t.double_value = d;
      return Status::Ok();
    }
    uint64_t magnitude = 0;
    constexpr uint64_t kLimit = uint64_t{1} << 63;  // -2^63 is representable
    for (char d : digits) {
      uint64_t digit = static_cast<uint64_t>(d - '0');
      if (magnitude > (kLimit - digit) / 10) return Fail(start, "integer literal out of range");
      magnitude = magnitude * 10 + digit;
    }
    t.kind = TokenKind::kInt;
    t.int_magnitude = magnitude;
    return Status::Ok();
  }

  Status String(Token& t) {
    size_t start = pos_;
    char quote = text_[pos_++];
    std::string out;
    for (;;) {
      if (pos_ >= text_.size()) return Fail(start, "unterminated string");
      char c = text_[pos_];
      if (c == quote) {
        ++pos_;
        break;
      }
      if (c != '\\') {
        out += c;
        ++pos_;
        continue;
      }
      size_t esc = pos_;
      if (pos_ + 1 >= text_.size()) return Fail(start, "unterminated string");
      char e = text_[pos_ + 1];
      pos_ += 2;
      switch (e) {
        case '\\': out += '\\'; break;
        case '\'': out += '\''; break;
        case '"': out += '"'; break;
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case '$': out += '$'; break;
        case 'u': {
          uint32_t cp = 0;
          for (int k = 0; k < 4; ++k) {
            int h = pos_ < text_.size() ? HexDigit(text_[pos_]) : -1;
            if (h < 0) return Fail(esc, "\\u needs four hex digits");
            cp = cp * 16 + static_cast<uint32_t>(h);
            ++pos_;
          }
          if (cp >= 0xD800 && cp <= 0xDFFF) return Fail(esc, "\\u escape of a surrogate code point");
          AppendUtf8(cp, out);
          break;
        }
        default:
          return Fail(esc, std::string("unknown escape '\\") + (static_cast<unsigned char>(e) >= 0x20 && static_cast<unsigned char>(e) < 0x7F ? std::string(1, e) : std::string("?")) + "'");
      }
    }
    t.kind = TokenKind::kString;
    t.text = std::move(out);
    return Status::Ok();
  }

  std::string_view text_;
  int* error_offset_;
  size_t pos_ = 0;
};

}  // namespace

Result<std::vector<Token>> Tokenize(std::string_view text, int* error_offset) {
  if (text.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
    if (error_offset != nullptr) *error_offset = 0;
    return Status::InvalidArgument("expression too long");
  }
  return Lexer(text, error_offset).Run();
}

std::string DescribeToken(const Token& token) {
  switch (token.kind) {
    case TokenKind::kEnd: return "end of expression";
    case TokenKind::kInt:
    case TokenKind::kDouble: return "a number";
    case TokenKind::kString: return "a string";
    case TokenKind::kIdent: return "name '" + token.text + "'";
    case TokenKind::kTrue: return "'true'";
    case TokenKind::kFalse: return "'false'";
    case TokenKind::kNull: return "'null'";
    case TokenKind::kDot: return "'.'";
    case TokenKind::kLBracket: return "'['";
    case TokenKind::kRBracket: return "']'";
    case TokenKind::kLParen: return "'('";
    case TokenKind::kRParen: return "')'";
    case TokenKind::kOr: return "'||'";
    case TokenKind::kAnd: return "'&&'";
    case TokenKind::kNot: return "'!'";
    case TokenKind::kEq: return "'=='";
    case TokenKind::kNe: return "'!='";
    case TokenKind::kLt: return "'<'";
    case TokenKind::kLe: return "'<='";
    case TokenKind::kGt: return "'>'";
    case TokenKind::kGe: return "'>='";
    case TokenKind::kPlus: return "'+'";
    case TokenKind::kMinus: return "'-'";
    case TokenKind::kStar: return "'*'";
    case TokenKind::kSlash: return "'/'";
    case TokenKind::kPercent: return "'%'";
  }
  return "token";
}

}  // namespace steadfast::expr
