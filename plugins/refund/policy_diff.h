// Policy diff: what a refund-policy change would do to real reservations,
// before it ships (`steadfast refund policy-diff`).
//
// Each input line (JSON Lines) is one cancellation to price:
//
//   {"reservation": {...same JSON as `refund quote`...},
//    "cancel_at": "2026-06-12T12:00:00+02:00",     required, RFC 3339 with offset
//    "policy": "moderate",                         optional; default the reservation's, then the file's default
//    "refund_method": "voucher"}                   optional; the guest's choice
//
// The policy spec is resolved in each file on its own: a name alone means
// that file's highest version (the usual way to preview a new version), a
// pinned "name@2" compares exactly version 2 in both (an in-place edit).
// Each line is priced under both files with the calculator the activity
// uses; totals are kept per currency (never summed across currencies) and
// the largest changes are ranked per currency by absolute refund_to_guest change.
#ifndef STEADFAST_PLUGINS_REFUND_POLICY_DIFF_H_
#define STEADFAST_PLUGINS_REFUND_POLICY_DIFF_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "refund/policy.h"
#include "steadfast/status.h"
#include "steadfast/value.h"

namespace steadfast::refund {

struct PolicyDiffEntry {
  int line = 0;                   // 1-based line in the input
  std::string reservation_id;
  std::string currency;
  std::string old_policy, new_policy;   // "moderate@2"; "" when it could not be priced
  std::string old_window, new_window;   // the rule that applied
  int64_t old_refund = 0, new_refund = 0;  // refund_to_guest, minor units
  int64_t old_host = 0, new_host = 0;      // payout_to_host, minor units
  std::string error;              // why one side could not be priced ("" = both priced)
  int64_t change() const { return new_refund - old_refund; }
  bool changed() const { return error.empty() && (old_refund != new_refund || old_host != new_host); }
};

struct CurrencyDiff {
  int64_t reservations = 0;
  int64_t changed = 0;
  int64_t old_refund = 0, new_refund = 0;  // sums of refund_to_guest
  int64_t old_host = 0, new_host = 0;      // sums of payout_to_host
};

struct PolicyDiffReport {
  std::vector<PolicyDiffEntry> entries;         // one per input line, in order
  std::map<std::string, CurrencyDiff> currencies;
  std::map<std::string, std::vector<size_t>> top;  // currency -> indexes into entries, largest |change| first
  int64_t changed = 0;
  int64_t unpriced = 0;                         // lines with an error
};

// Prices every line under both policy sets. InvalidArgument
// "<source>:<line>: ..." for a malformed line (bad JSON, reservation or
// cancel_at): the input is wrong, nothing is reported. A line one file cannot
// price (unknown policy, currency not served) is kept with `error` set.
Result<PolicyDiffReport> DiffPolicies(const PolicySet& old_policies, const PolicySet& new_policies,
                                      std::string_view jsonl, std::string_view source, int top);

Value PolicyDiffToValue(const PolicyDiffReport& report);
std::string FormatPolicyDiff(const PolicyDiffReport& report, std::string_view old_name, std::string_view new_name);

}  // namespace steadfast::refund

#endif  // STEADFAST_PLUGINS_REFUND_POLICY_DIFF_H_
