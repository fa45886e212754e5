// Reconciliation on hand-built inputs: every drift kind, what is not drift,
// --since scoping, and the repair plans (balanced, audited, idempotent).
#include "refund/deposit_posting.h"
#include "refund/reconciliation.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

#include "refund/refund_store.h"
#include "refund_tables.h"

namespace steadfast::refund {
namespace {

// Every fact below is made at 1000 ms; the run is one settle margin later,
// so by default everything is at rest and compared.
constexpr TimeMs kFactsAt = 1000;
constexpr TimeMs kNow = kFactsAt + kDefaultSettleMarginMs;


PspRefundFact Psp(const std::string& id, const std::string& workflow, int64_t minor, const std::string& currency = "EUR",
                  const std::string& charge = "", const std::string& status = "succeeded") {
  PspRefundFact f;
  f.id = id;
  f.workflow_id = workflow;
  f.reservation_id = workflow.empty() ? "" : "r-" + workflow;
  f.charge = charge.empty() ? "ch_" + (workflow.empty() ? id : workflow) : charge;
  f.status = status;
  f.amount_minor = minor;
  f.currency = currency;
  f.created_ms = kFactsAt;
  return f;
}

// A workflow's ledger posting: guest refund paid out through the PSP.
LedgerFact Posting(int64_t id, const std::string& workflow, int64_t minor, const std::string& currency = "EUR") {
  StoredTransaction t;
  t.posted.id = id;
  t.posted.posted_ms = kFactsAt;
  t.posted.txn.workflow_id = workflow;
  t.posted.txn.reference = "r-" + workflow;
  t.posted.txn.entries = {LedgerEntry{"host_payout_adjustment", Direction::kDebit, minor, currency, ""},
                          LedgerEntry{"psp_clearing", Direction::kCredit, minor, currency, ""}};
  return LedgerFactOf(t).value();
}

WorkflowFact Completed(const std::string& id, bool psp_ok, bool ledger_ok, Value breakdown = Value()) {
  WorkflowFact w;
  w.id = id;
  w.workflow_name = "reservation_refund";
  w.phase = WorkflowPhase::kCompleted;
  w.status = "completed";
  w.finished_ms = kFactsAt;
  w.reservation_id = "r-" + id;
  w.psp_refund_succeeded = psp_ok;
  w.ledger_step_succeeded = ledger_ok;
  w.breakdown = std::move(breakdown);
  w.created_ms = kFactsAt;
  return w;
}

ReconciliationReport Compare(const ReconciliationInput& in) {
  Result<ReconciliationReport> r = Reconcile(in);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : ReconciliationReport{};
}

std::vector<DriftKind> Kinds(const ReconciliationReport& r) {
  std::vector<DriftKind> out;
  for (const Drift& d : r.drifts) out.push_back(d.kind);
  return out;
}

// Everything agrees: three workflows, three refunds, three postings.
ReconciliationInput Clean() {
  ReconciliationInput in;
  in.now_ms = kNow;
  for (const char* wf : {"wf-1", "wf-2", "wf-3"}) {
    in.psp_refunds.push_back(Psp(std::string("re_") + wf, wf, 27000));
    in.ledger.push_back(Posting(static_cast<int64_t>(in.ledger.size()) + 1, wf, 27000));
    in.workflows.push_back(Completed(wf, true, true));
  }
  return in;
}

TEST(Reconcile, AgreeingSourcesAreClean) {
  ReconciliationReport r = Compare(Clean());
  EXPECT_TRUE(r.clean()) << (r.clean() ? "" : DriftToValue(r.drifts.front()).ToJson());
  EXPECT_EQ(r.psp_refunds, 3);
  EXPECT_EQ(r.ledger_transactions, 3);
  EXPECT_EQ(r.workflows, 3);
}

// A claim settlement that returns a security deposit refunds twice (the
// booking's charge, the deposit's) and books each once: not a duplicate.
// A second deposit-return posting still is one.
TEST(Reconcile, ADepositsReturnIsARefundOfItsOwnNotADuplicatePosting) {
  ReconciliationInput in = Clean();
  in.psp_refunds.push_back(Psp("re_dep", "wf-1", 10000, "EUR", "ch_dep"));
  in.psp_refunds.back().deposit_return = true;
  LedgerFact deposit = Posting(10, "wf-1", 10000);
  deposit.kind = kDepositReturnLedgerKind;
  in.ledger.push_back(deposit);
  ReconciliationReport r = Compare(in);
  EXPECT_TRUE(r.clean()) << (r.clean() ? "" : DriftToValue(r.drifts.front()).ToJson());
  in.psp_refunds.back().deposit_return = false;  // unmarked: a second refund of the workflow
  EXPECT_EQ(Kinds(Compare(in)), std::vector<DriftKind>{DriftKind::kDuplicatePspRefund});
  in.psp_refunds.back().deposit_return = true;
  LedgerFact twice = deposit;
  twice.transaction_id = 11;
  in.ledger.push_back(twice);
  EXPECT_EQ(Kinds(Compare(in)), std::vector<DriftKind>{DriftKind::kDuplicateLedgerPosting});
}

TEST(Reconcile, FailedPspRefundsAndWorkflowsThatMovedNoMoneyAreNotDrift) {
  ReconciliationInput in = Clean();
  in.psp_refunds.push_back(Psp("re_failed", "wf-9", 5000, "EUR", "", "failed"));
  in.workflows.push_back(Completed("wf-ineligible", false, false));
  // A voucher refund: ledger entries, no cash through the PSP.
  StoredTransaction voucher;
  voucher.posted.id = 50;
  voucher.posted.txn.workflow_id = "wf-voucher";
  voucher.posted.txn.entries = {LedgerEntry{"fees", Direction::kDebit, 100, "EUR", ""},
                                LedgerEntry{"voucher_liability", Direction::kCredit, 100, "EUR", ""}};
  in.ledger.push_back(LedgerFactOf(voucher).value());
  in.workflows.push_back(Completed("wf-voucher", false, true));
  EXPECT_TRUE(Compare(in).clean());
}

TEST(Reconcile, RefundAtThePspWithoutLedgerEntry) {
  ReconciliationInput in = Clean();
  in.psp_refunds.push_back(Psp("re_direct", "", 1500, "JPY", "ch_other"));
  ReconciliationReport r = Compare(in);
  ASSERT_EQ(Kinds(r), std::vector<DriftKind>{DriftKind::kPspNotInLedger});
  const Drift& d = r.drifts[0];
  EXPECT_EQ(d.subject, "psp:re_direct");
  EXPECT_EQ(d.charge, "ch_other");
  EXPECT_EQ(d.psp_amount, (Amounts{{"JPY", 1500}}));
  EXPECT_TRUE(d.ledger_amount.empty());
  EXPECT_TRUE(d.repairable);
}

TEST(Reconcile, LedgerEntryWithoutPspRefund) {
  ReconciliationInput in = Clean();
  in.psp_refunds.erase(in.psp_refunds.begin() + 1);  // wf-2's refund is gone at the PSP
  ReconciliationReport r = Compare(in);
  ASSERT_EQ(Kinds(r), std::vector<DriftKind>{DriftKind::kLedgerNotInPsp});
  EXPECT_EQ(r.drifts[0].workflow_id, "wf-2");
  EXPECT_EQ(r.drifts[0].ledger_amount, (Amounts{{"EUR", 27000}}));
  EXPECT_EQ(r.drifts[0].ledger_transaction_ids, std::vector<int64_t>{2});
}

TEST(Reconcile, AmountAndCurrencyMismatch) {
  ReconciliationInput in = Clean();
  in.ledger[0] = Posting(1, "wf-1", 26999);
  in.ledger[2] = Posting(3, "wf-3", 27000, "USD");
  ReconciliationReport r = Compare(in);
  ASSERT_EQ(Kinds(r), (std::vector<DriftKind>{DriftKind::kAmountMismatch, DriftKind::kAmountMismatch}));
  EXPECT_EQ(r.drifts[0].subject, "wf-1");
  EXPECT_EQ(r.drifts[0].psp_amount, (Amounts{{"EUR", 27000}}));
  EXPECT_EQ(r.drifts[0].ledger_amount, (Amounts{{"EUR", 26999}}));
  EXPECT_EQ(r.drifts[1].subject, "wf-3");
  EXPECT_EQ(r.drifts[1].ledger_amount, (Amounts{{"USD", 27000}}));
  EXPECT_NE(r.drifts[0].detail.find("270.00 EUR"), std::string::npos) << r.drifts[0].detail;
}

TEST(Reconcile, TwoPspRefundsForOneChargeNeedAPerson) {
  ReconciliationInput in = Clean();
  // A second refund of wf-1's charge made outside Steadfast.
  in.psp_refunds.push_back(Psp("re_second", "", 27000, "EUR", "ch_wf-1"));
  ReconciliationReport r = Compare(in);
  ASSERT_EQ(Kinds(r), (std::vector<DriftKind>{DriftKind::kPspNotInLedger, DriftKind::kDuplicatePspRefund}));
  const Drift& dup = r.drifts[1];
  EXPECT_EQ(dup.subject, "charge:ch_wf-1");
  EXPECT_EQ(dup.psp_refund_ids.size(), 2u);
  EXPECT_EQ(dup.psp_amount, (Amounts{{"EUR", 54000}}));
  EXPECT_FALSE(dup.repairable);
  EXPECT_EQ(PlanRepair(dup, {}, "cli:test", 5).status().code(), StatusCode::kFailedPrecondition);
}

TEST(Reconcile, TwoPspRefundsForOneWorkflowAreReportedOnce) {
  ReconciliationInput in = Clean();
  in.psp_refunds.push_back(Psp("re_again", "wf-2", 27000));  // same workflow, charge and reservation
  ReconciliationReport r = Compare(in);
  ASSERT_EQ(Kinds(r), (std::vector<DriftKind>{DriftKind::kAmountMismatch, DriftKind::kDuplicatePspRefund}));
  EXPECT_EQ(r.drifts[1].subject, "charge:ch_wf-2");
}

TEST(Reconcile, TwoLedgerPostingsForOneRefund) {
  ReconciliationInput in = Clean();
  in.ledger.push_back(Posting(9, "wf-3", 27000));
  ReconciliationReport r = Compare(in);
  ASSERT_EQ(Kinds(r), std::vector<DriftKind>{DriftKind::kDuplicateLedgerPosting});
  EXPECT_EQ(r.drifts[0].ledger_transaction_ids, std::vector<int64_t>{9});
  EXPECT_TRUE(r.drifts[0].repairable);
}

TEST(Reconcile, CompletedWorkflowWithoutLedgerEntry) {
  ReconciliationInput in = Clean();
  in.ledger.erase(in.ledger.begin());  // wf-1's posting deleted
  ReconciliationReport r = Compare(in);
  ASSERT_EQ(Kinds(r), std::vector<DriftKind>{DriftKind::kWorkflowWithoutLedger});
  EXPECT_EQ(r.drifts[0].workflow_id, "wf-1");
  EXPECT_EQ(r.drifts[0].psp_amount, (Amounts{{"EUR", 27000}}));
  EXPECT_TRUE(r.drifts[0].repairable);
}

TEST(Reconcile, SinceLimitsTheSubjects) {
  ReconciliationInput in = Clean();
  in.psp_refunds.push_back(Psp("re_old", "", 100));
  in.psp_refunds.back().created_ms = 10;
  in.since_ms = 500;
  EXPECT_TRUE(Compare(in).clean());
  in.since_ms = 0;
  EXPECT_FALSE(Compare(in).clean());
}

// A workflow between its PSP step and its ledger step: the refund is at the
// PSP, the posting is still to come. That is not drift, and repairing it
// into suspense would book the refund twice once the workflow posts.
TEST(Reconcile, InFlightWorkflowIsPendingNotCompared) {
  ReconciliationInput in = Clean();
  WorkflowFact running;
  running.id = "wf-4";
  running.workflow_name = "reservation_refund";
  running.status = "running";
  running.created_ms = kFactsAt;
  in.workflows.push_back(running);
  in.psp_refunds.push_back(Psp("re_wf4", "wf-4", 27000));
  ReconciliationReport r = Compare(in);
  EXPECT_TRUE(r.clean()) << DriftToValue(r.drifts.at(0)).ToJson();
  ASSERT_EQ(r.pending.size(), 1u);
  EXPECT_EQ(r.pending[0].subject, "wf-4");
  EXPECT_EQ(r.pending[0].status, "running");
  EXPECT_EQ(r.pending[0].psp_refund_ids, std::vector<std::string>{"re_wf4"});
  EXPECT_EQ(r.pending[0].psp_amount, (Amounts{{"EUR", 27000}}));
  EXPECT_NE(r.pending[0].detail.find("is running"), std::string::npos) << r.pending[0].detail;
  EXPECT_EQ(r.psp_refunds, 3);  // compared: only the three at rest
  EXPECT_EQ(r.workflows, 3);

  // It posts and completes: compared like any other, and clean.
  in.ledger.push_back(Posting(4, "wf-4", 27000));
  in.workflows.back() = Completed("wf-4", true, true);
  r = Compare(in);
  EXPECT_TRUE(r.clean());
  EXPECT_TRUE(r.pending.empty());
  EXPECT_EQ(r.workflows, 4);
}

TEST(Reconcile, InFlightWorkflowThatMovedNoMoneyIsNotListed) {
  ReconciliationInput in = Clean();
  WorkflowFact waiting;
  waiting.id = "wf-held";
  waiting.status = "waiting_approval";
  in.workflows.push_back(waiting);
  ReconciliationReport r = Compare(in);
  EXPECT_TRUE(r.clean());
  EXPECT_TRUE(r.pending.empty());
}

// The settle margin, on an injected clock: a subject is compared only once
// its workflow finished, and its PSP refunds were created, that long ago.
TEST(Reconcile, OnlySubjectsPastTheSettleMarginAreCompared) {
  ReconciliationInput in = Clean();
  in.ledger.erase(in.ledger.begin());  // wf-1 completed without posting
  in.workflows[0].finished_ms = kNow - kDefaultSettleMarginMs + 1;
  in.psp_refunds.push_back(Psp("re_direct", "", 4000, "EUR", "ch_x"));
  in.psp_refunds.back().created_ms = kNow - 60'000;  // a minute ago
  ReconciliationReport r = Compare(in);
  EXPECT_TRUE(r.clean()) << DriftToValue(r.drifts.at(0)).ToJson();
  ASSERT_EQ(r.pending.size(), 2u);
  EXPECT_EQ(r.pending[0].subject, "psp:re_direct");
  EXPECT_NE(r.pending[0].detail.find("settle margin (15m)"), std::string::npos) << r.pending[0].detail;
  EXPECT_EQ(r.pending[1].subject, "wf-1");

  // One settle margin later both are at rest and both are drift.
  in.now_ms = kNow + kDefaultSettleMarginMs;
  r = Compare(in);
  EXPECT_TRUE(r.pending.empty());
  EXPECT_EQ(Kinds(r), (std::vector<DriftKind>{DriftKind::kPspNotInLedger, DriftKind::kWorkflowWithoutLedger}));

  // The margin is configurable; 0 compares everything that is finished.
  in.now_ms = kNow;
  in.settle_margin_ms = 0;
  EXPECT_EQ(Compare(in).drifts.size(), 2u);
}

// A workflow that compensated after its PSP step is expected to have no
// posting: the money that left shows as a PSP refund without ledger entry.
TEST(Reconcile, WorkflowThatEndedOtherwiseIsComparedButNotExpectedToPost) {
  ReconciliationInput in = Clean();
  WorkflowFact ended = Completed("wf-4", true, false);
  ended.phase = WorkflowPhase::kEnded;
  ended.status = "compensated";
  in.workflows.push_back(ended);
  in.psp_refunds.push_back(Psp("re_wf4", "wf-4", 1500));
  ReconciliationReport r = Compare(in);
  ASSERT_EQ(Kinds(r), std::vector<DriftKind>{DriftKind::kPspNotInLedger});
  EXPECT_EQ(r.drifts[0].workflow_id, "wf-4");
}

TEST(Reconcile, SumsThatOverflowAreAnErrorNotWraparound) {
  ReconciliationInput in = Clean();
  in.psp_refunds.push_back(Psp("re_big1", "wf-9", INT64_MAX));
  in.psp_refunds.push_back(Psp("re_big2", "wf-9", 1));
  Result<ReconciliationReport> r = Reconcile(in);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("overflow"), std::string::npos) << r.status().message();
}

// Repairs are posted into a real store: balanced, audited, and a second
// reconciliation after them is clean; posting the same plan again replays.
class RepairTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "/reconcile_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db";
    std::filesystem::remove(path_);
    auto tables = ::steadfast::testing::OpenRefundTables(path_);
    ASSERT_TRUE(tables.ok()) << tables.status().ToString();
    tables_ = std::move(tables).value();
    store_ = tables_.refunds.get();
  }
  void TearDown() override {
    tables_ = {};
    std::filesystem::remove(path_);
    std::filesystem::remove(path_ + "-wal");
    std::filesystem::remove(path_ + "-shm");
  }
  // Repairs every repairable drift; returns the ledger facts afterwards.
  std::vector<LedgerFact> RepairAll(const ReconciliationInput& in, int* posted_new) {
    for (const Drift& d : Compare(in).drifts) {
      if (!d.repairable) continue;
      auto plans = PlanRepair(d, in.ledger, "cli:tester", 77);
      EXPECT_TRUE(plans.ok()) << plans.status().ToString();
      for (const RepairPlan& p : *plans) {
        auto posted = store_->PostTransaction(p.txn, 77, &p.audit);
        EXPECT_TRUE(posted.ok()) << posted.status().ToString();
        if (posted.ok() && !posted->replayed) ++*posted_new;
      }
    }
    std::vector<LedgerFact> out;
    const std::vector<StoredTransaction> stored = store_->LedgerTransactions().value();
    for (const StoredTransaction& t : stored) out.push_back(LedgerFactOf(t).value());
    return out;
  }
  // Posts the input's ledger into the store so repairs can be checked there.
  void Load(ReconciliationInput& in) {
    for (size_t i = 0; i < in.ledger.size(); ++i) {
      LedgerFact& l = in.ledger[i];
      LedgerTransaction t;
      t.idempotency_key = "k" + std::to_string(i);
      t.workflow_id = l.workflow_id;
      t.reference = l.reference;
      t.kind = "reservation_refund";
      t.entries = l.entries;
      l.transaction_id = store_->PostTransaction(t, 1000)->id;
    }
  }
  std::string path_;
  ::steadfast::testing::RefundTables tables_;
  RefundStore* store_ = nullptr;
};

