// Settlement: the CancellationDetails snapshot of a breakdown (the worked
// example of docs/refunds.md §8: the guest service fee reported once), the
// transactions a settlement plans, their lifecycle, and the store on real
// tables: refund.record_settlement's checkpoint writes and their replay,
// the PSP steps' outcomes, an admin's audited, idempotent execution.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <set>

#include "refund/activities.h"
#include "refund/breakdown.h"
#include "refund/executed_refund_posting.h"
#include "refund/quote.h"
#include "refund/settlement.h"
#include "refund/settlement_reconciliation.h"
#include "refund/settlement_store.h"
#include "refund_tables.h"
#include "steadfast/testing.h"

namespace steadfast::refund {
namespace {

const std::string kSource = STEADFAST_SOURCE_ROOT;

// docs/refunds.md §2's reservation: rental 500.00, delivery 100.00, discount
// 60.00, tax 54.00, service fee 81.00 EUR; paid 675.00.
constexpr const char* kReservation =
    R"({"id": "r-1001", "currency": "EUR", "start_at": "2026-06-15T15:00:00+02:00",
        "lines": {"rental": 50000, "delivery": 10000, "discount": 6000, "tax": 5400, "service_fee": 8100},
        "units_total": 5, "policy": "moderate@2"})";

Value Breakdown(const std::string& cancel_at) {
  QuoteRequest req;
  req.policies_path = kSource + "/config/refund_policies.yaml";
  req.reservation = kReservation;
  req.cancel_at = cancel_at;
  ManualClock clock(0);
  Result<RefundBreakdown> b = ComputeQuote(req, clock);
  EXPECT_TRUE(b.ok()) << b.status().ToString();
  return b.ok() ? BreakdownToValue(*b) : Value();
}

TEST(CancellationDetails, HalfWindowOfTheWorkedExample) {
  // §8, moderate@2 window half: refund 283.50, host 268.65 (270.00 - 8.10 +
  // 6.75), host fee 8.10; the service fee is not refundable in this window.
  auto d = CancellationDetailsFromBreakdown(Breakdown("2026-06-12T12:00:00+02:00"));
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->reservation_id, "r-1001");
  EXPECT_EQ(d->currency, "EUR");
  EXPECT_EQ(d->refund_to_guest, 28350);
  EXPECT_EQ(d->refund_total, 28350);
  EXPECT_EQ(d->payout_to_host, 26865);
  EXPECT_EQ(d->total, 67500);
  EXPECT_EQ(d->guest_service_fee, 0);
  EXPECT_EQ(d->host_service_fee, 810);
  EXPECT_EQ(d->refund_method, "cash");
  EXPECT_EQ(d->policy, "moderate@2");
}

TEST(CancellationDetails, FullWindowReportsTheGuestServiceFeeOnceInsideTheTotal) {
  // §8: 7 days or more ahead, everything back: 675.00, of which the 81.00
  // service fee is one line, reported on its own and not added again
  // (675.00, not 756.00); the host gets nothing, so pays no fee.
  auto d = CancellationDetailsFromBreakdown(Breakdown("2026-06-01T12:00:00+02:00"));
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->refund_to_guest, 67500);
  EXPECT_EQ(d->total, 67500);
  EXPECT_EQ(d->guest_service_fee, 8100);
  EXPECT_EQ(d->payout_to_host, 0);
  EXPECT_EQ(d->host_service_fee, 0);
}

