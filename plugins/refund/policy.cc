// Refund policy YAML loading, validation and selection. yaml-cpp exceptions
// are caught here and turned into file:line:col errors.
#include "refund/policy.h"

#include <charconv>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "refund/currency.h"
#include "steadfast/time_text.h"
#include "refund/money.h"

namespace steadfast::refund {
namespace {

class PolicyParser {
 public:
  explicit PolicyParser(std::string_view source) : source_(source) {}

  // Fills `policies`, `default_spec` and where the default was written.
  Status ParseRoot(const YAML::Node& root, std::vector<RefundPolicy>& policies, std::string& default_spec,
                   YAML::Mark& default_mark) const;

  Status Error(const YAML::Node& at, std::string_view message) const { return ErrorAt(at.Mark(), message); }
  Status ErrorAt(const YAML::Mark& mark, std::string_view message) const {
    if (mark.is_null()) return Status::InvalidArgument(fmt::format("{}: {}", source_, message));
    return Status::InvalidArgument(fmt::format("{}:{}:{}: {}", source_, mark.line + 1, mark.column + 1, message));
  }
  std::string Position(const YAML::Node& at) const {
    YAML::Mark m = at.Mark();
    return m.is_null() ? source_ : fmt::format("{}:{}:{}", source_, m.line + 1, m.column + 1);
  }

  Status CheckKeys(const YAML::Node& map, std::string_view what, std::initializer_list<std::string_view> allowed) const;
  Result<std::string> Scalar(const YAML::Node& n, std::string_view what) const;
  Result<bool> Bool(const YAML::Node& parent, std::string_view key, bool fallback) const;
  Result<int64_t> Percent(const YAML::Node& parent, std::string_view key, int64_t fallback, int64_t max_bps) const;
  Result<AmountByCurrency> Amounts(const YAML::Node& n, std::string_view what) const;
  Result<RefundRule> Rule(const YAML::Node& n, std::string_view what, bool is_window) const;
  Result<RefundPolicy> Policy(const YAML::Node& n, std::string_view what) const;

