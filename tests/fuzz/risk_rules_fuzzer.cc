// The risk rules loader (plugins/refund/risk_rules.h, config/risk_rules.yaml).
// Properties: Parse never throws and fails only with InvalidArgument; the
// rules it accepts have scores in 0..1 and positive thresholds and windows;
// scoring real facts stays in 0..10000 basis points with one reason per
// fired rule; the review decision is deterministic, names a threshold for
// the currencies it lists, and holds a currency it does not list.
#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>

#include "fuzz_check.h"
#include "refund/risk_rules.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace steadfast;
  using namespace steadfast::refund;
  Result<RiskRules> rules = RiskRules::Parse(fuzz::AsText(data, size), "fuzz_risk_rules.yaml");
  if (!rules.ok()) {
    FUZZ_CHECK(rules.status().code() == StatusCode::kInvalidArgument);
    return 0;
  }
  std::map<std::string, int64_t> velocity;
  for (const RiskRule& rule : rules->rules) {
    FUZZ_CHECK(rule.score_bps >= 0 && rule.score_bps <= 10000);
    if (rule.kind == RiskRuleKind::kVelocity) {
      FUZZ_CHECK(rule.window_ms > 0 && rule.threshold >= 1);
      velocity[rule.name] = rule.threshold;  // every velocity rule fires
    }
  }
  static const Value input = *Value::FromJson(
      R"({"requester": "desk", "booker": "guest-7", "customer_id": "c-1", "payment_method": "pm_1"})");
  for (const char* currency : {"EUR", "JPY", "KWD", "XXX", ""}) {
    for (int64_t amount : std::initializer_list<int64_t>{0, 1, 49'999, 50'000, 50'001, INT64_MAX}) {
      RiskAssessment a = ScoreRisk(*rules, RiskFacts{amount, currency, input}, velocity);
      FUZZ_CHECK(a.score_bps >= 0 && a.score_bps <= 10000);
      FUZZ_CHECK(a.reasons.size() <= rules->rules.size());
      ReviewDecision d = DecideReview(*rules, amount, currency);
      ReviewDecision again = DecideReview(*rules, amount, currency);
      FUZZ_CHECK(d.required == again.required && d.reason == again.reason);
      if (d.required) FUZZ_CHECK(!d.reason.empty());
      if (!rules->review_above.empty()) {
        auto listed = rules->review_above.find(currency);
        if (listed == rules->review_above.end()) {
          FUZZ_CHECK(d.required);
        } else {
          FUZZ_CHECK(d.threshold_minor == listed->second);
          FUZZ_CHECK(d.required == (amount > listed->second));
        }
      }
    }
  }
  return 0;
}
