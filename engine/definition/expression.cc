// Expression parser (recursive descent over expression_lexer tokens) and
// evaluator. Both are total: the tree is at most kMaxExpressionDepth deep, so
// parsing, evaluation and destruction recurse a bounded number of times, and
// every arithmetic step is checked before it can overflow.
#include "definition/expression.h"

#include <cmath>
#include <compare>
#include <limits>
#include <utility>

#include "definition/expression_lexer.h"

namespace steadfast {

struct ExpressionNode {
  enum class Kind : int { kLiteral, kPath, kNot, kNegate, kBinary };
  enum class Op : int { kOr, kAnd, kEq, kNe, kLt, kLe, kGt, kGe, kAdd, kSub, kMul, kDiv, kMod };

  Kind kind = Kind::kLiteral;
  int offset = 0;  // of the token that makes the node (operator, literal, path start)
  int depth = 1;   // 1 for leaves
  Value literal;                   // kLiteral
  std::vector<std::string> path;   // kPath: segments, list indexes as decimal strings
  Op op = Op::kOr;                 // kBinary
  std::unique_ptr<const ExpressionNode> lhs;  // kBinary, and the operand of kNot / kNegate
  std::unique_ptr<const ExpressionNode> rhs;  // kBinary
};

namespace {

using NodeKind = ExpressionNode::Kind;
using BinaryOp = ExpressionNode::Op;
using expr::Token;
using expr::TokenKind;
using NodePtr = std::unique_ptr<ExpressionNode>;

std::string_view OpName(BinaryOp op) {
  switch (op) {
    case BinaryOp::kOr: return "||";
    case BinaryOp::kAnd: return "&&";
    case BinaryOp::kEq: return "==";
    case BinaryOp::kNe: return "!=";
    case BinaryOp::kLt: return "<";
    case BinaryOp::kLe: return "<=";
    case BinaryOp::kGt: return ">";
    case BinaryOp::kGe: return ">=";
    case BinaryOp::kAdd: return "+";
    case BinaryOp::kSub: return "-";
    case BinaryOp::kMul: return "*";
    case BinaryOp::kDiv: return "/";
    case BinaryOp::kMod: return "%";
  }
  return "?";
}

// ---------------------------------------------------------------- parsing

class Parser {
 public:
  Parser(std::vector<Token> tokens, int* error_offset) : tokens_(std::move(tokens)), error_offset_(error_offset) {}

  Result<NodePtr> Run() {
    if (Cur().kind == TokenKind::kEnd) return Fail(Cur().offset, "empty expression");
    Result<NodePtr> root = ParseOr();
    if (!root.ok()) return root;
    if (Cur().kind != TokenKind::kEnd) {
      return Fail(Cur().offset, "unexpected " + expr::DescribeToken(Cur()) + " after a complete expression");
    }
    return root;
  }

 private:
  // Counts open recursive constructs ("(", "!", unary "-"): without it, a
  // long run of "(((" would recurse before any node exists to be measured.
  class Nesting {
   public:
    explicit Nesting(int& n) : n_(n) { ++n_; }
    ~Nesting() { --n_; }
    Nesting(const Nesting&) = delete;
    Nesting& operator=(const Nesting&) = delete;

   private:
    int& n_;
  };

  const Token& Cur() const { return tokens_[pos_]; }
  void Advance() {
    if (tokens_[pos_].kind != TokenKind::kEnd) ++pos_;
  }

  Status Fail(int offset, std::string message) {
    if (error_offset_ != nullptr) *error_offset_ = offset;
    return Status::InvalidArgument(std::move(message));
  }
  Status TooDeep(int offset) {
    return Fail(offset, "expression nested too deeply (limit " + std::to_string(kMaxExpressionDepth) + ")");
  }

