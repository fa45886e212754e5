// Security deposits on both backends (SQLite, and the PostgreSQL cluster
// named by STEADFAST_TEST_PG_URL: skipped without one, failed when CI is
// set): refund schema version 7 applied as `serve` applies it (and over
// version 6 rows), a claim settled with a deposit by the activities (their
// checkpoint writes), the deposit returned by refund.return_deposit over a
// scripted PSP, the ledger posted and balanced, and a refused return
// executed by an admin.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "backend_database.h"
#include "half_window_breakdown.h"
#include "refund_backend_test.h"
#include "refund/activities.h"
#include "refund/claim_store.h"
#include "refund/claim_view.h"
#include "refund/refund_services.h"
#include "refund/refund_store.h"
#include "refund/settlement_event_store.h"
#include "refund/settlement_store.h"
#include "refund/transaction_execution.h"
#include "steadfast/testing.h"

namespace steadfast::refund {
namespace {

using testing_breakdowns::HalfWindowBreakdown;

// Refunds every charge at once, except those told to refuse; answers a
// repeated key with its first refund, as the PSP does.
class RefundingPsp : public PspAdapter {
 public:
  std::map<std::string, std::string> refuse;  // charge -> error code (non-retryable)
  std::set<std::string> pending;              // charges whose refunds the PSP takes as pending
  std::vector<RefundRequest> sent;

  RemoteResult<PspRefund> Refund(const RefundRequest& r) override {
    sent.push_back(r);
    if (auto it = by_key_.find(r.idempotency_key); it != by_key_.end()) return it->second;
    if (auto it = refuse.find(r.charge); it != refuse.end()) {
      return ActivityError::NonRetryable(it->second, "the PSP refused " + r.charge);
    }
    PspRefund out;
    out.id = "re_" + std::to_string(by_key_.size() + 1);
    out.status = pending.count(r.charge) > 0 ? PspRefundStatus::kPending : PspRefundStatus::kSucceeded;
    out.amount_minor = r.amount_minor.value_or(0);
    out.currency = r.expected_currency;
    out.charge = r.charge;
    out.metadata = r.metadata;
    by_key_[r.idempotency_key] = out;
    return out;
  }
  RemoteResult<PspRefund> GetRefund(std::string_view id) override {
    for (const auto& [key, refund] : by_key_) {
      if (refund.id == id) return refund;
    }
    return Unused();
  }
  RemoteResult<RefundPage> ListRefunds(const ListRefundsRequest&) override { return Unused(); }
  RemoteResult<PspTransfer> Transfer(const TransferRequest&) override { return Unused(); }
  RemoteResult<PspTransfer> GetTransfer(std::string_view) override { return Unused(); }
  RemoteResult<PspTransferReversal> ReverseTransfer(const TransferReversalRequest&) override { return Unused(); }

 private:
  static ActivityError Unused() { return ActivityError::NonRetryable("unused", "not scripted here"); }
  std::map<std::string, PspRefund> by_key_;
};

// Knows one workflow's history, or none.
class NoWorkflows : public WorkflowReader {
 public:
  Result<std::vector<WorkflowSummary>> List(const std::string&, int) override {
    return std::vector<WorkflowSummary>{};
  }
  Result<std::vector<HistoryEvent>> History(const std::string& id) override {
    if (id != workflow_id) return Status::NotFound("no workflow " + id);
    return history;
  }
  std::string workflow_id;
  std::vector<HistoryEvent> history;
};

HistoryEvent Event(const std::string& type, const std::string& step, Value data) {
  HistoryEvent e;
  e.type = type;
  e.step_id = step;
  e.data = std::move(data);
  return e;
}

Value HeldEur(int64_t minor) { return MoneyToValue(Money{minor, "EUR"}); }


class DepositBackendsTest : public testing_backends::RefundBackendTest {
 protected:
  void SetUp() override {
    CreateDatabase("deposit_backends");
    if (IsSkipped() || HasFatalFailure()) return;
    auto services = std::make_shared<RefundServices>();
    auto psp = std::make_unique<RefundingPsp>();
    psp_ = psp.get();
    services->psp = std::move(psp);
    // A pending refund is not polled within the attempt (the manual clock
    // would never let the wait end): the attempt is retried instead.
    services->config.psp.settle_wait_ms = 0;
    services->store = std::make_unique<RefundStore>(*store_->plugin_storage());
    services_ = services;
  }
  void TearDown() override {
    services_.reset();
    RefundBackendTest::TearDown();
  }

