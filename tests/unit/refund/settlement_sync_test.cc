// The PSP's asynchronous settlement of pending transactions
// (refund.sync_settlements, settlement_event_store.h), on SQLite and on
// PostgreSQL (STEADFAST_TEST_PG_URL): a settled payout completes its
// transaction once, whatever the replays; a failed refund fails its
// transaction with the PSP's code; an event read before its transaction
// learnt its PSP id settles it on a later run; an event of another amount
// moves nothing; the cursor moves with each page, and a PSP error leaves
// it; the payout step answered `pending` leaves its transaction pending with
// the transfer id.
#include <gtest/gtest.h>

#include <deque>

#include "backend_database.h"
#include "refund_backend_test.h"
#include "refund/activities.h"
#include "refund/breakdown.h"
#include "refund/quote.h"
#include "refund/refund_services.h"
#include "refund/refund_store.h"
#include "refund/settlement_event_store.h"
#include "refund/settlement_store.h"
#include "steadfast/testing.h"

namespace steadfast::refund {
namespace {


// docs/refunds.md §2's reservation (paid 675.00 EUR), cancelled in moderate@2's half window.
Value HalfWindowBreakdown() {
  QuoteRequest req;
  req.policies_path = std::string(STEADFAST_SOURCE_ROOT) + "/config/refund_policies.yaml";
  req.reservation =
      R"({"id": "r-1001", "currency": "EUR", "start_at": "2026-06-15T15:00:00+02:00",
          "lines": {"rental": 50000, "delivery": 10000, "discount": 6000, "tax": 5400, "service_fee": 8100},
          "units_total": 5, "policy": "moderate@2"})";
  req.cancel_at = "2026-06-12T12:00:00+02:00";
  ManualClock clock(0);
  Result<RefundBreakdown> b = ComputeQuote(req, clock);
  EXPECT_TRUE(b.ok()) << b.status().ToString();
  return b.ok() ? BreakdownToValue(*b) : Value();
}

// Scripts settlement pages and transfers; records what was asked.
class SettlingPsp : public PspAdapter {
 public:
  std::deque<RemoteResult<SettlementEventPage>> pages;
  std::vector<int64_t> asked_since;
  std::string transfer_status = "pending";
  RemoteResult<SettlementEventPage> ListSettlements(const ListSettlementsRequest& r) override {
    asked_since.push_back(r.since);
    if (pages.empty()) return SettlementEventPage{{}, false, r.since};
    RemoteResult<SettlementEventPage> next = pages.front();
    pages.pop_front();
    return next;
  }
  RemoteResult<PspTransfer> Transfer(const TransferRequest& r) override {
    PspTransfer t;
    t.id = "tr_1";
    t.amount_minor = r.amount_minor;
    t.currency = "eur";
    t.destination = r.destination;
    t.status = transfer_status;
    return t;
  }
  RemoteResult<PspRefund> Refund(const RefundRequest&) override { return Unused(); }
  RemoteResult<PspRefund> GetRefund(std::string_view) override { return Unused(); }
  RemoteResult<RefundPage> ListRefunds(const ListRefundsRequest&) override { return Unused(); }
  RemoteResult<PspTransfer> GetTransfer(std::string_view) override { return Unused(); }
  RemoteResult<PspTransferReversal> ReverseTransfer(const TransferReversalRequest&) override { return Unused(); }

 private:
  static ActivityError Unused() { return ActivityError::NonRetryable("unused", "not scripted in this test"); }
};

PspSettlementEvent Settled(int64_t seq, const std::string& type, const std::string& id, const std::string& status,
                         int64_t minor, const std::string& failure = "") {
  PspSettlementEvent e;
  e.seq = seq;
  e.object_type = type;
  e.object_id = id;
  e.status = status;
  e.succeeded = status == "paid" || status == "succeeded";
  e.amount_minor = minor;
  e.currency = "eur";
  e.failure_code = failure;
  e.settled_s = 1'700'000'000 + seq;
  return e;
}

class SettlementSyncTest : public testing_backends::RefundBackendTest {
 protected:
  void SetUp() override {
    CreateDatabase("settlement_sync");
    if (IsSkipped() || HasFatalFailure()) return;
    auto services = std::make_shared<RefundServices>();
    services->store = std::make_unique<RefundStore>(*store_->plugin_storage());
    auto psp = std::make_unique<SettlingPsp>();
    psp_ = psp.get();
    services->psp = std::move(psp);
    services_ = services;
    // The settle step of wf-1: guest refund and host payout pending.
    ASSERT_TRUE(Run(MakeRecordSettlementActivity(services_), "settle",
                    Value::Map{{"reservation_id", "r-1001"},
                               {"breakdown", HalfWindowBreakdown()},
                               {"charge", "ch_1"},
                               {"host_account", "acct_h1"}})
                    .ok());
  }
  void TearDown() override {
    services_.reset();
    RefundBackendTest::TearDown();
  }
  ActivityResult Run(ActivityFn fn, const std::string& step, Value input) {
    return RefundBackendTest::Run(std::move(fn), "wf-1", step, std::move(input));
  }
  ActivityResult Sync() {
    return Run(MakeSyncSettlementsActivity(services_), "sync", Value::Map{{"page_size", 2}});
  }
  SettlementTransaction OfKind(TransactionKind kind) {
    SettlementStore s(*store_->plugin_storage());
    TransactionFilter f;
    f.kind = kind;
    auto t = s.Transactions(f);
    EXPECT_TRUE(t.ok() && t->size() == 1u);
    return t.ok() && !t->empty() ? (*t)[0] : SettlementTransaction{};
  }
  void LearnProviderId(TransactionKind kind, const std::string& key, const std::string& id) {
    SettlementStore s(*store_->plugin_storage());
    ASSERT_TRUE(s.ApplyPspOutcome(PspOutcome{key, kind, TransactionStatus::kPending, id, "", "", 2000}).ok());
  }

