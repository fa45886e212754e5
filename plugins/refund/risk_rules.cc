// Risk rules: YAML parsing (through the engine's reader,
// steadfast/yaml_document.h) and scoring.
#include "refund/risk_rules.h"

#include <fmt/format.h>

#include <algorithm>

#include "steadfast/time_text.h"
#include "refund/money.h"
#include "steadfast/yaml_document.h"

namespace steadfast::refund {
namespace {

// "0.4" -> 4000 bps, exact to 0.0001; 0..1 only.
Result<int64_t> ParseScore(const std::string& text) {
  auto digits = [](const std::string& s) {
    return std::all_of(s.begin(), s.end(), [](unsigned char c) { return c >= '0' && c <= '9'; });
  };
  size_t dot = text.find('.');
  std::string whole = text.substr(0, dot);
  std::string frac = dot == std::string::npos ? "" : text.substr(dot + 1);
  if (whole.empty() || frac.size() > 4 || !digits(whole) || !digits(frac)) {
    return Status::InvalidArgument("score must be a number from 0 to 1 with at most 4 decimals (got '" + text + "')");
  }
  // Leading zeros aside, a whole part of more than one digit is above 1, and
  // would not even fit in an integer (found by the risk_rules fuzzer).
  whole.erase(0, std::min(whole.find_first_not_of('0'), whole.size() - 1));
  if (whole.size() > 1) return Status::InvalidArgument("score must not exceed 1 (got " + text + ")");
  while (frac.size() < 4) frac.push_back('0');
  int64_t bps = (whole[0] - '0') * 10000 + std::stoll(frac);
  if (bps > 10000) return Status::InvalidArgument("score must not exceed 1 (got " + text + ")");
  return bps;
}

// A rules file: {version, review_above: {currency: amount}, rules: [...]}.
Result<RiskRules> FromYaml(const YamlNode& root, std::string_view source) {
  RiskRules out;
  if (!root.IsMap()) return Status::InvalidArgument(fmt::format("{}: expected a map with 'rules'", source));
  for (const YamlEntry& kv : root.entries()) {
    SF_ASSIGN_OR_RETURN(const std::string key, kv.key.AsString());
    if (key != "version" && key != "rules" && key != "review_above") {
      return kv.key.Error(fmt::format("unknown key '{}'", key));
    }
  }
  if (const YamlNode* review = root.Find("review_above")) {
    if (!review->IsMap()) return review->Error("'review_above' must map currencies to amounts");
    for (const YamlEntry& kv : review->entries()) {
      SF_ASSIGN_OR_RETURN(const std::string cur, kv.key.AsString());
      SF_ASSIGN_OR_RETURN(const std::string amount, kv.value.AsString());
      Result<Money> m = ParseAmount(amount, cur);
      if (!m.ok() || m->minor < 0) {
        return kv.value.Error(
            fmt::format("review_above.{}: {}", cur, m.ok() ? "must not be negative" : m.status().message()));
      }
      out.review_above[cur] = m->minor;
    }
  }
  const YamlNode* rules = root.Find("rules");
  if (rules == nullptr || !rules->IsList()) return Status::InvalidArgument(fmt::format("{}: 'rules' must be a list", source));
  int index = 0;
  for (const YamlNode& n : rules->items()) {
    ++index;
    auto fail = [&](const std::string& m) { return n.Error(fmt::format("rule {}: {}", index, m)); };
    if (!n.IsMap()) return fail("must be a map");
    RiskRule r;
    for (const YamlEntry& kv : n.entries()) {
      SF_ASSIGN_OR_RETURN(const std::string k, kv.key.AsString());
      static const char* kKnown[] = {"name", "kind", "score", "per", "window", "threshold", "amounts", "fields"};
      if (std::find_if(std::begin(kKnown), std::end(kKnown), [&](const char* s) { return k == s; }) ==
          std::end(kKnown)) {
        return fail("unknown key '" + k + "'");
      }
    }
    const YamlNode* name = n.Find("name");
    if (name == nullptr) return fail("'name' is required");
    SF_ASSIGN_OR_RETURN(r.name, name->AsString());
    std::string kind;
    if (const YamlNode* k = n.Find("kind")) {
      SF_ASSIGN_OR_RETURN(kind, k->AsString());
    }
    const YamlNode* score_node = n.Find("score");
    if (score_node == nullptr) return fail("'score' is required");
    SF_ASSIGN_OR_RETURN(const std::string score_text, score_node->AsString());
    Result<int64_t> score = ParseScore(score_text);
    if (!score.ok()) return fail(score.status().message());
    r.score_bps = *score;
    if (kind == "velocity") {
      r.kind = RiskRuleKind::kVelocity;
      if (const YamlNode* per = n.Find("per")) {
        SF_ASSIGN_OR_RETURN(r.per, per->AsString());
      }
      if (r.per != "customer" && r.per != "payment_method") return fail("'per' must be customer or payment_method");
      const YamlNode* window = n.Find("window");
      if (window == nullptr) return fail("'window' is required");
      SF_ASSIGN_OR_RETURN(const std::string window_text, window->AsString());
      Result<int64_t> w = ParseDurationMs(window_text);
      if (!w.ok() || *w <= 0) return fail("'window' must be a positive duration like 30d");
      r.window_ms = *w;
      r.threshold = 1;
      if (const YamlNode* threshold = n.Find("threshold")) {
        SF_ASSIGN_OR_RETURN(r.threshold, threshold->AsInt());
      }
      if (r.threshold < 1) return fail("'threshold' must be at least 1");
    } else if (kind == "amount_above") {
      r.kind = RiskRuleKind::kAmountAbove;
      const YamlNode* amounts = n.Find("amounts");
      if (amounts == nullptr || !amounts->IsMap()) return fail("'amounts' must map currencies to amounts");
      for (const YamlEntry& kv : amounts->entries()) {
        SF_ASSIGN_OR_RETURN(const std::string cur, kv.key.AsString());
        SF_ASSIGN_OR_RETURN(const std::string amount, kv.value.AsString());
        Result<Money> m = ParseAmount(amount, cur);
        if (!m.ok()) return fail("amounts." + cur + ": " + m.status().message());
        r.amounts[cur] = m->minor;
      }
    } else if (kind == "mismatch") {
      r.kind = RiskRuleKind::kMismatch;
      const YamlNode* fields = n.Find("fields");
      if (fields == nullptr || !fields->IsList() || fields->size() != 2) {
        return fail("'fields' must list two input fields");
      }
      SF_ASSIGN_OR_RETURN(r.left, fields->items()[0].AsString());
      SF_ASSIGN_OR_RETURN(r.right, fields->items()[1].AsString());
    } else {
      return fail("'kind' must be velocity, amount_above or mismatch");
    }
    out.rules.push_back(std::move(r));
  }
  return out;
}

}  // namespace

Result<RiskRules> RiskRules::Parse(std::string_view yaml_text, std::string_view source) {
  SF_ASSIGN_OR_RETURN(YamlNode root, ParseYaml(yaml_text, source));
  return FromYaml(root, source);
}

Result<RiskRules> RiskRules::Load(const std::string& path) {
  Result<YamlNode> root = LoadYamlFile(path);
  if (root.status().code() == StatusCode::kNotFound) return Status::NotFound("cannot read risk rules " + path);
  if (!root.ok()) return root.status();
  return FromYaml(*root, path);
}

ReviewDecision DecideReview(const RiskRules& rules, int64_t amount_minor, const std::string& currency) {
  ReviewDecision d;
  if (rules.review_above.empty()) return d;
  auto it = rules.review_above.find(currency);
  if (it == rules.review_above.end()) {
    d.required = true;
    d.reason = "no review threshold for " + currency + " (review_above): held for a reviewer";
    return d;
  }
  d.threshold_minor = it->second;
  if (amount_minor > it->second) {
    d.required = true;
    d.reason = fmt::format("{} is above the review threshold {}", FormatMoney(Money{amount_minor, currency}),
                           FormatMoney(Money{it->second, currency}));
  }
  return d;
}

RiskAssessment ScoreRisk(const RiskRules& rules, const RiskFacts& facts,
                         const std::map<std::string, int64_t>& velocity_by_rule) {
  RiskAssessment out;
  for (const RiskRule& r : rules.rules) {
    std::string detail;
    bool fired = false;
    switch (r.kind) {
      case RiskRuleKind::kVelocity: {
        auto it = velocity_by_rule.find(r.name);
        int64_t count = it == velocity_by_rule.end() ? 0 : it->second;
        fired = count >= r.threshold;
        detail = fmt::format("{} recent refunds for this {} within {} (threshold {})", count, r.per,
                             FormatDurationMs(r.window_ms), r.threshold);
        break;
      }
      case RiskRuleKind::kAmountAbove: {
        auto it = r.amounts.find(facts.currency);
        if (it != r.amounts.end() && facts.amount_minor > it->second) {
          fired = true;
          detail = fmt::format("{} above {}", FormatMoney(Money{facts.amount_minor, facts.currency}),
                               FormatMoney(Money{it->second, facts.currency}));
        }
        break;
      }
      case RiskRuleKind::kMismatch: {
        const Value& a = facts.input.Get(r.left);
        const Value& b = facts.input.Get(r.right);
        if (!a.is_null() && !b.is_null() && !(a == b)) {
          fired = true;
          detail = fmt::format("{} ({}) differs from {} ({})", r.left, a.ToJson(), r.right, b.ToJson());
        }
        break;
      }
    }
    if (!fired) continue;
    out.score_bps = std::min<int64_t>(10000, out.score_bps + r.score_bps);
    Value reason;
    reason["rule"] = r.name;
    reason["score"] = static_cast<double>(r.score_bps) / 10000.0;
    reason["detail"] = detail;
    out.reasons.push_back(std::move(reason));
  }
  return out;
}

}  // namespace steadfast::refund