  // The claim workflow's steps, as claim_settlement.yaml runs them, for
  // reservation `r` with a 200.00 deposit and a claim of `claimed` (none
  // when 0) decided as asked. Returns the settle step's output.
  Value SettleWithDeposit(const std::string& r, int64_t claimed) {
    const std::string wf = "wf-" + r;
    Value::List items;
    if (claimed > 0) {
      items.push_back(Value::Map{{"id", "lamp"}, {"description", "lamp"}, {"amount", HeldEur(claimed)}});
    }
    ActivityResult opened = Run(MakeOpenClaimActivity(nullptr), wf, "open",
                                Value::Map{{"reservation_id", r}, {"currency", "EUR"}, {"claim_id", "clm_" + r},
                                           {"host_id", "host-d"}, {"items", items}});
    EXPECT_TRUE(opened.ok()) << opened.error().message;
    // No items: the review step did not hold (its `when` is false).
    Value review = Value::Map{{"held", false}, {"decision", "approve"}};
    if (claimed > 0) {
      review = Value::Map{{"held", true},
                          {"decision", "approve"},
                          {"approvals", Value::List{Value::Map{{"principal", "rita"}, {"decision", "approve"},
                                                               {"comment", R"({"items": [{"id": "lamp", "decision": "approve"}]})"}},
                                                    Value::Map{{"principal", "rob"}, {"decision", "approve"},
                                                               {"comment", "ok"}}}}};
    }
    ActivityResult decided = Run(MakeDecideClaimActivity(nullptr), wf, "decide",
                                 Value::Map{{"claim_id", "clm_" + r}, {"review", review}});
    EXPECT_TRUE(decided.ok()) << decided.error().message;
    ActivityResult settled =
        Run(MakeSettleClaimActivity(nullptr), wf, "settle",
            Value::Map{{"claim_id", "clm_" + r},
                       {"breakdown", HalfWindowBreakdown(r)},
                       {"charge", "ch_book_" + r},
                       {"host_account", "acct_h"},
                       {"deposit", Value::Map{{"amount", "200.00 EUR"}, {"charge", "ch_dep_" + r}}}});
    EXPECT_TRUE(settled.ok()) << settled.error().code << ": " << settled.error().message;
    return settled.ok() ? settled.output() : Value();
  }
  // The deposit and ledger steps after settle (the guest refund's PSP step
  // moves its own transaction; it is not the subject here).
  ActivityResult ReturnDeposit(const std::string& r, const Value& settled) {
    return Run(MakeReturnDepositActivity(services_), "wf-" + r, "deposit",
               Value::Map{{"charge", "ch_dep_" + r},
                          {"amount", settled.Get("deposit_returned")},
                          {"reservation_id", r},
                          {"metadata", Value::Map{{"deposit", "return"}}}});
  }
  void PostLedger(const std::string& r, const Value& settled) {
    ActivityResult posted = Run(MakePostLedgerActivity(services_), "wf-" + r, "ledger",
                                Value::Map{{"kind", "claim_settlement"},
                                           {"reference", r},
                                           {"breakdown", settled.Get("breakdown")},
                                           {"method", "cash"}});
    ASSERT_TRUE(posted.ok()) << posted.error().code << ": " << posted.error().message;
  }
  std::optional<SettlementTransaction> OfKind(const std::string& r, TransactionKind kind) {
    TransactionFilter f;
    f.reservation_id = r;
    f.kind = kind;
    auto found = SettlementStore(*store_->plugin_storage()).Transactions(f);
    EXPECT_TRUE(found.ok());
    if (!found.ok() || found->empty()) return std::nullopt;
    return found->front();
  }
  // The workflow's ledger balances (debits == credits), and
  // deposit_liability's balance (debits positive).
  int64_t DepositLiability(const std::string& r) {
    auto balance = RefundStore(*store_->plugin_storage()).LedgerBalance("wf-" + r);
    EXPECT_TRUE(balance.ok());
    int64_t sum = 0;
    for (const auto& [key, b] : *balance) sum += b;
    EXPECT_EQ(sum, 0) << "the ledger balances";
    auto it = balance->find({"deposit_liability", "EUR"});
    return it == balance->end() ? 0 : it->second;
  }

