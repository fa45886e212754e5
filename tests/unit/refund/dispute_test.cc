// Disputes (chargebacks): the overlap rules on their own, then on both
// backends (SQLite, and the PostgreSQL cluster named by
// STEADFAST_TEST_PG_URL: skipped without one, failed when CI is set) with
// refund schema version 5 applied as `serve` applies it: the dispute table
// and its cursor, refund.sync_disputes over a scripted PSP (pages, a status
// change seen later, a replayed page, one review case per overlapping
// dispute), and refund.psp_refund refusing to send a refund of a disputed
// charge.
#include <gtest/gtest.h>

#include <deque>

#include "backend_database.h"
#include "refund_backend_test.h"
#include "refund/activities.h"
#include "refund/dispute_overlap.h"
#include "refund/dispute_store.h"
#include "refund/refund_services.h"
#include "refund/refund_store.h"
#include "steadfast/testing.h"

namespace steadfast::refund {
namespace {


RefundRecord Refund(const std::string& id, const std::string& status, int64_t minor,
                    const std::string& currency = "EUR") {
  RefundRecord r;
  r.idempotency_key = "wf-" + id + "/psp";
  r.workflow_id = "wf-" + id;
  r.reservation_id = "res-" + id;
  r.psp_refund_id = id;
  r.status = status;
  r.amount_minor = minor;
  r.currency = currency;
  r.charge = "ch_1";
  return r;
}

TEST(DisputeOverlap, ASucceededRefundOverlapsUpToTheDisputedAmount) {
  OverlapFinding f = FindOverlap(10000, "EUR", {Refund("re_1", "succeeded", 6000), Refund("re_2", "failed", 4000)});
  EXPECT_EQ(f.overlap, DisputeOverlap::kRefunded);
  EXPECT_EQ(f.overlap_minor, 6000) << "a failed refund returned nothing";
  EXPECT_EQ(f.refund_ids, std::vector<std::string>{"re_1"});
  EXPECT_EQ(f.subject, "res-re_1");
  EXPECT_EQ(FindOverlap(3000, "eur", {Refund("re_1", "succeeded", 6000)}).overlap_minor, 3000)
      << "no more than the dispute is at risk; currencies compare case-blind";
}

TEST(DisputeOverlap, APendingRefundIsBeingRefunded) {
  OverlapFinding f = FindOverlap(10000, "EUR", {Refund("re_1", "pending", 10000)});
  EXPECT_EQ(f.overlap, DisputeOverlap::kRefundPending);
  EXPECT_EQ(f.overlap_minor, 10000);
  EXPECT_EQ(FindOverlap(10000, "EUR", {Refund("re_1", "pending", 1), Refund("re_2", "succeeded", 1)}).overlap,
            DisputeOverlap::kRefunded)
      << "money already returned outranks money on its way";
}

TEST(DisputeOverlap, NoRefundOrOnlyFailedOrOtherCurrencyIsNoOverlap) {
  EXPECT_EQ(FindOverlap(10000, "EUR", {}).overlap, DisputeOverlap::kNone);
  OverlapFinding f = FindOverlap(10000, "EUR", {Refund("re_1", "failed", 10000), Refund("re_2", "succeeded", 500, "USD")});
  EXPECT_EQ(f.overlap, DisputeOverlap::kNone);
  EXPECT_EQ(f.overlap_minor, 0);
  EXPECT_TRUE(f.refund_ids.empty());
}

TEST(DisputeOverlap, OpenOrLostDisputesBlockARefundWonOnesDoNot) {
  EXPECT_FALSE(RefundBlockedBy({}).has_value());
  EXPECT_FALSE(RefundBlockedBy({{"dp_1", "won", 100}}).has_value());
  auto open = RefundBlockedBy({{"dp_1", "won", 100}, {"dp_2", "open", 100}});
  ASSERT_TRUE(open.has_value());
  EXPECT_EQ(open->id, "dp_2");
  auto lost = RefundBlockedBy({{"dp_3", "lost", 100}});
  ASSERT_TRUE(lost.has_value());
  EXPECT_EQ(lost->status, "lost");
}

TEST(DisputeOverlap, NamesRoundTrip) {
  for (DisputeOverlap o : {DisputeOverlap::kNone, DisputeOverlap::kRefunded, DisputeOverlap::kRefundPending,
                           DisputeOverlap::kRefundBlocked}) {
    EXPECT_EQ(ParseDisputeOverlap(DisputeOverlapName(o)), o);
  }
  EXPECT_FALSE(ParseDisputeOverlap("partial").has_value());
  EXPECT_EQ(ParseDisputeStatus("needs_response"), DisputeStatus::kOpen);
  EXPECT_EQ(ParseDisputeStatus("warning_closed"), DisputeStatus::kWon);
  EXPECT_EQ(ParseDisputeStatus("lost"), DisputeStatus::kLost);
  EXPECT_FALSE(ParseDisputeStatus("charge_refunded").has_value());
}

// Scripts dispute pages and refunds; records what was asked.
class DisputePsp : public PspAdapter {
 public:
  std::deque<RemoteResult<DisputePage>> pages;
  std::vector<int64_t> asked_since;
  int refund_calls = 0;
  RemoteResult<DisputePage> ListDisputes(const ListDisputesRequest& r) override {
    asked_since.push_back(r.since);
    if (pages.empty()) return DisputePage{{}, false, r.since};
    RemoteResult<DisputePage> next = pages.front();
    pages.pop_front();
    return next;
  }
  RemoteResult<PspRefund> Refund(const RefundRequest& r) override {
    ++refund_calls;
    PspRefund out;
    out.id = "re_new";
    out.status = PspRefundStatus::kSucceeded;
    out.amount_minor = r.amount_minor.value_or(0);
    out.currency = r.expected_currency;
    out.charge = r.charge;
    return out;
  }
  RemoteResult<PspRefund> GetRefund(std::string_view) override { return Unused(); }
  RemoteResult<RefundPage> ListRefunds(const ListRefundsRequest&) override { return Unused(); }
  RemoteResult<PspTransfer> Transfer(const TransferRequest&) override { return Unused(); }
  RemoteResult<PspTransfer> GetTransfer(std::string_view) override { return Unused(); }
  RemoteResult<PspTransferReversal> ReverseTransfer(const TransferReversalRequest&) override { return Unused(); }

