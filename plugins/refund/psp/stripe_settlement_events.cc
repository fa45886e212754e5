// StripePspAdapter's settlement events: the list by change cursor
// (GET /v1/settlements, the sandbox's feed of refunds and payouts that
// settled after being accepted as pending) and its parsing (psp_settlement_event.h).
#include <utility>
#include <vector>

#include "psp_settlement_event.h"
#include "steadfast/http_transport.h"
#include "stripe_psp_adapter.h"
#include "stripe_request_checks.h"

namespace steadfast::refund {

namespace {

ActivityError BadResponse(const Status& status) {
  return ActivityError::Retryable("psp_bad_response", "unexpected answer from the PSP: " + status.message());
}

}  // namespace

RemoteResult<SettlementEventPage> StripePspAdapter::ListSettlements(const ListSettlementsRequest& r) {
  RemoteResult<CursorPage> listed = ListByCursor("/v1/settlements", "settlement", r.since, r.limit);
  if (!listed.ok()) return listed.error();
  SettlementEventPage page;
  page.has_more = listed->has_more;
  page.next_since = listed->next_since;
  for (const Value& item : listed->items) {
    Result<PspSettlementEvent> event = ParseSettlementEvent(item);
    if (!event.ok()) return BadResponse(event.status());
    page.events.push_back(std::move(event).value());
  }
  return page;
}

Result<PspSettlementEvent> ParseSettlementEvent(const Value& o) {
  if (!o.is_map()) return Status::InvalidArgument("a settlement event must be a JSON object");
  if (o.Get("object").StringOr("") != "settlement_event") {
    return Status::InvalidArgument("object is not 'settlement_event'");
  }
  PspSettlementEvent e;
  e.seq = o.Get("seq").IntOr(0);
  e.object_id = o.Get("object_id").StringOr("");
  if (e.seq <= 0 || e.object_id.empty()) return Status::InvalidArgument("settlement event without seq or object id");
  e.object_type = o.Get("object_type").StringOr("");
  if (e.object_type != "refund" && e.object_type != "transfer") {
    return Status::InvalidArgument("settlement event " + std::to_string(e.seq) + " of an unknown object type");
  }
  e.status = o.Get("status").StringOr("");
  if (e.status == "succeeded" || e.status == "paid") {
    e.succeeded = true;
  } else if (e.status != "failed" && e.status != "canceled") {
    return Status::InvalidArgument("settlement event " + std::to_string(e.seq) + " with an unknown status");
  }
  if (!o.Get("amount").is_int() || o.Get("amount").AsInt() <= 0) {
    return Status::InvalidArgument("settlement event " + std::to_string(e.seq) + " without a positive amount");
  }
  e.amount_minor = o.Get("amount").AsInt();
  e.currency = stripe::Lower(o.Get("currency").StringOr(""));
  if (e.currency.empty()) return Status::InvalidArgument("settlement event " + std::to_string(e.seq) + " without a currency");
  e.failure_code = o.Get("failure_code").StringOr("");
  e.settled_s = o.Get("settled").IntOr(0);
  return e;
}

}  // namespace steadfast::refund