  Result<NodePtr> MakeBinary(BinaryOp op, int offset, NodePtr lhs, NodePtr rhs) {
    int depth = 1 + std::max(lhs->depth, rhs->depth);
    if (depth > kMaxExpressionDepth) return TooDeep(offset);
    auto n = std::make_unique<ExpressionNode>();
    n->kind = NodeKind::kBinary;
    n->op = op;
    n->offset = offset;
    n->depth = depth;
    n->lhs = std::move(lhs);
    n->rhs = std::move(rhs);
    return n;
  }

  Result<NodePtr> MakeUnary(NodeKind kind, int offset, NodePtr operand) {
    int depth = 1 + operand->depth;
    if (depth > kMaxExpressionDepth) return TooDeep(offset);
    auto n = std::make_unique<ExpressionNode>();
    n->kind = kind;
    n->offset = offset;
    n->depth = depth;
    n->lhs = std::move(operand);
    return n;
  }

  static NodePtr MakeLiteral(Value v, int offset) {
    auto n = std::make_unique<ExpressionNode>();
    n->kind = NodeKind::kLiteral;
    n->offset = offset;
    n->literal = std::move(v);
    return n;
  }

  // Left-associative chain of one precedence level.
  template <class Next, class Match>
  Result<NodePtr> Chain(Next next, Match match) {
    Result<NodePtr> lhs = (this->*next)();
    if (!lhs.ok()) return lhs;
    NodePtr acc = std::move(lhs).value();
    for (;;) {
      BinaryOp op;
      if (!match(Cur().kind, op)) return acc;
      int offset = Cur().offset;
      Advance();
      Result<NodePtr> rhs = (this->*next)();
      if (!rhs.ok()) return rhs;
      Result<NodePtr> joined = MakeBinary(op, offset, std::move(acc), std::move(rhs).value());
      if (!joined.ok()) return joined;
      acc = std::move(joined).value();
    }
  }

  Result<NodePtr> ParseOr() {
    return Chain(&Parser::ParseAnd, [](TokenKind k, BinaryOp& op) {
      op = BinaryOp::kOr;
      return k == TokenKind::kOr;
    });
  }

  Result<NodePtr> ParseAnd() {
    return Chain(&Parser::ParseNot, [](TokenKind k, BinaryOp& op) {
      op = BinaryOp::kAnd;
      return k == TokenKind::kAnd;
    });
  }

  Result<NodePtr> ParseNot() {
    if (Cur().kind != TokenKind::kNot) return ParseCmp();
    int offset = Cur().offset;
    Nesting nest(nesting_);
    if (nesting_ > kMaxExpressionDepth) return TooDeep(offset);
    Advance();
    Result<NodePtr> operand = ParseNot();
    if (!operand.ok()) return operand;
    return MakeUnary(NodeKind::kNot, offset, std::move(operand).value());
  }

  static bool CmpOp(TokenKind k, BinaryOp& op) {
    switch (k) {
      case TokenKind::kEq: op = BinaryOp::kEq; return true;
      case TokenKind::kNe: op = BinaryOp::kNe; return true;
      case TokenKind::kLt: op = BinaryOp::kLt; return true;
      case TokenKind::kLe: op = BinaryOp::kLe; return true;
      case TokenKind::kGt: op = BinaryOp::kGt; return true;
      case TokenKind::kGe: op = BinaryOp::kGe; return true;
      default: return false;
    }
  }

  // Comparisons do not chain: "a < b < c" is almost always a mistake.
  Result<NodePtr> ParseCmp() {
    Result<NodePtr> lhs = ParseAdd();
    if (!lhs.ok()) return lhs;
    BinaryOp op;
    if (!CmpOp(Cur().kind, op)) return lhs;
    int offset = Cur().offset;
    Advance();
    Result<NodePtr> rhs = ParseAdd();
    if (!rhs.ok()) return rhs;
    BinaryOp again;
    if (CmpOp(Cur().kind, again)) {
      return Fail(Cur().offset, "comparisons cannot be chained; combine them with && or ||");
    }
    return MakeBinary(op, offset, std::move(lhs).value(), std::move(rhs).value());
  }