TEST(CancellationDetails, ABreakdownCountingTheFeeTwiceIsRefused) {
  Value b = Breakdown("2026-06-01T12:00:00+02:00");
  b["refund_to_guest"] = MoneyToValue(Money{67500 + 8100, "EUR"});  // the fee added on top of the lines
  auto d = CancellationDetailsFromBreakdown(b);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(d.status().message().find("counted exactly once"), std::string::npos) << d.status().message();

  Value mixed = Breakdown("2026-06-01T12:00:00+02:00");
  mixed["payout_to_host"] = MoneyToValue(Money{0, "USD"});
  EXPECT_EQ(CancellationDetailsFromBreakdown(mixed).status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(CancellationDetailsFromBreakdown(Value("not a breakdown")).ok());
}

SettlementPlanInput Plan() {
  SettlementPlanInput in;
  in.reservation_id = "r-1001";
  in.workflow_id = "wf-1";
  in.charge = "ch_1";
  in.destination = "acct_h1";
  in.refund_psp_key = "wf-1/psp";
  in.payout_psp_key = "wf-1/payout";
  in.now_ms = 1000;
  return in;
}

TEST(SettlementPlan, BookingCompletedRefundAndPayoutPendingKeyedByReservationKindInstance) {
  auto d = CancellationDetailsFromBreakdown(Breakdown("2026-06-12T12:00:00+02:00"));
  ASSERT_TRUE(d.ok());
  auto txns = PlanSettlementTransactions(*d, Plan());
  ASSERT_TRUE(txns.ok()) << txns.status().ToString();
  ASSERT_EQ(txns->size(), 3u);
  const SettlementTransaction& booking = (*txns)[0];
  const SettlementTransaction& refund = (*txns)[1];
  const SettlementTransaction& payout = (*txns)[2];
  EXPECT_EQ(booking.kind, TransactionKind::kBooking);
  EXPECT_EQ(booking.status, TransactionStatus::kCompleted);
  EXPECT_EQ(booking.amount, (Money{67500, "EUR"}));
  EXPECT_EQ(booking.provider_id, "ch_1");
  EXPECT_EQ(booking.idempotency_key, "r-1001/booking/wf-1");
  EXPECT_EQ(refund.kind, TransactionKind::kGuestRefund);
  EXPECT_EQ(refund.status, TransactionStatus::kPending);
  EXPECT_EQ(refund.amount, (Money{28350, "EUR"}));
  EXPECT_EQ(refund.psp_idempotency_key, "wf-1/psp");
  EXPECT_EQ(refund.idempotency_key, "r-1001/guestrefund/wf-1");
  EXPECT_EQ(payout.kind, TransactionKind::kHostPayout);
  EXPECT_EQ(payout.amount, (Money{26865, "EUR"}));
  EXPECT_EQ(payout.destination, "acct_h1");
  EXPECT_EQ(payout.psp_idempotency_key, "wf-1/payout");
  EXPECT_EQ(payout.id, TransactionIdFor("r-1001/hostpayout/wf-1"));
  EXPECT_EQ(payout.id.size(), 20u);
  EXPECT_NE(payout.id, refund.id);

  SettlementPlanInput other = Plan();
  other.instance = "claim-2";
  auto again = PlanSettlementTransactions(*d, other);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)[2].idempotency_key, "r-1001/hostpayout/claim-2");
}

TEST(SettlementPlan, VoucherRefundsMoveNoCashAndThePayoutNeedsTheHostsAccount) {
  auto d = CancellationDetailsFromBreakdown(Breakdown("2026-06-12T12:00:00+02:00"));
  ASSERT_TRUE(d.ok());
  CancellationDetails voucher = *d;
  voucher.refund_method = "voucher";
  auto txns = PlanSettlementTransactions(voucher, Plan());
  ASSERT_TRUE(txns.ok());
  ASSERT_EQ(txns->size(), 2u);
  EXPECT_EQ((*txns)[1].kind, TransactionKind::kHostPayout);

  SettlementPlanInput no_host = Plan();
  no_host.destination.clear();
  EXPECT_EQ(PlanSettlementTransactions(*d, no_host).status().code(), StatusCode::kInvalidArgument);
  SettlementPlanInput no_charge = Plan();
  no_charge.charge.clear();
  EXPECT_EQ(PlanSettlementTransactions(*d, no_charge).status().code(), StatusCode::kInvalidArgument);
}

TEST(SettlementLifecycle, PendingEndsCompletedOrFailedAndOnlyAFailedOneIsExecutedAgain) {
  using S = TransactionStatus;
  EXPECT_TRUE(AllowedTransition(S::kPending, S::kCompleted));
  EXPECT_TRUE(AllowedTransition(S::kPending, S::kFailed));
  EXPECT_TRUE(AllowedTransition(S::kFailed, S::kPending));
  EXPECT_FALSE(AllowedTransition(S::kFailed, S::kCompleted));
  EXPECT_FALSE(AllowedTransition(S::kCompleted, S::kPending));
  EXPECT_FALSE(AllowedTransition(S::kCompleted, S::kFailed));
  EXPECT_FALSE(AllowedTransition(S::kPending, S::kPending));
  for (const char* name : {"booking", "guestrefund", "hostpayout"}) {
    EXPECT_EQ(TransactionKindName(*ParseTransactionKind(name)), name);
  }
  for (const char* name : {"pending", "completed", "failed"}) {
    EXPECT_EQ(TransactionStatusName(*ParseTransactionStatus(name)), name);
  }
  EXPECT_FALSE(ParseTransactionKind("claimpayout"));
}