  RefundingPsp* psp_ = nullptr;
  Services services_;
};

TEST_P(DepositBackendsTest, WithoutAClaimTheWholeDepositIsReturnedAndBooked) {
  Value settled = SettleWithDeposit("r-d0", 0);
  EXPECT_EQ(settled.Get("deposit_returned"), HeldEur(20000));
  EXPECT_EQ(settled.Get("deposit_claimed"), HeldEur(0));
  EXPECT_EQ(settled.Get("guest_refund"), HeldEur(28350));
  std::optional<SettlementTransaction> held = OfKind("r-d0", TransactionKind::kDeposit);
  ASSERT_TRUE(held.has_value());
  EXPECT_EQ(held->status, TransactionStatus::kCompleted);
  std::optional<SettlementTransaction> back = OfKind("r-d0", TransactionKind::kDepositReturn);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->status, TransactionStatus::kPending);
  EXPECT_EQ(back->psp_idempotency_key, "wf-r-d0/deposit");

  PostLedger("r-d0", settled);
  EXPECT_EQ(DepositLiability("r-d0"), -20000) << "held for the guest until it is returned";
  ActivityResult returned = ReturnDeposit("r-d0", settled);
  ASSERT_TRUE(returned.ok()) << returned.error().code << ": " << returned.error().message;
  EXPECT_TRUE(returned.output().Get("returned").BoolOr(false));
  ASSERT_EQ(psp_->sent.size(), 1u);
  EXPECT_EQ(psp_->sent[0].charge, "ch_dep_r-d0") << "the deposit's charge, never the booking's";
  EXPECT_EQ(psp_->sent[0].amount_minor, 20000);
  EXPECT_EQ(psp_->sent[0].idempotency_key, "wf-r-d0/deposit");
  back = OfKind("r-d0", TransactionKind::kDepositReturn);
  EXPECT_EQ(back->status, TransactionStatus::kCompleted);
  EXPECT_EQ(back->provider_id, "re_1");
  EXPECT_EQ(DepositLiability("r-d0"), 0);

