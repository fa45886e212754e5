// Refund policy YAML loading, validation and selection. The YAML is read by
// the engine's reader (steadfast/yaml_document.h), which gives every node
// its file:line:col.
#include "refund/policy.h"

#include <charconv>
#include <set>

#include <fmt/format.h>

#include "refund/currency.h"
#include "steadfast/time_text.h"
#include "refund/money.h"
#include "steadfast/yaml_document.h"

namespace steadfast::refund {
namespace {

class PolicyParser {
 public:
  // Fills `policies` and `default_spec`, the private parts of `set`, and
  // checks that the default names one of the policies.
  Status ParseRoot(const YamlNode& root, const PolicySet& set, std::vector<RefundPolicy>& policies,
                   std::string& default_spec) const;

  Status CheckKeys(const YamlNode& map, std::string_view what, std::initializer_list<std::string_view> allowed) const;
  Result<std::string> Scalar(const YamlNode& n, std::string_view what) const;
  Result<bool> Bool(const YamlNode& parent, std::string_view key, bool fallback) const;
  Result<int64_t> Percent(const YamlNode& parent, std::string_view key, int64_t fallback, int64_t max_bps) const;
  Result<AmountByCurrency> Amounts(const YamlNode* n, std::string_view what) const;
  Result<int64_t> Duration(const YamlNode& n, std::string_view key, std::string_view what,
                           std::string_view example) const;
  // What a rule is: a window (min_notice), the after-start rule (no clock)
  // or the grace rule (min_notice and max_since_booking).
  enum class RuleKind { kWindow, kAfterStart, kGrace };
  Result<RefundRule> Rule(const YamlNode& n, std::string_view what, RuleKind kind) const;
  Status Rounding(const YamlNode& n, RefundPolicy& p) const;
  Result<RefundPolicy> Policy(const YamlNode& n, std::string_view what) const;
};

// A value that is absent or written empty ("key:") counts as not given.
bool Given(const YamlNode* n) { return n != nullptr && !n->IsNull(); }

Status PolicyParser::CheckKeys(const YamlNode& map, std::string_view what,
                               std::initializer_list<std::string_view> allowed) const {
  if (!map.IsMap()) return map.Error(fmt::format("{} must be a map", what));
  for (const YamlEntry& entry : map.entries()) {
    const YamlNode& key = entry.key;
    const std::string& k = key.scalar();
    bool ok = false;
    for (std::string_view a : allowed) ok = ok || a == k;
    if (!ok) {
      std::string list;
      for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      return key.Error(fmt::format("unknown key '{}' in {} (expected one of: {})", k, what, list));
    }
  }
  return Status::Ok();
}

Result<std::string> PolicyParser::Scalar(const YamlNode& n, std::string_view what) const {
  if (!n.IsScalar()) return n.Error(fmt::format("{} must be a scalar", what));
  return n.scalar();
}

Result<bool> PolicyParser::Bool(const YamlNode& parent, std::string_view key, bool fallback) const {
  const YamlNode* n = parent.Find(key);
  if (!Given(n)) return fallback;
  SF_ASSIGN_OR_RETURN(std::string s, Scalar(*n, key));
  if (s == "true") return true;
  if (s == "false") return false;
  return n->Error(fmt::format("{} must be true or false, got '{}'", key, s));
}

Result<int64_t> PolicyParser::Percent(const YamlNode& parent, std::string_view key, int64_t fallback,
                                      int64_t max_bps) const {
  const YamlNode* n = parent.Find(key);
  if (!Given(n)) return fallback;
  SF_ASSIGN_OR_RETURN(std::string s, Scalar(*n, key));
  Result<int64_t> bps = ParseBasisPoints(s);
  if (!bps.ok()) return n->Error(fmt::format("{}: {}", key, bps.status().message()));
  if (*bps > max_bps) {
    return n->Error(fmt::format("{} must be at most {}, got {}", key, FormatBasisPoints(max_bps), s));
  }
  return *bps;
}

Result<AmountByCurrency> PolicyParser::Amounts(const YamlNode* n, std::string_view what) const {
  AmountByCurrency out;
  if (!Given(n)) return out;
  if (!n->IsMap()) {
    return n->Error(fmt::format("{} must be a map of currency to amount, e.g. {{EUR: \"10.00\"}}", what));
  }
  for (const YamlEntry& entry : n->entries()) {
    const YamlNode& key = entry.key;
    const YamlNode& value = entry.value;
    SF_ASSIGN_OR_RETURN(std::string code, Scalar(key, what));
    if (!IsKnownCurrency(code)) return key.Error(fmt::format("{}: unknown currency '{}'", what, code));
    SF_ASSIGN_OR_RETURN(std::string amount, Scalar(value, what));
    Result<Money> m = ParseAmount(amount, code);
    if (!m.ok()) return value.Error(fmt::format("{}: {}", what, m.status().message()));
    if (m->minor < 0) return value.Error(fmt::format("{}: must not be negative", what));
    if (!out.emplace(code, m->minor).second) return key.Error(fmt::format("{}: {} listed twice", what, code));
  }
  return out;
}

// A required duration key of `n` ("min_notice: 14d").
Result<int64_t> PolicyParser::Duration(const YamlNode& n, std::string_view key, std::string_view what,
                                       std::string_view example) const {
  const YamlNode* node = n.Find(key);
  if (!Given(node)) return n.Error(fmt::format("{}: {} is required (e.g. {})", what, key, example));
  SF_ASSIGN_OR_RETURN(std::string text, Scalar(*node, key));
  Result<int64_t> ms = ParseDurationMs(text);
  if (!ms.ok()) return node->Error(fmt::format("{}: bad duration '{}': {}", key, text, ms.status().message()));
  return *ms;
}

Result<RefundRule> PolicyParser::Rule(const YamlNode& n, std::string_view what, RuleKind kind) const {
  const bool is_window = kind != RuleKind::kAfterStart;  // has a min_notice
  if (kind == RuleKind::kWindow) {
    SF_RETURN_IF_ERROR(CheckKeys(n, what,
                                 {"name", "min_notice", "refund_percent", "service_fee_refundable",
                                  "delivery_refundable", "prorate", "charge_cancellation_fee"}));
  } else if (kind == RuleKind::kGrace) {
    SF_RETURN_IF_ERROR(CheckKeys(n, what,
                                 {"name", "max_since_booking", "min_notice", "refund_percent",
                                  "service_fee_refundable", "delivery_refundable", "prorate",
                                  "charge_cancellation_fee"}));
  } else {
    SF_RETURN_IF_ERROR(CheckKeys(n, what,
                                 {"name", "refund_percent", "service_fee_refundable", "delivery_refundable", "prorate",
                                  "charge_cancellation_fee"}));
  }
  RefundRule r;
  if (kind == RuleKind::kGrace) {
    // Both clocks are required, so the file says in one place what "within
    // 48 hours of booking" is measured against and how close to the start
    // it still holds.
    SF_ASSIGN_OR_RETURN(r.max_since_booking_ms, Duration(n, "max_since_booking", what, "48h"));
    if (r.max_since_booking_ms == 0) {
      return n.Find("max_since_booking")->Error("max_since_booking must be more than 0s (e.g. 48h)");
    }
  }
  if (is_window) {
    SF_ASSIGN_OR_RETURN(r.min_notice_ms, Duration(n, "min_notice", what, "7d, 24h, 0s"));
  }
  const YamlNode* percent = n.Find("refund_percent");
  if (percent == nullptr) return n.Error(fmt::format("{}: refund_percent is required", what));
  if (percent->IsMap()) {
    // Per line: every line is named or covered by `default`.
    SF_RETURN_IF_ERROR(CheckKeys(*percent, "refund_percent", {"rental", "delivery", "cleaning_fee", "default"}));
    const bool has_default = Given(percent->Find("default"));
    SF_ASSIGN_OR_RETURN(const int64_t fallback, Percent(*percent, "default", 0, kBasisPointsPerWhole));
    for (std::string_view line : {"rental", "delivery", "cleaning_fee"}) {
      if (!has_default && !Given(percent->Find(line))) {
        return percent->Error(fmt::format(
            "refund_percent: no percent for {} (name every line: rental, delivery, cleaning_fee, or give a default)",
            line));
      }
    }
    SF_ASSIGN_OR_RETURN(r.refund_bps, Percent(*percent, "rental", fallback, kBasisPointsPerWhole));
    SF_ASSIGN_OR_RETURN(r.delivery_bps, Percent(*percent, "delivery", fallback, kBasisPointsPerWhole));
    SF_ASSIGN_OR_RETURN(r.cleaning_fee_bps, Percent(*percent, "cleaning_fee", fallback, kBasisPointsPerWhole));
    r.per_line = true;
  } else {
    SF_ASSIGN_OR_RETURN(r.refund_bps, Percent(n, "refund_percent", 0, kBasisPointsPerWhole));
    r.delivery_bps = r.cleaning_fee_bps = r.refund_bps;
  }
  SF_ASSIGN_OR_RETURN(r.service_fee_refundable, Bool(n, "service_fee_refundable", false));
  SF_ASSIGN_OR_RETURN(r.delivery_refundable, Bool(n, "delivery_refundable", true));
  SF_ASSIGN_OR_RETURN(r.prorate, Bool(n, "prorate", false));
  SF_ASSIGN_OR_RETURN(r.charge_cancellation_fee, Bool(n, "charge_cancellation_fee", true));
  if (const YamlNode* name = n.Find("name")) {
    SF_ASSIGN_OR_RETURN(r.name, Scalar(*name, "name"));
  } else if (kind == RuleKind::kGrace) {
    r.name = "grace";
  } else {
    r.name = is_window ? "notice>=" + FormatDurationMs(r.min_notice_ms) : "after_start";
  }
  return r;
}

// `rounding: half_up`, or per currency with a fallback:
// `rounding: {default: half_even, KWD: half_up}`.
Status PolicyParser::Rounding(const YamlNode& n, RefundPolicy& p) const {
  auto mode = [&](const YamlNode& value, std::string_view what) -> Result<RoundingMode> {
    SF_ASSIGN_OR_RETURN(std::string s, Scalar(value, what));
    Result<RoundingMode> m = ParseRoundingMode(s);
    if (!m.ok()) return value.Error(fmt::format("{}: {}", what, m.status().message()));
    return *m;
  };
  if (n.IsScalar()) {
    SF_ASSIGN_OR_RETURN(p.rounding, mode(n, "rounding"));
    return Status::Ok();
  }
  if (!n.IsMap()) {
    return n.Error("rounding must be half_even, half_up or a map {default: <mode>, <CURRENCY>: <mode>}");
  }
  for (const YamlEntry& entry : n.entries()) {
    SF_ASSIGN_OR_RETURN(std::string key, Scalar(entry.key, "rounding"));
    if (key == "default") {
      SF_ASSIGN_OR_RETURN(p.rounding, mode(entry.value, "rounding.default"));
      continue;
    }
    if (!IsKnownCurrency(key)) {
      return entry.key.Error(fmt::format("rounding: unknown currency '{}' (keys are 'default' or ISO codes)", key));
    }
    SF_ASSIGN_OR_RETURN(RoundingMode m, mode(entry.value, fmt::format("rounding.{}", key)));
    if (!p.rounding_by_currency.emplace(key, m).second) {
      return entry.key.Error(fmt::format("rounding: {} listed twice", key));
    }
  }
  return Status::Ok();
}

Result<RefundPolicy> PolicyParser::Policy(const YamlNode& n, std::string_view what) const {
  SF_RETURN_IF_ERROR(CheckKeys(n, what,
                               {"name", "version", "description", "windows", "after_start", "grace", "cancellation_fee",
                                "minimum_refund", "host", "refund_as", "voucher_bonus_percent", "rounding"}));
  RefundPolicy p;
  p.source = n.position().ToString();

  const YamlNode* name = n.Find("name");
  if (name == nullptr) return n.Error(fmt::format("{}: name is required", what));
  SF_ASSIGN_OR_RETURN(p.name, Scalar(*name, "name"));
  bool name_ok = !p.name.empty();
  for (char c : p.name) {
    name_ok = name_ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-');
  }
  if (!name_ok) {
    return name->Error(fmt::format("policy name '{}' must be lower-case letters, digits, '_' or '-'", p.name));
  }

  const YamlNode* version = n.Find("version");
  if (version == nullptr) return n.Error(fmt::format("{} '{}': version is required", what, p.name));
  SF_ASSIGN_OR_RETURN(std::string vtext, Scalar(*version, "version"));
  int v = 0;
  auto [end, ec] = std::from_chars(vtext.data(), vtext.data() + vtext.size(), v);
  if (ec != std::errc() || end != vtext.data() + vtext.size() || v < 1) {
    return version->Error(fmt::format("version must be a positive integer, got '{}'", vtext));
  }
  p.version = v;

  if (const YamlNode* d = n.Find("description")) {
    SF_ASSIGN_OR_RETURN(p.description, Scalar(*d, "description"));
  }

  if (const YamlNode* windows = n.Find("windows"); Given(windows)) {
    if (!windows->IsList()) return windows->Error("windows must be a list");
    std::set<std::string> names;
    for (size_t i = 0; i < windows->items().size(); ++i) {
      const YamlNode& w = windows->items()[i];
      SF_ASSIGN_OR_RETURN(RefundRule rule, Rule(w, fmt::format("windows[{}]", i), RuleKind::kWindow));
      if (!p.windows.empty() && rule.min_notice_ms >= p.windows.back().min_notice_ms) {
        return w.Error(fmt::format("windows must be ordered by strictly decreasing min_notice ('{}' after '{}')",
                                   FormatDurationMs(rule.min_notice_ms),
                                   FormatDurationMs(p.windows.back().min_notice_ms)));
      }
      if (!names.insert(rule.name).second) return w.Error(fmt::format("window name '{}' is used twice", rule.name));
      p.windows.push_back(std::move(rule));
    }
  }
  if (const YamlNode* a = n.Find("after_start"); Given(a)) {
    SF_ASSIGN_OR_RETURN(RefundRule rule, Rule(*a, "after_start", RuleKind::kAfterStart));
    p.after_start = std::move(rule);
  }
  if (const YamlNode* g = n.Find("grace"); Given(g)) {
    SF_ASSIGN_OR_RETURN(RefundRule rule, Rule(*g, "grace", RuleKind::kGrace));
    // The breakdown names the rule that applied: one name, one rule.
    for (const RefundRule& w : p.windows) {
      if (w.name == rule.name) {
        return (g->Find("name") != nullptr ? *g->Find("name") : *g)
            .Error(fmt::format("grace name '{}' is also a window's name", rule.name));
      }
    }
    p.grace = std::move(rule);
  }

  if (const YamlNode* fee = n.Find("cancellation_fee"); Given(fee)) {
    SF_RETURN_IF_ERROR(CheckKeys(*fee, "cancellation_fee", {"percent", "fixed"}));
    SF_ASSIGN_OR_RETURN(p.cancellation_fee_bps, Percent(*fee, "percent", 0, kBasisPointsPerWhole));
    SF_ASSIGN_OR_RETURN(p.cancellation_fee_fixed, Amounts(fee->Find("fixed"), "cancellation_fee.fixed"));
  }
  SF_ASSIGN_OR_RETURN(p.minimum_refund, Amounts(n.Find("minimum_refund"), "minimum_refund"));

  if (const YamlNode* host = n.Find("host"); Given(host)) {
    SF_RETURN_IF_ERROR(CheckKeys(*host, "host", {"fee_percent", "cancellation_fee_share_percent"}));
    SF_ASSIGN_OR_RETURN(p.host_fee_bps, Percent(*host, "fee_percent", 0, kBasisPointsPerWhole));
    SF_ASSIGN_OR_RETURN(p.host_cancellation_fee_share_bps,
                        Percent(*host, "cancellation_fee_share_percent", 0, kBasisPointsPerWhole));
  }

  if (const YamlNode* as = n.Find("refund_as")) {
    SF_ASSIGN_OR_RETURN(std::string s, Scalar(*as, "refund_as"));
    if (s == "cash") {
      p.refund_as = RefundAs::kCash;
    } else if (s == "voucher") {
      p.refund_as = RefundAs::kVoucher;
    } else if (s == "guest_choice") {
      p.refund_as = RefundAs::kGuestChoice;
    } else {
      return as->Error(fmt::format("refund_as must be cash, voucher or guest_choice, got '{}'", s));
    }
  }
  SF_ASSIGN_OR_RETURN(p.voucher_bonus_bps, Percent(n, "voucher_bonus_percent", 0, kBasisPointsPerWhole));
  if (p.voucher_bonus_bps > 0 && p.refund_as == RefundAs::kCash) {
    return n.Find("voucher_bonus_percent")->Error("voucher_bonus_percent needs refund_as: voucher or guest_choice");
  }
  if (const YamlNode* rounding = n.Find("rounding"); Given(rounding)) {
    SF_RETURN_IF_ERROR(Rounding(*rounding, p));
  }
  return p;
}

Status PolicyParser::ParseRoot(const YamlNode& root, const PolicySet& set, std::vector<RefundPolicy>& policies,
                               std::string& default_spec) const {
  if (!root.IsMap()) return root.Error("expected a map with 'default' and 'policies'");
  SF_RETURN_IF_ERROR(CheckKeys(root, "the policy file", {"default", "policies"}));
  const YamlNode* list = root.Find("policies");
  if (list == nullptr || !list->IsList() || list->size() == 0) {
    return (list != nullptr ? *list : root).Error("'policies' must be a non-empty list");
  }
  std::map<std::pair<std::string, int>, std::string> seen;
  for (size_t i = 0; i < list->items().size(); ++i) {
    const YamlNode& item = list->items()[i];
    SF_ASSIGN_OR_RETURN(RefundPolicy p, Policy(item, fmt::format("policies[{}]", i)));
    auto [it, inserted] = seen.emplace(std::make_pair(p.name, p.version), p.source);
    if (!inserted) {
      return item.Error(fmt::format("policy {} is declared twice (first at {}); a change needs a new version",
                                    p.Id(), it->second));
    }
    policies.push_back(std::move(p));
  }
  const YamlNode* def = root.Find("default");
  if (def == nullptr) return root.Error("'default' is required (the policy for reservations that name none)");
  SF_ASSIGN_OR_RETURN(default_spec, Scalar(*def, "default"));
  Result<const RefundPolicy*> selected = set.Select(default_spec);
  if (!selected.ok()) return def->Error("default: " + selected.status().message());
  return Status::Ok();
}

}  // namespace

std::string_view WindowKindName(WindowKind kind) {
  switch (kind) {
    case WindowKind::kNotice: return "notice";
    case WindowKind::kAfterStart: return "after_start";
    case WindowKind::kNone: return "none";
    case WindowKind::kGrace: return "grace";
  }
  return "none";
}

std::string_view GraceStatusName(GraceStatus status) {
  switch (status) {
    case GraceStatus::kNotInPolicy: return "not_in_policy";
    case GraceStatus::kApplied: return "applied";
    case GraceStatus::kNoBookedAt: return "no_booked_at";
    case GraceStatus::kBeforeBooking: return "before_booking";
    case GraceStatus::kTooLate: return "too_late";
    case GraceStatus::kTooCloseToStart: return "too_close_to_start";
  }
  return "not_in_policy";
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

GraceCheck RefundPolicy::CheckGrace(int64_t notice_ms, std::optional<int64_t> since_booking_ms) const {
  GraceCheck g;
  g.since_booking_ms = since_booking_ms;
  if (!grace.has_value()) return g;
  g.rule = grace->name;
  const std::string limits = fmt::format("within {} of booking and at least {} before the start",
                                         FormatDurationMs(grace->max_since_booking_ms),
                                         FormatDurationMs(grace->min_notice_ms));
  if (!since_booking_ms.has_value()) {
    g.status = GraceStatus::kNoBookedAt;
    g.reason = fmt::format("{} does not apply: the reservation has no booked_at ({})", grace->name, limits);
  } else if (*since_booking_ms < 0) {
    g.status = GraceStatus::kBeforeBooking;
    g.reason = fmt::format("{} does not apply: cancelled {} before booked_at", grace->name,
                           FormatDurationMs(-*since_booking_ms));
  } else if (*since_booking_ms > grace->max_since_booking_ms) {
    g.status = GraceStatus::kTooLate;
    g.reason = fmt::format("{} does not apply: cancelled {} after booking, more than {}", grace->name,
                           FormatDurationMs(*since_booking_ms), FormatDurationMs(grace->max_since_booking_ms));
  } else if (notice_ms < grace->min_notice_ms) {
    g.status = GraceStatus::kTooCloseToStart;
    g.reason = fmt::format("{} does not apply: cancelled {} after booking but notice {} is less than {}", grace->name,
                           FormatDurationMs(*since_booking_ms), FormatDurationMs(notice_ms),
                           FormatDurationMs(grace->min_notice_ms));
  } else {
    g.status = GraceStatus::kApplied;
    g.reason = fmt::format("{} applies: cancelled {} after booking (at most {}) with notice {} (at least {})",
                           grace->name, FormatDurationMs(*since_booking_ms),
                           FormatDurationMs(grace->max_since_booking_ms), FormatDurationMs(notice_ms),
                           FormatDurationMs(grace->min_notice_ms));
  }
  return g;
}

AppliedRule RefundPolicy::RuleFor(int64_t notice_ms, const GraceCheck& check) const {
  if (check.status == GraceStatus::kApplied && grace.has_value()) return AppliedRule{*grace, WindowKind::kGrace};
  return RuleFor(notice_ms);
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

RoundingMode RefundPolicy::RoundingFor(std::string_view currency) const {
  auto it = rounding_by_currency.find(currency);
  return it == rounding_by_currency.end() ? rounding : it->second;
}

std::string RefundPolicy::Id() const { return fmt::format("{}@{}", name, version); }

Result<PolicySet> PolicySet::Parse(std::string_view yaml_text, std::string_view source_name) {
  SF_ASSIGN_OR_RETURN(YamlNode root, ParseYaml(yaml_text, source_name));
  PolicySet set;
  SF_RETURN_IF_ERROR(PolicyParser().ParseRoot(root, set, set.policies_, set.default_spec_));
  return set;
}

Result<PolicySet> PolicySet::Load(const std::string& path) {
  Result<YamlNode> root = LoadYamlFile(path);
  if (root.status().code() == StatusCode::kNotFound) {
    return Status::NotFound(fmt::format("cannot read refund policy file '{}'", path));
  }
  if (!root.ok()) return root.status();
  PolicySet set;
  SF_RETURN_IF_ERROR(PolicyParser().ParseRoot(*root, set, set.policies_, set.default_spec_));
  return set;
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
