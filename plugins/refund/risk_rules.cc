// Risk rules: YAML parsing and scoring.
#include "refund/risk_rules.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "steadfast/time_text.h"
#include "refund/money.h"

namespace steadfast::refund {
namespace {

// "0.4" -> 4000 bps, exact to 0.0001; 0..1 only.
Result<int64_t> ParseScore(const std::string& text) {
  size_t dot = text.find('.');
  std::string whole = text.substr(0, dot);
  std::string frac = dot == std::string::npos ? "" : text.substr(dot + 1);
  if (whole.empty() || frac.size() > 4 || !std::all_of(whole.begin(), whole.end(), ::isdigit) ||
      !std::all_of(frac.begin(), frac.end(), ::isdigit)) {
    return Status::InvalidArgument("score must be a number from 0 to 1 with at most 4 decimals (got '" + text + "')");
  }
  while (frac.size() < 4) frac.push_back('0');
  int64_t bps = std::stoll(whole) * 10000 + std::stoll(frac);
  if (bps > 10000) return Status::InvalidArgument("score must not exceed 1 (got " + text + ")");
  return bps;
}

}  // namespace

Result<RiskRules> RiskRules::Parse(std::string_view yaml_text, std::string_view source) {
  RiskRules out;
  try {
    YAML::Node root = YAML::Load(std::string(yaml_text));
    if (!root.IsMap()) return Status::InvalidArgument(fmt::format("{}: expected a map with 'rules'", source));
    for (const auto& kv : root) {
      const std::string key = kv.first.as<std::string>();
      if (key != "version" && key != "rules" && key != "review_above") {
        return Status::InvalidArgument(fmt::format("{}:{}:{}: unknown key '{}'", source, kv.first.Mark().line + 1,
                                                   kv.first.Mark().column + 1, key));
      }
    }
    if (YAML::Node review = root["review_above"]; review) {
      if (!review.IsMap()) {
        return Status::InvalidArgument(fmt::format("{}:{}:{}: 'review_above' must map currencies to amounts", source,
                                                   review.Mark().line + 1, review.Mark().column + 1));
      }
      for (const auto& kv : review) {
        const std::string cur = kv.first.as<std::string>();
        Result<Money> m = ParseAmount(kv.second.as<std::string>(), cur);
        if (!m.ok() || m->minor < 0) {
          return Status::InvalidArgument(fmt::format("{}:{}:{}: review_above.{}: {}", source, kv.second.Mark().line + 1,
                                                     kv.second.Mark().column + 1, cur,
                                                     m.ok() ? "must not be negative" : m.status().message()));
        }
        out.review_above[cur] = m->minor;
      }
    }
    YAML::Node rules = root["rules"];
    if (!rules || !rules.IsSequence()) return Status::InvalidArgument(fmt::format("{}: 'rules' must be a list", source));
    int index = 0;
    for (const YAML::Node& n : rules) {
      ++index;
      auto fail = [&](const std::string& m) {
        return Status::InvalidArgument(
            fmt::format("{}:{}:{}: rule {}: {}", source, n.Mark().line + 1, n.Mark().column + 1, index, m));
      };
      if (!n.IsMap()) return fail("must be a map");
      RiskRule r;
      for (const auto& kv : n) {
        const std::string k = kv.first.as<std::string>();
        static const char* kKnown[] = {"name", "kind", "score", "per", "window", "threshold", "amounts", "fields"};
        if (std::find_if(std::begin(kKnown), std::end(kKnown), [&](const char* s) { return k == s; }) ==
            std::end(kKnown)) {
          return fail("unknown key '" + k + "'");
        }
      }
      if (!n["name"]) return fail("'name' is required");
      r.name = n["name"].as<std::string>();
      const std::string kind = n["kind"] ? n["kind"].as<std::string>() : "";
      if (!n["score"]) return fail("'score' is required");
      Result<int64_t> score = ParseScore(n["score"].as<std::string>());
      if (!score.ok()) return fail(score.status().message());
      r.score_bps = *score;
      if (kind == "velocity") {
        r.kind = RiskRuleKind::kVelocity;
        r.per = n["per"] ? n["per"].as<std::string>() : "";
        if (r.per != "customer" && r.per != "payment_method") return fail("'per' must be customer or payment_method");
        if (!n["window"]) return fail("'window' is required");
        Result<int64_t> w = ParseDurationMs(n["window"].as<std::string>());
        if (!w.ok() || *w <= 0) return fail("'window' must be a positive duration like 30d");
        r.window_ms = *w;
        r.threshold = n["threshold"] ? n["threshold"].as<int64_t>() : 1;
        if (r.threshold < 1) return fail("'threshold' must be at least 1");
      } else if (kind == "amount_above") {
        r.kind = RiskRuleKind::kAmountAbove;
        if (!n["amounts"] || !n["amounts"].IsMap()) return fail("'amounts' must map currencies to amounts");
        for (const auto& kv : n["amounts"]) {
          const std::string cur = kv.first.as<std::string>();
          Result<Money> m = ParseAmount(kv.second.as<std::string>(), cur);
          if (!m.ok()) return fail("amounts." + cur + ": " + m.status().message());
          r.amounts[cur] = m->minor;
        }
      } else if (kind == "mismatch") {
        r.kind = RiskRuleKind::kMismatch;
        if (!n["fields"] || !n["fields"].IsSequence() || n["fields"].size() != 2) {
          return fail("'fields' must list two input fields");
        }
        r.left = n["fields"][0].as<std::string>();
        r.right = n["fields"][1].as<std::string>();
      } else {
        return fail("'kind' must be velocity, amount_above or mismatch");
      }
      out.rules.push_back(std::move(r));
    }
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(fmt::format("{}: {}", source, e.what()));
  }
  return out;
}

Result<RiskRules> RiskRules::Load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("cannot read risk rules " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return Parse(ss.str(), path);
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