  std::shared_ptr<RefundServices> services_;
  SettlingPsp* psp_ = nullptr;
};

TEST_P(SettlementSyncTest, APayoutTheStepLeftPendingCompletesOnceWithTheSettlementTime) {
  const int64_t payout = OfKind(TransactionKind::kHostPayout).amount.minor;
  ActivityResult step = Run(MakePspPayoutActivity(services_), "payout",
                            Value::Map{{"amount", Value::Map{{"minor", payout}, {"currency", "EUR"}}},
                                       {"destination", "acct_h1"},
                                       {"reference", "r-1001"},
                                       {"on_refusal", "record"}});
  ASSERT_TRUE(step.ok()) << step.error().message;
  EXPECT_EQ(step.output().Get("status"), Value("pending"));
  EXPECT_EQ(step.output().Get("paid"), Value(false));
  SettlementTransaction pending = OfKind(TransactionKind::kHostPayout);
  EXPECT_EQ(pending.status, TransactionStatus::kPending) << "accepted, not yet paid";
  EXPECT_EQ(pending.provider_id, "tr_1");

  psp_->pages.push_back(SettlementEventPage{{Settled(1, "refund", "re_other", "succeeded", 100)}, true, 1});
  psp_->pages.push_back(SettlementEventPage{{Settled(2, "transfer", "tr_1", "paid", payout)}, false, 2});
  ActivityResult synced = Sync();
  ASSERT_TRUE(synced.ok()) << synced.error().message;
  EXPECT_EQ(synced.output().Get("read"), Value(2));
  EXPECT_EQ(synced.output().Get("completed"), Value(1));
  EXPECT_EQ(synced.output().Get("cursor"), Value(2));
  EXPECT_EQ(psp_->asked_since, (std::vector<int64_t>{0, 1}));
  SettlementTransaction paid = OfKind(TransactionKind::kHostPayout);
  EXPECT_EQ(paid.status, TransactionStatus::kCompleted);
  EXPECT_EQ(paid.executed_by, "psp");
  EXPECT_EQ(paid.executed_ms, (1'700'000'000 + 2) * 1000LL) << "the PSP's settlement time";

  // The same page again (a retry after a lost checkpoint): nothing moves twice.
  psp_->pages.push_back(SettlementEventPage{{Settled(2, "transfer", "tr_1", "paid", payout)}, false, 2});
  ActivityResult again = Sync();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.output().Get("completed"), Value(0));
  EXPECT_EQ(psp_->asked_since.back(), 2) << "from the saved cursor";
}

TEST_P(SettlementSyncTest, AFailedRefundReadBeforeItsIdWasKnownFailsItsTransactionOnALaterRun) {
  SettlementTransaction refund = OfKind(TransactionKind::kGuestRefund);
  psp_->pages.push_back(
      SettlementEventPage{{Settled(1, "refund", "re_9", "failed", refund.amount.minor, "expired_or_canceled_card")},
                          false, 1});
  ActivityResult first = Sync();
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first.output().Get("failed"), Value(0)) << "no transaction names re_9 yet";
  EXPECT_EQ(OfKind(TransactionKind::kGuestRefund).status, TransactionStatus::kPending);

  LearnProviderId(TransactionKind::kGuestRefund, "wf-1/psp", "re_9");
  ActivityResult second = Sync();  // an empty page
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(second.output().Get("failed"), Value(1));
  SettlementTransaction failed = OfKind(TransactionKind::kGuestRefund);
  EXPECT_EQ(failed.status, TransactionStatus::kFailed);
  EXPECT_EQ(failed.failure_code, "expired_or_canceled_card");
  EXPECT_EQ(failed.executed_by, "psp");
}

TEST_P(SettlementSyncTest, AnEventOfAnotherAmountMovesNothingAndAPspErrorKeepsTheCursor) {
  SettlementTransaction payout = OfKind(TransactionKind::kHostPayout);
  LearnProviderId(TransactionKind::kHostPayout, "wf-1/payout", "tr_5");
  psp_->pages.push_back(SettlementEventPage{{Settled(1, "transfer", "tr_5", "paid", payout.amount.minor + 1)}, false, 1});
  ASSERT_TRUE(Sync().ok());
  EXPECT_EQ(OfKind(TransactionKind::kHostPayout).status, TransactionStatus::kPending)
      << "not its amount: left for reconciliation";
  psp_->pages.push_back(ActivityError::Retryable("psp_unavailable", "503"));
  ActivityResult failed = Sync();
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, "psp_unavailable");
  SettlementEventStore events(*store_->plugin_storage());
  EXPECT_EQ(*events.Cursor(), 1);
  auto counts = events.CountByStatusAndKind();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->size(), 3u) << "booking completed, guest refund and host payout pending";
}

INSTANTIATE_TEST_SUITE_P(Backends, SettlementSyncTest, STEADFAST_STORE_BACKENDS);

}  // namespace
}  // namespace steadfast::refund