  // A replay (a lost checkpoint) books nothing twice.
  ASSERT_TRUE(ReturnDeposit("r-d0", settled).ok());
  EXPECT_EQ(DepositLiability("r-d0"), 0);
  auto snapshots = SettlementStore(*store_->plugin_storage()).Snapshots("r-d0");
  ASSERT_TRUE(snapshots.ok());
  ASSERT_EQ(snapshots->size(), 1u);
  EXPECT_EQ((*snapshots)[0].deposit, 20000);
  EXPECT_EQ((*snapshots)[0].deposit_returned, 20000);
}

TEST_P(DepositBackendsTest, AClaimSmallerThanTheDepositIsDrawnFromItAndTheRestReturned) {
  Value settled = SettleWithDeposit("r-d1", 5000);
  EXPECT_EQ(settled.Get("deposit_claimed"), HeldEur(5000));
  EXPECT_EQ(settled.Get("deposit_returned"), HeldEur(15000));
  EXPECT_EQ(settled.Get("guest_refund"), HeldEur(28350)) << "the guest's refund is untouched";
  EXPECT_EQ(settled.Get("host_payout"), HeldEur(26865 + 5000));
  PostLedger("r-d1", settled);
  EXPECT_EQ(DepositLiability("r-d1"), -15000);
  ASSERT_TRUE(ReturnDeposit("r-d1", settled).ok());
  EXPECT_EQ(psp_->sent.at(0).amount_minor, 15000);
  EXPECT_EQ(DepositLiability("r-d1"), 0);
  auto claim = ClaimStore(*store_->plugin_storage()).Claim("clm_r-d1");
  ASSERT_TRUE(claim.ok());
  EXPECT_EQ(claim->payout.deposit, 20000);
  EXPECT_EQ(claim->payout.deposit_claimed, 5000);
  EXPECT_EQ(claim->payout.deposit_returned, 15000);
}

TEST_P(DepositBackendsTest, AClaimLargerThanTheDepositTakesTheRestFromTheRefundCapped) {
  Value settled = SettleWithDeposit("r-d2", 60000);
  EXPECT_EQ(settled.Get("deposit_claimed"), HeldEur(20000));
  EXPECT_EQ(settled.Get("deposit_returned"), HeldEur(0));
  EXPECT_EQ(settled.Get("claim_payout"), HeldEur(48350));
  EXPECT_EQ(settled.Get("uncovered"), HeldEur(11650));
  EXPECT_EQ(settled.Get("guest_refund"), HeldEur(0));
  EXPECT_FALSE(OfKind("r-d2", TransactionKind::kDepositReturn).has_value()) << "nothing to return";
  PostLedger("r-d2", settled);
  EXPECT_EQ(DepositLiability("r-d2"), 0);
}

TEST_P(DepositBackendsTest, AReservationAlreadyPartlyRefundedCapsTheClaim) {
  RefundStore refunds(*store_->plugin_storage());
  // 250.00 of the booking refunded before by another workflow; an earlier
  // refund of the deposit's charge is no refund of the booking.
  RefundRecord before{"wf-old/psp", "wf-old", "r-d3", "", "", "re_o", "succeeded", 25000, "EUR", 1, 1};
  before.charge = "ch_book_r-d3";
  ASSERT_TRUE(refunds.UpsertRefund(before).ok());
  Value settled = SettleWithDeposit("r-d3", 30000);
  EXPECT_EQ(settled.Get("already_refunded"), HeldEur(25000));
  EXPECT_EQ(settled.Get("remaining"), HeldEur(3350));
  EXPECT_EQ(settled.Get("claim_payout"), HeldEur(23350)) << "the deposit and what remains of the refund, no more";
  EXPECT_EQ(settled.Get("uncovered"), HeldEur(6650));
  EXPECT_EQ(settled.Get("guest_refund"), HeldEur(0));
  PostLedger("r-d3", settled);
  EXPECT_EQ(DepositLiability("r-d3"), 0);
}

TEST_P(DepositBackendsTest, ARefusedReturnIsRecordedThenExecutedByAnAdminAndBookedOnce) {
  Value settled = SettleWithDeposit("r-d4", 5000);
  PostLedger("r-d4", settled);
  psp_->refuse["ch_dep_r-d4"] = "invalid_charge";
  ActivityResult refused = ReturnDeposit("r-d4", settled);
  ASSERT_TRUE(refused.ok()) << "a refusal is recorded, the settlement goes on: " << refused.error().message;
  EXPECT_FALSE(refused.output().Get("returned").BoolOr(true));
  EXPECT_EQ(refused.output().Get("error").Get("code"), Value("invalid_charge"));
  std::optional<SettlementTransaction> back = OfKind("r-d4", TransactionKind::kDepositReturn);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->status, TransactionStatus::kFailed);
  EXPECT_EQ(back->failure_code, "invalid_charge");
  EXPECT_EQ(DepositLiability("r-d4"), -15000) << "still held for the guest";