  Result<NodePtr> ParseAdd() {
    return Chain(&Parser::ParseMul, [](TokenKind k, BinaryOp& op) {
      if (k == TokenKind::kPlus) {
        op = BinaryOp::kAdd;
        return true;
      }
      if (k == TokenKind::kMinus) {
        op = BinaryOp::kSub;
        return true;
      }
      return false;
    });
  }

  Result<NodePtr> ParseMul() {
    return Chain(&Parser::ParseUnary, [](TokenKind k, BinaryOp& op) {
      switch (k) {
        case TokenKind::kStar: op = BinaryOp::kMul; return true;
        case TokenKind::kSlash: op = BinaryOp::kDiv; return true;
        case TokenKind::kPercent: op = BinaryOp::kMod; return true;
        default: return false;
      }
    });
  }

  Result<NodePtr> ParseUnary() {
    if (Cur().kind != TokenKind::kMinus) return ParsePrimary();
    int offset = Cur().offset;
    Advance();
    // Fold "-<literal>" so that -9223372036854775808 (whose magnitude alone
    // does not fit in int64) is expressible.
    if (Cur().kind == TokenKind::kInt) {
      uint64_t m = Cur().int_magnitude;
      int64_t v = m == (uint64_t{1} << 63) ? std::numeric_limits<int64_t>::min() : -static_cast<int64_t>(m);
      Advance();
      return MakeLiteral(Value(v), offset);
    }
    if (Cur().kind == TokenKind::kDouble) {
      double d = -Cur().double_value;
      Advance();
      return MakeLiteral(Value(d), offset);
    }
    Nesting nest(nesting_);
    if (nesting_ > kMaxExpressionDepth) return TooDeep(offset);
    Result<NodePtr> operand = ParseUnary();
    if (!operand.ok()) return operand;
    return MakeUnary(NodeKind::kNegate, offset, std::move(operand).value());
  }

  Result<NodePtr> ParsePrimary() {
    const Token& t = Cur();
    int offset = t.offset;
    switch (t.kind) {
      case TokenKind::kInt: {
        if (t.int_magnitude > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
          return Fail(offset, "integer literal out of range");
        }
        int64_t v = static_cast<int64_t>(t.int_magnitude);
        Advance();
        return MakeLiteral(Value(v), offset);
      }
      case TokenKind::kDouble: {
        double d = t.double_value;
        Advance();
        return MakeLiteral(Value(d), offset);
      }
      case TokenKind::kString: {
        std::string s = t.text;
        Advance();
        return MakeLiteral(Value(std::move(s)), offset);
      }
      case TokenKind::kTrue: Advance(); return MakeLiteral(Value(true), offset);
      case TokenKind::kFalse: Advance(); return MakeLiteral(Value(false), offset);
      case TokenKind::kNull: Advance(); return MakeLiteral(Value(), offset);
      case TokenKind::kIdent: return ParsePath();
      case TokenKind::kLParen: {
        Nesting nest(nesting_);
        if (nesting_ > kMaxExpressionDepth) return TooDeep(offset);
        Advance();
        Result<NodePtr> inner = ParseOr();
        if (!inner.ok()) return inner;
        if (Cur().kind != TokenKind::kRParen) {
          return Fail(Cur().offset, "expected ')' to close the '(' at offset " + std::to_string(offset) +
                                        ", found " + expr::DescribeToken(Cur()));
        }
        Advance();
        return inner;
      }
      case TokenKind::kEnd: return Fail(offset, "unexpected end of expression");
      default: return Fail(offset, "unexpected " + expr::DescribeToken(t));
    }
  }