 private:
  static ActivityError Unused() { return ActivityError::NonRetryable("unused", "not scripted in this test"); }
};

PspDispute Dispute(const std::string& id, const std::string& charge, int64_t minor, DisputeStatus status,
                   int64_t change) {
  PspDispute d;
  d.id = id;
  d.charge = charge;
  d.amount_minor = minor;
  d.currency = "eur";
  d.reason = "fraudulent";
  d.status = status;
  d.change = change;
  return d;
}

class DisputeBackendsTest : public testing_backends::RefundBackendTest {
 protected:
  void SetUp() override {
    CreateDatabase("dispute_backends");
    if (IsSkipped() || HasFatalFailure()) return;
    auto services = std::make_shared<RefundServices>();
    services->store = std::make_unique<RefundStore>(*store_->plugin_storage());
    auto psp = std::make_unique<DisputePsp>();
    psp_ = psp.get();
    services->psp = std::move(psp);
    services_ = services;
  }
  void TearDown() override {
    services_.reset();
    RefundBackendTest::TearDown();
  }
  ActivityResult Sync(const std::string& workflow) {
    return Run(MakeSyncDisputesActivity(services_), workflow, "sync", Value::Map{{"page_size", 2}});
  }
  DisputeStore Disputes() { return DisputeStore(*store_->plugin_storage()); }
  Value RefundInput(const std::string& charge) {
    return Value::Map{{"charge", charge},
                      {"amount", Value::Map{{"minor", 5000}, {"currency", "EUR"}}},
                      {"reservation_id", "res-2"}};
  }

