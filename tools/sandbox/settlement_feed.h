// SettlementFeed: the sandbox PSP's settlement events, by change cursor.
//
// A refund or a payout (transfer) accepted as `pending` settles later: a
// refund as `succeeded` or `failed`, a payout as `paid` or `failed` (Stripe
// tells a real integration with refund.updated / payout.paid /
// payout.failed events). Each such settlement takes the next number here,
// in the same SQLite transaction as the settled object, and
// GET /v1/settlements pages by it (`since`, like the disputes): a client
// that keeps the last number it saw gets each settlement once, in order.
// Operations answered final at once (a refund that succeeds immediately, a
// payout paid at once) have nothing to announce and are not in the feed.
//
// Not thread-safe: SandboxService serializes every call with its mutex.
#ifndef STEADFAST_TOOLS_SANDBOX_SETTLEMENT_FEED_H_
#define STEADFAST_TOOLS_SANDBOX_SETTLEMENT_FEED_H_

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sandbox_database.h"
#include "steadfast/status.h"
#include "stripe_params.h"

namespace steadfast::sandbox {

struct SettlementEvent {
  int64_t seq = 0;             // the change number, from 1
  std::string object;          // "refund" | "transfer"
  std::string object_id;       // "re_..." | "tr_..."
  std::string status;          // refund: succeeded | failed; transfer: paid | failed
  int64_t amount = 0;          // minor units
  std::string currency;        // lower case
  std::string failure_code;    // when failed
  int64_t settled_s = 0;       // unix seconds
  Metadata metadata;           // the object's
};

class SettlementFeed {
 public:
  explicit SettlementFeed(Connection& db) : db_(db) {}
  SettlementFeed(const SettlementFeed&) = delete;
  SettlementFeed& operator=(const SettlementFeed&) = delete;

  // Creates the table if needed and loads what a previous run left.
  Status Load();
  // Numbers and saves `event` inside the caller's open SQLite transaction;
  // call Committed with the result once it committed.
  Result<SettlementEvent> Save(SettlementEvent event);
  void Committed(SettlementEvent event);
  // Events numbered above `since`, in order; at most `limit`; has_more when more follow.
  std::vector<const SettlementEvent*> Since(int64_t since, size_t limit, bool& has_more) const;
  const std::vector<SettlementEvent>& all() const { return events_; }

 private:
  Connection& db_;
  std::vector<SettlementEvent> events_;
  int64_t last_seq_ = 0;  // numbered, committed or not (a rolled-back number is simply skipped)
};

// {id: "se_<seq>", object: "settlement_event", seq, type ("refund.succeeded", "transfer.paid", ...),
//  object_type, object_id, status, amount, currency, failure_code, settled, metadata}
nlohmann::ordered_json SettlementEventToJson(const SettlementEvent& event);

}  // namespace steadfast::sandbox

#endif  // STEADFAST_TOOLS_SANDBOX_SETTLEMENT_FEED_H_