  Result<NodePtr> ParsePath() {
    auto n = std::make_unique<ExpressionNode>();
    n->kind = NodeKind::kPath;
    n->offset = Cur().offset;
    n->path.push_back(Cur().text);
    Advance();
    for (;;) {
      if (Cur().kind == TokenKind::kDot) {
        Advance();
        if (Cur().kind != TokenKind::kIdent) {
          return Fail(Cur().offset, "expected a field name after '.', found " + expr::DescribeToken(Cur()));
        }
        n->path.push_back(Cur().text);
        Advance();
      } else if (Cur().kind == TokenKind::kLBracket) {
        Advance();
        const Token& key = Cur();
        if (key.kind == TokenKind::kInt) {
          if (key.int_magnitude > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
            return Fail(key.offset, "integer literal out of range");
          }
          n->path.push_back(std::to_string(key.int_magnitude));
        } else if (key.kind == TokenKind::kString) {
          n->path.push_back(key.text);
        } else {
          return Fail(key.offset, "expected an integer index or a quoted key inside [], found " +
                                      expr::DescribeToken(key));
        }
        Advance();
        if (Cur().kind != TokenKind::kRBracket) {
          return Fail(Cur().offset, "expected ']', found " + expr::DescribeToken(Cur()));
        }
        Advance();
      } else {
        return n;
      }
    }
  }