TEST_F(RepairTest, RepairsEveryRepairableKindOnceAndLeavesOnlyDuplicatesAtThePsp) {
  ReconciliationInput in = Clean();
  in.ledger.push_back(Posting(0, "wf-3", 27000));             // duplicate posting
  in.ledger[0] = Posting(0, "wf-1", 26999);                   // amount mismatch
  in.psp_refunds.erase(in.psp_refunds.begin() + 1);           // wf-2: ledger without PSP refund
  in.psp_refunds.push_back(Psp("re_direct", "", 4200, "KWD", "ch_x"));  // PSP without ledger
  in.psp_refunds.push_back(Psp("re_second", "", 27000, "EUR", "ch_wf-3"));  // duplicate money movement
  in.psp_refunds.push_back(Psp("re_wf4", "wf-4", 1500, "JPY"));
  in.workflows.push_back(Completed("wf-4", true, true));  // its posting is gone
  Load(in);
  ReconciliationReport before = Compare(in);
  EXPECT_EQ(before.drifts.size(), 7u);

  int posted = 0;
  in.ledger = RepairAll(in, &posted);
  EXPECT_EQ(posted, 6);  // psp_not_in_ledger x2, ledger_not_in_psp, amount_mismatch, duplicate posting, workflow
  ReconciliationReport after = Compare(in);
  std::string left;
  for (const Drift& d : after.drifts) left += DriftToValue(d).ToJson() + "\n";
  ASSERT_EQ(Kinds(after), std::vector<DriftKind>{DriftKind::kDuplicatePspRefund}) << left;

  // Every repair is balanced (the store refuses anything else) and audited.
  int audited = 0;
  const std::vector<StoredTransaction> stored = store_->LedgerTransactions().value();
  for (const StoredTransaction& t : stored) {
    if (!t.audit) continue;
    ++audited;
    EXPECT_EQ(t.audit->actor, "cli:tester");
    EXPECT_EQ(t.audit->at_ms, 77);
    EXPECT_FALSE(t.audit->reason.empty());
    EXPECT_EQ(t.posted.txn.kind, "reconciliation_repair");
  }
  EXPECT_EQ(audited, 6);
  auto balance = *store_->LedgerBalance();
  EXPECT_EQ((balance[{"reconciliation_suspense", "KWD"}]), 4200);

  // Repairing again posts nothing new.
  posted = 0;
  in.ledger = RepairAll(in, &posted);
  EXPECT_EQ(posted, 0);
}