  // The charge is refundable again; the admin executes under a new key.
  psp_->refuse.clear();
  SettlementStore settlements(*store_->plugin_storage());
  RefundStore refunds(*store_->plugin_storage());
  NoWorkflows workflows;
  ExecutionRequest request{back->id, "admin:ana", "card reissued", ""};
  auto executed = ExecuteTransaction(settlements, refunds, workflows, *psp_, request, clock_);
  ASSERT_TRUE(executed.ok()) << executed.status().ToString();
  EXPECT_EQ(executed->outcome, ExecutionOutcome::kCompleted);
  EXPECT_EQ(executed->transaction.status, TransactionStatus::kCompleted);
  ASSERT_EQ(psp_->sent.size(), 2u);
  EXPECT_EQ(psp_->sent[1].idempotency_key, back->idempotency_key + "/execute/1");
  EXPECT_EQ(psp_->sent[1].charge, "ch_dep_r-d4");
  EXPECT_EQ(psp_->sent[1].amount_minor, 15000);
  EXPECT_EQ(DepositLiability("r-d4"), 0) << "booked with its completion";
  // Executing it again does nothing and books nothing.
  auto again = ExecuteTransaction(settlements, refunds, workflows, *psp_, request, clock_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->outcome, ExecutionOutcome::kAlreadyCompleted);
  EXPECT_EQ(psp_->sent.size(), 2u);
  EXPECT_EQ(DepositLiability("r-d4"), 0);
  // The deposit charge itself is never executed.
  std::optional<SettlementTransaction> held = OfKind("r-d4", TransactionKind::kDeposit);
  ASSERT_TRUE(held.has_value());
  EXPECT_EQ(ExecuteTransaction(settlements, refunds, workflows, *psp_, {held->id, "admin:ana", "x", ""}, clock_)
                .status()
                .code(),
            StatusCode::kFailedPrecondition);
}

// A return the PSP takes as pending leaves its transaction pending and
// unbooked; the settlement sync that reads its "succeeded" completes and
// books it, once.
TEST_P(DepositBackendsTest, AReturnThePspTookAsPendingIsBookedByTheSettlementSync) {
  Value settled = SettleWithDeposit("r-d5", 5000);
  PostLedger("r-d5", settled);
  psp_->pending.insert("ch_dep_r-d5");
  // The step waits for the refund as refund.psp_refund does (its attempt
  // fails, to be retried), with the PSP's refund id recorded.
  ActivityResult returned = ReturnDeposit("r-d5", settled);
  ASSERT_FALSE(returned.ok());
  EXPECT_EQ(returned.error().kind, ErrorKind::kRetryable) << returned.error().code;
  std::optional<SettlementTransaction> back = OfKind("r-d5", TransactionKind::kDepositReturn);
  ASSERT_TRUE(back.has_value());
  ASSERT_EQ(back->status, TransactionStatus::kPending);
  ASSERT_FALSE(back->provider_id.empty());
  EXPECT_EQ(DepositLiability("r-d5"), -15000) << "nothing booked while the PSP has not paid";

  PspSettlementEvent paid;
  paid.seq = 1;
  paid.object_type = "refund";
  paid.object_id = back->provider_id;
  paid.succeeded = true;
  paid.status = "succeeded";
  paid.amount_minor = 15000;
  paid.currency = "eur";
  paid.settled_s = 1800000000;
  SettlementEventStore events(*store_->plugin_storage());
  auto moved = events.RecordPage({paid}, 1, clock_.NowMs());
  ASSERT_TRUE(moved.ok()) << moved.status().ToString();
  ASSERT_EQ(moved->size(), 1u);
  EXPECT_EQ(OfKind("r-d5", TransactionKind::kDepositReturn)->status, TransactionStatus::kCompleted);
  EXPECT_EQ(DepositLiability("r-d5"), 0) << "booked with its completion";
  // The same page again moves and books nothing more.
  auto replayed = events.RecordPage({paid}, 1, clock_.NowMs());
  ASSERT_TRUE(replayed.ok());
  EXPECT_TRUE(replayed->empty());
  EXPECT_EQ(DepositLiability("r-d5"), 0);
}