  std::shared_ptr<RefundServices> services_;
  DisputePsp* psp_ = nullptr;
};

TEST_P(DisputeBackendsTest, RecordsPagesIdempotentlyAndKeepsTheCursor) {
  DisputeStore disputes = Disputes();
  ASSERT_EQ(*disputes.Cursor(), 0);
  DisputeRow row;
  row.id = "dp_1";
  row.charge = "ch_1";
  row.amount_minor = 4000;
  row.currency = "EUR";
  row.status = "open";
  row.overlap = "refunded";
  row.refund_ids = "re_1";
  row.subject = "res-1";
  auto first = disputes.RecordPage({row}, 3, 10);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->new_disputes, 1);
  EXPECT_EQ(*disputes.Cursor(), 3);

  // The same page again (a retry): nothing new; then it is lost, and a
  // later look finds no overlap: the overlap it had stays.
  EXPECT_EQ(disputes.RecordPage({row}, 3, 20)->new_disputes, 0);
  row.status = "lost";
  row.overlap = "none";
  row.refund_ids = "";
  auto lost = disputes.RecordPage({row}, 4, 30);
  ASSERT_TRUE(lost.ok());
  EXPECT_EQ(lost->newly_lost, 1);
  EXPECT_EQ(disputes.RecordPage({row}, 4, 40)->newly_lost, 0) << "lost once";
  auto listed = disputes.List("lost");
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].overlap, "refunded");
  EXPECT_EQ((*listed)[0].refund_ids, "re_1");
  EXPECT_EQ((*listed)[0].first_seen_ms, 10);
  EXPECT_EQ((*listed)[0].updated_ms, 40);
  EXPECT_TRUE(disputes.List("open")->empty());

  auto awaiting = disputes.AwaitingReview();
  ASSERT_TRUE(awaiting.ok());
  ASSERT_EQ(awaiting->size(), 1u);
  ASSERT_TRUE(disputes.SetReviewCase("dp_1", "mr_1", 50).ok());
  EXPECT_TRUE(disputes.AwaitingReview()->empty());
}

TEST_P(DisputeBackendsTest, SyncRoutesAnOverlappingDisputeToAPersonOnceAndRecordsTheRest) {
  RefundRecord refunded = Refund("re_1", "succeeded", 10000);
  ASSERT_TRUE(services_->store->UpsertRefund(refunded).ok());
  psp_->pages.push_back(DisputePage{{Dispute("dp_a", "ch_1", 10000, DisputeStatus::kOpen, 1),
                                     Dispute("dp_b", "ch_other", 2500, DisputeStatus::kOpen, 2)},
                                    true, 2});
  psp_->pages.push_back(DisputePage{{Dispute("dp_a", "ch_1", 10000, DisputeStatus::kLost, 3)}, false, 3});

  ActivityResult r = Sync("sync-1");
  ASSERT_TRUE(r.ok()) << r.error().code << ": " << r.error().message;
  EXPECT_EQ(psp_->asked_since, (std::vector<int64_t>{0, 2})) << "the second page from the first's cursor";
  EXPECT_EQ(r.output().Get("read").IntOr(-1), 3);
  EXPECT_EQ(r.output().Get("new_disputes").IntOr(-1), 2);
  EXPECT_EQ(r.output().Get("newly_lost").IntOr(-1), 1);
  EXPECT_EQ(r.output().Get("cursor").IntOr(-1), 3);
  const Value& cases = r.output().Get("cases");
  ASSERT_TRUE(cases.is_list());
  ASSERT_EQ(cases.AsList().size(), 1u) << "only the refunded charge's dispute needs a person";
  EXPECT_EQ(cases.AsList()[0].Get("dispute_id").StringOr(""), "dp_a");
  EXPECT_EQ(cases.AsList()[0].Get("overlap").StringOr(""), "refunded");
  EXPECT_EQ(cases.AsList()[0].Get("subject").StringOr(""), "res-re_1");
  EXPECT_FALSE(cases.AsList()[0].Get("replayed").BoolOr(true));

  auto all = Disputes().List("");
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  for (const DisputeRow& d : *all) {
    if (d.id == "dp_a") {
      EXPECT_EQ(d.status, "lost");
      EXPECT_EQ(d.overlap, "refunded");
      EXPECT_EQ(d.overlap_minor, 10000);
      EXPECT_FALSE(d.review_case_id.empty());
    } else {
      EXPECT_EQ(d.overlap, "none");
      EXPECT_TRUE(d.review_case_id.empty()) << "recorded only";
    }
  }
  auto reviews = services_->store->CountManualReviews("sync-1");
  ASSERT_TRUE(reviews.ok());
  EXPECT_EQ(*reviews, 1);

  // The next run reads from the cursor, finds nothing new, opens nothing.
  ActivityResult again = Sync("sync-2");
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(psp_->asked_since.back(), 3);
  EXPECT_EQ(again.output().Get("new_disputes").IntOr(-1), 0);
  EXPECT_TRUE(again.output().Get("cases").AsList().empty());
  EXPECT_EQ(*services_->store->CountManualReviews("sync-2"), 0);
}

