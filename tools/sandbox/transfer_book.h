// TransferBook: the sandbox PSP's payouts to connected accounts (Stripe
// Connect transfers) and their reversals.
//
// A marketplace pays each seller's connected account with a transfer and
// takes it back, in part or whole, with a reversal. The book keeps both, in
// memory and written through to the sandbox's SQLite file (reloaded at
// start-up), and keeps the invariant a PSP must never break: the reversals
// of a transfer never add up to more than the transfer.
//
// A transfer is a payout here, and settles as Stripe's payouts do: `paid`
// at once by default, or, with a payout settlement delay, accepted as
// `pending` and `paid` (or `failed`) once the delay has passed or a test
// says "settle now" (POST /sandbox/settle); each such settlement is an event
// in the SettlementFeed, written with it.
//
// A destination whose id starts with kClosedAccountPrefix ("acct_closed")
// is a closed account: a transfer to it is refused for good, which is how a
// test makes one seller's payout fail deterministically. One starting with
// kFrozenAccountPrefix ("acct_frozen") accepts the payout as pending, and
// it fails at settlement (failure_code account_frozen), whatever the delay.
//
// Not thread-safe: SandboxService serializes every call with its mutex.
#ifndef STEADFAST_TOOLS_SANDBOX_TRANSFER_BOOK_H_
#define STEADFAST_TOOLS_SANDBOX_TRANSFER_BOOK_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "id_generator.h"
#include "sandbox_database.h"
#include "settlement_feed.h"
#include "steadfast/clock.h"
#include "steadfast/status.h"
#include "stripe_params.h"

namespace steadfast::sandbox {

inline constexpr std::string_view kClosedAccountPrefix = "acct_closed";
bool IsClosedAccount(std::string_view destination);
inline constexpr std::string_view kFrozenAccountPrefix = "acct_frozen";
bool IsFrozenAccount(std::string_view destination);

enum class PayoutStatus : int { kPending = 0, kPaid = 1, kFailed = 2 };
// "pending", "paid", "failed" (Stripe's payout statuses).
std::string_view PayoutStatusName(PayoutStatus status);

struct TransferReversal {
  int64_t seq = 0;              // creation order, unique
  std::string id;               // "trr_..."
  std::string transfer;         // "tr_..."
  int64_t amount = 0;           // minor units
  std::string currency;         // the transfer's
  Metadata metadata;
  int64_t created_s = 0;
  std::string idempotency_key;  // may be empty
};

struct Transfer {
  int64_t seq = 0;              // creation order, unique
  std::string id;               // "tr_..."
  int64_t amount = 0;           // minor units
  std::string currency;         // lowercase ISO 4217
  std::string destination;      // "acct_..."
  std::string transfer_group;   // may be empty
  std::string description;      // may be empty
  Metadata metadata;
  int64_t amount_reversed = 0;  // sum of its reversals
  int64_t created_s = 0;
  std::string idempotency_key;  // may be empty
  PayoutStatus status = PayoutStatus::kPaid;
  int64_t settle_at_ms = 0;     // when a pending one settles
  std::string planned_failure;  // non-empty: settles as failed with this code
  std::string failure_code;     // set once failed
};

class TransferBook {
 public:
  TransferBook(Connection& db, IdGenerator& ids) : db_(db), ids_(ids) {}
  TransferBook(const TransferBook&) = delete;
  TransferBook& operator=(const TransferBook&) = delete;

  // Creates the tables if needed and loads what a previous run left.
  Status Load();

  // Adds a transfer (its id, seq and created are filled in). The caller has
  // validated it; a storage failure leaves the book unchanged.
  // Paid at once, or pending for payout_delay_ms (always pending, to fail,
  // for a frozen account).
  Result<Transfer> AddTransfer(Transfer transfer, TimeMs now_ms, int64_t payout_delay_ms = 0);
  // Settles every pending transfer whose due time has come (every pending
  // one with `now`), each with its event in `feed` in the same SQLite transaction.
  Status SettleDue(TimeMs now_ms, SettlementFeed& feed, bool now = false);
  // Reverses `amount` of `transfer_id`. FailedPrecondition when more than
  // what remains unreversed (callers check first; this is the backstop).
  Result<TransferReversal> AddReversal(std::string_view transfer_id, int64_t amount, Metadata metadata,
                                       std::string idempotency_key, TimeMs now_ms);

  // nullptr when unknown. Pointers stay valid until the next Add*.
  const Transfer* FindTransfer(std::string_view id) const;
  // All transfers in creation order; the reversals of one, oldest first.
  const std::vector<Transfer>& transfers() const { return transfers_; }
  std::vector<const TransferReversal*> ReversalsOf(std::string_view transfer_id) const;
  const std::vector<TransferReversal>& reversals() const { return reversals_; }

 private:
  Status SaveTransfer(const Transfer& t);
  Status SaveSettlement(const Transfer& t);
  Status SaveReversal(const TransferReversal& r);

  Connection& db_;
  IdGenerator& ids_;
  std::vector<Transfer> transfers_;
  std::map<std::string, size_t, std::less<>> transfer_index_;  // id -> position in transfers_
  std::vector<TransferReversal> reversals_;
};

// Stripe's JSON shapes; a transfer embeds its reversals as a list object.
nlohmann::ordered_json TransferToJson(const Transfer& transfer, const std::vector<const TransferReversal*>& reversals);
nlohmann::ordered_json TransferReversalToJson(const TransferReversal& reversal);

}  // namespace steadfast::sandbox

#endif  // STEADFAST_TOOLS_SANDBOX_TRANSFER_BOOK_H_
