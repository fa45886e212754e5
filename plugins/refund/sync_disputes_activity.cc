// refund.sync_disputes: pull the PSP's new disputes (chargebacks), record
// them, and route each one that overlaps a refund to a person.
//
// Input:  {page_size?: 1..100 (default 100), max_pages?: 1..1000 (default 20)}
// Output: {read, new_disputes, newly_lost, cursor, more: bool,
//          cases: [{dispute_id, case_id, overlap, subject, replayed}]}
//
// Reads GET /v1/disputes from the cursor kept in refund_dispute_cursor, page
// by page; each page's disputes are upserted by PSP id together with the new
// cursor (one transaction), so a retry or a crash replays a page harmlessly
// and never skips one. A dispute whose charge has a succeeded or pending
// refund in refund_records overlaps it (dispute_overlap.h): the bank may
// return money the refund already returned, so a manual review case is
// opened (key "dispute/<id>": one per dispute, whatever the retries), which
// tells the operator to contest the dispute with the refund as evidence.
// Cases are opened for every overlapping dispute still without one, not only
// this run's, so a case lost to a crash is opened by the next run.
// `more` is true when max_pages was reached with more to read.
//
// Errors: the adapter's classification (psp_unavailable, psp_timeout, ...
// retryable; psp_auth_failed, psp_disputes_unsupported non-retryable),
// psp_not_configured, refund_store_error, invalid_input.
#include <fmt/format.h>

#include "refund/activities.h"
#include "refund/activity_support.h"
#include "refund/dispute_overlap.h"
#include "refund/dispute_store.h"

namespace steadfast::refund {
namespace {

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  return s;
}

std::string Joined(const std::vector<std::string>& ids) {
  std::string out;
  for (const std::string& id : ids) out += (out.empty() ? "" : ",") + id;
  return out;
}

std::string ReviewReason(const DisputeRow& d) {
  if (d.overlap == "refund_blocked") {
    return fmt::format("dispute {} ({} {} {}) stopped a refund of charge {}: the refund was not sent; decide the "
                       "cancellation once the dispute closes",
                       d.id, d.amount_minor, d.currency, d.status, d.charge);
  }
  return fmt::format("dispute {} ({} {} {}) against charge {} overlaps refund {} ({}): contest the dispute with the "
                     "refund as evidence, or the money is returned twice",
                     d.id, d.amount_minor, d.currency, d.status, d.charge, d.refund_ids, d.overlap);
}

}  // namespace

ActivityFn MakeSyncDisputesActivity(Services s) {
  return [s](ActivityContext& ctx) -> ActivityResult {
    const Value& in = ctx.input();
    if (!s->psp) return ActivityError::NonRetryable("psp_not_configured", s->psp_problem);
    const int64_t page_size = in.Get("page_size").IntOr(100);
    const int64_t max_pages = in.Get("max_pages").IntOr(20);
    if (page_size < 1 || page_size > 100) return InvalidInput("page_size must be in 1..100");
    if (max_pages < 1 || max_pages > 1000) return InvalidInput("max_pages must be in 1..1000");
    Result<RefundStore*> store = s->Store();
    if (!store.ok()) return StoreError(store.status());
    if (ctx.storage() == nullptr) return StoreError(Status::Unavailable("the engine gave the plugin no storage"));
    DisputeStore disputes(*ctx.storage());

    int64_t read = 0, new_disputes = 0, newly_lost = 0;
    bool more = true;
    Result<int64_t> cursor = disputes.Cursor();
    if (!cursor.ok()) return StoreError(cursor.status());
    for (int64_t page_no = 0; page_no < max_pages && more; ++page_no) {
      ListDisputesRequest request;
      request.since = *cursor;
      request.limit = static_cast<int>(page_size);
      RemoteResult<DisputePage> page = s->psp->ListDisputes(request);
      if (!page.ok()) return page.error();
      std::vector<DisputeRow> rows;
      for (const PspDispute& p : page->disputes) {
        DisputeRow row;
        row.id = p.id;
        row.charge = p.charge;
        row.payment_intent = p.payment_intent;
        row.amount_minor = p.amount_minor;
        row.currency = Upper(p.currency);
        row.reason = p.reason;
        row.status = std::string(DisputeStatusName(p.status));
        row.psp_created_s = p.created_s;
        Result<std::vector<RefundRecord>> refunds = (*store)->RefundsOfCharge(p.charge);
        if (!refunds.ok()) return StoreError(refunds.status());
        const OverlapFinding found = FindOverlap(p.amount_minor, row.currency, *refunds);
        row.overlap = std::string(DisputeOverlapName(found.overlap));
        row.overlap_minor = found.overlap_minor;
        row.refund_ids = Joined(found.refund_ids);
        row.subject = found.subject;
        rows.push_back(std::move(row));
      }
      Result<DisputeChanges> changes = disputes.RecordPage(rows, page->next_since, ctx.clock().NowMs());
      if (!changes.ok()) return StoreError(changes.status());
      read += static_cast<int64_t>(rows.size());
      new_disputes += changes->new_disputes;
      newly_lost += changes->newly_lost;
      *cursor = page->next_since;
      more = page->has_more;
    }

    Result<std::vector<DisputeRow>> awaiting = disputes.AwaitingReview();
    if (!awaiting.ok()) return StoreError(awaiting.status());
    Value::List cases;
    for (const DisputeRow& d : *awaiting) {
      const std::string subject = d.subject.empty() ? d.charge : d.subject;
      Result<RefundStore::CaseRow> opened = (*store)->InsertManualReview(
          "dispute/" + d.id, ctx.workflow_id(), subject, ReviewReason(d), d.ToValue(), ctx.clock().NowMs());
      if (!opened.ok()) return StoreError(opened.status());
      if (Status st = disputes.SetReviewCase(d.id, opened->id, ctx.clock().NowMs()); !st.ok()) return StoreError(st);
      ctx.logger().Warn(fmt::format("dispute {} overlaps a refund ({}): manual review case {}", d.id, d.overlap,
                                    opened->id));
      cases.push_back(Value::Map{{"dispute_id", d.id},
                                 {"case_id", opened->id},
                                 {"overlap", d.overlap},
                                 {"subject", subject},
                                 {"replayed", opened->replayed}});
    }
    Value out;
    out["read"] = read;
    out["new_disputes"] = new_disputes;
    out["newly_lost"] = newly_lost;
    out["cursor"] = *cursor;
    out["more"] = more;
    out["cases"] = std::move(cases);
    return out;
  };
}

}  // namespace steadfast::refund
