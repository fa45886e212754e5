// Security deposits without a store: the reservation's deposit field, the
// claim drawing on the deposit first (then the refund, capped), the settled
// breakdown posting balanced with deposit_liability, the snapshot and the
// transactions a deposit adds, and the return's posting.
#include <gtest/gtest.h>

#include "half_window_breakdown.h"
#include "refund/claim_settlement.h"
#include "refund/deposit_posting.h"
#include "refund/ledger.h"
#include "refund/reservation.h"
#include "refund/settlement.h"

namespace steadfast::refund {
namespace {

using testing_breakdowns::HalfWindowBreakdown;

Value DepEur(int64_t minor) { return MoneyToValue(Money{minor, "EUR"}); }


ClaimPayout DepSettle(int64_t already, int64_t decided, int64_t deposit) {
  Result<ClaimPayout> p = ComputeClaimSettlement({"EUR", "cash", 28350, 26865, already, decided, deposit});
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return p.ok() ? *p : ClaimPayout{};
}

// Debits == credits per account family, and deposit_liability's balance.
int64_t DepBalance(const std::vector<LedgerEntry>& entries, const std::string& account) {
  int64_t b = 0;
  for (const LedgerEntry& e : entries) {
    if (e.account == account) b += e.direction == Direction::kDebit ? e.amount_minor : -e.amount_minor;
  }
  return b;
}

TEST(SecurityDeposit, TheReservationCarriesItInMinorUnitsWithItsOwnCharge) {
  const std::string base = R"({"id": "r-d", "currency": "EUR", "start_at": "2026-06-15T15:00:00+02:00",
      "lines": {"rental": 50000}, "policy": "moderate@2")";
  auto parse = [&base](const std::string& deposit) {
    Result<Value> v = Value::FromJson(base + (deposit.empty() ? "" : ", \"deposit\": " + deposit) + "}");
    EXPECT_TRUE(v.ok());
    return ReservationFromValue(*v);
  };
  auto none = parse("");
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_FALSE(none->deposit.has_value());
  auto held = parse(R"({"amount": "200.00", "charge": "ch_dep"})");
  ASSERT_TRUE(held.ok()) << held.status().ToString();
  ASSERT_TRUE(held->deposit.has_value());
  EXPECT_EQ(held->deposit->amount_minor, 20000);
  EXPECT_EQ(held->deposit->charge, "ch_dep");
  EXPECT_EQ(parse(R"({"amount": 20000, "charge": "ch_dep"})")->deposit->amount_minor, 20000);
  // Refused, naming the field: floating point, another currency, nothing,
  // no charge of its own, an unknown field.
  for (const char* bad : {R"({"amount": 200.5, "charge": "ch_dep"})", R"({"amount": "200.00 USD", "charge": "ch_dep"})",
                          R"({"amount": 0, "charge": "ch_dep"})", R"({"amount": 20000})",
                          R"({"amount": 20000, "charge": "pi_1"})", R"({"amount": 20000, "charge": "ch_d", "x": 1})",
                          R"("200.00")"}) {
    auto r = parse(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.status().message().find("deposit"), std::string::npos) << r.status().message();
  }
}

TEST(SecurityDeposit, WithoutAClaimAllOfItGoesBack) {
  ClaimPayout p = DepSettle(0, 0, 20000);
  EXPECT_EQ(p.deposit_claimed, 0);
  EXPECT_EQ(p.deposit_returned, 20000);
  EXPECT_EQ(p.guest_refund, 28350);
  EXPECT_EQ(p.host_payout, 26865);
}

TEST(SecurityDeposit, AClaimSmallerThanTheDepositIsDrawnFromItAlone) {
  ClaimPayout p = DepSettle(0, 5000, 20000);
  EXPECT_EQ(p.deposit_claimed, 5000);
  EXPECT_EQ(p.deposit_returned, 15000);
  EXPECT_EQ(p.claim_payout, 5000);
  EXPECT_EQ(p.guest_refund, 28350) << "the guest's refund is untouched";
  EXPECT_EQ(p.host_payout, 26865 + 5000);
  EXPECT_EQ(p.uncovered, 0);
}

TEST(SecurityDeposit, AClaimLargerThanTheDepositTakesTheRestFromTheRefundCapped) {
  ClaimPayout more = DepSettle(0, 30000, 20000);
  EXPECT_EQ(more.deposit_claimed, 20000);
  EXPECT_EQ(more.deposit_returned, 0);
  EXPECT_EQ(more.claim_payout, 30000);
  EXPECT_EQ(more.guest_refund, 28350 - 10000);
  EXPECT_EQ(more.uncovered, 0);
  // Larger than the deposit and the refund together: capped, never refused.
  ClaimPayout capped = DepSettle(0, 60000, 20000);
  EXPECT_EQ(capped.claim_payout, 20000 + 28350);
  EXPECT_EQ(capped.uncovered, 60000 - 48350);
  EXPECT_EQ(capped.guest_refund, 0);
  EXPECT_EQ(capped.deposit_returned, 0);
  EXPECT_EQ(capped.host_payout, 26865 + 48350);
}

TEST(SecurityDeposit, AReservationAlreadyPartlyRefundedCapsTheClaim) {
  // 250.00 refunded before: 33.50 of the refund remains, plus the 200.00 deposit.
  ClaimPayout p = DepSettle(25000, 30000, 20000);
  EXPECT_EQ(p.remaining, 3350);
  EXPECT_EQ(p.claim_payout, 20000 + 3350);
  EXPECT_EQ(p.uncovered, 30000 - 23350);
  EXPECT_EQ(p.guest_refund, 0);
  EXPECT_LE(p.already_refunded + p.guest_refund + (p.claim_payout - p.deposit_claimed), 28350);
}

TEST(SecurityDeposit, AVoucherRefundTakesAClaimFromTheDepositOnly) {
  EXPECT_TRUE(ComputeClaimSettlement({"EUR", "voucher", 28350, 26865, 0, 5000, 20000}).ok());
  EXPECT_FALSE(ComputeClaimSettlement({"EUR", "voucher", 28350, 26865, 0, 25000, 20000}).ok())
      << "the part from the voucher refund is not re-derived";
}

TEST(SecurityDeposit, TheSettledBreakdownPostsBalancedOnDepositLiability) {
  for (int64_t decided : {0, 5000, 30000, 60000}) {
    SCOPED_TRACE(decided);
    ClaimPayout p = DepSettle(0, decided, 20000);
    Result<Value> settled = SettledBreakdown(HalfWindowBreakdown("r-d"), p);
    ASSERT_TRUE(settled.ok()) << settled.status().ToString();
    EXPECT_EQ(settled->Get("deposit").Get("returned"), DepEur(p.deposit_returned));
    Result<std::vector<LedgerEntry>> entries = BuildRefundEntries(*settled, "cash");
    ASSERT_TRUE(entries.ok()) << entries.status().ToString();
    LedgerTransaction txn{"wf-d/ledger", "wf-d", "r-d", "claim_settlement", "", *entries};
    EXPECT_TRUE(ValidateTransaction(txn).ok()) << ValidateTransaction(txn).ToString();
    // Held (credit) less drawn (debit): what is still owed to the guest.
    EXPECT_EQ(DepBalance(*entries, "deposit_liability"), -p.deposit_returned);
    EXPECT_EQ(DepBalance(*entries, "psp_deposits"), 20000);
    EXPECT_EQ(DepBalance(*entries, "psp_clearing"), -p.guest_refund) << "psp_clearing carries the guest's refund alone";
    // The return, once refunded, closes deposit_liability.
    if (p.deposit_returned > 0) {
      SettlementTransaction back;
      back.id = "stx_b";
      back.idempotency_key = "r-d/depositreturn/wf-d";
      back.kind = TransactionKind::kDepositReturn;
      back.amount = Money{p.deposit_returned, "EUR"};
      Result<LedgerTransaction> posting = DepositReturnPosting(back);
      ASSERT_TRUE(posting.ok());
      EXPECT_EQ(posting->idempotency_key, "r-d/depositreturn/wf-d/ledger");
      EXPECT_TRUE(ValidateTransaction(*posting).ok());
      EXPECT_EQ(DepBalance(*entries, "deposit_liability") + DepBalance(posting->entries, "deposit_liability"), 0);
    }
  }
  // Without a deposit the breakdown has none and posts as before.
  Result<Value> plain = SettledBreakdown(HalfWindowBreakdown("r-d"), DepSettle(0, 5000, 0));
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(plain->Get("deposit").is_null());
  Result<std::vector<LedgerEntry>> entries = BuildRefundEntries(*plain, "cash");
  ASSERT_TRUE(entries.ok());
  EXPECT_EQ(DepBalance(*entries, "deposit_liability"), 0);
}

TEST(SecurityDeposit, TheSnapshotAndTransactionsShowItApartFromTheBooking) {
  ClaimPayout p = DepSettle(0, 5000, 20000);
  Result<CancellationDetails> d = ClaimSnapshot(HalfWindowBreakdown("r-d"), p);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->deposit, 20000);
  EXPECT_EQ(d->deposit_claimed, 5000);
  EXPECT_EQ(d->deposit_returned, 15000);
  EXPECT_EQ(d->total, 67500) << "the booking's total stays the booking's";
  EXPECT_EQ(CancellationDetailsToValue(*d).Get("deposit").Get("returned"), DepEur(15000));
  SettlementPlanInput plan{"r-d", "wf-d", "", "ch_book", "acct_h", "wf-d/psp", "wf-d/payout", "ch_dep",
                           "wf-d/deposit", 1000};
  Result<std::vector<SettlementTransaction>> txns = PlanSettlementTransactions(*d, plan);
  ASSERT_TRUE(txns.ok()) << txns.status().ToString();
  ASSERT_EQ(txns->size(), 5u);
  const SettlementTransaction& held = (*txns)[3];
  EXPECT_EQ(held.kind, TransactionKind::kDeposit);
  EXPECT_EQ(held.status, TransactionStatus::kCompleted);
  EXPECT_EQ(held.charge, "ch_dep");
  const SettlementTransaction& back = (*txns)[4];
  EXPECT_EQ(back.kind, TransactionKind::kDepositReturn);
  EXPECT_EQ(back.status, TransactionStatus::kPending);
  EXPECT_EQ(back.amount.minor, 15000);
  EXPECT_EQ(back.charge, "ch_dep") << "the deposit's charge is refunded, never the booking's";
  EXPECT_EQ(back.psp_idempotency_key, "wf-d/deposit");
  EXPECT_EQ(back.idempotency_key, "r-d/depositreturn/wf-d");
  EXPECT_EQ(ParseTransactionKind("depositreturn"), TransactionKind::kDepositReturn);
  // All of it drawn: held, nothing to return.
  Result<CancellationDetails> all = ClaimSnapshot(HalfWindowBreakdown("r-d"), DepSettle(0, 25000, 20000));
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(PlanSettlementTransactions(*all, plan)->size(), 4u);
  plan.deposit_charge.clear();
  EXPECT_FALSE(PlanSettlementTransactions(*d, plan).ok()) << "a deposit needs its charge";
}

}  // namespace
}  // namespace steadfast::refund