TEST(SettlementOutcome, WhatAPspStepsResultMeansForItsTransaction) {
  Value refunded = Value::Map{{"refund_id", "re_1"}, {"status", "succeeded"}};
  auto done = PspOutcomeOf(TransactionKind::kGuestRefund, ActivityResult(refunded), "wf-1/psp", 5);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->status, TransactionStatus::kCompleted);
  EXPECT_EQ(done->provider_id, "re_1");

  Value provisional = Value::Map{{"refund_id", "re_2"}, {"status", "pending"}};
  auto pending = PspOutcomeOf(TransactionKind::kGuestRefund, ActivityResult(provisional), "wf-1/psp", 5);
  ASSERT_TRUE(pending);
  EXPECT_EQ(pending->status, TransactionStatus::kPending);

  ActivityError refused = ActivityError::NonRetryable("refund_failed", "declined at settlement");
  refused.details["refund_id"] = "re_3";
  auto failed = PspOutcomeOf(TransactionKind::kGuestRefund, ActivityResult(refused), "wf-1/psp", 5);
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->status, TransactionStatus::kFailed);
  EXPECT_EQ(failed->failure_code, "refund_failed");
  EXPECT_EQ(failed->provider_id, "re_3");

  // Retryable, or non-retryable after which money may have moved: nothing.
  EXPECT_FALSE(PspOutcomeOf(TransactionKind::kGuestRefund,
                            ActivityResult(ActivityError::Retryable("psp_timeout", "")), "wf-1/psp", 5));
  EXPECT_FALSE(PspOutcomeOf(TransactionKind::kHostPayout,
                            ActivityResult(ActivityError::NonRetryable("psp_amount_mismatch", "")), "k", 5));

  Value recorded = Value::Map{{"paid", false}, {"transfer_id", Value()},
                              {"error", Value::Map{{"code", "account_closed"}, {"message", "closed"}}}};
  auto payout = PspOutcomeOf(TransactionKind::kHostPayout, ActivityResult(recorded), "wf-1/payout", 5);
  ASSERT_TRUE(payout);
  EXPECT_EQ(payout->status, TransactionStatus::kFailed);
  EXPECT_EQ(payout->failure_code, "account_closed");
  auto paid = PspOutcomeOf(TransactionKind::kHostPayout,
                           ActivityResult(Value(Value::Map{{"transfer_id", "tr_1"}, {"paid", true}})), "k", 5);
  ASSERT_TRUE(paid);
  EXPECT_EQ(paid->status, TransactionStatus::kCompleted);
  EXPECT_EQ(paid->provider_id, "tr_1");
}

SettlementTransaction Txn(TransactionKind kind, TransactionStatus status, const std::string& provider_id) {
  SettlementTransaction t;
  t.id = std::string("stx_") + std::string(TransactionKindName(kind)) + "_" + provider_id;
  t.reservation_id = "r-1";
  t.workflow_id = "wf-1";
  t.kind = kind;
  t.status = status;
  t.amount = Money{5000, "EUR"};
  t.provider_id = provider_id;
  t.updated_ms = 1000;
  return t;
}

PspRefundFact Refund(const std::string& id, const std::string& status, const std::string& workflow = "wf-1") {
  PspRefundFact r;
  r.id = id;
  r.status = status;
  r.workflow_id = workflow;
  r.reservation_id = "r-1";
  r.amount_minor = 5000;
  r.currency = "EUR";
  r.created_ms = 1000;
  return r;
}

TEST(SettlementReconciliation, CompletedUnknownOrFailedAtThePspAndPendingAlreadyDoneAreReported) {
  SettlementReconciliationInput in;
  in.now_ms = 10'000;
  in.settle_margin_ms = 1'000;
  in.transactions = {
      Txn(TransactionKind::kGuestRefund, TransactionStatus::kCompleted, "re_ok"),      // fine
      Txn(TransactionKind::kGuestRefund, TransactionStatus::kCompleted, "re_ghost"),   // unknown at the PSP
      Txn(TransactionKind::kGuestRefund, TransactionStatus::kCompleted, "re_failed"),  // the PSP failed it
      Txn(TransactionKind::kHostPayout, TransactionStatus::kCompleted, "tr_ok"),       // fine
      Txn(TransactionKind::kHostPayout, TransactionStatus::kCompleted, "tr_ghost"),    // unknown at the PSP
      Txn(TransactionKind::kHostPayout, TransactionStatus::kPending, "tr_done"),       // paid, still pending
      Txn(TransactionKind::kHostPayout, TransactionStatus::kPending, "tr_waits"),      // pending at the PSP too: fine
      Txn(TransactionKind::kHostPayout, TransactionStatus::kCompleted, "tr_failed"),   // the PSP failed the payout
      Txn(TransactionKind::kHostPayout, TransactionStatus::kPending, "tr_lost"),       // failed there, pending here
      Txn(TransactionKind::kBooking, TransactionStatus::kCompleted, "ch_1"),           // never compared
  };
  in.psp_refunds = {Refund("re_ok", "succeeded", "wf-x"), Refund("re_failed", "failed", "wf-x")};
  in.transfers = {{"tr_ok", "paid"},     {"tr_ghost", ""},       {"tr_done", "paid"},
                  {"tr_waits", "pending"}, {"tr_failed", "failed"}, {"tr_lost", "failed"}};
  std::vector<SettlementDrift> drifts = ReconcileSettlements(in);
  ASSERT_EQ(drifts.size(), 6u);
  // By kind (alphabetical), then transaction id.
  EXPECT_EQ(drifts[0].kind, kSettlementFailedAtPsp);
  std::set<std::string> failed_ids = {drifts[0].psp_id, drifts[1].psp_id};
  EXPECT_EQ(drifts[1].kind, kSettlementFailedAtPsp);
  EXPECT_EQ(failed_ids, (std::set<std::string>{"re_failed", "tr_failed"}));
  EXPECT_EQ(drifts[2].kind, kSettlementPendingButDone);
  EXPECT_EQ(drifts[2].psp_id, "tr_done");
  EXPECT_EQ(drifts[3].kind, kSettlementPendingButFailed);
  EXPECT_EQ(drifts[3].psp_id, "tr_lost");
  EXPECT_EQ(drifts[4].kind, kSettlementUnknownAtPsp);
  std::set<std::string> unknown_ids = {drifts[4].psp_id, drifts[5].psp_id};
  EXPECT_EQ(unknown_ids, (std::set<std::string>{"re_ghost", "tr_ghost"}));
  EXPECT_EQ(SettlementDriftToValue(drifts[5]).Get("repairable"), Value(false));
}