// A deposit's return is the platform giving back what it held, not the
// guest asking for money back: it does not count toward refund velocity.
TEST_P(DepositBackendsTest, ADepositsReturnDoesNotCountTowardRefundVelocity) {
  Value settled = SettleWithDeposit("r-d7", 0);
  ActivityResult returned = Run(MakeReturnDepositActivity(services_), "wf-r-d7", "deposit",
                                Value::Map{{"charge", "ch_dep_r-d7"},
                                           {"amount", settled.Get("deposit_returned")},
                                           {"reservation_id", "r-d7"},
                                           {"customer_id", "cust-d7"},
                                           {"metadata", Value::Map{{"deposit", "return"}}}});
  ASSERT_TRUE(returned.ok()) << returned.error().message;
  RefundStore refunds(*store_->plugin_storage());
  EXPECT_EQ(*refunds.CountRecentRefunds("customer_id", "cust-d7", 0, ""), 0);
  // The guest's own refund of the booking does count.
  ActivityResult refunded = Run(MakePspRefundActivity(services_), "wf-r-d7", "psp",
                                Value::Map{{"charge", "ch_book_r-d7"},
                                           {"amount", HeldEur(1000)},
                                           {"reservation_id", "r-d7"},
                                           {"customer_id", "cust-d7"}});
  ASSERT_TRUE(refunded.ok()) << refunded.error().message;
  EXPECT_EQ(*refunds.CountRecentRefunds("customer_id", "cust-d7", 0, ""), 1);
}

TEST_P(DepositBackendsTest, ADepositOnTheBookingsOwnChargeIsRefused) {
  ActivityResult opened = Run(MakeOpenClaimActivity(nullptr), "wf-r-d5", "open",
                              Value::Map{{"reservation_id", "r-d5"}, {"currency", "EUR"}, {"claim_id", "clm_r-d5"}});
  ASSERT_TRUE(opened.ok());
  ASSERT_TRUE(Run(MakeDecideClaimActivity(nullptr), "wf-r-d5", "decide",
                  Value::Map{{"claim_id", "clm_r-d5"}, {"review", Value::Map{{"held", false}, {"decision", "approve"}}}})
                  .ok());
  ActivityResult settled = Run(MakeSettleClaimActivity(nullptr), "wf-r-d5", "settle",
                               Value::Map{{"claim_id", "clm_r-d5"},
                                          {"breakdown", HalfWindowBreakdown("r-d5")},
                                          {"charge", "ch_same"},
                                          {"host_account", "acct_h"},
                                          {"deposit", Value::Map{{"amount", 20000}, {"charge", "ch_same"}}}});
  ASSERT_FALSE(settled.ok());
  EXPECT_EQ(settled.error().code, "invalid_input");
}

// `claims show` before the settlement: the preview draws on the deposit the
// workflow's input names, as the settle step will.
TEST_P(DepositBackendsTest, TheClaimPreviewDrawsOnTheDepositFirst) {
  ActivityResult opened =
      Run(MakeOpenClaimActivity(nullptr), "wf-r-d6", "open",
          Value::Map{{"reservation_id", "r-d6"}, {"currency", "EUR"}, {"claim_id", "clm_r-d6"},
                     {"items", Value::List{Value::Map{{"id", "lamp"}, {"description", "lamp"}, {"amount", "80.00 EUR"}}}}});
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  NoWorkflows workflows;
  workflows.workflow_id = "wf-r-d6";
  workflows.history = {
      Event(history::kWorkflowStarted, "",
            Value::Map{{"input", Value::Map{{"reservation",
                                             Value::Map{{"deposit", Value::Map{{"amount", "200.00 EUR"},
                                                                               {"charge", "ch_dep_r-d6"}}}}}}}}),
      Event(history::kStepScheduled, "amount", Value::Map{{"activity", "refund.calculate_amount"}}),
      Event(history::kAttemptSucceeded, "amount", Value::Map{{"output", HalfWindowBreakdown("r-d6")}}),
  };
  ClaimStore claims(*store_->plugin_storage());
  RefundStore refunds(*store_->plugin_storage());
  auto view = ViewClaim(claims, refunds, &workflows, "clm_r-d6");
  ASSERT_TRUE(view.ok()) << view.status().ToString();
  ASSERT_TRUE(view->settlement.has_value());
  EXPECT_EQ(view->basis, "preview, if approved as asked");
  EXPECT_EQ(view->settlement->deposit_claimed, 8000);
  EXPECT_EQ(view->settlement->deposit_returned, 12000);
  EXPECT_EQ(view->settlement->guest_refund, 28350);
  EXPECT_EQ(view->ToValue().Get("settlement").Get("deposit").Get("returned"), HeldEur(12000));
}