TEST_F(RepairTest, NothingPendingIsRepaired) {
  ReconciliationInput in = Clean();
  WorkflowFact running;
  running.id = "wf-4";
  running.status = "running";
  in.workflows.push_back(running);
  in.psp_refunds.push_back(Psp("re_wf4", "wf-4", 27000));
  in.psp_refunds.push_back(Psp("re_new", "", 500, "EUR", "ch_new"));
  in.psp_refunds.back().created_ms = kNow;  // just made at the PSP
  Load(in);
  int posted = 0;
  RepairAll(in, &posted);
  EXPECT_EQ(posted, 0);
  EXPECT_EQ(Compare(in).pending.size(), 2u);
}

TEST_F(RepairTest, PlansReplayWhenPostedTwice) {
  ReconciliationInput in = Clean();
  in.psp_refunds.push_back(Psp("re_direct", "", 4200, "EUR", "ch_x"));
  Load(in);
  Drift d = Compare(in).drifts.at(0);
  auto a = PlanRepair(d, in.ledger, "cli:a", 1);
  auto b = PlanRepair(d, in.ledger, "cli:b", 2);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->at(0).txn.idempotency_key, b->at(0).txn.idempotency_key);
  EXPECT_FALSE(store_->PostTransaction(a->at(0).txn, 1, &a->at(0).audit)->replayed);
  EXPECT_TRUE(store_->PostTransaction(b->at(0).txn, 2, &b->at(0).audit)->replayed);
}

