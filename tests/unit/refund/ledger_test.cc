// The ledger: balance enforcement, the entries of a refund, idempotent posting.
#include "refund/ledger.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include "refund/refund_store.h"
#include "refund_tables.h"

namespace steadfast::refund {
namespace {

LedgerEntry E(const char* account, Direction d, int64_t minor, const char* currency = "EUR") {
  return LedgerEntry{account, d, minor, currency, ""};
}

LedgerTransaction Txn(std::vector<LedgerEntry> entries, std::string key = "wf-1/ledger") {
  LedgerTransaction t;
  t.idempotency_key = std::move(key);
  t.workflow_id = "wf-1";
  t.reference = "r-1";
  t.kind = "reservation_refund";
  t.entries = std::move(entries);
  return t;
}

TEST(LedgerValidation, AcceptsBalancedTransaction) {
  EXPECT_TRUE(ValidateTransaction(Txn({E("guest_refund", Direction::kDebit, 500),
                                       E("psp_clearing", Direction::kCredit, 500)}))
                  .ok());
}

TEST(LedgerValidation, RefusesUnbalancedTransaction) {
  Status s = ValidateTransaction(Txn({E("guest_refund", Direction::kDebit, 500),
                                      E("psp_clearing", Direction::kCredit, 499)}));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("unbalanced in EUR: debits 5.00 != credits 4.99"), std::string::npos) << s.message();
}

TEST(LedgerValidation, BalancesPerCurrencyNotAcrossCurrencies) {
  // 500 EUR debit against 500 USD credit adds up numerically but is not balanced.
  EXPECT_FALSE(ValidateTransaction(Txn({E("guest_refund", Direction::kDebit, 500, "EUR"),
                                        E("psp_clearing", Direction::kCredit, 500, "USD")}))
                   .ok());
}

TEST(LedgerValidation, RefusesBadEntries) {
  EXPECT_FALSE(ValidateTransaction(Txn({})).ok());
  EXPECT_FALSE(ValidateTransaction(Txn({E("cash", Direction::kDebit, 5), E("fees", Direction::kCredit, 5)})).ok());
  EXPECT_FALSE(ValidateTransaction(Txn({E("tax", Direction::kDebit, 0), E("fees", Direction::kCredit, 0)})).ok());
  EXPECT_FALSE(ValidateTransaction(Txn({E("tax", Direction::kDebit, -5), E("fees", Direction::kCredit, -5)})).ok());
  EXPECT_FALSE(ValidateTransaction(Txn({E("tax", Direction::kDebit, 5, "XXX"), E("fees", Direction::kCredit, 5, "XXX")})).ok());
  EXPECT_FALSE(ValidateTransaction(Txn({E("tax", Direction::kDebit, 5), E("fees", Direction::kCredit, 5)}, "")).ok());
}

// The worked example of docs/refunds.md section 8 (moderate@2, half window).
Value WorkedBreakdown() {
  auto m = [](int64_t minor) { return Value::Map{{"minor", minor}, {"currency", "EUR"}}; };
  auto line = [&](const char* kind, int64_t paid, int64_t refund) {
    return Value::Map{{"kind", kind}, {"paid", m(paid)}, {"refund", m(refund)}};
  };
  Value b;
  b["currency"] = "EUR";
  b["lines"] = Value::List{line("rental", 50000, 25000),   line("delivery", 10000, 5000),
                           line("discount", -6000, -3000), line("tax", 5400, 2700),
                           line("guest_service_fee", 8100, 0), line("cancellation_fee", 0, -1350),
                           line("voucher_bonus", 0, 0)};
  b["refund_total"] = m(28350);
  b["refund_to_guest"] = m(28350);
  b["host_payout_before"] = m(52380);
  b["payout_to_host"] = m(26865);
  b["settlement"] = Value::Map{{"host_fee", m(810)}};
  return b;
}

int64_t Signed(const std::vector<LedgerEntry>& entries, const std::string& account) {
  int64_t sum = 0;
  for (const LedgerEntry& e : entries) {
    if (e.account == account) sum += e.direction == Direction::kDebit ? e.amount_minor : -e.amount_minor;
  }
  return sum;
}

TEST(RefundEntries, WorkedExampleBalancesAccountByAccount) {
  Result<std::vector<LedgerEntry>> entries = BuildRefundEntries(WorkedBreakdown(), "cash");
  ASSERT_TRUE(entries.ok()) << entries.status().ToString();
  EXPECT_EQ(Signed(*entries, "host_payout_adjustment"), 25515);  // 523.80 - 268.65
  EXPECT_EQ(Signed(*entries, "commission"), 810);                 // 16.20 - 8.10
  EXPECT_EQ(Signed(*entries, "tax"), 2700);
  EXPECT_EQ(Signed(*entries, "fees"), -675);                      // platform keeps its half of the 13.50 fee
  EXPECT_EQ(Signed(*entries, "guest_refund"), 0);                 // opened and settled
  EXPECT_EQ(Signed(*entries, "psp_clearing"), -28350);
  EXPECT_TRUE(ValidateTransaction(Txn(*entries)).ok());
}

// A stay with a cleaning fee (tests/data/refund_policy_cases.yaml,
// marketplace_eur_home_5d_minus_1s): the cleaning fee is the host's, so it is
// part of the subtotal the host's payout and commission come from.
TEST(RefundEntries, CleaningFeeIsPartOfTheHostsSubtotal) {
  auto m = [](int64_t minor) { return Value::Map{{"minor", minor}, {"currency", "EUR"}}; };
  auto line = [&](const char* kind, int64_t paid, int64_t refund) {
    return Value::Map{{"kind", kind}, {"paid", m(paid)}, {"refund", m(refund)}};
  };
  Value b;
  b["currency"] = "EUR";
  b["lines"] = Value::List{line("rental", 48000, 24000),      line("delivery", 0, 0),
                           line("cleaning_fee", 6500, 6500),  line("discount", 0, 0),
                           line("tax", 5450, 3050),           line("guest_service_fee", 7630, 0),
                           line("cancellation_fee", 0, 0),    line("voucher_bonus", 0, 0)};
  b["refund_total"] = m(33550);
  b["refund_to_guest"] = m(33550);
  b["host_payout_before"] = m(52865);  // 545.00 - 3%
  b["payout_to_host"] = m(23280);      // 240.00 - 3%
  b["settlement"] = Value::Map{{"host_fee", m(720)}};
  Result<std::vector<LedgerEntry>> entries = BuildRefundEntries(b, "cash");
  ASSERT_TRUE(entries.ok()) << entries.status().ToString();
  EXPECT_EQ(Signed(*entries, "host_payout_adjustment"), 29585);  // 528.65 - 232.80
  EXPECT_EQ(Signed(*entries, "commission"), 915);                // 16.35 - 7.20
  EXPECT_EQ(Signed(*entries, "tax"), 3050);
  EXPECT_EQ(Signed(*entries, "fees"), 0);                        // the service fee is kept: nothing else moves
  EXPECT_EQ(Signed(*entries, "psp_clearing"), -33550);
  EXPECT_TRUE(ValidateTransaction(Txn(*entries)).ok());
}

TEST(RefundEntries, VoucherGoesToVoucherLiabilityWithBonusAsFee) {
  Value b = WorkedBreakdown();
  Value::List lines = b.Get("lines").AsList();
  lines[6]["refund"]["minor"] = 2835;  // 10% bonus
  b["lines"] = lines;
  b["refund_to_guest"]["minor"] = 31185;
  Result<std::vector<LedgerEntry>> entries = BuildRefundEntries(b, "voucher");
  ASSERT_TRUE(entries.ok()) << entries.status().ToString();
  EXPECT_EQ(Signed(*entries, "voucher_liability"), -31185);
  EXPECT_EQ(Signed(*entries, "psp_clearing"), 0);
  EXPECT_EQ(Signed(*entries, "fees"), -675 + 2835);
  EXPECT_TRUE(ValidateTransaction(Txn(*entries)).ok());
}

TEST(RefundEntries, RefusesInconsistentBreakdown) {
  Value b = WorkedBreakdown();
  b["refund_to_guest"]["minor"] = 28351;
  EXPECT_FALSE(BuildRefundEntries(b, "cash").ok());
  EXPECT_FALSE(BuildRefundEntries(Value(), "cash").ok());
  EXPECT_FALSE(BuildRefundEntries(WorkedBreakdown(), "bitcoin").ok());
}

// post_ledger's breakdown is workflow input: a sum that does not fit in
// int64 is an error, never a wrapped (and then "balanced") transaction.
TEST(RefundEntries, OverflowingBreakdownIsAnErrorNotWraparound) {
  Value b = WorkedBreakdown();
  b["refund_total"]["minor"] = INT64_MAX;
  b["refund_to_guest"]["minor"] = INT64_MAX;
  b["lines"].MutableList()[6]["refund"]["minor"] = 1;  // voucher bonus: refund_total + 1 overflows
  Result<std::vector<LedgerEntry>> bonus = BuildRefundEntries(b, "cash");
  ASSERT_FALSE(bonus.ok());
  EXPECT_NE(bonus.status().message().find("overflow"), std::string::npos) << bonus.status().message();

  b = WorkedBreakdown();
  b["host_payout_before"]["minor"] = INT64_MIN;  // subtotal - host_before overflows
  Result<std::vector<LedgerEntry>> host = BuildRefundEntries(b, "cash");
  ASSERT_FALSE(host.ok());
  EXPECT_NE(host.status().message().find("overflow"), std::string::npos) << host.status().message();

  b = WorkedBreakdown();
  b["lines"].MutableList()[0]["paid"]["minor"] = INT64_MAX;  // rental + delivery overflows
  EXPECT_FALSE(BuildRefundEntries(b, "cash").ok());
}

class RefundStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() /
            ("refund_store_test_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db");
    std::filesystem::remove(path_);
    auto s = ::steadfast::testing::OpenRefundTables(path_.string());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    tables_ = std::move(s).value();
    store_ = tables_.refunds.get();
  }
  void TearDown() override {
    tables_ = {};
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_.string() + suffix);
  }
  std::filesystem::path path_;
  ::steadfast::testing::RefundTables tables_;
  RefundStore* store_ = nullptr;
};

