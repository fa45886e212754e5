// Policy diff: pricing each line under two policy files, totals and ranking.
#include "refund/policy_diff.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

#include "refund/calculator.h"
#include "refund/money.h"
#include "refund/reservation.h"
#include "steadfast/time_text.h"

namespace steadfast::refund {
namespace {

struct Priced {
  std::string policy, window;
  int64_t refund = 0, host = 0;
};

Result<Priced> Price(const PolicySet& policies, const std::string& spec, const Reservation& r, TimeMs cancel_at) {
  SF_ASSIGN_OR_RETURN(const RefundPolicy* policy, policies.Select(spec));
  SF_ASSIGN_OR_RETURN(RefundBreakdown b, CalculateRefund(r, *policy, cancel_at));
  return Priced{policy->Id(), b.window.rule.name, b.refund_to_guest.minor, b.payout_to_host.minor};
}

std::string Signed(int64_t minor, const std::string& currency) {
  std::string text = FormatAmount(Money{minor, currency});
  return minor > 0 ? "+" + text : text;
}

// Adds a priced line to its currency's totals, checked. The differences the
// report prints later (a line's change, a currency's change) are checked
// here too, so no arithmetic on the report can wrap.
Status AddPriced(CurrencyDiff& c, const PolicyDiffEntry& e) {
  SF_RETURN_IF_ERROR(CheckedSub(e.new_refund, e.old_refund).status());
  SF_RETURN_IF_ERROR(CheckedSub(e.new_host, e.old_host).status());
  SF_ASSIGN_OR_RETURN(c.old_refund, CheckedAdd(c.old_refund, e.old_refund));
  SF_ASSIGN_OR_RETURN(c.new_refund, CheckedAdd(c.new_refund, e.new_refund));
  SF_ASSIGN_OR_RETURN(c.old_host, CheckedAdd(c.old_host, e.old_host));
  SF_ASSIGN_OR_RETURN(c.new_host, CheckedAdd(c.new_host, e.new_host));
  SF_RETURN_IF_ERROR(CheckedSub(c.new_refund, c.old_refund).status());
  return CheckedSub(c.new_host, c.old_host).status();
}

}  // namespace

Result<PolicyDiffReport> DiffPolicies(const PolicySet& old_policies, const PolicySet& new_policies,
                                      std::string_view jsonl, std::string_view source, int top) {
  PolicyDiffReport report;
  int line_no = 0;
  size_t pos = 0;
  while (pos <= jsonl.size()) {
    size_t end = jsonl.find('\n', pos);
    if (end == std::string_view::npos) end = jsonl.size();
    std::string_view line = jsonl.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    auto bad = [&](const std::string& m) { return Status::InvalidArgument(fmt::format("{}:{}: {}", source, line_no, m)); };
    Result<Value> v = Value::FromJson(line);
    if (!v.ok()) return bad("not JSON: " + v.status().message());
    if (!v->is_map() || !v->Get("reservation").is_map()) return bad("expected {\"reservation\": {...}, \"cancel_at\": ...}");
    Result<Reservation> r = ReservationFromValue(v->Get("reservation"));
    if (!r.ok()) return bad("reservation: " + r.status().message());
    if (!v->Get("cancel_at").is_string()) return bad("cancel_at is required (RFC 3339 with an offset)");
    Result<TimeMs> cancel_at = ParseRfc3339(v->Get("cancel_at").AsString());
    if (!cancel_at.ok()) return bad("cancel_at: " + cancel_at.status().message());
    if (const Value* m = v->Find("refund_method"); m != nullptr && !m->is_null()) {
      Result<RefundMethod> method = ParseRefundMethod(m->StringOr(""));
      if (!method.ok()) return bad("refund_method: " + method.status().message());
      r->refund_method = *method;
    }
    std::string spec = r->policy;
    if (const Value* p = v->Find("policy"); p != nullptr && !p->is_null()) {
      Result<std::string> s = PolicySpecFromValue(*p);
      if (!s.ok()) return bad("policy: " + s.status().message());
      spec = *s;
    }

    PolicyDiffEntry e;
    e.line = line_no;
    e.reservation_id = r->id;
    e.currency = r->currency;
    Result<Priced> before = Price(old_policies, spec, *r, *cancel_at);
    Result<Priced> after = Price(new_policies, spec, *r, *cancel_at);
    if (before.ok()) {
      e.old_policy = before->policy;
      e.old_window = before->window;
      e.old_refund = before->refund;
      e.old_host = before->host;
    }
    if (after.ok()) {
      e.new_policy = after->policy;
      e.new_window = after->window;
      e.new_refund = after->refund;
      e.new_host = after->host;
    }
    if (!before.ok()) e.error = "old: " + before.status().message();
    if (!after.ok()) e.error += (e.error.empty() ? "" : "; ") + std::string("new: ") + after.status().message();

    CurrencyDiff& c = report.currencies[e.currency];
    ++c.reservations;
    if (!e.error.empty()) {
      ++report.unpriced;
    } else {
      if (Status summed = AddPriced(c, e); !summed.ok()) return bad(summed.message());
      if (e.changed()) {
        ++c.changed;
        ++report.changed;
        report.top[e.currency].push_back(report.entries.size());
      }
    }
    report.entries.push_back(std::move(e));
  }
  for (auto& [currency, indexes] : report.top) {
    std::stable_sort(indexes.begin(), indexes.end(), [&](size_t a, size_t b) {
      return std::llabs(report.entries[a].change()) > std::llabs(report.entries[b].change());
    });
    if (top >= 0 && indexes.size() > static_cast<size_t>(top)) indexes.resize(static_cast<size_t>(top));
  }
  return report;
}

Value PolicyDiffToValue(const PolicyDiffReport& report) {
  auto money = [](int64_t minor, const std::string& c) { return MoneyToValue(Money{minor, c}); };
  auto entry = [&](const PolicyDiffEntry& e) {
    Value v;
    v["line"] = static_cast<int64_t>(e.line);
    v["reservation_id"] = e.reservation_id;
    v["currency"] = e.currency;
    v["old"] = Value::Map{{"policy", e.old_policy}, {"window", e.old_window},
                          {"refund_to_guest", money(e.old_refund, e.currency)},
                          {"payout_to_host", money(e.old_host, e.currency)}};
    v["new"] = Value::Map{{"policy", e.new_policy}, {"window", e.new_window},
                          {"refund_to_guest", money(e.new_refund, e.currency)},
                          {"payout_to_host", money(e.new_host, e.currency)}};
    v["change"] = money(e.change(), e.currency);
    v["changed"] = e.changed();
    if (!e.error.empty()) v["error"] = e.error;
    return v;
  };
  Value::List currencies;
  for (const auto& [c, d] : report.currencies) {
    Value::List top;
    if (auto it = report.top.find(c); it != report.top.end()) {
      for (size_t i : it->second) top.push_back(entry(report.entries[i]));
    }
    currencies.push_back(Value::Map{{"currency", c},
                                    {"reservations", d.reservations},
                                    {"changed", d.changed},
                                    {"old_refund_total", money(d.old_refund, c)},
                                    {"new_refund_total", money(d.new_refund, c)},
                                    {"refund_change", money(d.new_refund - d.old_refund, c)},
                                    {"host_payout_change", money(d.new_host - d.old_host, c)},
                                    {"largest_changes", std::move(top)}});
  }
  Value::List unpriced;
  for (const PolicyDiffEntry& e : report.entries) {
    if (!e.error.empty()) unpriced.push_back(entry(e));
  }
  Value out;
  out["reservations"] = static_cast<int64_t>(report.entries.size());
  out["changed"] = report.changed;
  out["unchanged"] = static_cast<int64_t>(report.entries.size()) - report.changed - report.unpriced;
  out["unpriced"] = report.unpriced;
  out["currencies"] = std::move(currencies);
  out["unpriced_lines"] = std::move(unpriced);
  return out;
}

std::string FormatPolicyDiff(const PolicyDiffReport& report, std::string_view old_name, std::string_view new_name) {
  const int64_t total = static_cast<int64_t>(report.entries.size());
  std::string out = fmt::format("Policy diff: {} -> {} over {} reservation(s)\n", old_name, new_name, total);
  out += fmt::format("  {} refund(s) change, {} unchanged, {} could not be priced\n\n", report.changed,
                     total - report.changed - report.unpriced, report.unpriced);
  out += fmt::format("  {:<8} {:>8} {:>8} {:>16} {:>16} {:>14} {:>14}\n", "currency", "lines", "changed", "old refunds",
                     "new refunds", "refund change", "host change");
  for (const auto& [c, d] : report.currencies) {
    out += fmt::format("  {:<8} {:>8} {:>8} {:>16} {:>16} {:>14} {:>14}\n", c, d.reservations, d.changed,
                       FormatAmount(Money{d.old_refund, c}), FormatAmount(Money{d.new_refund, c}),
                       Signed(d.new_refund - d.old_refund, c), Signed(d.new_host - d.old_host, c));
  }
  for (const auto& [c, indexes] : report.top) {
    out += fmt::format("\n  largest changes in {} (refund to guest)\n", c);
    out += fmt::format("  {:>5} {:<14} {:<18} {:>12} {:<18} {:>12} {:>12}\n", "line", "reservation", "old window", "old",
                       "new window", "new", "change");
    for (size_t i : indexes) {
      const PolicyDiffEntry& e = report.entries[i];
      out += fmt::format("  {:>5} {:<14} {:<18} {:>12} {:<18} {:>12} {:>12}\n", e.line, e.reservation_id,
                         e.old_policy + " " + e.old_window, FormatAmount(Money{e.old_refund, c}),
                         e.new_policy + " " + e.new_window, FormatAmount(Money{e.new_refund, c}),
                         Signed(e.change(), c));
    }
  }
  if (report.unpriced > 0) {
    out += "\n  could not be priced\n";
    for (const PolicyDiffEntry& e : report.entries) {
      if (!e.error.empty()) out += fmt::format("  line {} ({}): {}\n", e.line, e.reservation_id, e.error);
    }
  }
  return out;
}

}  // namespace steadfast::refund