// Each run's outcome is kept for /metrics; the latest run is the one shown.
TEST_F(RepairTest, RunsAreRecordedAndTheLatestIsRead) {
  auto none = store_->LastReconciliationRun();
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_FALSE(none->has_value());

  ReconciliationRun first;
  first.run_at = 1000;
  first.actor = "cli:tester";
  first.drifts_by_kind = {{"psp_not_in_ledger", 2}, {"duplicate_psp_refund", 1}};
  first.amount_minor_by_currency = {{"EUR", 54000}, {"JPY", 1200}};
  ASSERT_TRUE(store_->RecordReconciliationRun(first).ok());
  ReconciliationRun second;
  second.run_at = 2000;
  second.actor = "cli:tester";
  second.repaired = 2;
  second.drifts_by_kind = {{"duplicate_psp_refund", 1}};
  second.amount_minor_by_currency = {{"EUR", 27000}};
  ASSERT_TRUE(store_->RecordReconciliationRun(second).ok());

  auto last = store_->LastReconciliationRun();
  ASSERT_TRUE(last.ok() && last->has_value());
  EXPECT_EQ((*last)->run_at, 2000);
  EXPECT_EQ((*last)->repaired, 2);
  EXPECT_EQ((*last)->drifts_by_kind, second.drifts_by_kind);
  EXPECT_EQ((*last)->amount_minor_by_currency, second.amount_minor_by_currency);
}

}  // namespace
}  // namespace steadfast::refund