INSTANTIATE_TEST_SUITE_P(Backends, DepositBackendsTest, STEADFAST_STORE_BACKENDS);

// Version 7 over a version 6 database with rows: the transactions table is
// rebuilt (SQLite) or its constraint replaced (PostgreSQL), rows kept.
class DepositMigrationTest : public testing_backends::RefundBackendTest {
 protected:
  void SetUp() override { CreateDatabase("deposit_migration", {}); }
};

TEST_P(DepositMigrationTest, VersionSevenKeepsTheRowsOfVersionSixAndTakesTheDepositKinds) {
  if (IsSkipped() || HasFatalFailure()) return;
  PluginSchema v6 = RefundStore::Schema();
  ASSERT_EQ(v6.migrations.back().version, 7);
  v6.migrations.pop_back();
  SettlementTransaction old;
  old.id = "stx_old";
  old.idempotency_key = "r-m/hostpayout/wf-m";
  old.reservation_id = "r-m";
  old.kind = TransactionKind::kHostPayout;
  old.status = TransactionStatus::kFailed;
  old.amount = Money{10945, "EUR"};
  old.destination = "acct_closed";
  old.failure_code = "account_closed";
  old.workflow_id = "wf-m";
  {
    auto store = db_.Open(&clock_, {v6});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    PluginStorage& storage = *(*store)->plugin_storage();
    ASSERT_TRUE(storage
                    .Transact([&](PluginTransaction& tx) -> Status {
                      return tx
                          .Execute("INSERT INTO refund_settlement_transactions (id, idempotency_key, reservation_id, "
                                   "kind, status, amount_minor, currency, destination, failure_code, workflow_id, "
                                   "created_ms, updated_ms) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                                   {old.id, old.idempotency_key, old.reservation_id, "hostpayout", "failed",
                                    old.amount.minor, "EUR", old.destination, old.failure_code, old.workflow_id, 5, 5})
                          .status();
                    })
                    .ok());
    // Version 6 refuses the new kinds: the constraint is what v7 changes.
    Status refused = storage.Transact([&](PluginTransaction& tx) -> Status {
      return tx
          .Execute("INSERT INTO refund_settlement_transactions (id, idempotency_key, reservation_id, kind, status, "
                   "amount_minor, currency, workflow_id, created_ms, updated_ms) VALUES "
                   "('stx_x', 'r-m/deposit/x', 'r-m', 'deposit', 'completed', 1, 'EUR', 'x', 1, 1)",
                   {})
          .status();
    });
    EXPECT_FALSE(refused.ok());
  }
  auto store = db_.Open(&clock_, {RefundStore::Schema()});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  SettlementStore settlements(*(*store)->plugin_storage());
  auto kept = settlements.Transaction("stx_old");
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  EXPECT_EQ(kept->status, TransactionStatus::kFailed);
  EXPECT_EQ(kept->failure_code, "account_closed");
  EXPECT_EQ(kept->amount.minor, 10945);
  // The new kinds are taken, another kind still is not.
  CancellationDetails d;
  d.reservation_id = "r-m";
  d.workflow_id = "wf-m2";
  d.currency = "EUR";
  d.refund_method = "cash";
  d.deposit = 20000;
  d.deposit_returned = 20000;
  SettlementPlanInput plan;
  plan.reservation_id = "r-m";
  plan.workflow_id = "wf-m2";
  plan.deposit_charge = "ch_dep";
  plan.deposit_psp_key = "wf-m2/deposit";
  auto txns = PlanSettlementTransactions(d, plan);
  ASSERT_TRUE(txns.ok()) << txns.status().ToString();
  ASSERT_TRUE((*store)->plugin_storage()
                  ->Transact([&](PluginTransaction& tx) -> Status {
                    SF_RETURN_IF_ERROR(tx.Execute("INSERT INTO refund_cancellation_details (reservation_id, "
                                                  "workflow_id, currency, refund_to_guest_minor, payout_to_host_minor, "
                                                  "total_minor, guest_service_fee_minor, host_service_fee_minor, "
                                                  "refund_total_minor, refund_method, policy, created_ms, "
                                                  "deposit_minor, deposit_returned_minor) "
                                                  "VALUES ('r-m', 'wf-m2', 'EUR', 0, 0, 0, 0, 0, 0, 'cash', '', 1, "
                                                  "20000, 20000)",
                                                  {})
                                           .status());
                    for (const SettlementTransaction& t : *txns) {
                      SF_RETURN_IF_ERROR(
                          tx.Execute("INSERT INTO refund_settlement_transactions (id, idempotency_key, reservation_id, "
                                     "kind, status, amount_minor, currency, workflow_id, created_ms, updated_ms) "
                                     "VALUES (?,?,?,?,?,?,?,?,?,?)",
                                     {t.id, t.idempotency_key, t.reservation_id,
                                      std::string(TransactionKindName(t.kind)),
                                      std::string(TransactionStatusName(t.status)), t.amount.minor, "EUR",
                                      t.workflow_id, 1, 1})
                              .status());
                    }
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(settlements.Transactions()->size(), 3u);
  EXPECT_EQ(settlements.Snapshots("r-m")->at(0).deposit_returned, 20000);
  Status other = (*store)->plugin_storage()->Transact([&](PluginTransaction& tx) -> Status {
    return tx
        .Execute("INSERT INTO refund_settlement_transactions (id, idempotency_key, reservation_id, kind, status, "
                 "amount_minor, currency, workflow_id, created_ms, updated_ms) VALUES "
                 "('stx_y', 'r-m/bogus/y', 'r-m', 'bogus', 'completed', 1, 'EUR', 'y', 1, 1)",
                 {})
        .status();
  });
  EXPECT_FALSE(other.ok()) << "the constraint still names the kinds";

  // Every index of versions 3 and 6 is there after the rebuild (the
  // settlement sync finds transactions by provider id).
  const bool sqlite = GetParam() != testing_support::StoreBackend::kPostgres;
  auto indexes = (*store)->plugin_storage()->Query(
      sqlite ? "SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'refund_settlement_transactions' "
               "AND name NOT LIKE 'sqlite_autoindex%' ORDER BY name"
             : "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND "
               "tablename = 'refund_settlement_transactions' ORDER BY indexname");
  ASSERT_TRUE(indexes.ok()) << indexes.status().ToString();
  std::vector<std::string> names;
  for (const Row& r : *indexes) {
    // PostgreSQL's own indexes of the primary key and the UNIQUE column.
    const std::string name = r[0].StringOr("");
    if (name.ends_with("_pkey") || name.ends_with("_idempotency_key_key")) continue;
    names.push_back(name);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"refund_settlement_transactions_provider",
                                             "refund_settlement_transactions_psp_key",
                                             "refund_settlement_transactions_reservation",
                                             "refund_settlement_transactions_status"}));
}

INSTANTIATE_TEST_SUITE_P(Backends, DepositMigrationTest, STEADFAST_STORE_BACKENDS);

}  // namespace
}  // namespace steadfast::refund
