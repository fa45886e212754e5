// reservation_settlement end to end (issue 14's settlement proof, first
// slice): the real `steadfast serve` settles a cancelled reservation against
// the real steadfast-sandbox, on a real SQLite file. Checked as finance and
// an admin would: the CancellationDetails snapshot and the transactions
// (booking completed; guest refund and host payout pending -> completed
// with the PSP's ids), exactly one refund and one payout at the PSP, the
// ledger balanced, `steadfast reconcile` clean; and a host payout the PSP
// refused (a closed account) executed by an admin with
// `steadfast refund transactions execute`, once, audited, idempotent; and
// reconcile reporting a completed payout the PSP does not know.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <tuple>

#include "refund/settlement_store.h"
#include "refund_harness.h"

namespace steadfast {
namespace {

using integration::LoadExample;
using integration::RefundHarness;
using integration::RunResult;
using refund::SettlementStore;
using refund::SettlementTransaction;
using refund::TransactionKind;
using refund::TransactionStatus;
using ::testing::HasSubstr;

constexpr int64_t kPaid = 27000;  // workflows/examples/settlement.json: 210 + 30 - 20 + 22 + 28 EUR

class SettlementTest : public ::testing::Test {
 protected:
  // The example reservation cancelled 5 days ahead (moderate@2's half
  // window), its host paid to `host_account`; served until it ends.
  // seed = false: the charge is unknown at the PSP when the workflow refunds it.
  InstanceRecord Settle(const std::string& id, const std::string& reservation, const std::string& host_account,
                        bool seed = true) {
    Value input = LoadExample("settlement.json");
    input["reservation"]["id"] = reservation;
    input["reservation"]["payment"]["charge"] = Charge(reservation);
    input["reservation"]["host"]["account"] = host_account;
    input["cancel_at"] = "2026-12-13T09:30:00+01:00";
    if (seed) h_.Seed(Charge(reservation), kPaid);
    h_.StartInstance("reservation_settlement", h_.WriteInput(id, input), id);
    auto serve = h_.Serve();
    const bool ended = h_.WaitTerminal(id, 60000);
    serve->Kill(SIGTERM);
    serve->Wait(20000);
    EXPECT_TRUE(ended) << h_.ServeLog();
    return h_.Instance(id).value_or(InstanceRecord{});
  }
  // "r-2001" -> "ch_r2001".
  static std::string Charge(std::string reservation) {
    std::erase(reservation, '-');
    return "ch_" + reservation;
  }
  std::vector<SettlementTransaction> Transactions(const std::string& reservation) {
    auto tables = testing::OpenRefundTables(h_.db());
    EXPECT_TRUE(tables.ok());
    SettlementStore s(tables->storage());
    refund::TransactionFilter f;
    f.reservation_id = reservation;
    auto txns = s.Transactions(f);
    EXPECT_TRUE(txns.ok()) << txns.status().ToString();
    return txns.ok() ? *txns : std::vector<SettlementTransaction>{};
  }
  // The reservation's transaction of `kind` as it is now (empty id when none).
  SettlementTransaction Current(const std::string& reservation, TransactionKind kind) {
    for (const SettlementTransaction& t : Transactions(reservation)) {
      if (t.kind == kind) return t;
    }
    return SettlementTransaction{};
  }
  static const SettlementTransaction* Find(const std::vector<SettlementTransaction>& txns, TransactionKind kind) {
    for (const SettlementTransaction& t : txns) {
      if (t.kind == kind) return &t;
    }
    return nullptr;
  }