 private:
  std::string source_;
};

Status PolicyParser::CheckKeys(const YAML::Node& map, std::string_view what,
                               std::initializer_list<std::string_view> allowed) const {
  if (!map.IsMap()) return Error(map, fmt::format("{} must be a map", what));
  for (auto it = map.begin(); it != map.end(); ++it) {
    YAML::Node key = it->first;
    std::string k = key.IsScalar() ? key.Scalar() : std::string();
    bool ok = false;
    for (std::string_view a : allowed) ok = ok || a == k;
    if (!ok) {
      std::string list;
      for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      return Error(key, fmt::format("unknown key '{}' in {} (expected one of: {})", k, what, list));
    }
  }
  return Status::Ok();
}

Result<std::string> PolicyParser::Scalar(const YAML::Node& n, std::string_view what) const {
  if (!n.IsScalar()) return Error(n, fmt::format("{} must be a scalar", what));
  return n.Scalar();
}

Result<bool> PolicyParser::Bool(const YAML::Node& parent, std::string_view key, bool fallback) const {
  YAML::Node n = parent[std::string(key)];
  if (!n.IsDefined() || n.IsNull()) return fallback;
  SF_ASSIGN_OR_RETURN(std::string s, Scalar(n, key));
  if (s == "true") return true;
  if (s == "false") return false;
  return Error(n, fmt::format("{} must be true or false, got '{}'", key, s));
}

Result<int64_t> PolicyParser::Percent(const YAML::Node& parent, std::string_view key, int64_t fallback,
                                      int64_t max_bps) const {
  YAML::Node n = parent[std::string(key)];
  if (!n.IsDefined() || n.IsNull()) return fallback;
  SF_ASSIGN_OR_RETURN(std::string s, Scalar(n, key));
  Result<int64_t> bps = ParseBasisPoints(s);
  if (!bps.ok()) return Error(n, fmt::format("{}: {}", key, bps.status().message()));
  if (*bps > max_bps) return Error(n, fmt::format("{} must be at most {}, got {}", key, FormatBasisPoints(max_bps), s));
  return *bps;
}

Result<AmountByCurrency> PolicyParser::Amounts(const YAML::Node& n, std::string_view what) const {
  AmountByCurrency out;
  if (!n.IsDefined() || n.IsNull()) return out;
  if (!n.IsMap()) return Error(n, fmt::format("{} must be a map of currency to amount, e.g. {{EUR: \"10.00\"}}", what));
  for (auto it = n.begin(); it != n.end(); ++it) {
    YAML::Node key = it->first;
    YAML::Node value = it->second;
    SF_ASSIGN_OR_RETURN(std::string code, Scalar(key, what));
    if (!IsKnownCurrency(code)) return Error(key, fmt::format("{}: unknown currency '{}'", what, code));
    SF_ASSIGN_OR_RETURN(std::string amount, Scalar(value, what));
    Result<Money> m = ParseAmount(amount, code);
    if (!m.ok()) return Error(value, fmt::format("{}: {}", what, m.status().message()));
    if (m->minor < 0) return Error(value, fmt::format("{}: must not be negative", what));
    if (!out.emplace(code, m->minor).second) return Error(key, fmt::format("{}: {} listed twice", what, code));
  }
  return out;
}

Result<RefundRule> PolicyParser::Rule(const YAML::Node& n, std::string_view what, bool is_window) const {
  if (is_window) {
    SF_RETURN_IF_ERROR(CheckKeys(n, what,
                                 {"name", "min_notice", "refund_percent", "service_fee_refundable",
                                  "delivery_refundable", "prorate", "charge_cancellation_fee"}));
  } else {
    SF_RETURN_IF_ERROR(CheckKeys(n, what,
                                 {"name", "refund_percent", "service_fee_refundable", "delivery_refundable", "prorate",
                                  "charge_cancellation_fee"}));
  }
  RefundRule r;
  if (is_window) {
    YAML::Node notice = n["min_notice"];
    if (!notice.IsDefined()) return Error(n, fmt::format("{}: min_notice is required (e.g. 7d, 24h, 0s)", what));
    SF_ASSIGN_OR_RETURN(std::string text, Scalar(notice, "min_notice"));
    Result<int64_t> ms = ParseDurationMs(text);
    if (!ms.ok()) return Error(notice, fmt::format("min_notice: bad duration '{}': {}", text, ms.status().message()));
    r.min_notice_ms = *ms;
  }
  YAML::Node percent = n["refund_percent"];
  if (!percent.IsDefined()) return Error(n, fmt::format("{}: refund_percent is required", what));
  SF_ASSIGN_OR_RETURN(r.refund_bps, Percent(n, "refund_percent", 0, kBasisPointsPerWhole));
  SF_ASSIGN_OR_RETURN(r.service_fee_refundable, Bool(n, "service_fee_refundable", false));
  SF_ASSIGN_OR_RETURN(r.delivery_refundable, Bool(n, "delivery_refundable", true));
  SF_ASSIGN_OR_RETURN(r.prorate, Bool(n, "prorate", false));
  SF_ASSIGN_OR_RETURN(r.charge_cancellation_fee, Bool(n, "charge_cancellation_fee", true));
  if (YAML::Node name = n["name"]; name.IsDefined()) {
    SF_ASSIGN_OR_RETURN(r.name, Scalar(name, "name"));
  } else {
    r.name = is_window ? "notice>=" + FormatDurationMs(r.min_notice_ms) : "after_start";
  }
  return r;
}

Result<RefundPolicy> PolicyParser::Policy(const YAML::Node& n, std::string_view what) const {
  SF_RETURN_IF_ERROR(CheckKeys(n, what,
                               {"name", "version", "description", "windows", "after_start", "cancellation_fee",
                                "minimum_refund", "host", "refund_as", "voucher_bonus_percent"}));
  RefundPolicy p;
  p.source = Position(n);

  YAML::Node name = n["name"];
  if (!name.IsDefined()) return Error(n, fmt::format("{}: name is required", what));
  SF_ASSIGN_OR_RETURN(p.name, Scalar(name, "name"));
  bool name_ok = !p.name.empty();
  for (char c : p.name) {
    name_ok = name_ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-');
  }
  if (!name_ok) return Error(name, fmt::format("policy name '{}' must be lower-case letters, digits, '_' or '-'", p.name));

  YAML::Node version = n["version"];
  if (!version.IsDefined()) return Error(n, fmt::format("{} '{}': version is required", what, p.name));
  SF_ASSIGN_OR_RETURN(std::string vtext, Scalar(version, "version"));
  int v = 0;
  auto [end, ec] = std::from_chars(vtext.data(), vtext.data() + vtext.size(), v);
  if (ec != std::errc() || end != vtext.data() + vtext.size() || v < 1) {
    return Error(version, fmt::format("version must be a positive integer, got '{}'", vtext));
  }
  p.version = v;

  if (YAML::Node d = n["description"]; d.IsDefined()) {
    SF_ASSIGN_OR_RETURN(p.description, Scalar(d, "description"));
  }

  YAML::Node windows = n["windows"];
  if (windows.IsDefined() && !windows.IsNull()) {
    if (!windows.IsSequence()) return Error(windows, "windows must be a list");
    std::set<std::string> names;
    for (size_t i = 0; i < windows.size(); ++i) {
      YAML::Node w = windows[i];
      SF_ASSIGN_OR_RETURN(RefundRule rule, Rule(w, fmt::format("windows[{}]", i), /*is_window=*/true));
      if (!p.windows.empty() && rule.min_notice_ms >= p.windows.back().min_notice_ms) {
        return Error(w, fmt::format("windows must be ordered by strictly decreasing min_notice ('{}' after '{}')",
                                    FormatDurationMs(rule.min_notice_ms),
                                    FormatDurationMs(p.windows.back().min_notice_ms)));
      }
      if (!names.insert(rule.name).second) return Error(w, fmt::format("window name '{}' is used twice", rule.name));
      p.windows.push_back(std::move(rule));
    }
  }
  if (YAML::Node a = n["after_start"]; a.IsDefined() && !a.IsNull()) {
    SF_ASSIGN_OR_RETURN(RefundRule rule, Rule(a, "after_start", /*is_window=*/false));
    p.after_start = std::move(rule);
  }

  if (YAML::Node fee = n["cancellation_fee"]; fee.IsDefined() && !fee.IsNull()) {
    SF_RETURN_IF_ERROR(CheckKeys(fee, "cancellation_fee", {"percent", "fixed"}));
    SF_ASSIGN_OR_RETURN(p.cancellation_fee_bps, Percent(fee, "percent", 0, kBasisPointsPerWhole));
    SF_ASSIGN_OR_RETURN(p.cancellation_fee_fixed, Amounts(fee["fixed"], "cancellation_fee.fixed"));
  }
  SF_ASSIGN_OR_RETURN(p.minimum_refund, Amounts(n["minimum_refund"], "minimum_refund"));

  if (YAML::Node host = n["host"]; host.IsDefined() && !host.IsNull()) {
    SF_RETURN_IF_ERROR(CheckKeys(host, "host", {"fee_percent", "cancellation_fee_share_percent"}));
    SF_ASSIGN_OR_RETURN(p.host_fee_bps, Percent(host, "fee_percent", 0, kBasisPointsPerWhole));
    SF_ASSIGN_OR_RETURN(p.host_cancellation_fee_share_bps,
                        Percent(host, "cancellation_fee_share_percent", 0, kBasisPointsPerWhole));
  }

  if (YAML::Node as = n["refund_as"]; as.IsDefined()) {
    SF_ASSIGN_OR_RETURN(std::string s, Scalar(as, "refund_as"));
    if (s == "cash") {
      p.refund_as = RefundAs::kCash;
    } else if (s == "voucher") {
      p.refund_as = RefundAs::kVoucher;
    } else if (s == "guest_choice") {
      p.refund_as = RefundAs::kGuestChoice;
    } else {
      return Error(as, fmt::format("refund_as must be cash, voucher or guest_choice, got '{}'", s));
    }
  }
  SF_ASSIGN_OR_RETURN(p.voucher_bonus_bps, Percent(n, "voucher_bonus_percent", 0, kBasisPointsPerWhole));
  if (p.voucher_bonus_bps > 0 && p.refund_as == RefundAs::kCash) {
    return Error(n["voucher_bonus_percent"], "voucher_bonus_percent needs refund_as: voucher or guest_choice");
  }
  return p;
}

Status PolicyParser::ParseRoot(const YAML::Node& root, std::vector<RefundPolicy>& policies,
                               std::string& default_spec, YAML::Mark& default_mark) const {
  if (!root.IsMap()) return Error(root, "expected a map with 'default' and 'policies'");
  SF_RETURN_IF_ERROR(CheckKeys(root, "the policy file", {"default", "policies"}));
  YAML::Node list = root["policies"];
  if (!list.IsDefined() || !list.IsSequence() || list.size() == 0) {
    return Error(list.IsDefined() ? list : root, "'policies' must be a non-empty list");
  }
  std::map<std::pair<std::string, int>, std::string> seen;
  for (size_t i = 0; i < list.size(); ++i) {
    SF_ASSIGN_OR_RETURN(RefundPolicy p, Policy(list[i], fmt::format("policies[{}]", i)));
    auto [it, inserted] = seen.emplace(std::make_pair(p.name, p.version), p.source);
    if (!inserted) {
      return Error(list[i], fmt::format("policy {} is declared twice (first at {}); a change needs a new version",
                                        p.Id(), it->second));
    }
    policies.push_back(std::move(p));
  }
  YAML::Node def = root["default"];
  if (!def.IsDefined()) return Error(root, "'default' is required (the policy for reservations that name none)");
  SF_ASSIGN_OR_RETURN(default_spec, Scalar(def, "default"));
  default_mark = def.Mark();
  return Status::Ok();
}

}  // namespace

std::string_view WindowKindName(WindowKind kind) {
  switch (kind) {
    case WindowKind::kNotice: return "notice";
    case WindowKind::kAfterStart: return "after_start";
    case WindowKind::kNone: return "none";
  }
  return "none";
}

std::string_view RefundAsName(RefundAs as) {
  switch (as) {
    case RefundAs::kCash: return "cash";
    case RefundAs::kVoucher: return "voucher";
    case RefundAs::kGuestChoice: return "guest_choice";
  }
  return "cash";
}

AppliedRule RefundPolicy::RuleFor(int64_t notice_ms) const {
  for (const RefundRule& w : windows) {
    if (notice_ms >= w.min_notice_ms) return AppliedRule{w, WindowKind::kNotice};
  }
  if (notice_ms <= 0 && after_start.has_value()) return AppliedRule{*after_start, WindowKind::kAfterStart};
  RefundRule none;
  none.name = "none";
  none.delivery_refundable = false;
  none.charge_cancellation_fee = false;
  return AppliedRule{none, WindowKind::kNone};
}

Status RefundPolicy::CheckCurrency(std::string_view currency) const {
  if (!cancellation_fee_fixed.empty() && cancellation_fee_fixed.find(currency) == cancellation_fee_fixed.end()) {
    return Status::FailedPrecondition(
        fmt::format("policy {} has no fixed cancellation fee for {} (declared at {})", Id(), currency, source));
  }
  if (!minimum_refund.empty() && minimum_refund.find(currency) == minimum_refund.end()) {
    return Status::FailedPrecondition(
        fmt::format("policy {} has no minimum refund for {} (declared at {})", Id(), currency, source));
  }
  return Status::Ok();
}

Result<std::string> PolicySpecFromValue(const Value& v) {
  if (v.is_null()) return std::string();
  if (v.is_string()) return v.AsString();
  if (v.is_map()) {
    const Value& name = v.Get("name");
    if (!name.is_string() || name.AsString().empty()) {
      return Status::InvalidArgument("policy.name: expected a non-empty string");
    }
    const Value& version = v.Get("version");
    if (version.is_null()) return name.AsString();
    if (!version.is_int()) return Status::InvalidArgument("policy.version: expected an integer");
    return fmt::format("{}@{}", name.AsString(), version.AsInt());
  }
  return Status::InvalidArgument(fmt::format(
      "policy: expected a name, \"name@version\" or {{name, version}}, got {}", Value::TypeName(v.type())));
}

std::string RefundPolicy::Id() const { return fmt::format("{}@{}", name, version); }

Result<PolicySet> PolicySet::Parse(std::string_view yaml_text, std::string_view source_name) {
  PolicyParser parser(source_name);
  PolicySet set;
  YAML::Mark default_mark = YAML::Mark::null_mark();
  try {
    YAML::Node root = YAML::Load(std::string(yaml_text));
    SF_RETURN_IF_ERROR(parser.ParseRoot(root, set.policies_, set.default_spec_, default_mark));
  } catch (const YAML::Exception& e) {
    return parser.ErrorAt(e.mark, e.msg);
  }
  Result<const RefundPolicy*> def = set.Select(set.default_spec_);
  if (!def.ok()) return parser.ErrorAt(default_mark, "default: " + def.status().message());
  return set;
}

Result<PolicySet> PolicySet::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(fmt::format("cannot read refund policy file '{}'", path));
  std::ostringstream text;
  text << in.rdbuf();
  return Parse(text.str(), path);
}

