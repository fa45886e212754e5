// The expression language of ${...} (definition/expression.h) and the string
// templates around it (definition/value_template.h).
//
// Input: the first line is an expression (the text between ${ and }), also
// parsed as a whole template string; the rest, when it is JSON, is the scope
// it is evaluated against (otherwise a refund-shaped default scope).
// Properties: a parse error is InvalidArgument with an offset inside the
// text; evaluation never throws or aborts, fails only with InvalidArgument,
// is deterministic, and agrees with a reparse of the expression's own text;
// every path reference points inside the text.
#include <string>

#include "definition/expression.h"
#include "definition/value_template.h"
#include "fuzz_check.h"
#include "steadfast/value.h"

namespace steadfast {
namespace {

const Value& DefaultScope() {
  static const Value scope = *Value::FromJson(R"({
    "input": {"reservation_id": "r-1", "amount": 1500, "currency": "EUR", "rate": 0.25,
              "items": [{"sku": "A-1", "qty": 2, "price": 700}, {"sku": "B-2", "qty": 1, "price": 100}],
              "customer": {"tier": "gold", "tags": ["vip"]}, "note": null, "flag": true},
    "steps": {"amount": {"refund_total": {"minor": 1500, "currency": "EUR"}},
              "1st": {"ok": false}, "review": {"decision": "approved", "approvals": 2}}})");
  return scope;
}

void CheckEvaluation(const Result<Value>& a, const Result<Value>& b) {
  FUZZ_CHECK(a.ok() == b.ok());
  if (a.ok()) {
    // NaN cannot be produced (non-finite results are errors), so == is exact.
    FUZZ_CHECK(*a == *b);
    FUZZ_CHECK(ValueDepth(*a) <= kMaxValueDepth + 1);
  } else {
    FUZZ_CHECK(a.status().code() == StatusCode::kInvalidArgument);
    FUZZ_CHECK(a.status().message() == b.status().message());
  }
}

}  // namespace
}  // namespace steadfast

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace steadfast;
  auto [text, scope_json] = fuzz::SplitOnce(fuzz::AsText(data, size), "\n");
  Result<Value> custom_scope = Value::FromJson(scope_json);
  const Value& scope = custom_scope.ok() ? *custom_scope : DefaultScope();

  int error_offset = -1;
  Result<Expression> expr = Expression::Parse(text, &error_offset);
  if (!expr.ok()) {
    FUZZ_CHECK(expr.status().code() == StatusCode::kInvalidArgument);
    FUZZ_CHECK(error_offset >= 0 && static_cast<size_t>(error_offset) <= text.size());
  } else {
    for (const PathReference& ref : expr->PathReferences()) {
      FUZZ_CHECK(ref.offset >= 0 && static_cast<size_t>(ref.offset) < text.size());
      FUZZ_CHECK(!ref.segments.empty());
    }
    FUZZ_CHECK(expr->References().size() == expr->PathReferences().size());
    Result<Value> first = expr->Evaluate(scope);
    CheckEvaluation(first, expr->Evaluate(scope));
    Result<Expression> reparsed = Expression::Parse(expr->text());
    FUZZ_CHECK(reparsed.ok());
    CheckEvaluation(first, reparsed->Evaluate(scope));
    Expression copy = *expr;  // copies share the immutable tree
    CheckEvaluation(first, copy.Evaluate(scope));
  }

  int template_offset = -1;
  Result<StringTemplate> tmpl = StringTemplate::Parse(text, &template_offset);
  if (!tmpl.ok()) {
    FUZZ_CHECK(tmpl.status().code() == StatusCode::kInvalidArgument);
    FUZZ_CHECK(template_offset >= 0 && static_cast<size_t>(template_offset) <= text.size());
  } else {
    for (const auto& [offset, e] : tmpl->expressions()) {
      FUZZ_CHECK(offset >= 0 && static_cast<size_t>(offset) + e.text().size() <= text.size());
    }
    CheckEvaluation(tmpl->Evaluate(scope), tmpl->Evaluate(scope));
  }
  return 0;
}
