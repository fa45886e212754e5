// refund.assess_risk: rule-based risk signals for an approval's `when`.
//
// Input:  {amount: {minor, currency}, customer_id?, payment_method?, <fields the
//          mismatch rules name, e.g. requester, booker>}
// Output: {score: 0..1 (number), score_bps: 0..10000, reasons: [{rule, score, detail}],
//          rules_evaluated, review_required: bool, review_threshold: {minor, currency} | null,
//          review_reason}
// review_required compares the amount with the rules' review_above threshold
// for its currency in that currency's minor units (risk_rules.h), so an
// approval's `when` never compares a JPY or KWD amount with a EUR number.
// Velocity rules count the plugin's refund records (other workflows only), so
// the score is the same on every retry of this step unless other refunds
// happened meanwhile. Reads only; no outside effects.
#include <fmt/format.h>

#include "refund/activities.h"
#include "refund/activity_support.h"

namespace steadfast::refund {

ActivityFn MakeAssessRiskActivity(Services s) {
  return [s](ActivityContext& ctx) -> ActivityResult {
    const Value& in = ctx.input();
    if (!in.is_map()) return InvalidInput("input must be a map");
    Result<Money> amount = MoneyFromValue(in.Get("amount"));
    if (!amount.ok()) return InvalidInput("amount: " + amount.status().message());
    RiskFacts facts;
    facts.amount_minor = amount->minor;
    facts.currency = amount->currency;
    facts.input = in;

    std::map<std::string, int64_t> velocity;
    for (const RiskRule& rule : s->risk_rules.rules) {
      if (rule.kind != RiskRuleKind::kVelocity) continue;
      const std::string column = rule.per == "customer" ? "customer_id" : "payment_method";
      const std::string value = IdString(in.Get(column));
      if (value.empty()) continue;
      Result<RefundStore*> store = s->Store();
      if (!store.ok()) return StoreError(store.status());
      Result<int64_t> n =
          (*store)->CountRecentRefunds(column, value, ctx.clock().NowMs() - rule.window_ms, ctx.workflow_id());
      if (!n.ok()) return StoreError(n.status());
      velocity[rule.name] = *n;
    }
    RiskAssessment a = ScoreRisk(s->risk_rules, facts, velocity);
    Value out;
    out["score"] = static_cast<double>(a.score_bps) / 10000.0;
    out["score_bps"] = a.score_bps;
    out["reasons"] = Value::List(a.reasons.begin(), a.reasons.end());
    out["rules_evaluated"] = static_cast<int64_t>(s->risk_rules.rules.size());
    ReviewDecision review = DecideReview(s->risk_rules, amount->minor, amount->currency);
    out["review_required"] = review.required;
    out["review_threshold"] =
        review.threshold_minor ? MoneyToValue(Money{*review.threshold_minor, amount->currency}) : Value();
    out["review_reason"] = review.reason;
    ctx.logger().Info(fmt::format("risk score {} ({} signals)", out.Get("score").NumberOr(0), a.reasons.size()));
    return out;
  };
}

}  // namespace steadfast::refund