TEST_F(RefundStoreTest, PostingIsIdempotentByKey) {
  LedgerTransaction t = Txn({E("guest_refund", Direction::kDebit, 500), E("psp_clearing", Direction::kCredit, 500)});
  auto first = store_->PostTransaction(t, 1000);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_FALSE(first->replayed);
  auto again = store_->PostTransaction(t, 2000);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->id, first->id);
  EXPECT_EQ(again->posted_ms, 1000);
  EXPECT_EQ(store_->LedgerEntries()->size(), 2u);
  // Same key, other entries: refused, not silently dropped.
  LedgerTransaction other = Txn({E("tax", Direction::kDebit, 7), E("psp_clearing", Direction::kCredit, 7)});
  EXPECT_EQ(store_->PostTransaction(other, 3000).status().code(), StatusCode::kConflict);
}

TEST_F(RefundStoreTest, UnbalancedTransactionWritesNothing) {
  auto r = store_->PostTransaction(Txn({E("guest_refund", Direction::kDebit, 500),
                                        E("psp_clearing", Direction::kCredit, 400)}),
                                   1000);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(store_->LedgerEntries()->empty());
}

TEST_F(RefundStoreTest, LedgerBalanceSumsPerAccount) {
  ASSERT_TRUE(store_->PostTransaction(Txn({E("tax", Direction::kDebit, 300), E("fees", Direction::kDebit, 200),
                                           E("psp_clearing", Direction::kCredit, 500)}, "a/ledger"), 1)
                  .ok());
  ASSERT_TRUE(store_->PostTransaction(Txn({E("tax", Direction::kDebit, 100), E("psp_clearing", Direction::kCredit, 100)},
                                          "b/ledger"), 2)
                  .ok());
  auto b = store_->LedgerBalance();
  ASSERT_TRUE(b.ok());
  auto at = [&](const char* account) { return (*b)[std::make_pair(std::string(account), std::string("EUR"))]; };
  EXPECT_EQ(at("tax"), 400);
  EXPECT_EQ(at("fees"), 200);
  EXPECT_EQ(at("psp_clearing"), -600);
  int64_t total = 0;
  for (const auto& [k, v] : *b) total += v;
  EXPECT_EQ(total, 0);
}

