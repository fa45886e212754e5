// Reviewers' approval comments -> decided claim items.
#include "refund/claim_decision.h"

#include <fmt/format.h>

#include <map>
#include <set>

namespace steadfast::refund {
namespace {

struct Decided {
  ClaimItemStatus status = ClaimItemStatus::kRequested;
  int64_t minor = 0;
  std::vector<std::string> by;
};

// One reviewer's item decisions from their comment; empty for a
// confirmation (a comment that is not a JSON object).
Result<std::map<std::string, Decided>> ReviewerDecisions(const ReservationClaim& claim, const std::string& reviewer,
                                                        const std::string& comment) {
  std::map<std::string, Decided> out;
  const size_t first = comment.find_first_not_of(" \t\r\n");
  if (first == std::string::npos || comment[first] != '{') return out;
  Result<Value> payload = Value::FromJson(comment);
  if (!payload.ok()) {
    return Status::InvalidArgument(
        fmt::format("{}'s decision is not valid JSON: {}", reviewer, payload.status().message()));
  }
  if (!payload->Get("items").is_list()) {
    return Status::InvalidArgument(reviewer + "'s decision has no items list ({\"items\": [{id, decision, amount?}]})");
  }
  std::map<std::string, const ClaimItem*> items;
  for (const ClaimItem& i : claim.items) items[i.id] = &i;
  for (const Value& d : payload->Get("items").AsList()) {
    const std::string id = d.Get("id").is_int() ? std::to_string(d.Get("id").AsInt()) : d.Get("id").StringOr("");
    auto it = items.find(id);
    if (it == items.end()) {
      return Status::InvalidArgument(fmt::format("{} decided item '{}', which claim {} does not have", reviewer, id,
                                                 claim.id));
    }
    if (out.count(id) > 0) return Status::InvalidArgument(fmt::format("{} decided item {} twice", reviewer, id));
    const ClaimItem& item = *it->second;
    const std::string what = d.Get("decision").StringOr("");
    Decided dec;
    dec.by.push_back(reviewer);
    if (what == "approve") {
      dec.status = ClaimItemStatus::kApproved;
      dec.minor = item.amount.minor;
    } else if (what == "reject") {
      dec.status = ClaimItemStatus::kRejected;
    } else if (what == "reduce") {
      Result<Money> amount = ClaimAmountFromValue(d.Get("amount"));
      if (!amount.ok()) {
        return Status::InvalidArgument(
            fmt::format("{}'s reduction of item {} needs an amount: {}", reviewer, id, amount.status().message()));
      }
      if (amount->currency != item.amount.currency) {
        return Status::InvalidArgument(fmt::format("{} reduced item {} in {}, the item is in {}", reviewer, id,
                                                   amount->currency, item.amount.currency));
      }
      if (amount->minor <= 0 || amount->minor >= item.amount.minor) {
        return Status::InvalidArgument(fmt::format(
            "{} reduced item {} to {}: a reduction lies strictly between 0 and the {} asked (approve or reject "
            "otherwise)",
            reviewer, id, FormatMoney(*amount), FormatMoney(item.amount)));
      }
      dec.status = ClaimItemStatus::kReduced;
      dec.minor = amount->minor;
    } else {
      return Status::InvalidArgument(fmt::format(
          "{}'s decision on item {} is '{}': it must be approve, reduce or reject", reviewer, id, what));
    }
    if (what != "reduce" && !d.Get("amount").is_null()) {
      return Status::InvalidArgument(
          fmt::format("{} gave an amount for item {} with '{}': only a reduction takes one", reviewer, id, what));
    }
    out[id] = std::move(dec);
  }
  return out;
}

}  // namespace

Result<ClaimDecision> DecideClaim(const ReservationClaim& claim, const Value& review) {
  ClaimDecision out;
  out.items = claim.items;
  if (!review.is_map() || !review.Get("decision").is_string()) {
    return Status::InvalidArgument("review must be the approval step's output (with its decision)");
  }
  if (!review.Get("held").BoolOr(true)) {
    if (!claim.items.empty()) {
      return Status::InvalidArgument(fmt::format("claim {} has {} item(s) but its review did not hold: items are "
                                                 "decided by reviewers",
                                                 claim.id, claim.items.size()));
    }
    out.decision = "none";
    return out;
  }
  const std::string decision = review.Get("decision").AsString();
  if (decision == "reject") {
    // One rejection decides the whole claim.
    const std::string by = review.Get("principal").StringOr("");
    for (ClaimItem& i : out.items) {
      i.status = ClaimItemStatus::kRejected;
      i.decided_minor = 0;
      i.decided_by = by;
    }
    out.decision = "reject";
    return out;
  }
  if (decision != "approve") return Status::InvalidArgument("review decision must be approve or reject");

  std::map<std::string, Decided> merged;
  const Value& approvals = review.Get("approvals");
  if (approvals.is_list()) {
    for (const Value& a : approvals.AsList()) {
      if (a.Get("decision").StringOr("") != "approve") continue;
      const std::string reviewer = a.Get("principal").StringOr("?");
      SF_ASSIGN_OR_RETURN(auto mine, ReviewerDecisions(claim, reviewer, a.Get("comment").StringOr("")));
      for (auto& [id, d] : mine) {
        auto [it, fresh] = merged.try_emplace(id, d);
        if (fresh) continue;
        if (it->second.status != d.status || it->second.minor != d.minor) {
          return Status::InvalidArgument(fmt::format(
              "reviewers disagree on item {}: {} decided {} {}, {} decided {} {}", id, it->second.by.front(),
              ClaimItemStatusName(it->second.status), FormatMoney(Money{it->second.minor, claim.currency}), reviewer,
              ClaimItemStatusName(d.status), FormatMoney(Money{d.minor, claim.currency})));
        }
        it->second.by.push_back(reviewer);
      }
    }
  }
  for (ClaimItem& i : out.items) {
    auto it = merged.find(i.id);
    if (it == merged.end()) {
      return Status::InvalidArgument(fmt::format(
          "item {} of claim {} has no decision: an approving reviewer's comment must decide every item", i.id,
          claim.id));
    }
    i.status = it->second.status;
    i.decided_minor = it->second.minor;
    i.decided_by.clear();
    for (const std::string& who : it->second.by) i.decided_by += (i.decided_by.empty() ? "" : ",") + who;
  }
  out.decision = "approve";
  return out;
}

}  // namespace steadfast::refund
