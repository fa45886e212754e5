// ClaimStore: the claim tables of the refund plugin, kept by the engine
// (version 4 of RefundStore::Schema()):
//
//   refund_reservation_claims  one row per claim (and per reservation: one claim each), its
//                              status and, once settled, what it paid
//   refund_claim_items         the items: amount asked, status, decided amount, decided by
//   refund_claim_messages      the evidence messages, in order, each written once per key
//
// Who writes what, and when:
//  - refund.open_claim and refund.add_claim_message write in plugin
//    transactions of their own, keyed (the claim id, the message's activity
//    key), so a repeat returns the first row;
//  - refund.decide_claim writes the items' decisions, and refund.settle_claim
//    the claim's payout, with their step's checkpoint (AtCheckpoint): they
//    commit with the step or not at all, and only move a claim forward
//    (open -> decided -> settled), so a replay changes nothing.
// Thread-safe (the storage handle is).
#ifndef STEADFAST_PLUGINS_REFUND_CLAIM_STORE_H_
#define STEADFAST_PLUGINS_REFUND_CLAIM_STORE_H_

#include <optional>
#include <string>
#include <vector>

#include "refund/claim.h"
#include "steadfast/activity.h"
#include "steadfast/clock.h"
#include "steadfast/status.h"
#include "steadfast/storage.h"

namespace steadfast::refund {

// The DDL of the claim tables (RefundStore::Schema() version 4).
extern const char* const kClaimSchemaSql;

struct ClaimFilter {
  std::string reservation_id;          // "" = any
  std::optional<ClaimStatus> status;   // nullopt = any
};

class ClaimStore {
 public:
  // Works on `storage`, which must outlive the store.
  explicit ClaimStore(PluginStorage& storage) : storage_(storage) {}
  ClaimStore(const ClaimStore&) = delete;
  ClaimStore& operator=(const ClaimStore&) = delete;

  struct Opened {
    ReservationClaim claim;
    bool replayed = false;  // the claim existed already (as returned)
  };
  // Opens `claim` (status open, its items requested, its messages numbered
  // from 1) in one plugin transaction, unless a claim with its id exists:
  // then that one is returned (replayed). Conflict when the id belongs to
  // another reservation, or the reservation has another claim.
  Result<Opened> Open(const ReservationClaim& claim);

  // NotFound for an unknown id.
  Result<ReservationClaim> Claim(const std::string& id);
  // Claims matching filter (with items and messages), by reservation then creation.
  Result<std::vector<ReservationClaim>> Claims(const ClaimFilter& filter = {});

  struct Added {
    ClaimMessage message;
    bool replayed = false;
  };
  // Appends a message to claim `claim_id` once per `key` (a repeat returns
  // the first). NotFound for an unknown claim.
  Result<Added> AddMessage(const std::string& claim_id, const std::string& key, const std::string& author,
                           const std::string& text, TimeMs now_ms);

  // Registers, as writes of ctx's checkpoint, the items' decisions of
  // `decided` and its status decided (only while the claim is open).
  static void RecordDecisionAtCheckpoint(ActivityContext& ctx, const ReservationClaim& decided);
  // The same in a transaction of its own (tests, tools).
  Status RecordDecision(const ReservationClaim& decided);
  // Registers, as a write of ctx's checkpoint, the claim's payout and its
  // status settled (only while the claim is decided).
  static void RecordSettlementAtCheckpoint(ActivityContext& ctx, const std::string& claim_id, const ClaimPayout& p,
                                           TimeMs now_ms);
  Status RecordSettlement(const std::string& claim_id, const ClaimPayout& p, TimeMs now_ms);

 private:
  PluginStorage& storage_;
};

}  // namespace steadfast::refund

#endif  // STEADFAST_PLUGINS_REFUND_CLAIM_STORE_H_
