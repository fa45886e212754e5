// DisputeBook: the sandbox PSP's disputes (chargebacks) against charges.
//
// A cardholder's bank disputes a charge; the PSP opens a dispute
// (`needs_response`) which later closes as `won` (the merchant keeps the
// money) or `lost` (the amount goes back to the cardholder). The book keeps
// them in memory, written through to the sandbox's SQLite file, and tells
// the RefundBook what they do to a charge: an open dispute freezes refunds
// (Stripe answers `charge_disputed`), a lost one lowers what can still be
// refunded by its amount, so the same money is never returned twice.
//
// Every creation or status change takes the next change number
// (`change_seq`), and the list endpoint pages by it (`since`): a client that
// keeps the last number it saw gets each new dispute and each status change
// once, in order, which is what Stripe's event feed gives a real integration.
//
// Not thread-safe: SandboxService serializes every call with its mutex.
#ifndef STEADFAST_TOOLS_SANDBOX_DISPUTE_BOOK_H_
#define STEADFAST_TOOLS_SANDBOX_DISPUTE_BOOK_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "id_generator.h"
#include "refund_book.h"
#include "sandbox_database.h"
#include "steadfast/clock.h"
#include "steadfast/status.h"

namespace steadfast::sandbox {

enum class DisputeStatus : int { kNeedsResponse = 0, kWon = 1, kLost = 2 };
// "needs_response", "won", "lost" (Stripe's names).
std::string_view DisputeStatusName(DisputeStatus status);
// Also accepts "open" for needs_response; nullopt otherwise.
std::optional<DisputeStatus> ParseDisputeStatus(std::string_view name);

struct Dispute {
  std::string id;              // "dp_..."
  std::string charge;
  std::string payment_intent;
  int64_t amount = 0;          // minor units, at most the charge's amount
  std::string currency;        // the charge's
  std::string reason;          // Stripe's reasons: fraudulent, product_not_received, general, ...
  DisputeStatus status = DisputeStatus::kNeedsResponse;
  int64_t created_s = 0;
  int64_t change_seq = 0;      // the number of its latest creation or status change
};

class DisputeBook {
 public:
  DisputeBook(Connection& db, IdGenerator& ids, RefundBook& charges) : db_(db), ids_(ids), charges_(charges) {}
  DisputeBook(const DisputeBook&) = delete;
  DisputeBook& operator=(const DisputeBook&) = delete;

  // Creates the table if needed, loads what a previous run left and applies
  // it to the charges (call after RefundBook::Load).
  Status Load();

  // Opens a dispute of `amount` against a charge (status may be given to
  // seed a closed one). NotFound for an unknown charge, InvalidArgument for
  // an amount outside 1..charge amount.
  Result<Dispute> Open(std::string_view charge_id, int64_t amount, std::string reason, DisputeStatus status,
                       TimeMs now_ms);
  // Moves an open dispute to won or lost. NotFound, or FailedPrecondition
  // once it is closed (a closed dispute stays as it closed).
  Result<Dispute> Close(std::string_view id, DisputeStatus status);

  const Dispute* Find(std::string_view id) const;
  // Disputes whose change_seq is above `since`, in change order; at most
  // `limit`; `has_more` when more follow.
  std::vector<const Dispute*> ChangedSince(int64_t since, std::string_view charge, size_t limit,
                                           bool& has_more) const;
  const std::vector<Dispute>& all() const { return disputes_; }
  const RefundBook& charges() const { return charges_; }

 private:
  Status Save(const Dispute& d);
  // Recomputes the open and lost amounts of a charge from its disputes.
  void ApplyToCharge(std::string_view charge_id);

  Connection& db_;
  IdGenerator& ids_;
  RefundBook& charges_;
  std::vector<Dispute> disputes_;
  int64_t last_change_ = 0;
};

nlohmann::ordered_json DisputeToJson(const Dispute& dispute);

}  // namespace steadfast::sandbox

#endif  // STEADFAST_TOOLS_SANDBOX_DISPUTE_BOOK_H_