  std::vector<Token> tokens_;
  int* error_offset_;
  size_t pos_ = 0;
  int nesting_ = 0;
};

// ------------------------------------------------------------- evaluation

std::string TypeOf(const Value& v) { return std::string(Value::TypeName(v.type())); }

// Exact comparison of an int with a double: converting the int to double
// would call 2^53+1 equal to 2^53.
std::partial_ordering CompareIntDouble(int64_t i, double d) {
  if (std::isnan(d)) return std::partial_ordering::unordered;
  constexpr double kTwo63 = 9223372036854775808.0;
  if (d >= kTwo63) return std::partial_ordering::less;
  if (d < -kTwo63) return std::partial_ordering::greater;
  double t = std::trunc(d);
  auto ti = static_cast<int64_t>(t);  // in range: -2^63 <= t < 2^63
  if (i < ti) return std::partial_ordering::less;
  if (i > ti) return std::partial_ordering::greater;
  return 0.0 <=> (d - t);
}

std::partial_ordering CompareNumbers(const Value& a, const Value& b) {
  if (a.is_int() && b.is_int()) return a.AsInt() <=> b.AsInt();
  if (a.is_int()) return CompareIntDouble(a.AsInt(), b.AsDouble());
  if (b.is_int()) {
    std::partial_ordering r = CompareIntDouble(b.AsInt(), a.AsDouble());
    if (r == std::partial_ordering::less) return std::partial_ordering::greater;
    if (r == std::partial_ordering::greater) return std::partial_ordering::less;
    return r;
  }
  return a.AsDouble() <=> b.AsDouble();
}

// Depth is bounded: Values built from JSON or YAML are finite trees, and
// Value has no way to form a cycle.
bool ValuesEqual(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) return CompareNumbers(a, b) == 0;
  if (a.type() != b.type()) return false;
  if (a.is_list()) {
    const Value::List& x = a.AsList();
    const Value::List& y = b.AsList();
    if (x.size() != y.size()) return false;
    for (size_t i = 0; i < x.size(); ++i) {
      if (!ValuesEqual(x[i], y[i])) return false;
    }
    return true;
  }
  if (a.is_map()) {
    const Value::Map& x = a.AsMap();
    const Value::Map& y = b.AsMap();
    if (x.size() != y.size()) return false;
    for (auto i = x.begin(), j = y.begin(); i != x.end(); ++i, ++j) {
      if (i->first != j->first || !ValuesEqual(i->second, j->second)) return false;
    }
    return true;
  }
  return a == b;
}

Result<bool> Truth(const Value& v, std::string_view op) {
  if (v.is_bool()) return v.AsBool();
  if (v.is_null()) return false;
  return Status::InvalidArgument("'" + std::string(op) + "' needs booleans, got " + TypeOf(v));
}

Result<Value> CheckedDouble(double d, BinaryOp op) {
  if (!std::isfinite(d)) return Status::InvalidArgument("number overflow in '" + std::string(OpName(op)) + "'");
  return Value(d);
}

Result<Value> Arithmetic(BinaryOp op, const Value& a, const Value& b) {
  if (op == BinaryOp::kAdd && a.is_string() && b.is_string()) return Value(a.AsString() + b.AsString());
  if (!a.is_number() || !b.is_number()) {
    std::string need = op == BinaryOp::kAdd ? "two numbers or two strings" : "numbers";
    return Status::InvalidArgument("'" + std::string(OpName(op)) + "' needs " + need + ", got " + TypeOf(a) +
                                   " and " + TypeOf(b));
  }
  if (a.is_int() && b.is_int()) {
    int64_t x = a.AsInt();
    int64_t y = b.AsInt();
    int64_t r = 0;
    bool overflow = false;
    switch (op) {
      case BinaryOp::kAdd: overflow = __builtin_add_overflow(x, y, &r); break;
      case BinaryOp::kSub: overflow = __builtin_sub_overflow(x, y, &r); break;
      case BinaryOp::kMul: overflow = __builtin_mul_overflow(x, y, &r); break;
      case BinaryOp::kDiv:
        if (y == 0) return Status::InvalidArgument("division by zero");
        if (x == std::numeric_limits<int64_t>::min() && y == -1) {
          overflow = true;
        } else {
          r = x / y;
        }
        break;
      case BinaryOp::kMod:
        if (y == 0) return Status::InvalidArgument("modulo by zero");
        // INT64_MIN % -1 is 0 mathematically but undefined in C++.
        r = y == -1 ? 0 : x % y;
        break;
      default: break;
    }
    if (overflow) return Status::InvalidArgument("integer overflow in '" + std::string(OpName(op)) + "'");
    return Value(r);
  }
  double x = a.AsDouble();
  double y = b.AsDouble();
  switch (op) {
    case BinaryOp::kAdd: return CheckedDouble(x + y, op);
    case BinaryOp::kSub: return CheckedDouble(x - y, op);
    case BinaryOp::kMul: return CheckedDouble(x * y, op);
    case BinaryOp::kDiv:
      if (y == 0) return Status::InvalidArgument("division by zero");
      return CheckedDouble(x / y, op);
    case BinaryOp::kMod:
      if (y == 0) return Status::InvalidArgument("modulo by zero");
      return CheckedDouble(std::fmod(x, y), op);
    default: break;
  }
  return Status::Internal("not an arithmetic operator");
}

Result<Value> Order(BinaryOp op, const Value& a, const Value& b) {
  std::partial_ordering c = std::partial_ordering::unordered;
  if (a.is_number() && b.is_number()) {
    c = CompareNumbers(a, b);
  } else if (a.is_string() && b.is_string()) {
    int r = a.AsString().compare(b.AsString());
    c = r < 0 ? std::partial_ordering::less : r > 0 ? std::partial_ordering::greater : std::partial_ordering::equivalent;
  } else {
    return Status::InvalidArgument("'" + std::string(OpName(op)) + "' needs two numbers or two strings, got " +
                                   TypeOf(a) + " and " + TypeOf(b));
  }
  switch (op) {
    case BinaryOp::kLt: return Value(c < 0);
    case BinaryOp::kLe: return Value(c <= 0);
    case BinaryOp::kGt: return Value(c > 0);
    case BinaryOp::kGe: return Value(c >= 0);
    default: break;
  }
  return Status::Internal("not a comparison operator");
}

Result<Value> Eval(const ExpressionNode& n, const ExpressionScope& scope) {
  switch (n.kind) {
    case NodeKind::kLiteral: return n.literal;
    case NodeKind::kPath: {
      Value copy;
      const Value* v = scope.Find(n.path, &copy);
      return v == nullptr ? Value() : *v;
    }
    case NodeKind::kNot: {
      SF_ASSIGN_OR_RETURN(Value v, Eval(*n.lhs, scope));
      if (v.is_null()) return Value(true);
      if (!v.is_bool()) return Status::InvalidArgument("'!' needs a boolean, got " + TypeOf(v));
      return Value(!v.AsBool());
    }
    case NodeKind::kNegate: {
      SF_ASSIGN_OR_RETURN(Value v, Eval(*n.lhs, scope));
      if (v.is_int()) {
        if (v.AsInt() == std::numeric_limits<int64_t>::min()) {
          return Status::InvalidArgument("integer overflow in unary '-'");
        }
        return Value(-v.AsInt());
      }
      if (v.is_double()) return Value(-v.AsDouble());
      return Status::InvalidArgument("unary '-' needs a number, got " + TypeOf(v));
    }
    case NodeKind::kBinary: break;
  }

  if (n.op == BinaryOp::kAnd || n.op == BinaryOp::kOr) {
    SF_ASSIGN_OR_RETURN(Value lhs, Eval(*n.lhs, scope));
    SF_ASSIGN_OR_RETURN(bool l, Truth(lhs, OpName(n.op)));
    if (n.op == BinaryOp::kAnd && !l) return Value(false);
    if (n.op == BinaryOp::kOr && l) return Value(true);
    SF_ASSIGN_OR_RETURN(Value rhs, Eval(*n.rhs, scope));
    SF_ASSIGN_OR_RETURN(bool r, Truth(rhs, OpName(n.op)));
    return Value(r);
  }
  SF_ASSIGN_OR_RETURN(Value a, Eval(*n.lhs, scope));
  SF_ASSIGN_OR_RETURN(Value b, Eval(*n.rhs, scope));
  switch (n.op) {
    case BinaryOp::kEq: return Value(ValuesEqual(a, b));
    case BinaryOp::kNe: return Value(!ValuesEqual(a, b));
    case BinaryOp::kLt:
    case BinaryOp::kLe:
    case BinaryOp::kGt:
    case BinaryOp::kGe: return Order(n.op, a, b);
    default: return Arithmetic(n.op, a, b);
  }
}

void CollectPaths(const ExpressionNode& n, std::vector<PathReference>& out) {
  if (n.kind == NodeKind::kPath) out.push_back(PathReference{n.path, n.offset});
  if (n.lhs) CollectPaths(*n.lhs, out);
  if (n.rhs) CollectPaths(*n.rhs, out);
}

}  // namespace

