// refund.post_ledger: one balanced double-entry transaction per step.
//
// Input:  {kind, reference, description?, breakdown: <refund.calculate_amount output>,
//          method?: cash | voucher (default: breakdown.refund_method)}
//      or {kind, reference, description?, entries: [{account, direction, amount, memo?}]}
// Output: {transaction_id, replayed, reference, kind, entries: [...], balanced: true}
//
// Posted into the plugin's ledger_transactions / ledger_entries tables in the
// transaction that checkpoints this attempt (RefundStore::PostAtCheckpoint):
// the posting commits exactly when the engine records the attempt, so a
// crash at any point leaves one posting or none, never two. Its id is
// reserved for the key beforehand, so the output can name it. A key
// posted already (e.g. before postings were checkpoint writes) is answered
// from the first posting (replayed). Debits must equal credits per
// currency or nothing is written.
// Errors (non-retryable): unbalanced_transaction (refused: debits != credits,
// unknown account, non-positive amount), ledger_conflict (the key was posted
// with other entries), invalid_input; refund_store_error (retryable when the
// database is busy).
#include <fmt/format.h>

#include "refund/activities.h"
#include "refund/activity_support.h"
#include "refund/ledger.h"

namespace steadfast::refund {

ActivityResult PostLedger(const Services& s, ActivityContext& ctx, const Value& in, const std::string& key) {
  LedgerTransaction txn;
  txn.idempotency_key = key;
  txn.workflow_id = ctx.workflow_id();
  txn.reference = IdString(in.Get("reference"));
  txn.kind = in.Get("kind").StringOr(ctx.workflow_name().empty() ? "manual" : ctx.workflow_name());
  txn.description = in.Get("description").StringOr("");
  if (txn.reference.empty()) return InvalidInput("reference (the reservation or order id) is required");
  if (in.Get("entries").is_list()) {
    for (const Value& e : in.Get("entries").AsList()) {
      Result<LedgerEntry> entry = EntryFromValue(e);
      if (!entry.ok()) return ActivityError::NonRetryable("unbalanced_transaction", entry.status().message());
      txn.entries.push_back(std::move(*entry));
    }
  } else {
    const Value& breakdown = in.Get("breakdown");
    const std::string method = in.Get("method").StringOr(breakdown.Get("refund_method").StringOr("cash"));
    Result<std::vector<LedgerEntry>> entries = BuildRefundEntries(breakdown, method);
    if (!entries.ok()) return InvalidInput(entries.status().message());
    txn.entries = std::move(*entries);
  }
  if (Status v = ValidateTransaction(txn); !v.ok()) {
    return ActivityError::NonRetryable("unbalanced_transaction", v.message());
  }
  Result<RefundStore*> store = s->Store();
  if (!store.ok()) return StoreError(store.status());
  Result<PostedTransaction> posted = (*store)->PostAtCheckpoint(ctx, txn, ctx.clock().NowMs());
  if (!posted.ok()) {
    if (posted.status().code() == StatusCode::kConflict) {
      return ActivityError::NonRetryable("ledger_conflict", posted.status().message());
    }
    if (posted.status().code() == StatusCode::kInvalidArgument) {
      return ActivityError::NonRetryable("unbalanced_transaction", posted.status().message());
    }
    return StoreError(posted.status());
  }
  ctx.logger().Info(fmt::format("ledger transaction {} for {} ({} entries){}", posted->id, txn.reference,
                                posted->txn.entries.size(), posted->replayed ? " replayed" : ", posted at checkpoint"));
  return PostedTransactionToValue(*posted);
}

ActivityFn MakePostLedgerActivity(Services s) {
  return [s](ActivityContext& ctx) -> ActivityResult { return PostLedger(s, ctx, ctx.input(), ctx.idempotency_key()); };
}

}  // namespace steadfast::refund
