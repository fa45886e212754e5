// The refund ledger: balanced double-entry transactions, and how a refund
// breakdown becomes one.
//
// A transaction is a list of entries, each an account, a direction (debit or
// credit) and a positive amount in minor units of one currency. It is
// balanced when, for every currency, the debits add up to the credits;
// ValidateTransaction refuses anything else, so an unbalanced posting never
// reaches the tables (RefundStore::PostTransaction calls it).
//
// Accounts (docs/refunds.md, "The ledger"):
//   guest_refund            what is owed to the guest for this refund (opened and settled in one transaction)
//   host_payout_adjustment  the host's / seller's payout reduced by the refund
//   commission              the platform's commission (host fee) given back
//   fees                    the guest service fee given back, less fees the platform keeps
//                           (cancellation fee share); voucher bonuses as an expense
//   tax                     tax refunded (no longer owed to the authority)
//   psp_clearing            cash leaving through the PSP
//   voucher_liability       value owed as a voucher instead of cash
//   reconciliation_suspense money that moved (or was booked) without a known cause, parked by
//                           `steadfast reconcile --repair` until a person classifies it
//   deposit_liability       security deposits held for the guest: credited by the deposit's charge, debited
//                           by the claim drawn from it and by its return (deposit_posting.h)
//   psp_deposits            deposit charges received through the PSP (apart from psp_clearing, which
//                           reconciliation reads as refunds sent)
#ifndef STEADFAST_PLUGINS_REFUND_LEDGER_H_
#define STEADFAST_PLUGINS_REFUND_LEDGER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "steadfast/clock.h"
#include "steadfast/status.h"
#include "steadfast/value.h"

namespace steadfast::refund {

inline constexpr const char* kLedgerAccounts[] = {"guest_refund",      "host_payout_adjustment", "commission",
                                                  "fees",              "tax",                    "psp_clearing",
                                                  "voucher_liability", "reconciliation_suspense",
                                                  "deposit_liability", "psp_deposits"};
bool IsLedgerAccount(std::string_view account);

enum class Direction : int { kDebit = 0, kCredit = 1 };
std::string_view DirectionName(Direction d);  // "debit" | "credit"

struct LedgerEntry {
  std::string account;
  Direction direction = Direction::kDebit;
  int64_t amount_minor = 0;  // > 0
  std::string currency;      // ISO 4217, upper case
  std::string memo;          // why, for people
};

struct LedgerTransaction {
  std::string idempotency_key;  // the activity key: one transaction per key
  std::string workflow_id;
  std::string reference;        // reservation / order id
  std::string kind;             // reservation_refund | return_refund | marketplace_cancellation | manual
  std::string description;
  std::vector<LedgerEntry> entries;
};

struct PostedEntry {
  int64_t transaction_id = 0;
  std::string workflow_id;
  std::string reference;
  LedgerEntry entry;
  std::string kind;  // its transaction's kind
};

struct PostedTransaction {
  int64_t id = 0;
  bool replayed = false;  // the key had been posted before: this is the first posting
  LedgerTransaction txn;
  TimeMs posted_ms = 0;
};

// OK when the transaction has a key, at least one entry, known accounts,
// positive amounts, known currencies, and debits == credits per currency.
// InvalidArgument naming the problem otherwise (e.g. "unbalanced in EUR:
// debits 290.25 != credits 283.50").
Status ValidateTransaction(const LedgerTransaction& txn);

// The entries of a refund from a refund.calculate_amount breakdown (Value
// form) and how it was paid out: "cash" (psp_clearing) or "voucher"
// (voucher_liability). Zero amounts are left out; a negative component is
// posted in the other direction. See the file comment for the accounts.
// A claim settlement's breakdown with `deposit: {held, claimed, returned}`
// also books the deposit charge (psp_deposits to deposit_liability) and the
// claim drawn from it (deposit_liability debited; the host's reduction is
// that much smaller); its return is booked when it is refunded
// (DepositReturnPosting).
Result<std::vector<LedgerEntry>> BuildRefundEntries(const Value& breakdown, std::string_view method);

Value EntryToValue(const LedgerEntry& e);
// {account, direction, amount: {minor, currency}, memo?}
Result<LedgerEntry> EntryFromValue(const Value& v);
Value PostedTransactionToValue(const PostedTransaction& p);

}  // namespace steadfast::refund

#endif  // STEADFAST_PLUGINS_REFUND_LEDGER_H_