Result<Expression> Expression::Parse(std::string_view text, int* error_offset) {
  Result<std::vector<Token>> tokens = expr::Tokenize(text, error_offset);
  if (!tokens.ok()) return tokens.status();
  Result<NodePtr> root = Parser(std::move(tokens).value(), error_offset).Run();
  if (!root.ok()) return root.status();
  Expression e;
  e.text_ = std::string(text);
  e.root_ = std::shared_ptr<const ExpressionNode>(std::move(root).value());
  return e;
}

Expression::Expression(const Expression&) = default;
Expression& Expression::operator=(const Expression&) = default;
Expression::Expression(Expression&&) noexcept = default;
Expression& Expression::operator=(Expression&&) noexcept = default;
Expression::~Expression() = default;

Result<Value> Expression::Evaluate(const ExpressionScope& scope) const {
  if (!root_) return Status::FailedPrecondition("expression was moved from");
  return Eval(*root_, scope);
}

const Value* Expression::Find(const ExpressionScope& scope) const {
  if (!root_ || root_->kind != NodeKind::kPath) return nullptr;
  return scope.Find(root_->path, nullptr);
}

std::vector<PathReference> Expression::PathReferences() const {
  std::vector<PathReference> out;
  if (root_) CollectPaths(*root_, out);
  return out;
}

std::vector<std::vector<std::string>> Expression::References() const {
  std::vector<std::vector<std::string>> out;
  for (PathReference& r : PathReferences()) out.push_back(std::move(r.segments));
  return out;
}

}  // namespace steadfast