// A deposit return is a refund of the deposit's charge: checked as a guest
// refund, and never answered by the booking's refund of the same workflow.
TEST(SettlementReconciliation, ADepositReturnIsCheckedAgainstItsOwnChargesRefunds) {
  SettlementReconciliationInput in;
  in.now_ms = 10'000;
  in.settle_margin_ms = 1'000;
  SettlementTransaction back = Txn(TransactionKind::kDepositReturn, TransactionStatus::kPending, "");
  back.charge = "ch_dep";
  SettlementTransaction held = Txn(TransactionKind::kDeposit, TransactionStatus::kCompleted, "ch_dep");
  in.transactions = {back, held};
  PspRefundFact booking = Refund("re_booking", "succeeded");
  booking.charge = "ch_book";
  in.psp_refunds = {booking};
  EXPECT_TRUE(ReconcileSettlements(in).empty()) << "the booking's refund is not the deposit's";
  PspRefundFact deposit = Refund("re_dep", "succeeded");
  deposit.charge = "ch_dep";
  in.psp_refunds.push_back(deposit);
  std::vector<SettlementDrift> drifts = ReconcileSettlements(in);
  ASSERT_EQ(drifts.size(), 1u);
  EXPECT_EQ(drifts[0].kind, kSettlementPendingButDone);
  EXPECT_EQ(drifts[0].psp_id, "re_dep");
  EXPECT_NE(drifts[0].detail.find("deposit return"), std::string::npos) << drifts[0].detail;
  // Completed as a refund the PSP does not know.
  in.transactions[0] = Txn(TransactionKind::kDepositReturn, TransactionStatus::kCompleted, "re_ghost");
  drifts = ReconcileSettlements(in);
  ASSERT_EQ(drifts.size(), 1u);
  EXPECT_EQ(drifts[0].kind, kSettlementUnknownAtPsp);
}

TEST(SettlementReconciliation, APendingGuestRefundTheWorkflowsStepAlreadyMadeIsReportedOnceAtRest) {
  SettlementReconciliationInput in;
  in.now_ms = 10'000;
  in.settle_margin_ms = 1'000;
  in.transactions = {Txn(TransactionKind::kGuestRefund, TransactionStatus::kPending, "")};
  in.psp_refunds = {Refund("re_step", "succeeded")};  // metadata: the same workflow and reservation
  std::vector<SettlementDrift> drifts = ReconcileSettlements(in);
  ASSERT_EQ(drifts.size(), 1u);
  EXPECT_EQ(drifts[0].kind, kSettlementPendingButDone);
  EXPECT_EQ(drifts[0].psp_id, "re_step");

  // Younger than the settle margin: the step may be between its call and its checkpoint.
  in.psp_refunds[0].created_ms = 9'500;
  EXPECT_TRUE(ReconcileSettlements(in).empty());
  in.psp_refunds[0].created_ms = 1'000;
  in.transactions[0].updated_ms = 9'500;
  EXPECT_TRUE(ReconcileSettlements(in).empty());
  // Its workflow still in flight: the step's checkpoint is still ahead.
  in.in_flight_workflows = {"wf-1"};
  EXPECT_TRUE(ReconcileSettlements(in).empty());
  in.in_flight_workflows.clear();
  // Another workflow's refund of the reservation is not this transaction's.
  in.transactions[0].updated_ms = 1'000;
  in.psp_refunds[0].workflow_id = "wf-2";
  EXPECT_TRUE(ReconcileSettlements(in).empty());
}

class SettlementStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "/settlement_" + std::to_string(::getpid()) + ".db";
    Remove();
    auto tables = ::steadfast::testing::OpenRefundTables(path_);
    ASSERT_TRUE(tables.ok()) << tables.status().ToString();
    tables_ = std::move(*tables);
    settlements_ = std::make_unique<SettlementStore>(tables_.storage());
  }
  void TearDown() override {
    settlements_.reset();
    tables_ = {};
    Remove();
  }
  void Remove() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix);
  }

  // refund.record_settlement as the settle step of workflow wf-1.
  ActivityResult Settle(const Value& breakdown, const std::string& host = "acct_h1") {
    ActivityTestRun run;
    run.workflow_id = "wf-1";
    run.step_id = "settle";
    run.storage = &tables_.storage();
    run.input = Value::Map{{"reservation_id", "r-1001"}, {"breakdown", breakdown}, {"charge", "ch_1"},
                           {"host_account", host}};
    ActivityFn fn = MakeRecordSettlementActivity(nullptr);
    struct FnActivity : Activity {
      ActivityFn fn;
      ActivityResult Run(ActivityContext& c) override { return fn(c); }
    } activity;
    activity.fn = fn;
    return run.Run(activity);
  }
  std::vector<SettlementTransaction> All() {
    auto all = settlements_->Transactions();
    EXPECT_TRUE(all.ok()) << all.status().ToString();
    return all.ok() ? *all : std::vector<SettlementTransaction>{};
  }
  SettlementTransaction OfKind(TransactionKind kind) {
    TransactionFilter f;
    f.kind = kind;
    auto t = settlements_->Transactions(f);
    EXPECT_TRUE(t.ok() && t->size() == 1u);
    return t.ok() && !t->empty() ? (*t)[0] : SettlementTransaction{};
  }

  std::string path_;
  ::steadfast::testing::RefundTables tables_;
  std::unique_ptr<SettlementStore> settlements_;
};

TEST_F(SettlementStoreTest, RecordWritesSnapshotAndTransactionsAndAReplayUpsertsThem) {
  const Value breakdown = Breakdown("2026-06-12T12:00:00+02:00");
  ActivityResult r = Settle(breakdown);
  ASSERT_TRUE(r.ok()) << r.error().code << ": " << r.error().message;
  EXPECT_FALSE(r.output().Get("replayed").BoolOr(true));
  EXPECT_EQ(r.output().Get("snapshot").Get("payout_to_host"), MoneyToValue(Money{26865, "EUR"}));
  ASSERT_EQ(All().size(), 3u);
  EXPECT_EQ(OfKind(TransactionKind::kGuestRefund).psp_idempotency_key, "wf-1/psp")
      << "tied to the psp step of the same workflow run";
  EXPECT_EQ(OfKind(TransactionKind::kHostPayout).psp_idempotency_key, "wf-1/payout");
  auto snapshots = settlements_->Snapshots("r-1001");
  ASSERT_TRUE(snapshots.ok());
  ASSERT_EQ(snapshots->size(), 1u);
  EXPECT_EQ((*snapshots)[0].refund_to_guest, 28350);
  EXPECT_EQ((*snapshots)[0].host_service_fee, 810);

  // The PSP refunded: completed with its id, by the PSP.
  PspOutcome refunded{"wf-1/psp", TransactionKind::kGuestRefund, TransactionStatus::kCompleted, "re_1", "", "", 2000};
  ASSERT_TRUE(settlements_->ApplyPspOutcome(refunded).ok());
  // A replay of the settle step: no new rows, nothing moved back.
  ActivityResult again = Settle(breakdown);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_TRUE(again.output().Get("replayed").BoolOr(false));
  EXPECT_EQ(All().size(), 3u);
  EXPECT_EQ(settlements_->Snapshots("r-1001")->size(), 1u);
  SettlementTransaction refund = OfKind(TransactionKind::kGuestRefund);
  EXPECT_EQ(refund.status, TransactionStatus::kCompleted);
  EXPECT_EQ(refund.provider_id, "re_1");
  EXPECT_EQ(refund.executed_by, "psp");
  EXPECT_EQ(refund.executed_ms, 2000);

  // A later failure under the same key never undoes a completion.
  PspOutcome late{"wf-1/psp", TransactionKind::kGuestRefund, TransactionStatus::kFailed, "", "x", "y", 3000};
  ASSERT_TRUE(settlements_->ApplyPspOutcome(late).ok());
  EXPECT_EQ(OfKind(TransactionKind::kGuestRefund).status, TransactionStatus::kCompleted);
}