Result<const RefundPolicy*> PolicySet::Select(std::string_view spec) const {
  if (spec.empty()) spec = default_spec_;
  std::string_view name = spec;
  std::optional<int> version;
  if (size_t at = spec.find('@'); at != std::string_view::npos) {
    name = spec.substr(0, at);
    std::string_view vtext = spec.substr(at + 1);
    int v = 0;
    auto [end, ec] = std::from_chars(vtext.data(), vtext.data() + vtext.size(), v);
    if (ec != std::errc() || end != vtext.data() + vtext.size() || v < 1) {
      return Status::NotFound(fmt::format("bad policy spec '{}' (expected name or name@version)", spec));
    }
    version = v;
  }
  const RefundPolicy* best = nullptr;
  std::string versions;
  for (const RefundPolicy& p : policies_) {
    if (p.name != name) continue;
    versions += (versions.empty() ? "" : ", ") + std::to_string(p.version);
    if (version.has_value() ? p.version == *version : (best == nullptr || p.version > best->version)) best = &p;
  }
  if (best != nullptr) return best;
  if (!versions.empty()) {
    return Status::NotFound(fmt::format("policy '{}' has no version {} (versions: {})", name, *version, versions));
  }
  std::set<std::string> names;
  for (const RefundPolicy& p : policies_) names.insert(p.name);
  std::string known;
  for (const std::string& n : names) known += (known.empty() ? "" : ", ") + n;
  return Status::NotFound(fmt::format("unknown policy '{}' (known: {})", name, known));
}

}  // namespace steadfast::refund
