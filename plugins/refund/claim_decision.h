// The reviewers' per-item decisions on a claim, read from the approval step
// that held it.
//
// The engine's approval (POST /v1/workflows/{id}/approvals/{step}, or
// `steadfast approve --comment`) carries a decision and a comment per
// reviewer; the step's output keeps every reviewer's entry in `approvals`.
// A reviewer who decides items writes the comment as a JSON object:
//
//   {"items": [{"id": "i1", "decision": "approve"},
//              {"id": "i2", "decision": "reduce", "amount": "80.00 EUR"},
//              {"id": "i3", "decision": "reject"}],
//    "note": "photos show one broken chair"}
//
// (amount as "<amount> <CODE>" or {minor, currency}). A comment that is not
// a JSON object (plain text, or empty) confirms the other reviewers'
// decisions without adding any. With required_approvals: 2 (four-eyes) the
// approving reviewers' decisions are merged: an item decided by two must be
// decided the same way by both, and every item must be decided by someone.
// A rejected review (or one timed out to reject) rejects every item; a
// review that did not hold (no items) decides nothing ("none").
#ifndef STEADFAST_PLUGINS_REFUND_CLAIM_DECISION_H_
#define STEADFAST_PLUGINS_REFUND_CLAIM_DECISION_H_

#include <string>
#include <vector>

#include "refund/claim.h"
#include "steadfast/status.h"
#include "steadfast/value.h"

namespace steadfast::refund {

struct ClaimDecision {
  std::string decision;          // approve | reject | none
  std::vector<ClaimItem> items;  // the claim's items, each decided (none: as they were)
};

// Decides `claim`'s items from `review`, the approval step's output
// ({held, decision, principal, comment, approvals: [{principal, decision,
// comment, at}]}). InvalidArgument with a message naming the reviewer and
// the item when a payload is malformed (not a JSON object with an `items`
// list, an unknown or repeated item, an unknown decision, a reduction that
// is not strictly between 0 and the amount asked, another currency), when
// two reviewers decide an item differently, or when an item is left
// undecided.
Result<ClaimDecision> DecideClaim(const ReservationClaim& claim, const Value& review);

}  // namespace steadfast::refund

#endif  // STEADFAST_PLUGINS_REFUND_CLAIM_DECISION_H_
