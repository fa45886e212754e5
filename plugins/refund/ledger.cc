// Ledger transactions: validation and the entries of a refund.
#include "refund/ledger.h"

#include <fmt/format.h>

#include <array>
#include <map>

#include "refund/currency.h"
#include "refund/money.h"

namespace steadfast::refund {

bool IsLedgerAccount(std::string_view account) {
  for (const char* a : kLedgerAccounts) {
    if (account == a) return true;
  }
  return false;
}

std::string_view DirectionName(Direction d) { return d == Direction::kDebit ? "debit" : "credit"; }

Status ValidateTransaction(const LedgerTransaction& txn) {
  if (txn.idempotency_key.empty()) return Status::InvalidArgument("a ledger transaction needs an idempotency key");
  if (txn.entries.empty()) return Status::InvalidArgument("a ledger transaction needs at least one entry");
  std::map<std::string, std::pair<int64_t, int64_t>> sums;  // currency -> (debits, credits)
  for (size_t i = 0; i < txn.entries.size(); ++i) {
    const LedgerEntry& e = txn.entries[i];
    if (!IsLedgerAccount(e.account)) {
      return Status::InvalidArgument(fmt::format("entry {}: unknown account '{}'", i, e.account));
    }
    if (e.amount_minor <= 0) {
      return Status::InvalidArgument(fmt::format("entry {}: amount must be positive (got {})", i, e.amount_minor));
    }
    if (!IsKnownCurrency(e.currency)) {
      return Status::InvalidArgument(fmt::format("entry {}: unknown currency '{}'", i, e.currency));
    }
    auto& [debits, credits] = sums[e.currency];
    Result<int64_t> next = CheckedAdd(e.direction == Direction::kDebit ? debits : credits, e.amount_minor);
    if (!next.ok()) return Status::InvalidArgument(fmt::format("entry {}: overflow", i));
    (e.direction == Direction::kDebit ? debits : credits) = *next;
  }
  for (const auto& [currency, dc] : sums) {
    if (dc.first != dc.second) {
      return Status::InvalidArgument(fmt::format("unbalanced in {}: debits {} != credits {}", currency,
                                                 FormatAmount(Money{dc.first, currency}),
                                                 FormatAmount(Money{dc.second, currency})));
    }
  }
  return Status::Ok();
}

namespace {

// Adds a signed component: positive in `positive`'s direction, negative in the other.
Status AddSigned(std::vector<LedgerEntry>& out, const std::string& account, Direction positive, int64_t signed_minor,
                 const std::string& currency, std::string memo) {
  if (signed_minor == 0) return Status::Ok();
  Direction d = positive;
  int64_t amount = signed_minor;
  if (signed_minor < 0) {
    d = positive == Direction::kDebit ? Direction::kCredit : Direction::kDebit;
    SF_ASSIGN_OR_RETURN(amount, CheckedSub(0, signed_minor));
  }
  out.push_back(LedgerEntry{account, d, amount, currency, std::move(memo)});
  return Status::Ok();
}

Result<int64_t> MinorOf(const Value& v, const std::string& currency, const char* what) {
  Result<Money> m = MoneyFromValue(v);
  if (!m.ok()) return Status::InvalidArgument(std::string("breakdown.") + what + ": " + m.status().message());
  if (m->currency != currency) return Status::InvalidArgument(std::string("breakdown.") + what + ": currency differs");
  return m->minor;
}

}  // namespace

Result<std::vector<LedgerEntry>> BuildRefundEntries(const Value& b, std::string_view method) {
  if (!b.is_map()) return Status::InvalidArgument("breakdown must be a map (refund.calculate_amount output)");
  const std::string currency = b.Get("currency").StringOr("");
  if (!IsKnownCurrency(currency)) return Status::InvalidArgument("breakdown.currency is missing or unknown");
  if (method != "cash" && method != "voucher") return Status::InvalidArgument("method must be cash or voucher");

  std::map<std::string, std::pair<int64_t, int64_t>> lines;  // kind -> (paid, refund)
  if (!b.Get("lines").is_list()) return Status::InvalidArgument("breakdown.lines must be a list");
  for (const Value& l : b.Get("lines").AsList()) {
    SF_ASSIGN_OR_RETURN(int64_t paid, MinorOf(l.Get("paid"), currency, "lines.paid"));
    SF_ASSIGN_OR_RETURN(int64_t refund, MinorOf(l.Get("refund"), currency, "lines.refund"));
    lines[l.Get("kind").StringOr("")] = {paid, refund};
  }
  SF_ASSIGN_OR_RETURN(int64_t refund_total, MinorOf(b.Get("refund_total"), currency, "refund_total"));
  SF_ASSIGN_OR_RETURN(int64_t to_guest, MinorOf(b.Get("refund_to_guest"), currency, "refund_to_guest"));
  SF_ASSIGN_OR_RETURN(int64_t host_before, MinorOf(b.Get("host_payout_before"), currency, "host_payout_before"));
  SF_ASSIGN_OR_RETURN(int64_t host_after, MinorOf(b.Get("payout_to_host"), currency, "payout_to_host"));
  SF_ASSIGN_OR_RETURN(int64_t host_fee_after, MinorOf(b.Get("settlement").Get("host_fee"), currency, "settlement.host_fee"));

  // The host's side of the payment (the subtotal) and the commission on it had nobody cancelled.
  // The breakdown is input (a workflow's `with:`), so every sum is checked.
  // (A breakdown from before the cleaning_fee line has none: it counts as 0.)
  const std::array<int64_t, 4> subtotal_lines{lines["rental"].first, lines["delivery"].first,
                                              lines["cleaning_fee"].first, lines["discount"].first};
  SF_ASSIGN_OR_RETURN(const int64_t subtotal, CheckedSum(subtotal_lines));
  SF_ASSIGN_OR_RETURN(const int64_t commission_before, CheckedSub(subtotal, host_before));
  SF_ASSIGN_OR_RETURN(const int64_t host_reduction, CheckedSub(host_before, host_after));
  SF_ASSIGN_OR_RETURN(const int64_t commission_reversal, CheckedSub(commission_before, host_fee_after));
  const int64_t tax = lines["tax"].second;
  const int64_t bonus = lines["voucher_bonus"].second;
  // What remains of the refund is the platform's: the guest service fee given
  // back, less the platform's share of a cancellation fee (then negative).
  SF_ASSIGN_OR_RETURN(int64_t fees, CheckedSub(refund_total, host_reduction));
  SF_ASSIGN_OR_RETURN(fees, CheckedSub(fees, commission_reversal));
  SF_ASSIGN_OR_RETURN(fees, CheckedSub(fees, tax));
  // The part of the claim drawn from the deposit raised the host's payout
  // without lowering the refund: deposit_liability pays it, not the fees.
  int64_t deposit_held = 0;
  int64_t deposit_claimed = 0;
  if (const Value& d = b.Get("deposit"); !d.is_null()) {
    SF_ASSIGN_OR_RETURN(deposit_held, MinorOf(d.Get("held"), currency, "deposit.held"));
    SF_ASSIGN_OR_RETURN(deposit_claimed, MinorOf(d.Get("claimed"), currency, "deposit.claimed"));
    if (deposit_held < 0 || deposit_claimed < 0 || deposit_claimed > deposit_held) {
      return Status::InvalidArgument("breakdown.deposit: claimed must lie within 0..held");
    }
    SF_ASSIGN_OR_RETURN(fees, CheckedSub(fees, deposit_claimed));
  }
  SF_ASSIGN_OR_RETURN(const int64_t total_with_bonus, CheckedAdd(refund_total, bonus));
  if (to_guest != total_with_bonus) {
    return Status::InvalidArgument("breakdown: refund_to_guest != refund_total + voucher bonus");
  }

  std::vector<LedgerEntry> out;
  SF_RETURN_IF_ERROR(
      AddSigned(out, "host_payout_adjustment", Direction::kDebit, host_reduction, currency, "host payout reduced"));
  SF_RETURN_IF_ERROR(
      AddSigned(out, "commission", Direction::kDebit, commission_reversal, currency, "commission reversed"));
  SF_RETURN_IF_ERROR(AddSigned(out, "tax", Direction::kDebit, tax, currency, "tax refunded"));
  SF_RETURN_IF_ERROR(AddSigned(out, "fees", Direction::kDebit, fees, currency,
                               fees >= 0 ? "guest service fee refunded" : "fees kept (cancellation fee share)"));
  SF_RETURN_IF_ERROR(AddSigned(out, "fees", Direction::kDebit, bonus, currency, "voucher bonus granted"));
  SF_RETURN_IF_ERROR(AddSigned(out, "guest_refund", Direction::kCredit, to_guest, currency, "owed to the guest"));
  SF_RETURN_IF_ERROR(AddSigned(out, "guest_refund", Direction::kDebit, to_guest, currency,
                               method == "cash" ? "paid out through the PSP" : "paid out as a voucher"));
  SF_RETURN_IF_ERROR(AddSigned(out, method == "cash" ? "psp_clearing" : "voucher_liability", Direction::kCredit,
                               to_guest, currency,
                               method == "cash" ? "refund sent through the PSP" : "voucher issued"));
  SF_RETURN_IF_ERROR(AddSigned(out, "psp_deposits", Direction::kDebit, deposit_held, currency,
                               "security deposit charged at booking"));
  SF_RETURN_IF_ERROR(AddSigned(out, "deposit_liability", Direction::kCredit, deposit_held, currency,
                               "security deposit held for the guest"));
  SF_RETURN_IF_ERROR(AddSigned(out, "deposit_liability", Direction::kDebit, deposit_claimed, currency,
                               "claim drawn from the deposit"));
  return out;
}

Value EntryToValue(const LedgerEntry& e) {
  Value v;
  v["account"] = e.account;
  v["direction"] = DirectionName(e.direction);
  v["amount"] = MoneyToValue(Money{e.amount_minor, e.currency});
  if (!e.memo.empty()) v["memo"] = e.memo;
  return v;
}

Result<LedgerEntry> EntryFromValue(const Value& v) {
  if (!v.is_map()) return Status::InvalidArgument("an entry must be a map");
  LedgerEntry e;
  e.account = v.Get("account").StringOr("");
  const std::string dir = v.Get("direction").StringOr("");
  if (dir == "debit") {
    e.direction = Direction::kDebit;
  } else if (dir == "credit") {
    e.direction = Direction::kCredit;
  } else {
    return Status::InvalidArgument("entry direction must be debit or credit");
  }
  Result<Money> m = MoneyFromValue(v.Get("amount"));
  if (!m.ok()) return Status::InvalidArgument("entry amount: " + m.status().message());
  e.amount_minor = m->minor;
  e.currency = m->currency;
  e.memo = v.Get("memo").StringOr("");
  return e;
}

Value PostedTransactionToValue(const PostedTransaction& p) {
  Value::List entries;
  for (const LedgerEntry& e : p.txn.entries) entries.push_back(EntryToValue(e));
  Value v;
  v["transaction_id"] = p.id;
  v["replayed"] = p.replayed;
  v["reference"] = p.txn.reference;
  v["kind"] = p.txn.kind;
  v["entries"] = std::move(entries);
  v["balanced"] = true;
  return v;
}

}  // namespace steadfast::refund