TEST_F(RefundStoreTest, ClaimsHaveOneOwner) {
  EXPECT_EQ(*store_->ClaimRequest("r-1", "cancellation", "wf-a", 1), "wf-a");
  EXPECT_EQ(*store_->ClaimRequest("r-1", "cancellation", "wf-b", 2), "wf-a");
  EXPECT_EQ(*store_->ClaimRequest("r-1", "cancellation", "wf-a", 3), "wf-a");
  EXPECT_EQ(*store_->ClaimRequest("r-1", "return", "wf-b", 4), "wf-b");
}

TEST_F(RefundStoreTest, VelocityCountsRecentActiveRefundsOfOthers) {
  auto rec = [](std::string key, std::string wf, std::string status, TimeMs at) {
    RefundRecord r;
    r.idempotency_key = std::move(key);
    r.workflow_id = std::move(wf);
    r.reservation_id = "r";
    r.customer_id = "c-1";
    r.payment_method = "pm_1";
    r.status = std::move(status);
    r.amount_minor = 100;
    r.currency = "EUR";
    r.created_ms = r.updated_ms = at;
    return r;
  };
  ASSERT_TRUE(store_->UpsertRefund(rec("a/psp", "a", "succeeded", 1000)).ok());
  ASSERT_TRUE(store_->UpsertRefund(rec("b/psp", "b", "pending", 5000)).ok());
  ASSERT_TRUE(store_->UpsertRefund(rec("c/psp", "c", "failed", 5000)).ok());
  ASSERT_TRUE(store_->UpsertRefund(rec("d/psp", "d", "succeeded", 5000)).ok());
  EXPECT_EQ(*store_->CountRecentRefunds("customer_id", "c-1", 2000, "d"), 1);  // b only
  EXPECT_EQ(*store_->CountRecentRefunds("payment_method", "pm_1", 0, "x"), 3);  // a, b, d
  // An update keeps the row's identity and creation time.
  ASSERT_TRUE(store_->UpsertRefund(rec("b/psp", "b", "succeeded", 9000)).ok());
  EXPECT_EQ(*store_->CountRecentRefunds("customer_id", "c-1", 2000, "d"), 1);
  EXPECT_FALSE(store_->CountRecentRefunds("email", "x", 0, "").ok());
}

}  // namespace
}  // namespace steadfast::refund
