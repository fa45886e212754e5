// DisputeStore: the PSP's disputes (chargebacks) as the refund plugin keeps
// them (version 5 of RefundStore::Schema()):
//
//   refund_disputes        one row per PSP dispute id: charge, amount,
//                          status (open | won | lost), how it overlaps the
//                          charge's refunds (dispute_overlap.h), the manual
//                          review case opened for it
//   refund_dispute_cursor  the PSP change number the sync has read up to
//
// A sync records a page of disputes and moves the cursor in one
// transaction, so a crash replays the page (the upsert by dispute id makes
// that harmless) and never skips one. Thread-safe (the storage handle is).
#ifndef STEADFAST_PLUGINS_REFUND_DISPUTE_STORE_H_
#define STEADFAST_PLUGINS_REFUND_DISPUTE_STORE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "steadfast/activity.h"
#include "steadfast/clock.h"
#include "steadfast/status.h"
#include "steadfast/storage.h"
#include "steadfast/value.h"

namespace steadfast::refund {

// The DDL of the dispute tables (RefundStore::Schema() version 5), with the
// charge column refund_records gains so a dispute finds its refunds.
extern const char* const kDisputeSchemaSql;

struct DisputeRow {
  std::string id;                // the PSP's "dp_..."
  std::string charge;
  std::string payment_intent;
  int64_t amount_minor = 0;
  std::string currency;          // upper case
  std::string reason;
  std::string status;            // open | won | lost
  int64_t psp_created_s = 0;
  std::string overlap = "none";  // DisputeOverlapName
  int64_t overlap_minor = 0;
  std::string refund_ids;        // comma-separated PSP refund ids concerned
  std::string subject;           // the reservation/order concerned, when known
  std::string review_case_id;    // the manual review case, once opened
  TimeMs first_seen_ms = 0;
  TimeMs updated_ms = 0;

  Value ToValue() const;
};

// What one recorded page changed, for the sync's output and its metrics.
struct DisputeChanges {
  int64_t new_disputes = 0;  // ids not seen before
  int64_t newly_lost = 0;    // moved to lost by this page
};

class DisputeStore {
 public:
  explicit DisputeStore(PluginStorage& storage) : storage_(storage) {}

  // The change number read up to (0 before the first sync).
  Result<int64_t> Cursor();
  // Inserts new disputes and updates the status (and, from none, the
  // overlap) of known ones, then sets the cursor to `next_since`, in one
  // transaction. Overlap and review case of a known row never go back.
  Result<DisputeChanges> RecordPage(const std::vector<DisputeRow>& rows, int64_t next_since, TimeMs now_ms);
  // Rows that overlap a refund and have no review case yet.
  Result<std::vector<DisputeRow>> AwaitingReview();
  Status SetReviewCase(const std::string& id, const std::string& case_id, TimeMs now_ms);
  // Disputes of a charge, oldest first.
  Result<std::vector<DisputeRow>> OfCharge(const std::string& charge);
  // Every dispute, newest first; only those with `status` when non-empty.
  Result<std::vector<DisputeRow>> List(const std::string& status);
  // Marks the disputes of `charge` that overlapped nothing as having
  // blocked a refund (for the subject's reservation), in the checkpoint
  // transaction of ctx's attempt.
  static void MarkRefundBlockedAtCheckpoint(ActivityContext& ctx, const std::string& charge,
                                            const std::string& subject);

 private:
  PluginStorage& storage_;
};

}  // namespace steadfast::refund

#endif  // STEADFAST_PLUGINS_REFUND_DISPUTE_STORE_H_
