// refund.sync_settlements: pull the PSP's settlements of refunds and payouts
// it accepted as pending, and move the settlement transactions they settle.
//
// Input:  {page_size?: 1..100 (default 100), max_pages?: 1..1000 (default 20)}
// Output: {read, cursor, more: bool, completed, failed,
//          moved: [{transaction_id, kind, status, provider_id, failure_code?, settled_at}]}
//
// Reads GET /v1/settlements from the cursor kept in refund_settlement_cursor,
// page by page; each page's events are recorded by PSP id together with the
// new cursor, and the pending transactions they settle are moved, in one
// plugin transaction (settlement_event_store.h): a retry or a crash (before
// or after this step's checkpoint) replays a page harmlessly and never skips
// one, and a transaction moves once. A settled refund or payout completes
// its transaction (executed by "psp", at the settlement's time); a failed
// one fails it with the PSP's code, for an admin to execute again
// (`steadfast refund transactions execute`). An event whose transaction has
// not learnt its PSP id yet is kept and applied by a later run. `more` is
// true when max_pages was reached with more to read.
//
// Errors: the adapter's classification (psp_unavailable, psp_timeout, ...
// retryable; psp_auth_failed, psp_settlements_unsupported non-retryable),
// psp_not_configured, refund_store_error, invalid_input.
#include <fmt/format.h>

#include "refund/activities.h"
#include "refund/activity_support.h"
#include "refund/settlement_event_store.h"
#include "steadfast/time_text.h"

namespace steadfast::refund {

ActivityFn MakeSyncSettlementsActivity(Services s) {
  return [s](ActivityContext& ctx) -> ActivityResult {
    const Value& in = ctx.input();
    if (!s->psp) return ActivityError::NonRetryable("psp_not_configured", s->psp_problem);
    const int64_t page_size = in.Get("page_size").IntOr(100);
    const int64_t max_pages = in.Get("max_pages").IntOr(20);
    if (page_size < 1 || page_size > 100) return InvalidInput("page_size must be in 1..100");
    if (max_pages < 1 || max_pages > 1000) return InvalidInput("max_pages must be in 1..1000");
    if (ctx.storage() == nullptr) return StoreError(Status::Unavailable("the engine gave the plugin no storage"));
    SettlementEventStore events(*ctx.storage());

    Result<int64_t> cursor = events.Cursor();
    if (!cursor.ok()) return StoreError(cursor.status());
    int64_t read = 0, completed = 0, failed = 0;
    bool more = true;
    Value::List moved;
    for (int64_t page_no = 0; page_no < max_pages && more; ++page_no) {
      ListSettlementsRequest request;
      request.since = *cursor;
      request.limit = static_cast<int>(page_size);
      RemoteResult<SettlementEventPage> page = s->psp->ListSettlements(request);
      if (!page.ok()) return page.error();
      // Also on an empty page: events recorded earlier may settle a
      // transaction that has learnt its PSP id since.
      Result<std::vector<SettledTransaction>> settled =
          events.RecordPage(page->events, page->next_since, ctx.clock().NowMs());
      if (!settled.ok()) return StoreError(settled.status());
      read += static_cast<int64_t>(page->events.size());
      for (const SettledTransaction& t : *settled) {
        (t.status == TransactionStatus::kCompleted ? completed : failed)++;
        Value m;
        m["transaction_id"] = t.transaction_id;
        m["kind"] = TransactionKindName(t.kind);
        m["status"] = TransactionStatusName(t.status);
        m["provider_id"] = t.provider_id;
        if (!t.failure_code.empty()) m["failure_code"] = t.failure_code;
        m["settled_at"] = FormatRfc3339Utc(t.settled_ms);
        if (t.status == TransactionStatus::kFailed) {
          ctx.logger().Warn(fmt::format("settlement transaction {} ({}) failed at the PSP: {}; an admin may execute "
                                        "it again",
                                        t.transaction_id, t.provider_id, t.failure_code));
        }
        moved.push_back(std::move(m));
      }
      *cursor = page->next_since;
      more = page->has_more;
    }
    ctx.logger().Info(fmt::format("settlement sync: {} event(s) read up to {}, {} transaction(s) completed, {} failed",
                                  read, *cursor, completed, failed));
    Value out;
    out["read"] = read;
    out["cursor"] = *cursor;
    out["more"] = more;
    out["completed"] = completed;
    out["failed"] = failed;
    out["moved"] = std::move(moved);
    return out;
  };
}

}  // namespace steadfast::refund
