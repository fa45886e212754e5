// Settlement events at the PSP, as the refund plugin sees them.
//
// A refund or a payout the PSP accepted as pending settles later: a refund
// as succeeded or failed, a payout as paid or failed. The plugin reads these
// settlements by the PSP's change cursor (`since`, as it reads disputes):
// each once, in order, so a sync that keeps the cursor moves each pending
// settlement transaction once (refund.sync_settlements).
#ifndef STEADFAST_PLUGINS_REFUND_PSP_PSP_SETTLEMENT_EVENT_H_
#define STEADFAST_PLUGINS_REFUND_PSP_PSP_SETTLEMENT_EVENT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "steadfast/status.h"
#include "steadfast/value.h"

namespace steadfast::refund {

struct PspSettlementEvent {
  int64_t seq = 0;                // the PSP's change number
  std::string object_type;        // "refund" | "transfer"
  std::string object_id;          // "re_..." | "tr_..."
  bool succeeded = false;         // refund succeeded / payout paid; else failed
  std::string status;             // the PSP's word: succeeded | paid | failed | canceled
  int64_t amount_minor = 0;       // > 0
  std::string currency;           // lower case
  std::string failure_code;       // when failed
  int64_t settled_s = 0;          // unix seconds
};

struct ListSettlementsRequest {
  int64_t since = 0;              // changes after this number
  int limit = 100;                // 1..100
};

struct SettlementEventPage {
  std::vector<PspSettlementEvent> events;  // in change order
  bool has_more = false;
  int64_t next_since = 0;                  // the cursor after this page
};

// The sandbox's settlement_event object; InvalidArgument when it is not one
// (no id or seq, an unknown object type or status, no positive amount).
Result<PspSettlementEvent> ParseSettlementEvent(const Value& object);

}  // namespace steadfast::refund

#endif  // STEADFAST_PLUGINS_REFUND_PSP_PSP_SETTLEMENT_EVENT_H_
