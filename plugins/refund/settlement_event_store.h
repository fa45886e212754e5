// SettlementEventStore: the PSP's settlement events as the refund plugin
// keeps them (version 6 of RefundStore::Schema()), and what they do to the
// settlement transactions:
//
//   refund_settlement_events  one row per PSP refund or payout that settled after
//                             being accepted as pending: how (succeeded/paid or failed), when
//   refund_settlement_cursor  the PSP change number the sync has read up to
//
// refund.sync_settlements records each page of events together with the
// new cursor, and moves the pending transactions those events settle, in
// one plugin transaction: a retry or a crash replays a page harmlessly and
// never skips one. An event is kept even when no transaction names its PSP
// id yet (the step that will record the id has not checkpointed): every
// sync also moves any pending transaction whose PSP id has a recorded
// event, so the transaction settles on the next run. A transaction moves
// only from pending, only when the event's amount and currency are its own,
// to completed (succeeded, paid) or failed (the PSP's failure code; an admin
// executes it again), executed by "psp" at the settlement's time.
// Thread-safe (the storage handle is).
#ifndef STEADFAST_PLUGINS_REFUND_SETTLEMENT_EVENT_STORE_H_
#define STEADFAST_PLUGINS_REFUND_SETTLEMENT_EVENT_STORE_H_

#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "refund/psp/psp_settlement_event.h"
#include "refund/settlement.h"
#include "steadfast/clock.h"
#include "steadfast/status.h"
#include "steadfast/storage.h"

namespace steadfast::refund {

// The DDL of version 6.
extern const char* const kSettlementEventSchemaSql;

// (status, kind, count) rows.
using SettlementTransactionCounts = std::vector<std::tuple<std::string, std::string, int64_t>>;

// A transaction a settlement event moved.
struct SettledTransaction {
  std::string transaction_id;
  TransactionKind kind = TransactionKind::kGuestRefund;
  TransactionStatus status = TransactionStatus::kCompleted;  // completed or failed
  std::string provider_id;
  std::string failure_code;
  TimeMs settled_ms = 0;
};

class SettlementEventStore {
 public:
  // Works on `storage`, which must outlive the store.
  explicit SettlementEventStore(PluginStorage& storage) : storage_(storage) {}
  SettlementEventStore(const SettlementEventStore&) = delete;
  SettlementEventStore& operator=(const SettlementEventStore&) = delete;

  // The change number read up to (0 before the first sync).
  Result<int64_t> Cursor();
  // In one plugin transaction: records `events` (once per PSP id; a repeat
  // changes nothing), sets the cursor to `next_since`, and moves every
  // pending transaction a recorded event settles, booking a deposit return
  // it completes (DepositReturnPosting, once by key). Returns those moved.
  Result<std::vector<SettledTransaction>> RecordPage(const std::vector<PspSettlementEvent>& events,
                                                     int64_t next_since, TimeMs now_ms);
  // How many transactions there are now, by (status, kind).
  Result<SettlementTransactionCounts> CountByStatusAndKind();

 private:
  PluginStorage& storage_;
};

}  // namespace steadfast::refund

#endif  // STEADFAST_PLUGINS_REFUND_SETTLEMENT_EVENT_STORE_H_