  RefundHarness h_;
};

TEST_F(SettlementTest, ASettledCancellationRecordsItsSnapshotAndTransactionsPendingToCompleted) {
  InstanceRecord wf = Settle("wf-s1", "r-2001", "acct_host3");
  ASSERT_EQ(wf.status, InstanceStatus::kCompleted) << wf.error_code << ": " << wf.error_message;
  const Value& out = wf.output;
  const int64_t refund = out.Get("refund_to_guest").Get("minor").IntOr(-1);
  const int64_t payout = out.Get("payout_to_host").Get("minor").IntOr(-1);
  ASSERT_GT(refund, 0) << out.ToJson();
  ASSERT_GT(payout, 0) << out.ToJson();
  EXPECT_LE(refund + payout, kPaid);

  // The snapshot, as the settle step wrote it.
  auto tables = testing::OpenRefundTables(h_.db());
  ASSERT_TRUE(tables.ok());
  SettlementStore settlements(tables->storage());
  auto snapshots = settlements.Snapshots("r-2001");
  ASSERT_TRUE(snapshots.ok());
  ASSERT_EQ(snapshots->size(), 1u);
  const refund::CancellationDetails& d = (*snapshots)[0];
  EXPECT_EQ(d.workflow_id, "wf-s1");
  EXPECT_EQ(d.refund_to_guest, refund);
  EXPECT_EQ(d.payout_to_host, payout);
  EXPECT_EQ(d.total, kPaid);
  EXPECT_EQ(d.guest_service_fee, 0) << "moderate@2's half window keeps the guest service fee";
  EXPECT_GT(d.host_service_fee, 0);
  EXPECT_EQ(d.currency, "EUR");

  // Booking completed at payment; refund and payout moved by their steps.
  std::vector<SettlementTransaction> txns = Transactions("r-2001");
  ASSERT_EQ(txns.size(), 3u);
  const SettlementTransaction* booking = Find(txns, TransactionKind::kBooking);
  const SettlementTransaction* guest = Find(txns, TransactionKind::kGuestRefund);
  const SettlementTransaction* host = Find(txns, TransactionKind::kHostPayout);
  ASSERT_TRUE(booking && guest && host);
  EXPECT_EQ(booking->status, TransactionStatus::kCompleted);
  EXPECT_EQ(booking->amount.minor, kPaid);
  EXPECT_EQ(booking->provider_id, "ch_r2001");
  EXPECT_EQ(guest->status, TransactionStatus::kCompleted);
  EXPECT_EQ(guest->amount.minor, refund);
  EXPECT_EQ(guest->provider_id, out.Get("psp_refund").StringOr("?"));
  EXPECT_EQ(guest->executed_by, "psp");
  EXPECT_EQ(guest->psp_idempotency_key, "wf-s1/psp");
  EXPECT_EQ(host->status, TransactionStatus::kCompleted);
  EXPECT_EQ(host->amount.minor, payout);
  EXPECT_EQ(host->provider_id, out.Get("payout").StringOr("?"));
  EXPECT_EQ(host->idempotency_key, "r-2001/hostpayout/wf-s1");

  // The PSP: one refund of the charge, one payout to the host.
  EXPECT_EQ(h_.RefundsOf("ch_r2001"), integration::Refunded(1, refund));
  EXPECT_EQ(h_.TransfersTo("acct_host3").Get("count").IntOr(0), 1);
  EXPECT_EQ(h_.TransfersTo("acct_host3").Get("amount").IntOr(0), payout);
  EXPECT_GE(h_.ExpectBalancedLedger("wf-s1"), 1);
  RunResult rec = h_.Reconcile();
  EXPECT_EQ(rec.exit_code, 0) << rec.output;
  EXPECT_THAT(rec.output, HasSubstr("no drift"));

  // What an admin sees.
  RunResult list = h_.Cli({"refund", "transactions", "list", "--reservation", "r-2001", "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.output;
  auto listed = Value::FromJson(list.output);
  ASSERT_TRUE(listed.ok()) << list.output;
  EXPECT_EQ(listed->Get("transactions").AsList().size(), 3u);
  ASSERT_EQ(listed->Get("snapshots").AsList().size(), 1u);
  EXPECT_EQ(listed->Get("snapshots").AsList()[0].Get("payout_to_host").Get("minor").IntOr(-1), payout);
  RunResult pending = h_.Cli({"refund", "transactions", "list", "--status", "pending"});
  ASSERT_EQ(pending.exit_code, 0) << pending.output;
  EXPECT_THAT(pending.output, HasSubstr("0 transaction(s)"));

  // Reconciliation covers the transactions: books that name a payout the
  // PSP never made are drift for a person (exit 4), whatever the ledger says.
  h_.Sql("UPDATE refund_settlement_transactions SET provider_id = 'tr_ghost' WHERE kind = 'hostpayout'");
  RunResult drift = h_.Reconcile({"--json"});
  EXPECT_EQ(drift.exit_code, 4) << drift.output;
  auto report = Value::FromJson(drift.output);
  ASSERT_TRUE(report.ok()) << drift.output;
  ASSERT_EQ(report->Get("settlement_drifts").AsList().size(), 1u) << drift.output;
  const Value& sd = report->Get("settlement_drifts").AsList()[0];
  EXPECT_EQ(sd.Get("kind"), Value("settlement_unknown_at_psp"));
  EXPECT_EQ(sd.Get("psp_id"), Value("tr_ghost"));
  EXPECT_EQ(report->Get("clean"), Value(false));
  // The nightly reconciliation inside serve (refund.reconcile) sees it too.
  auto serve = h_.Serve();
  RunResult started =
      h_.Cli({"start", "nightly_reconciliation", "--input", R"({"settle_margin": "0s"})", "--id", "nightly-s1"});
  ASSERT_EQ(started.exit_code, 0) << started.output;
  ASSERT_TRUE(h_.WaitTerminal("nightly-s1", 60000)) << h_.ServeLog();
  serve->Kill(SIGTERM);
  serve->Wait(20000);
  const Value nightly = h_.Instance("nightly-s1").value_or(InstanceRecord{}).output.Get("reconcile");
  EXPECT_FALSE(nightly.Get("clean").BoolOr(true)) << nightly.ToJson();
  EXPECT_EQ(nightly.Get("drifts_by_kind").Get("settlement_unknown_at_psp").IntOr(0), 1) << nightly.ToJson();
}

TEST_F(SettlementTest, AnAdminExecutesTheHostPayoutThePspRefusedOnceAndAudited) {
  InstanceRecord wf = Settle("wf-s2", "r-2002", "acct_closed_h9");
  // The refusal is recorded on the transaction; the settlement still completes.
  ASSERT_EQ(wf.status, InstanceStatus::kCompleted) << wf.error_code << ": " << wf.error_message;
  EXPECT_EQ(wf.output.Get("payout_paid"), Value(false)) << wf.output.ToJson();
  const int64_t payout = wf.output.Get("payout_to_host").Get("minor").IntOr(-1);
  std::vector<SettlementTransaction> txns = Transactions("r-2002");
  const SettlementTransaction* host = Find(txns, TransactionKind::kHostPayout);
  ASSERT_TRUE(host);
  EXPECT_EQ(host->status, TransactionStatus::kFailed);
  EXPECT_EQ(host->failure_code, "account_closed");
  EXPECT_EQ(Find(txns, TransactionKind::kGuestRefund)->status, TransactionStatus::kCompleted);
  const std::string id = host->id;

  RunResult no_reason = h_.Cli({"refund", "transactions", "execute", id});
  EXPECT_EQ(no_reason.exit_code, 2) << no_reason.output;
  EXPECT_THAT(no_reason.output, HasSubstr("--reason is required"));

  RunResult exec = h_.Cli({"refund", "transactions", "execute", id, "--reason", "host gave a new account",
                           "--destination", "acct_host9", "--as", "admin:ana"});
  ASSERT_EQ(exec.exit_code, 0) << exec.output;
  EXPECT_THAT(exec.output, HasSubstr("completed"));
  txns = Transactions("r-2002");
  host = Find(txns, TransactionKind::kHostPayout);
  ASSERT_TRUE(host);
  EXPECT_EQ(host->status, TransactionStatus::kCompleted);
  EXPECT_EQ(host->executed_by, "admin:ana");
  EXPECT_EQ(host->destination, "acct_host9");
  EXPECT_EQ(host->psp_idempotency_key, "r-2002/hostpayout/wf-s2/execute/1");
  EXPECT_EQ(host->provider_id.rfind("tr_", 0), 0u) << host->provider_id;
  EXPECT_EQ(h_.TransfersTo("acct_host9").Get("count").IntOr(0), 1);
  EXPECT_EQ(h_.TransfersTo("acct_host9").Get("amount").IntOr(0), payout);

  // Executing it again is a no-op that says so: no second payout.
  RunResult again = h_.Cli({"refund", "transactions", "execute", id, "--reason", "double click", "--as", "admin:bo"});
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_THAT(again.output, HasSubstr("completed already"));
  EXPECT_EQ(h_.TransfersTo("acct_host9").Get("count").IntOr(0), 1);
  auto tables = testing::OpenRefundTables(h_.db());
  ASSERT_TRUE(tables.ok());
  SettlementStore settlements(tables->storage());
  auto audit = settlements.Audit(id);
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->size(), 3u);
  EXPECT_EQ((*audit)[0].actor, "admin:ana");
  EXPECT_EQ((*audit)[0].reason, "host gave a new account");
  EXPECT_EQ((*audit)[1].outcome, "completed");
  EXPECT_EQ((*audit)[2].outcome, "already_completed");
  EXPECT_EQ((*audit)[2].actor, "admin:bo");

  EXPECT_EQ(h_.RefundsOf("ch_r2002").first, 1);
  EXPECT_GE(h_.ExpectBalancedLedger("wf-s2"), 1);
  RunResult rec = h_.Reconcile();
  EXPECT_EQ(rec.exit_code, 0) << rec.output;
}

// The workflow's refund refused for good (the charge unknown at the PSP):
// the workflow fails before its ledger step. The admin's execution moves the
// money and books it with the workflow's own breakdown, once, so the books
// balance and reconcile stays clean; executing again books nothing more.
TEST_F(SettlementTest, AnAdminExecutedGuestRefundIsBookedInTheLedgerOnce) {
  InstanceRecord wf = Settle("wf-s3", "r-2003", "acct_host3", /*seed=*/false);
  // Failed at its PSP step, then compensated (a review case): never at its ledger step.
  ASSERT_EQ(wf.status, InstanceStatus::kCompensated) << wf.error_code << ": " << wf.error_message;
  std::vector<SettlementTransaction> txns = Transactions("r-2003");
  const SettlementTransaction* guest = Find(txns, TransactionKind::kGuestRefund);
  ASSERT_TRUE(guest);
  ASSERT_EQ(guest->status, TransactionStatus::kFailed) << guest->failure_code;
  const std::string id = guest->id;
  const int64_t amount = guest->amount.minor;
  auto tables = testing::OpenRefundTables(h_.db());
  ASSERT_TRUE(tables.ok());
  auto before = (*tables)->LedgerEntries("wf-s3");
  ASSERT_TRUE(before.ok());
  EXPECT_TRUE(before->empty()) << "the workflow failed before its ledger step";

  h_.Seed(Charge("r-2003"), kPaid);  // the charge is captured now
  RunResult exec = h_.Cli({"refund", "transactions", "execute", id, "--reason", "charge captured late", "--as",
                           "admin:ana"});
  ASSERT_EQ(exec.exit_code, 0) << exec.output;
  EXPECT_THAT(exec.output, HasSubstr("booked in the ledger under r-2003/guestrefund/wf-s3/ledger"));
  EXPECT_EQ(h_.RefundsOf("ch_r2003"), integration::Refunded(1, amount));
  auto balance = (*tables)->LedgerBalance("wf-s3");
  ASSERT_TRUE(balance.ok());
  using Account = std::pair<std::string, std::string>;
  EXPECT_EQ((*balance)[Account("psp_clearing", "EUR")], -amount);
  EXPECT_EQ((*balance)[Account("reconciliation_suspense", "EUR")], 0) << "booked with the workflow's breakdown";
  EXPECT_GE(h_.ExpectBalancedLedger("wf-s3"), 1);

  RunResult again = h_.Cli({"refund", "transactions", "execute", id, "--reason", "double click"});
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_THAT(again.output, HasSubstr("completed already"));
  auto ledger = (*tables)->LedgerTransactions();
  ASSERT_TRUE(ledger.ok());
  EXPECT_EQ(ledger->size(), 1u) << "booked once";
  EXPECT_EQ(h_.RefundsOf("ch_r2003").first, 1);
  RunResult rec = h_.Reconcile();
  EXPECT_EQ(rec.exit_code, 0) << rec.output;
  EXPECT_THAT(rec.output, HasSubstr("no drift"));
}

// ---------------------------------------------------------------- the PSP's asynchronous settlement

// Payouts the PSP takes as pending (a Stripe payout): two settlements
// complete with their payouts pending at the PSP; the PSP settles them (one
// paid, one to a frozen account failed); settlement_sync under the real
// serve moves the first completed and the second failed, once; an admin
// executes the failed one to a new account, which the PSP also takes as
// pending and the next sync completes; reconcile stays clean.
class SettlementSyncTest : public SettlementTest {
 protected:
  // settlement_sync started as `id` under a serve crashing at `crash_at`
  // ("" = none); served until it ends.
  void Sync(const std::string& id, const std::string& crash_at = "") {
    h_.StartInstance("settlement_sync", h_.WriteInput(id, Value::Map{}), id);
    if (!crash_at.empty()) {
      auto crashing = h_.Serve(crash_at);
      auto code = crashing->Wait(60000);
      ASSERT_TRUE(code.has_value()) << "serve did not reach " << crash_at << "\n" << h_.ServeLog();
      EXPECT_EQ(*code, 137);
    }
    auto serve = h_.Serve();
    const bool ended = h_.WaitTerminal(id, 60000);
    serve->Kill(SIGTERM);
    serve->Wait(20000);
    ASSERT_TRUE(ended) << h_.ServeLog();
    EXPECT_EQ(h_.Instance(id)->status, InstanceStatus::kCompleted) << h_.ServeLog();
  }
  // Two settled cancellations whose payouts the PSP holds pending, then settles.
  void SettleTwoWithPendingPayouts() {
    h_.Control("/sandbox/settlement", Value::Map{{"payout_delay_ms", 3'600'000}});
    for (const auto& [wf, reservation, account] :
         {std::tuple{"wf-p1", "r-3001", "acct_host3"}, std::tuple{"wf-p2", "r-3002", "acct_frozen_h4"}}) {
      InstanceRecord done = Settle(wf, reservation, account);
      ASSERT_EQ(done.status, InstanceStatus::kCompleted) << done.error_code << ": " << done.error_message;
      EXPECT_EQ(done.output.Get("payout_paid"), Value(false)) << "accepted, not yet paid";
      const SettlementTransaction payout = Current(reservation, TransactionKind::kHostPayout);
      ASSERT_FALSE(payout.id.empty());
      EXPECT_EQ(payout.status, TransactionStatus::kPending);
      EXPECT_EQ(payout.provider_id.rfind("tr_", 0), 0u) << payout.provider_id;
    }
    EXPECT_EQ(h_.Control("/sandbox/settle", Value::Map{}).Get("settled").IntOr(0), 2);
  }
  void ExpectOnePaidOneFailed() {
    const SettlementTransaction paid = Current("r-3001", TransactionKind::kHostPayout);
    ASSERT_FALSE(paid.id.empty());
    EXPECT_EQ(paid.status, TransactionStatus::kCompleted);
    EXPECT_EQ(paid.executed_by, "psp");
    EXPECT_GT(paid.executed_ms, 0);
    const SettlementTransaction frozen = Current("r-3002", TransactionKind::kHostPayout);
    ASSERT_FALSE(frozen.id.empty());
    EXPECT_EQ(frozen.status, TransactionStatus::kFailed);
    EXPECT_EQ(frozen.failure_code, "account_frozen");
    EXPECT_EQ(Current("r-3002", TransactionKind::kGuestRefund).status, TransactionStatus::kCompleted);
  }
};

TEST_F(SettlementSyncTest, ThePspsSettlementMovesPendingPayoutsOnceAndAnAdminExecutesTheFailedOne) {
  SettleTwoWithPendingPayouts();
  Sync("sync-1");
  ExpectOnePaidOneFailed();
  Sync("sync-2");  // nothing new: nothing moves again
  ExpectOnePaidOneFailed();

  RunResult listed = h_.Cli({"refund", "transactions", "list", "--status", "failed"});
  ASSERT_EQ(listed.exit_code, 0) << listed.output;
  EXPECT_THAT(listed.output, HasSubstr("account_frozen"));
  // The admin's payout is taken as pending too, and settled like the others.
  const std::string id = Current("r-3002", TransactionKind::kHostPayout).id;
  RunResult exec = h_.Cli({"refund", "transactions", "execute", id, "--reason", "host gave a new account",
                           "--destination", "acct_host9", "--as", "admin:ana"});
  EXPECT_EQ(exec.exit_code, 1) << exec.output;
  EXPECT_THAT(exec.output, HasSubstr("the PSP accepted it as pending"));
  const SettlementTransaction accepted = Current("r-3002", TransactionKind::kHostPayout);
  EXPECT_EQ(accepted.status, TransactionStatus::kPending);
  EXPECT_EQ(accepted.psp_idempotency_key, "r-3002/hostpayout/wf-p2/execute/1");
  EXPECT_EQ(accepted.provider_id.rfind("tr_", 0), 0u) << accepted.provider_id;
  EXPECT_EQ(h_.Control("/sandbox/settle", Value::Map{}).Get("settled").IntOr(0), 1);
  Sync("sync-3");
  EXPECT_EQ(Current("r-3002", TransactionKind::kHostPayout).status, TransactionStatus::kCompleted);
  EXPECT_EQ(h_.TransfersTo("acct_host9").Get("count").IntOr(0), 1);
  EXPECT_EQ(h_.TransfersTo("acct_host3").Get("count").IntOr(0), 1);
  RunResult rec = h_.Reconcile();
  EXPECT_EQ(rec.exit_code, 0) << rec.output;
  // The three sync runs move no money: they are not refund workflows.
  EXPECT_THAT(rec.output, HasSubstr("2 finished refund workflow(s)"));
}

// kill -9 after the sync activity committed its page (with the cursor and
// the transactions it moved) but before the step's checkpoint, and after
// the checkpoint: the restarted serve runs it again from the saved cursor;
// each transaction moved once.
class SettlementSyncCrash : public SettlementSyncTest, public ::testing::WithParamInterface<std::string> {};

TEST_P(SettlementSyncCrash, RestartMovesEachTransactionOnce) {
  SettleTwoWithPendingPayouts();
  Sync("sync-c", GetParam());
  ExpectOnePaidOneFailed();
  auto tables = testing::OpenRefundTables(h_.db());
  ASSERT_TRUE(tables.ok());
  SettlementStore settlements(tables->storage());
  const std::string id = Current("r-3002", TransactionKind::kHostPayout).id;
  auto audit = settlements.Audit(id);
  ASSERT_TRUE(audit.ok());
  EXPECT_TRUE(audit->empty()) << "the PSP moved it, no admin";
}

INSTANTIATE_TEST_SUITE_P(CrashPoints, SettlementSyncCrash,
                         ::testing::Values("after_activity:sync", "after_checkpoint:sync"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param == "after_activity:sync" ? std::string("AfterActivity")
                                                                      : std::string("AfterCheckpoint");
                         });

// ---------------------------------------------------------------- kill -9 around the settlement's steps

// The settle step's writes, and each PSP step's move of its transaction,
// commit with the step's checkpoint or not at all: killed after the
// activity ran but before its checkpoint, the restarted engine runs it again
// (same keys), and the end is one snapshot, three transactions completed,
// one refund and one payout at the PSP.
class SettlementCrash : public SettlementTest, public ::testing::WithParamInterface<std::string> {};

TEST_P(SettlementCrash, RestartLeavesOneSnapshotOneRefundOnePayout) {
  Value input = LoadExample("settlement.json");
  input["cancel_at"] = "2026-12-13T09:30:00+01:00";
  h_.Seed("ch_r2001", kPaid);
  h_.StartInstance("reservation_settlement", h_.WriteInput("crash", input), "wf-sc");
  {
    auto crashing = h_.Serve(GetParam());
    auto code = crashing->Wait(60000);
    ASSERT_TRUE(code.has_value()) << "serve did not reach " << GetParam() << "\n" << h_.ServeLog();
    EXPECT_EQ(*code, 137);
  }
  if (GetParam() == "after_activity:settle") {
    EXPECT_TRUE(Transactions("r-2001").empty()) << "nothing of an attempt that was not checkpointed";
  } else {
    // The PSP moved money, the transaction does not say so yet: the workflow
    // is in flight, so reconcile compares neither, and reports no drift.
    EXPECT_EQ(Current("r-2001", GetParam() == "after_activity:psp" ? TransactionKind::kGuestRefund
                                                                   : TransactionKind::kHostPayout)
                  .status,
              TransactionStatus::kPending);
    RunResult early = h_.Reconcile({"--json"});
    EXPECT_EQ(early.exit_code, 0) << early.output;
  }
  auto serve = h_.Serve();
  ASSERT_TRUE(h_.WaitTerminal("wf-sc", 60000)) << h_.ServeLog();
  serve->Kill(SIGTERM);
  serve->Wait(20000);
  InstanceRecord wf = h_.Instance("wf-sc").value_or(InstanceRecord{});
  ASSERT_EQ(wf.status, InstanceStatus::kCompleted) << wf.error_code << ": " << wf.error_message;
  const int64_t refund = wf.output.Get("refund_to_guest").Get("minor").IntOr(-1);
  const int64_t payout = wf.output.Get("payout_to_host").Get("minor").IntOr(-1);
  std::vector<SettlementTransaction> txns = Transactions("r-2001");
  ASSERT_EQ(txns.size(), 3u);
  for (const SettlementTransaction& t : txns) {
    EXPECT_EQ(t.status, TransactionStatus::kCompleted) << refund::TransactionKindName(t.kind);
  }
  auto tables = testing::OpenRefundTables(h_.db());
  ASSERT_TRUE(tables.ok());
  EXPECT_EQ(SettlementStore(tables->storage()).Snapshots("r-2001")->size(), 1u);
  EXPECT_EQ(h_.RefundsOf("ch_r2001"), integration::Refunded(1, refund));
  EXPECT_EQ(h_.TransfersTo("acct_host3").Get("count").IntOr(0), 1);
  EXPECT_EQ(h_.TransfersTo("acct_host3").Get("amount").IntOr(0), payout);
  EXPECT_EQ(h_.ExpectBalancedLedger("wf-sc"), 1);
  RunResult rec = h_.Reconcile();
  EXPECT_EQ(rec.exit_code, 0) << rec.output;
}

INSTANTIATE_TEST_SUITE_P(CrashPoints, SettlementCrash,
                         ::testing::Values("after_activity:settle", "after_activity:psp", "after_activity:payout"),
                         [](const auto& info) { return info.param.substr(info.param.find(':') + 1); });

}  // namespace
}  // namespace steadfast
