// RefundBook: the sandbox PSP's charges and refunds, and their settlement.
//
// Holds every seeded charge and every refund made against it, in memory and
// written through to the sandbox's SQLite file (reloaded at start-up). It
// keeps the one invariant a PSP must never break: the pending plus succeeded
// refunds of a charge never exceed the charge amount. Settlement is lazy and
// exact: a refund created with a settlement delay is `pending` until its due
// time, and the first look at the book after that time moves it to
// `succeeded`, or to `failed` (giving its amount back to the charge) when its
// charge was seeded to fail refunds or the configured failure rate drew it.
//
// Not thread-safe: SandboxService serializes every call with its mutex.
#ifndef STEADFAST_TOOLS_SANDBOX_REFUND_BOOK_H_
#define STEADFAST_TOOLS_SANDBOX_REFUND_BOOK_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "id_generator.h"
#include "sandbox_database.h"
#include "settlement_feed.h"
#include "stripe_params.h"
#include "steadfast/clock.h"
#include "steadfast/status.h"

namespace steadfast::sandbox {

struct SettlementConfig {
  int64_t delay_ms = 0;    // 0: refunds succeed at once; otherwise pending for this long
  double fail_rate = 0.0;  // probability that a refund fails at settlement
  int64_t payout_delay_ms = 0;  // 0: payouts (transfers) paid at once; otherwise pending for this long
};
Status ValidateSettlement(const SettlementConfig& config);
// Applies {"delay_ms": N, "fail_rate": X, "payout_delay_ms": N} fields present in `patch`.
Result<SettlementConfig> PatchSettlement(const SettlementConfig& base, const nlohmann::json& patch);
nlohmann::json SettlementToJson(const SettlementConfig& config);

struct Charge {
  std::string id;              // "ch_..."
  std::string payment_intent;  // "pi_..."
  int64_t amount = 0;          // minor units
  std::string currency;        // lowercase ISO 4217, as Stripe writes it
  int64_t amount_refunded = 0; // pending + succeeded refunds
  int64_t created_s = 0;       // unix seconds
  std::string refund_failure;  // non-empty: refunds of this charge fail with this failure_reason
  Metadata metadata;
  // Set by DisputeBook (derived from its table, not stored with the charge).
  int64_t amount_disputed_open = 0;  // under open disputes: refunds are refused meanwhile
  int64_t amount_disputed_lost = 0;  // returned to the cardholder by lost disputes
};

enum class RefundStatus : int { kPending = 0, kSucceeded = 1, kFailed = 2 };
std::string_view RefundStatusName(RefundStatus status);

struct Refund {
  int64_t seq = 0;             // creation order, unique
  std::string id;              // "re_..."
  std::string charge;
  std::string payment_intent;
  int64_t amount = 0;
  std::string currency;
  RefundStatus status = RefundStatus::kPending;
  std::string reason;          // "" (null), duplicate, fraudulent, requested_by_customer
  Metadata metadata;
  int64_t created_s = 0;
  int64_t settle_at_ms = 0;    // when a pending refund settles
  std::string planned_failure; // non-empty: settles as failed with this reason
  std::string failure_reason;  // set once failed
  std::string idempotency_key; // the key it was created with (may be empty)
};

class RefundBook {
 public:
  RefundBook(Connection& db, IdGenerator& ids) : db_(db), ids_(ids) {}
  RefundBook(const RefundBook&) = delete;
  RefundBook& operator=(const RefundBook&) = delete;

  // Creates the tables if needed and loads what a previous run left.
  Status Load();

  // nullptr when unknown. Pointers stay valid until the next Add*.
  const Charge* FindCharge(std::string_view id) const;
  const Charge* FindChargeByPaymentIntent(std::string_view payment_intent) const;
  // Adds a charge; fills in id / payment_intent / created when empty.
  // AlreadyExists when an identical charge exists (returned unchanged),
  // Conflict when the id or payment intent is taken by a different one.
  Result<Charge> AddCharge(Charge charge, TimeMs now_ms);

  // What can still be refunded: neither refunded nor returned by a lost dispute.
  int64_t Remaining(const Charge& charge) const {
    return charge.amount - charge.amount_refunded - charge.amount_disputed_lost;
  }
  // Records what disputes hold of a charge (DisputeBook calls it).
  void SetDisputed(std::string_view charge_id, int64_t open_amount, int64_t lost_amount);
  // Creates a refund of `amount` against `charge_id`. FailedPrecondition when
  // it would exceed what remains (callers check first; this is the backstop).
  Result<Refund> AddRefund(std::string_view charge_id, int64_t amount, std::string reason, Metadata metadata,
                           std::string idempotency_key, const SettlementConfig& settlement, TimeMs now_ms);

  const Refund* FindRefund(std::string_view id) const;
  // All refunds in creation order.
  const std::vector<Refund>& refunds() const { return refunds_; }
  const std::map<std::string, Charge, std::less<>>& charges() const { return charges_; }

  // Settles every pending refund whose due time has come (every pending
  // one with `now`: the control endpoint POST /sandbox/settle), each with
  // its event in `feed` in the same SQLite transaction.
  Status SettleDue(TimeMs now_ms, SettlementFeed& feed, bool now = false);

 private:
  Status SaveCharge(const Charge& charge);
  Status SaveRefund(const Refund& refund);

  Connection& db_;
  IdGenerator& ids_;
  std::map<std::string, Charge, std::less<>> charges_;
  std::vector<Refund> refunds_;
  std::map<std::string, size_t, std::less<>> refund_index_;  // id -> position in refunds_
  int64_t next_seq_ = 1;
};

// Stripe's JSON shapes.
nlohmann::ordered_json ChargeToJson(const Charge& charge);
nlohmann::ordered_json RefundToJson(const Refund& refund);

}  // namespace steadfast::sandbox

#endif  // STEADFAST_TOOLS_SANDBOX_REFUND_BOOK_H_