TEST_P(DisputeBackendsTest, APspErrorLeavesTheCursorWhereItWas) {
  psp_->pages.push_back(ActivityError::Retryable("psp_unavailable", "503"));
  ActivityResult r = Sync("sync-1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "psp_unavailable");
  EXPECT_EQ(*Disputes().Cursor(), 0);
}

TEST_P(DisputeBackendsTest, ARefundOfADisputedChargeIsNotSent) {
  psp_->pages.push_back(DisputePage{{Dispute("dp_c", "ch_2", 5000, DisputeStatus::kOpen, 1)}, false, 1});
  ASSERT_TRUE(Sync("sync-1").ok());

  ActivityResult r = Run(MakePspRefundActivity(services_), "wf-2", "psp", RefundInput("ch_2"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "charge_disputed");
  EXPECT_EQ(r.error().kind, ErrorKind::kNonRetryable);
  EXPECT_EQ(r.error().details.Get("dispute_id").StringOr(""), "dp_c");
  EXPECT_EQ(psp_->refund_calls, 0) << "no money moved";
  auto rows = Disputes().OfCharge("ch_2");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].overlap, "refund_blocked") << "marked with the step's checkpoint";
  EXPECT_EQ((*rows)[0].subject, "res-2");

  // The next sync opens the dispute's case for a person.
  ActivityResult next = Sync("sync-2");
  ASSERT_TRUE(next.ok());
  ASSERT_EQ(next.output().Get("cases").AsList().size(), 1u);
  EXPECT_EQ(next.output().Get("cases").AsList()[0].Get("overlap").StringOr(""), "refund_blocked");

  // A charge without dispute (or a won one) is refunded, and the record keeps its charge.
  ActivityResult ok = Run(MakePspRefundActivity(services_), "wf-3", "psp", RefundInput("ch_3"));
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(psp_->refund_calls, 1);
  auto of_charge = services_->store->RefundsOfCharge("ch_3");
  ASSERT_TRUE(of_charge.ok());
  ASSERT_EQ(of_charge->size(), 1u);
  EXPECT_EQ((*of_charge)[0].psp_refund_id, "re_new");
}

TEST_P(DisputeBackendsTest, ARetriedAttemptIsLeftToThePspsIdempotency) {
  psp_->pages.push_back(DisputePage{{Dispute("dp_d", "ch_4", 5000, DisputeStatus::kOpen, 1)}, false, 1});
  ASSERT_TRUE(Sync("sync-1").ok());
  // Attempt 2 may repeat a request the PSP executed before the dispute was
  // recorded: it goes to the PSP under its key (which answers the first refund).
  ActivityResult r = Run(MakePspRefundActivity(services_), "wf-4", "psp", RefundInput("ch_4"), /*attempt=*/2);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(psp_->refund_calls, 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, DisputeBackendsTest, STEADFAST_STORE_BACKENDS);

}  // namespace
}  // namespace steadfast::refund
