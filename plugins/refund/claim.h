// ReservationClaim: a host's claim for damage or extra costs against a
// reservation, with its items and evidence messages, as values and pure
// rules (no store, no PSP).
//
// A claim is opened with items (each an amount the host asks for), decided
// item by item by reviewers (approved in full, reduced to a smaller amount,
// or rejected) and settled once with the reservation's cancellation
// (claim_settlement.h computes the money). A "no claim" settlement is a
// claim with no items: it takes the same path and pays the host nothing
// extra. The lifecycle:
//   claim:  open -> decided -> settled
//   item:   requested -> approved | reduced | rejected (decided once)
// claim_store.h keeps them; docs/refunds.md, "Claims", is the reference.
#ifndef STEADFAST_PLUGINS_REFUND_CLAIM_H_
#define STEADFAST_PLUGINS_REFUND_CLAIM_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "refund/money.h"
#include "steadfast/clock.h"
#include "steadfast/status.h"
#include "steadfast/value.h"

namespace steadfast::refund {

// Serialized by name; the numbers are fixed.
enum class ClaimStatus : int { kOpen = 0, kDecided = 1, kSettled = 2 };
enum class ClaimItemStatus : int { kRequested = 0, kApproved = 1, kReduced = 2, kRejected = 3 };
// "open", "decided", "settled".
std::string_view ClaimStatusName(ClaimStatus s);
std::optional<ClaimStatus> ParseClaimStatus(std::string_view name);
// "requested", "approved", "reduced", "rejected".
std::string_view ClaimItemStatusName(ClaimItemStatus s);
std::optional<ClaimItemStatus> ParseClaimItemStatus(std::string_view name);

struct ClaimItem {
  std::string id;           // unique within its claim
  std::string description;
  Money amount;             // what the host asks for: > 0, in the reservation's currency
  ClaimItemStatus status = ClaimItemStatus::kRequested;
  int64_t decided_minor = 0;  // approved: amount; reduced: 0 < x < amount; rejected/requested: 0
  std::string decided_by;     // the reviewer(s) who decided it, "rita,rob"
};

struct ClaimMessage {
  int64_t seq = 0;   // 1, 2, ... within the claim
  std::string author;
  std::string text;
  TimeMs at_ms = 0;
};

// What a claim's settlement paid (claim_settlement.h), kept with the claim.
struct ClaimPayout {
  int64_t already_refunded = 0;  // refunds of the reservation made before, by other workflows
  int64_t remaining = 0;         // what was left to give back when it settled
  int64_t claim_payout = 0;      // paid to the host for the claim (<= remaining)
  int64_t uncovered = 0;         // decided but not paid: more than remained
  int64_t guest_refund = 0;      // cash back to the guest
  int64_t host_payout = 0;       // the host's payout including claim_payout
  int64_t deposit = 0;           // the security deposit held (0: none)
  int64_t deposit_claimed = 0;   // the part of claim_payout drawn from the deposit (first)
  int64_t deposit_returned = 0;  // what goes back to the guest of the deposit
};

// {already_refunded, remaining, claim_payout, uncovered, guest_refund,
// host_payout} (each {minor, currency}) and, with a deposit, deposit:
// {held, claimed, returned}.
Value ClaimPayoutToValue(const ClaimPayout& p, const std::string& currency);

struct ReservationClaim {
  std::string id;               // "clm_..." or the caller's id
  std::string reservation_id;   // one claim per reservation
  std::string host_id;
  std::string currency;
  ClaimStatus status = ClaimStatus::kOpen;
  std::string opened_by;
  std::string workflow_id;      // the workflow that opened it (and settles it)
  std::string decision;         // approve | reject | none (nothing to review); "" while open
  std::vector<ClaimItem> items;
  std::vector<ClaimMessage> messages;
  ClaimPayout payout;           // set when settled
  TimeMs created_ms = 0;
  TimeMs updated_ms = 0;
};

// An amount given as {minor, currency} or "12.34 EUR" text.
Result<Money> ClaimAmountFromValue(const Value& v);

// The items of an open claim from [{id, description, amount}]. Every item
// needs a non-empty id (unique), an amount > 0 in `currency` (currencies
// never mix); null is no items. InvalidArgument naming the item otherwise.
Result<std::vector<ClaimItem>> ClaimItemsFromValue(const Value& items, const std::string& currency);

// Sum of the items' requested amounts / decided amounts (overflow checked).
Result<int64_t> ClaimedTotal(const ReservationClaim& claim);
Result<int64_t> DecidedTotal(const ReservationClaim& claim);

// {id, reservation_id, host_id, currency, status, opened_by, workflow_id, decision,
//  items: [{id, description, amount, status, decided_amount ({minor, currency} or null), decided_by}],
//  messages: [{seq, author, text, at}], claimed, decided (each {minor, currency}),
//  payout: {already_refunded, remaining, claim_payout, uncovered, guest_refund, host_payout} | null,
//  created_at, updated_at}
Value ClaimToValue(const ReservationClaim& claim);

}  // namespace steadfast::refund

#endif  // STEADFAST_PLUGINS_REFUND_CLAIM_H_
