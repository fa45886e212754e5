// Risk rules: declarative refund-fraud signals, loaded from YAML
// (config/risk_rules.yaml) and scored by refund.assess_risk.
//
//   version: 1
//   rules:
//     - { name: customer_velocity, kind: velocity, per: customer, window: 30d, threshold: 2, score: 0.4 }
//     - { name: card_velocity, kind: velocity, per: payment_method, window: 7d, threshold: 3, score: 0.4 }
//     - { name: large_refund, kind: amount_above, amounts: { EUR: "400.00", JPY: "50000" }, score: 0.3 }
//     - { name: requester_not_booker, kind: mismatch, fields: [requester, booker], score: 0.5 }
//
// A velocity rule fires when the customer (payment method) already has at
// least `threshold` pending or succeeded refunds created within `window` (the
// plugin's refund records, other workflows only). amount_above fires when the
// refund exceeds the amount for its currency (currencies not listed never
// fire). mismatch fires when both input fields are present and differ.
// The score is the sum of the fired rules' scores, capped at 1; scores are
// kept in basis points (0.4 = 4000) so sums are exact.
//
// The approval threshold lives here too, per currency and written in major
// units, so that each currency's exponent is applied when it is parsed:
//
//   review_above: { EUR: "500.00", JPY: "75000", KWD: "150.000" }
//
// A refund above its currency's amount needs a reviewer (refund.assess_risk
// reports review_required). A currency the map does not list is held too
// (fail safe: a wrong exponent would scale the threshold by 100 or 1000);
// without a review_above map nothing is held for its amount.
#ifndef STEADFAST_PLUGINS_REFUND_RISK_RULES_H_
#define STEADFAST_PLUGINS_REFUND_RISK_RULES_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "steadfast/status.h"
#include "steadfast/value.h"

namespace steadfast::refund {

enum class RiskRuleKind : int { kVelocity = 0, kAmountAbove = 1, kMismatch = 2 };

struct RiskRule {
  std::string name;
  RiskRuleKind kind = RiskRuleKind::kVelocity;
  int64_t score_bps = 0;                     // 0..10000
  // velocity
  std::string per;                           // "customer" | "payment_method"
  int64_t window_ms = 0;
  int64_t threshold = 1;
  // amount_above: currency -> minor units
  std::map<std::string, int64_t> amounts;
  // mismatch
  std::string left, right;
};

struct RiskRules {
  std::vector<RiskRule> rules;
  std::map<std::string, int64_t> review_above;  // currency -> minor units; empty = no amount threshold

  // InvalidArgument "<source>: rule N (name): ..." on any problem.
  static Result<RiskRules> Parse(std::string_view yaml_text, std::string_view source_name);
  static Result<RiskRules> Load(const std::string& path);
};

// What the rules look at (gathered by the activity).
struct RiskFacts {
  int64_t amount_minor = 0;
  std::string currency;
  Value input;                              // for mismatch fields
};

struct RiskAssessment {
  int64_t score_bps = 0;  // capped at 10000
  std::vector<Value> reasons;  // {rule, kind, score, detail}
};

// Whether a refund of `amount_minor` in `currency` must wait for a reviewer.
struct ReviewDecision {
  bool required = false;
  std::optional<int64_t> threshold_minor;  // the currency's threshold, when listed
  std::string reason;                      // why held ("" when not)
};
ReviewDecision DecideReview(const RiskRules& rules, int64_t amount_minor, const std::string& currency);

// Scores facts; velocity_by_rule gives each velocity rule's count of recent refunds.
RiskAssessment ScoreRisk(const RiskRules& rules, const RiskFacts& facts,
                         const std::map<std::string, int64_t>& velocity_by_rule);

}  // namespace steadfast::refund

#endif  // STEADFAST_PLUGINS_REFUND_RISK_RULES_H_