TEST_F(SettlementStoreTest, AnOutcomeUnderAnotherKeyOrKindMovesNothing) {
  ASSERT_TRUE(Settle(Breakdown("2026-06-12T12:00:00+02:00")).ok());
  PspOutcome other{"wf-2/psp", TransactionKind::kGuestRefund, TransactionStatus::kCompleted, "re_9", "", "", 2000};
  ASSERT_TRUE(settlements_->ApplyPspOutcome(other).ok());
  PspOutcome wrong_kind{"wf-1/psp", TransactionKind::kHostPayout, TransactionStatus::kCompleted, "tr_9", "", "", 2000};
  ASSERT_TRUE(settlements_->ApplyPspOutcome(wrong_kind).ok());
  TransactionFilter pending;
  pending.status = TransactionStatus::kPending;
  EXPECT_EQ(settlements_->Transactions(pending)->size(), 2u);
}

TEST_F(SettlementStoreTest, AnAdminExecutesAFailedPayoutUnderANewKeyOnceAndAuditsIt) {
  ASSERT_TRUE(Settle(Breakdown("2026-06-12T12:00:00+02:00"), "acct_closed_h1").ok());
  PspOutcome refused{"wf-1/payout", TransactionKind::kHostPayout, TransactionStatus::kFailed, "", "account_closed",
                     "the account is closed", 2000};
  ASSERT_TRUE(settlements_->ApplyPspOutcome(refused).ok());
  SettlementTransaction failed = OfKind(TransactionKind::kHostPayout);
  ASSERT_EQ(failed.status, TransactionStatus::kFailed);
  EXPECT_EQ(failed.failure_code, "account_closed");

  // A new destination is only for a failed payout; a booking is never executed.
  EXPECT_EQ(settlements_->BeginExecution(OfKind(TransactionKind::kGuestRefund).id, "admin:ana", "r", "acct_x", 3000)
                .status()
                .code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(settlements_->BeginExecution(OfKind(TransactionKind::kBooking).id, "admin:ana", "r", "", 3000)
                .status()
                .code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(settlements_->BeginExecution("stx_nope", "admin:ana", "r", "", 3000).status().code(),
            StatusCode::kNotFound);

  auto started = settlements_->BeginExecution(failed.id, "admin:ana", "host gave a new account", "acct_h2", 3000);
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  EXPECT_EQ(started->status, TransactionStatus::kPending);
  EXPECT_EQ(started->psp_idempotency_key, "r-1001/hostpayout/wf-1/execute/1");
  EXPECT_EQ(started->destination, "acct_h2");
  EXPECT_EQ(started->executions, 1);

  // The answer for another key (a stale execution) is refused.
  PspOutcome stale{"wf-1/payout", TransactionKind::kHostPayout, TransactionStatus::kCompleted, "tr_0", "", "", 3500};
  EXPECT_EQ(settlements_->FinishExecution(failed.id, "admin:ana", "r", stale).code(), StatusCode::kConflict);
  PspOutcome paid{started->psp_idempotency_key, TransactionKind::kHostPayout, TransactionStatus::kCompleted, "tr_1",
                  "", "", 4000};
  ASSERT_TRUE(settlements_->FinishExecution(failed.id, "admin:ana", "host gave a new account", paid).ok());
  SettlementTransaction done = OfKind(TransactionKind::kHostPayout);
  EXPECT_EQ(done.status, TransactionStatus::kCompleted);
  EXPECT_EQ(done.provider_id, "tr_1");
  EXPECT_EQ(done.executed_by, "admin:ana");
  EXPECT_EQ(done.failure_code, "");

  // Executing a completed one is a no-op that says so.
  auto noop = settlements_->BeginExecution(failed.id, "admin:bo", "again", "", 5000);
  ASSERT_TRUE(noop.ok());
  EXPECT_EQ(noop->status, TransactionStatus::kCompleted);
  EXPECT_EQ(noop->executions, 1);
  auto audit = settlements_->Audit(failed.id);
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->size(), 3u);
  EXPECT_EQ((*audit)[0].outcome, "started");
  EXPECT_EQ((*audit)[0].actor, "admin:ana");
  EXPECT_EQ((*audit)[0].reason, "host gave a new account");
  EXPECT_EQ((*audit)[1].outcome, "completed");
  EXPECT_EQ((*audit)[1].detail, "tr_1");
  EXPECT_EQ((*audit)[2].outcome, "already_completed");
  EXPECT_EQ((*audit)[2].actor, "admin:bo");
}

TEST_F(SettlementStoreTest, APendingTransactionIsExecutedUnderTheKeyItAlreadyHas) {
  ASSERT_TRUE(Settle(Breakdown("2026-06-12T12:00:00+02:00")).ok());
  SettlementTransaction refund = OfKind(TransactionKind::kGuestRefund);
  auto started = settlements_->BeginExecution(refund.id, "admin:ana", "workflow gave up", "", 3000);
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  EXPECT_EQ(started->psp_idempotency_key, "wf-1/psp") << "the PSP answers a refund the step made, never a second";
  PspOutcome refused{"wf-1/psp", TransactionKind::kGuestRefund, TransactionStatus::kFailed, "", "invalid_charge",
                     "no such charge", 4000};
  ASSERT_TRUE(settlements_->FinishExecution(refund.id, "admin:ana", "workflow gave up", refused).ok());
  SettlementTransaction failed = OfKind(TransactionKind::kGuestRefund);
  EXPECT_EQ(failed.status, TransactionStatus::kFailed);
  EXPECT_EQ(failed.failure_code, "invalid_charge");
  EXPECT_EQ(failed.executed_by, "admin:ana");
}

// ---------------------------------------------------------------- booking an admin's guest refund

HistoryEvent HistoryOf(const std::string& type, const std::string& step = "", Value data = Value()) {
  HistoryEvent e;
  e.type = type;
  e.step_id = step;
  e.data = std::move(data);
  return e;
}

// The settling workflow's history as far as booking needs it: the amount
// step's breakdown, then how the workflow ended.
std::vector<HistoryEvent> SettlingHistory(const Value& breakdown, const std::string& end) {
  std::vector<HistoryEvent> h = {
      HistoryOf(history::kWorkflowStarted),
      HistoryOf(history::kStepScheduled, "amount", Value::Map{{"activity", "refund.calculate_amount"}}),
      HistoryOf(history::kAttemptSucceeded, "amount", Value::Map{{"output", breakdown}}),
      HistoryOf(history::kStepScheduled, "psp", Value::Map{{"activity", "refund.psp_refund"}}),
      HistoryOf(history::kStepFailed, "psp", Value::Map{{"code", "refund_failed"}}),
  };
  if (!end.empty()) h.push_back(HistoryOf(end));
  return h;
}

class FakeWorkflows : public WorkflowReader {
 public:
  Result<std::vector<WorkflowSummary>> List(const std::string&, int) override {
    return std::vector<WorkflowSummary>{};
  }
  Result<std::vector<HistoryEvent>> History(const std::string& id) override {
    auto it = histories.find(id);
    if (it == histories.end()) return Status::NotFound("no workflow " + id);
    return it->second;
  }
  std::map<std::string, std::vector<HistoryEvent>> histories;
};

TEST(ExecutedRefundBooking, TheHistoryTellsWhetherTheWorkflowEndedAndItsBreakdown) {
  const Value breakdown = Breakdown("2026-06-12T12:00:00+02:00");
  SettlingWorkflow failed = SettlingWorkflowFromHistory(SettlingHistory(breakdown, history::kWorkflowFailed));
  EXPECT_TRUE(failed.finished);
  EXPECT_EQ(failed.breakdown, breakdown);
  EXPECT_FALSE(SettlingWorkflowFromHistory(SettlingHistory(breakdown, "")).finished) << "still running";
  std::vector<HistoryEvent> retried = SettlingHistory(breakdown, history::kWorkflowFailed);
  retried.push_back(HistoryOf(history::kWorkflowRetried, "psp"));
  EXPECT_FALSE(SettlingWorkflowFromHistory(retried).finished) << "an operator's retry runs it again";
  retried.push_back(HistoryOf(history::kWorkflowCompensated, "psp"));  // names the failed step
  EXPECT_TRUE(SettlingWorkflowFromHistory(retried).finished);
}

TEST(ExecutedRefundBooking, ThePostingIsTheWorkflowsOwnEntriesOrSuspenseWhenTheyDoNotFit) {
  const Value breakdown = Breakdown("2026-06-12T12:00:00+02:00");
  SettlementTransaction t;
  t.id = "stx_1";
  t.idempotency_key = "r-1001/guestrefund/wf-1";
  t.reservation_id = "r-1001";
  t.workflow_id = "wf-1";
  t.kind = TransactionKind::kGuestRefund;
  t.amount = Money{breakdown.Get("refund_total").Get("minor").IntOr(0), "EUR"};
  ASSERT_GT(t.amount.minor, 0);

  auto own = ExecutedRefundPosting(t, breakdown, "admin:ana");
  ASSERT_TRUE(own.ok()) << own.status().ToString();
  EXPECT_EQ(own->idempotency_key, "r-1001/guestrefund/wf-1/ledger");
  EXPECT_EQ(own->workflow_id, "wf-1");
  EXPECT_EQ(own->kind, "settlement_execution");
  EXPECT_TRUE(ValidateTransaction(*own).ok());
  auto expected = BuildRefundEntries(breakdown, "cash");
  ASSERT_TRUE(expected.ok());
  EXPECT_EQ(own->entries.size(), expected->size()) << "the accounts the workflow's ledger step would have used";

  // No breakdown, or one that does not send this amount: the cash is booked,
  // its cause parked for a person.
  for (const Value& b : {Value(), Breakdown("2026-06-01T12:00:00+02:00")}) {
    if (b.is_map() && b.Get("refund_total").Get("minor").IntOr(0) == t.amount.minor) continue;
    auto parked = ExecutedRefundPosting(t, b, "admin:ana");
    ASSERT_TRUE(parked.ok());
    ASSERT_EQ(parked->entries.size(), 2u);
    EXPECT_EQ(parked->entries[0].account, "reconciliation_suspense");
    EXPECT_EQ(parked->entries[1].account, "psp_clearing");
    EXPECT_EQ(parked->entries[1].amount_minor, t.amount.minor);
    EXPECT_TRUE(ValidateTransaction(*parked).ok());
  }
  t.kind = TransactionKind::kHostPayout;
  EXPECT_FALSE(ExecutedRefundPosting(t, breakdown, "admin:ana").ok()) << "a host payout books nothing";
}

TEST_F(SettlementStoreTest, AnExecutedGuestRefundIsBookedWithItsCompletionOnceAndOnlyAfterItsWorkflowEnded) {
  const Value breakdown = Breakdown("2026-06-12T12:00:00+02:00");
  ASSERT_TRUE(Settle(breakdown).ok());
  SettlementTransaction refund = OfKind(TransactionKind::kGuestRefund);
  FakeWorkflows workflows;

  // Still running: its own ledger step may book it yet.
  workflows.histories["wf-1"] = SettlingHistory(breakdown, "");
  auto running = PlanExecutedRefundBooking(workflows, *tables_, refund, "admin:ana");
  ASSERT_TRUE(running.ok()) << running.status().ToString();
  EXPECT_FALSE(running->posting.has_value());
  EXPECT_NE(running->note.find("still running"), std::string::npos) << running->note;

  // Failed at its PSP step: nothing booked, so the execution books it.
  workflows.histories["wf-1"] = SettlingHistory(breakdown, history::kWorkflowFailed);
  auto plan = PlanExecutedRefundBooking(workflows, *tables_, refund, "admin:ana");
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  ASSERT_TRUE(plan->posting.has_value()) << plan->note;
  ASSERT_TRUE(settlements_->BeginExecution(refund.id, "admin:ana", "PSP refused", "", 3000).ok());
  PspOutcome done{"wf-1/psp", TransactionKind::kGuestRefund, TransactionStatus::kCompleted, "re_1", "", "", 4000};
  ASSERT_TRUE(settlements_->FinishExecution(refund.id, "admin:ana", "PSP refused", done, &*plan->posting).ok());
  EXPECT_EQ(OfKind(TransactionKind::kGuestRefund).status, TransactionStatus::kCompleted);
  auto balance = tables_->LedgerBalance("wf-1");
  ASSERT_TRUE(balance.ok());
  const std::pair<std::string, std::string> clearing{"psp_clearing", "EUR"};
  EXPECT_EQ((*balance)[clearing], -refund.amount.minor) << "credited once with the refund";
  int64_t sum = 0;
  for (const auto& [account, minor] : *balance) sum += minor;
  EXPECT_EQ(sum, 0) << "balanced";

  // Asked again (a second execute, a retry): booked already, nothing more.
  auto again = PlanExecutedRefundBooking(workflows, *tables_, refund, "admin:bo");
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->posting.has_value());
  EXPECT_NE(again->note.find("booked already"), std::string::npos) << again->note;
  auto replay = tables_->PostTransaction(*plan->posting, 5000);
  ASSERT_TRUE(replay.ok());
  EXPECT_TRUE(replay->replayed);
  auto ledger = tables_->LedgerTransactions();
  ASSERT_TRUE(ledger.ok());
  EXPECT_EQ(ledger->size(), 1u);
}

TEST_F(SettlementStoreTest, AGuestRefundTheWorkflowBookedItselfIsNotBookedAgain) {
  const Value breakdown = Breakdown("2026-06-12T12:00:00+02:00");
  ASSERT_TRUE(Settle(breakdown).ok());
  SettlementTransaction refund = OfKind(TransactionKind::kGuestRefund);
  LedgerTransaction own;
  own.idempotency_key = "wf-1/ledger";
  own.workflow_id = "wf-1";
  own.reference = "r-1001";
  own.kind = "reservation_settlement";
  auto entries = BuildRefundEntries(breakdown, "cash");
  ASSERT_TRUE(entries.ok());
  own.entries = *entries;
  ASSERT_TRUE(tables_->PostTransaction(own, 2000).ok());
  FakeWorkflows workflows;
  workflows.histories["wf-1"] = SettlingHistory(breakdown, history::kWorkflowCompleted);
  auto plan = PlanExecutedRefundBooking(workflows, *tables_, refund, "admin:ana");
  ASSERT_TRUE(plan.ok());
  EXPECT_FALSE(plan->posting.has_value()) << "its ledger step booked the refund (the PSP had it pending)";
}

}  // namespace
}  // namespace steadfast::refund
