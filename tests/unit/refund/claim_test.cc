// Claims: the settlement arithmetic (capped at what remains, a partly
// refunded reservation, no claim, currencies with 0, 2 and 3 decimals), the
// reviewers' per-item decisions read from their approval comments (reduce,
// reject, four-eyes merge, every malformed payload refused with a message),
// the settled breakdown (its lines add up, its ledger balances), and the
// claim tables on a real database: keyed opening, messages once per key,
// decisions and settlement only forward, and the activities open -> decide
// -> settle with their checkpoint writes and replays.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "refund/activities.h"
#include "refund/breakdown.h"
#include "refund/claim.h"
#include "refund/claim_decision.h"
#include "refund/claim_settlement.h"
#include "refund/claim_store.h"
#include "refund/ledger.h"
#include "refund/quote.h"
#include "refund/settlement_store.h"
#include "refund_tables.h"
#include "steadfast/testing.h"

namespace steadfast::refund {
namespace {

const std::string kSource = STEADFAST_SOURCE_ROOT;

// docs/refunds.md §2's reservation: paid 675.00 EUR, moderate@2.
constexpr const char* kReservation =
    R"({"id": "r-1001", "currency": "EUR", "start_at": "2026-06-15T15:00:00+02:00",
        "lines": {"rental": 50000, "delivery": 10000, "discount": 6000, "tax": 5400, "service_fee": 8100},
        "units_total": 5, "policy": "moderate@2"})";
constexpr const char* kHalfWindow = "2026-06-12T12:00:00+02:00";  // refund 283.50, host 268.65
constexpr const char* kFullWindow = "2026-06-01T12:00:00+02:00";  // refund 675.00 (fee 81.00), host 0.00

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

ClaimPayout Settle(int64_t refund_total, int64_t payout, int64_t already, int64_t decided,
                   const std::string& currency = "EUR") {
  Result<ClaimPayout> p = ComputeClaimSettlement({currency, "cash", refund_total, payout, already, decided});
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return p.ok() ? *p : ClaimPayout{};
}

// ---------------------------------------------------------------- arithmetic

TEST(ClaimSettlement, AClaimWithinTheRefundMovesFromTheGuestToTheHost) {
  // Half window: 283.50 back, 268.65 to the host; a 120.00 claim decided in full.
  ClaimPayout p = Settle(28350, 26865, 0, 12000);
  EXPECT_EQ(p.remaining, 28350);
  EXPECT_EQ(p.claim_payout, 12000);
  EXPECT_EQ(p.uncovered, 0);
  EXPECT_EQ(p.guest_refund, 16350);
  EXPECT_EQ(p.host_payout, 38865);
}

TEST(ClaimSettlement, AClaimLargerThanWhatRemainsIsCappedNeverRefused) {
  ClaimPayout p = Settle(28350, 26865, 0, 40000);
  EXPECT_EQ(p.claim_payout, 28350);
  EXPECT_EQ(p.uncovered, 11650) << "the part it cannot cover is reported, not paid";
  EXPECT_EQ(p.guest_refund, 0);
  EXPECT_EQ(p.host_payout, 26865 + 28350);
}

TEST(ClaimSettlement, APartlyRefundedReservationPaysOnlyWhatRemains) {
  // 200.00 refunded before by another workflow: 83.50 remains.
  ClaimPayout p = Settle(28350, 26865, 20000, 10000);
  EXPECT_EQ(p.already_refunded, 20000);
  EXPECT_EQ(p.remaining, 8350);
  EXPECT_EQ(p.claim_payout, 8350);
  EXPECT_EQ(p.uncovered, 1650);
  EXPECT_EQ(p.guest_refund, 0);
  EXPECT_LE(p.already_refunded + p.guest_refund + p.claim_payout, 28350);
  // Refunded more than the policy's refund already: nothing remains, nothing is paid.
  ClaimPayout none = Settle(28350, 26865, 30000, 5000);
  EXPECT_EQ(none.remaining, 0);
  EXPECT_EQ(none.claim_payout, 0);
  EXPECT_EQ(none.uncovered, 5000);
  EXPECT_EQ(none.guest_refund, 0);
  EXPECT_EQ(none.host_payout, 26865);
  // Without a claim the guest gets what remains.
  EXPECT_EQ(Settle(28350, 26865, 20000, 0).guest_refund, 8350);
}

TEST(ClaimSettlement, NoClaimIsThePolicysSettlement) {
  ClaimPayout p = Settle(28350, 26865, 0, 0);
  EXPECT_EQ(p.claim_payout, 0);
  EXPECT_EQ(p.guest_refund, 28350);
  EXPECT_EQ(p.host_payout, 26865);
}

TEST(ClaimSettlement, CurrenciesWithZeroTwoAndThreeDecimalsAreMinorUnits) {
  // JPY (0 decimals): 12000 JPY back, a 5000 JPY claim reduced to 4500.
  auto jpy = ClaimItemsFromValue(Value::List{Value::Map{{"id", "a"}, {"amount", "5000 JPY"}}}, "JPY");
  ASSERT_TRUE(jpy.ok()) << jpy.status().ToString();
  EXPECT_EQ((*jpy)[0].amount.minor, 5000);
  EXPECT_FALSE(ClaimItemsFromValue(Value::List{Value::Map{{"id", "a"}, {"amount", "50.5 JPY"}}}, "JPY").ok())
      << "JPY has no decimals: never rounded away";
  ClaimPayout y = Settle(12000, 30000, 0, 4500, "JPY");
  EXPECT_EQ(y.guest_refund, 7500);
  EXPECT_EQ(y.host_payout, 34500);
  // KWD (3 decimals): 1.234 KWD asked of 10.000 back.
  auto kwd = ClaimItemsFromValue(Value::List{Value::Map{{"id", "a"}, {"amount", "1.234 KWD"}}}, "KWD");
  ASSERT_TRUE(kwd.ok()) << kwd.status().ToString();
  EXPECT_EQ((*kwd)[0].amount.minor, 1234);
  EXPECT_FALSE(ClaimItemsFromValue(Value::List{Value::Map{{"id", "a"}, {"amount", "1.2345 KWD"}}}, "KWD").ok());
  ClaimPayout k = Settle(10000, 2500, 0, 1234, "KWD");
  EXPECT_EQ(k.guest_refund, 8766);
  EXPECT_EQ(k.host_payout, 3734);
  // EUR (2 decimals) as {minor, currency}; another currency than the reservation's is refused.
  auto eur = ClaimItemsFromValue(
      Value::List{Value::Map{{"id", "a"}, {"amount", MoneyToValue(Money{1999, "EUR"})}}}, "EUR");
  ASSERT_TRUE(eur.ok());
  EXPECT_EQ((*eur)[0].amount.minor, 1999);
  auto mixed = ClaimItemsFromValue(Value::List{Value::Map{{"id", "a"}, {"amount", "19.99 USD"}}}, "EUR");
  ASSERT_FALSE(mixed.ok());
  EXPECT_NE(mixed.status().message().find("currencies never mix"), std::string::npos);
}

TEST(ClaimSettlement, MalformedItemsAndVoucherClaimsAreRefused) {
  EXPECT_FALSE(ClaimItemsFromValue(Value::List{Value::Map{{"amount", "1.00 EUR"}}}, "EUR").ok()) << "no id";
  EXPECT_FALSE(ClaimItemsFromValue(Value::List{Value::Map{{"id", "a"}, {"amount", "1.00 EUR"}},
                                               Value::Map{{"id", "a"}, {"amount", "2.00 EUR"}}},
                                   "EUR")
                   .ok())
      << "a repeated id";
  EXPECT_FALSE(ClaimItemsFromValue(Value::List{Value::Map{{"id", "a"}, {"amount", "0.00 EUR"}}}, "EUR").ok());
  EXPECT_FALSE(ComputeClaimSettlement({"EUR", "voucher", 28350, 26865, 0, 100}).ok());
  EXPECT_TRUE(ComputeClaimSettlement({"EUR", "voucher", 28350, 26865, 0, 0}).ok()) << "no claim: the voucher stands";
  EXPECT_FALSE(ComputeClaimSettlement({"EUR", "cash", 28350, 26865, -1, 0}).ok());
}

TEST(ClaimSettlement, TheSettledBreakdownAddsUpAndPostsBalanced) {
  const Value b = Breakdown(kHalfWindow);
  ClaimPayout p = Settle(28350, 26865, 5000, 12000);  // 50.00 before, 120.00 claim
  auto settled = SettledBreakdown(b, p);
  ASSERT_TRUE(settled.ok()) << settled.status().ToString();
  EXPECT_EQ(settled->Get("refund_total"), MoneyToValue(Money{11350, "EUR"}));
  EXPECT_EQ(settled->Get("refund_to_guest"), MoneyToValue(Money{11350, "EUR"}));
  EXPECT_EQ(settled->Get("payout_to_host"), MoneyToValue(Money{38865, "EUR"}));
  int64_t sum = 0;
  for (const Value& line : settled->Get("lines").AsList()) sum += line.Get("refund").Get("minor").IntOr(0);
  EXPECT_EQ(sum, 11350) << "the lines add up to refund_to_guest";
  auto entries = BuildRefundEntries(*settled, "cash");
  ASSERT_TRUE(entries.ok()) << entries.status().ToString();
  LedgerTransaction t{"wf-c/ledger", "wf-c", "r-1001", "claim_settlement", "", *entries};
  EXPECT_TRUE(ValidateTransaction(t).ok());
  int64_t clearing = 0;
  for (const LedgerEntry& e : *entries) {
    if (e.account == "psp_clearing") clearing += e.amount_minor;
  }
  EXPECT_EQ(clearing, 11350) << "the cash that leaves through the PSP is the guest's refund";
}

TEST(ClaimSettlement, TheSnapshotKeepsTheGuestServiceFeeInsideWhatTheGuestGets) {
  // Full window: 675.00 back of which 81.00 guest service fee; a 650.00 claim.
  const Value b = Breakdown(kFullWindow);
  ClaimPayout p = Settle(67500, 0, 0, 65000);
  auto d = ClaimSnapshot(b, p);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->refund_to_guest, 2500);
  EXPECT_EQ(d->guest_service_fee, 2500) << "never more than the guest receives";
  EXPECT_EQ(d->payout_to_host, 65000);
  EXPECT_EQ(d->total, 67500);
  auto none = ClaimSnapshot(b, Settle(67500, 0, 0, 0));
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->guest_service_fee, 8100);
  EXPECT_EQ(none->refund_to_guest, 67500);
}

// ---------------------------------------------------------------- decisions

ReservationClaim TwoItems() {
  ReservationClaim c;
  c.id = "clm_1";
  c.reservation_id = "r-1001";
  c.currency = "EUR";
  c.items = {ClaimItem{"chair", "broken chair", Money{12000, "EUR"}}, ClaimItem{"clean", "extra cleaning",
                                                                               Money{8000, "EUR"}}};
  return c;
}

Value Review(Value::List approvals, const std::string& decision = "approve") {
  return Value::Map{{"held", true}, {"decision", decision}, {"principal", "rob"}, {"approvals", std::move(approvals)}};
}
Value Approval(const std::string& who, const std::string& comment, const std::string& decision = "approve") {
  return Value::Map{{"principal", who}, {"decision", decision}, {"comment", comment}};
}
constexpr const char* kReduceAndReject =
    R"({"items": [{"id": "chair", "decision": "reduce", "amount": "50.00 EUR"},
                  {"id": "clean", "decision": "reject"}], "note": "one chair leg"})";

TEST(ClaimDecision, OneReviewerDecidesTheOtherConfirms) {
  auto d = DecideClaim(TwoItems(), Review({Approval("rita", kReduceAndReject), Approval("rob", "agreed")}));
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->decision, "approve");
  EXPECT_EQ(d->items[0].status, ClaimItemStatus::kReduced);
  EXPECT_EQ(d->items[0].decided_minor, 5000);
  EXPECT_EQ(d->items[0].decided_by, "rita");
  EXPECT_EQ(d->items[1].status, ClaimItemStatus::kRejected);
  EXPECT_EQ(d->items[1].decided_minor, 0);
  ReservationClaim c = TwoItems();
  c.items = d->items;
  EXPECT_EQ(*DecidedTotal(c), 5000);
}

TEST(ClaimDecision, TwoReviewersWhoAgreeAreBothNamedAndSplitDecisionsMerge) {
  auto both = DecideClaim(TwoItems(), Review({Approval("rita", kReduceAndReject), Approval("rob", kReduceAndReject)}));
  ASSERT_TRUE(both.ok()) << both.status().ToString();
  EXPECT_EQ(both->items[0].decided_by, "rita,rob");
  auto split = DecideClaim(TwoItems(), Review({Approval("rita", R"({"items": [{"id": "chair", "decision": "approve"}]})"),
                                               Approval("rob", R"({"items": [{"id": "clean", "decision": "reject"}]})")}));
  ASSERT_TRUE(split.ok()) << split.status().ToString();
  EXPECT_EQ(split->items[0].status, ClaimItemStatus::kApproved);
  EXPECT_EQ(split->items[0].decided_minor, 12000);
  EXPECT_EQ(split->items[1].decided_by, "rob");
}

TEST(ClaimDecision, ARejectedReviewRejectsEveryItem) {
  auto d = DecideClaim(TwoItems(), Review({Approval("rita", "no evidence", "reject")}, "reject"));
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->decision, "reject");
  for (const ClaimItem& i : d->items) {
    EXPECT_EQ(i.status, ClaimItemStatus::kRejected);
    EXPECT_EQ(i.decided_by, "rob");
  }
}

TEST(ClaimDecision, NoClaimNeedsNoReview) {
  ReservationClaim none = TwoItems();
  none.items.clear();
  auto d = DecideClaim(none, Value::Map{{"held", false}, {"decision", "approve"}});
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->decision, "none");
  EXPECT_FALSE(DecideClaim(TwoItems(), Value::Map{{"held", false}, {"decision", "approve"}}).ok())
      << "items are decided by reviewers";
}

TEST(ClaimDecision, BadPayloadsFailWithAMessageNamingReviewerAndItem) {
  struct Case {
    std::string comment;
    std::string says;
  };
  const std::vector<Case> cases = {
      {R"({"items": [{"id": "chair", "decision": "approve"}, )", "rita's decision is not valid JSON"},
      {R"({"decisions": []})", "rita's decision has no items list"},
      {R"({"items": [{"id": "sofa", "decision": "approve"}]})", "rita decided item 'sofa'"},
      {R"({"items": [{"id": "chair", "decision": "approve"}, {"id": "chair", "decision": "reject"}]})",
       "rita decided item chair twice"},
      {R"({"items": [{"id": "chair", "decision": "halve"}]})", "must be approve, reduce or reject"},
      {R"({"items": [{"id": "chair", "decision": "reduce"}]})", "needs an amount"},
      {R"({"items": [{"id": "chair", "decision": "reduce", "amount": "120.00 EUR"}]})", "strictly between 0"},
      {R"({"items": [{"id": "chair", "decision": "reduce", "amount": "10.00 USD"}]})", "in USD, the item is in EUR"},
      {R"({"items": [{"id": "chair", "decision": "approve", "amount": "10.00 EUR"}]})", "only a reduction takes one"},
      {R"({"items": [{"id": "chair", "decision": "approve"}]})", "item clean of claim clm_1 has no decision"},
  };
  for (const Case& c : cases) {
    auto d = DecideClaim(TwoItems(), Review({Approval("rita", c.comment), Approval("rob", "ok")}));
    ASSERT_FALSE(d.ok()) << c.comment;
    EXPECT_NE(d.status().message().find(c.says), std::string::npos) << d.status().message();
  }
  auto disagree = DecideClaim(TwoItems(), Review({Approval("rita", kReduceAndReject),
                                                  Approval("rob", R"({"items": [{"id": "chair", "decision": "approve"},
                                                                     {"id": "clean", "decision": "reject"}]})")}));
  ASSERT_FALSE(disagree.ok());
  EXPECT_NE(disagree.status().message().find("reviewers disagree on item chair"), std::string::npos)
      << disagree.status().message();
}

// ---------------------------------------------------------------- the tables and the activities

class ClaimStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "/claims_" + std::to_string(::getpid()) + ".db";
    Remove();
    auto tables = ::steadfast::testing::OpenRefundTables(path_);
    ASSERT_TRUE(tables.ok()) << tables.status().ToString();
    tables_ = std::move(*tables);
    claims_ = std::make_unique<ClaimStore>(tables_.storage());
  }
  void TearDown() override {
    claims_.reset();
    tables_ = {};
    Remove();
  }
  void Remove() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix);
  }
  ActivityResult Run(ActivityFn fn, const std::string& step, Value input, const std::string& wf = "wf-c") {
    ActivityTestRun run;
    run.workflow_id = wf;
    run.step_id = step;
    run.storage = &tables_.storage();
    run.input = std::move(input);
    struct FnActivity : Activity {
      ActivityFn fn;
      ActivityResult Run(ActivityContext& c) override { return fn(c); }
    } activity;
    activity.fn = std::move(fn);
    return run.Run(activity);
  }
  Value OpenInput() {
    return Value::Map{{"reservation_id", "r-1001"},
                      {"currency", "EUR"},
                      {"host_id", "host-1"},
                      {"opened_by", "host-1"},
                      {"items", Value::List{Value::Map{{"id", "chair"}, {"description", "broken chair"},
                                                       {"amount", "120.00 EUR"}},
                                            Value::Map{{"id", "clean"}, {"description", "extra cleaning"},
                                                       {"amount", MoneyToValue(Money{8000, "EUR"})}}}},
                      {"messages", Value::List{Value::Map{{"author", "host-1"}, {"text", "photos attached"}}}}};
  }

  std::string path_;
  ::steadfast::testing::RefundTables tables_;
  std::unique_ptr<ClaimStore> claims_;
};

TEST_F(ClaimStoreTest, OpeningIsKeyedAndOneClaimPerReservation) {
  ReservationClaim c = TwoItems();
  c.workflow_id = "wf-c";
  c.created_ms = 1000;
  c.messages = {ClaimMessage{0, "host-1", "photos attached", 0}};
  auto opened = claims_->Open(c);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_FALSE(opened->replayed);
  EXPECT_EQ(opened->claim.status, ClaimStatus::kOpen);
  ASSERT_EQ(opened->claim.items.size(), 2u);
  EXPECT_EQ(opened->claim.items[1].id, "clean") << "items keep their order";
  ASSERT_EQ(opened->claim.messages.size(), 1u);
  EXPECT_EQ(opened->claim.messages[0].seq, 1);
  auto again = claims_->Open(c);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->claim.messages.size(), 1u) << "a repeat writes nothing";

  ReservationClaim other = c;
  other.id = "clm_2";
  auto second = claims_->Open(other);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kConflict);
  ReservationClaim moved = c;
  moved.reservation_id = "r-9";
  EXPECT_EQ(claims_->Open(moved).status().code(), StatusCode::kConflict);

  auto m1 = claims_->AddMessage("clm_1", "wf-c/msg", "rita", "need the receipt", 2000);
  ASSERT_TRUE(m1.ok()) << m1.status().ToString();
  EXPECT_EQ(m1->message.seq, 2);
  auto m1again = claims_->AddMessage("clm_1", "wf-c/msg", "rita", "need the receipt", 3000);
  ASSERT_TRUE(m1again.ok());
  EXPECT_TRUE(m1again->replayed);
  EXPECT_EQ(m1again->message.seq, 2);
  EXPECT_EQ(claims_->AddMessage("clm_x", "k", "a", "b", 1).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(claims_->Claim("clm_1")->messages.size(), 2u);
}

TEST_F(ClaimStoreTest, DecisionsAndSettlementOnlyMoveForward) {
  ReservationClaim c = TwoItems();
  c.workflow_id = "wf-c";
  ASSERT_TRUE(claims_->Open(c).ok());
  auto d = DecideClaim(c, Review({Approval("rita", kReduceAndReject), Approval("rob", "ok")}));
  ASSERT_TRUE(d.ok());
  ReservationClaim decided = c;
  decided.items = d->items;
  decided.decision = "approve";
  ASSERT_TRUE(claims_->RecordDecision(decided).ok());
  // A second decision (a replay with other data) changes nothing.
  ReservationClaim other = decided;
  other.items[1].status = ClaimItemStatus::kApproved;
  other.items[1].decided_minor = 8000;
  ASSERT_TRUE(claims_->RecordDecision(other).ok());
  auto stored = claims_->Claim("clm_1");
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->status, ClaimStatus::kDecided);
  EXPECT_EQ(stored->items[0].status, ClaimItemStatus::kReduced);
  EXPECT_EQ(stored->items[0].decided_minor, 5000);
  EXPECT_EQ(stored->items[1].status, ClaimItemStatus::kRejected);

  ClaimPayout p = Settle(28350, 26865, 0, 5000);
  ASSERT_TRUE(claims_->RecordSettlement("clm_1", p, 5000).ok());
  ASSERT_TRUE(claims_->RecordSettlement("clm_1", Settle(28350, 26865, 0, 0), 6000).ok());
  stored = claims_->Claim("clm_1");
  EXPECT_EQ(stored->status, ClaimStatus::kSettled);
  EXPECT_EQ(stored->payout.claim_payout, 5000) << "settled once";
  ClaimFilter settled;
  settled.status = ClaimStatus::kSettled;
  EXPECT_EQ(claims_->Claims(settled)->size(), 1u);
  settled.reservation_id = "r-2";
  EXPECT_TRUE(claims_->Claims(settled)->empty());
}

TEST_F(ClaimStoreTest, OpenDecideSettleWriteWithTheirCheckpointsAndReplay) {
  ActivityResult opened = Run(MakeOpenClaimActivity(nullptr), "open", OpenInput());
  ASSERT_TRUE(opened.ok()) << opened.error().code << ": " << opened.error().message;
  const std::string id = opened.output().Get("id").StringOr("");
  EXPECT_EQ(id.rfind("clm_", 0), 0u) << id;
  EXPECT_TRUE(opened.output().Get("needs_review").BoolOr(false));
  ActivityResult reopened = Run(MakeOpenClaimActivity(nullptr), "open", OpenInput());
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ(reopened.output().Get("id"), Value(id)) << "the same key names the same claim";
  EXPECT_TRUE(reopened.output().Get("replayed").BoolOr(false));

  // A payload the engine accepted but the claim cannot: a clear failure, nothing decided.
  ActivityResult bad = Run(MakeDecideClaimActivity(nullptr), "decide",
                           Value::Map{{"claim_id", id}, {"review", Review({Approval("rita", "{\"items\": 3}")})}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "invalid_claim_decision");
  EXPECT_EQ(claims_->Claim(id)->status, ClaimStatus::kOpen);

  ActivityResult decided =
      Run(MakeDecideClaimActivity(nullptr), "decide",
          Value::Map{{"claim_id", id}, {"review", Review({Approval("rita", kReduceAndReject), Approval("rob", "ok")})}});
  ASSERT_TRUE(decided.ok()) << decided.error().message;
  EXPECT_EQ(decided.output().Get("decided"), MoneyToValue(Money{5000, "EUR"}));
  EXPECT_EQ(claims_->Claim(id)->status, ClaimStatus::kDecided);

  // 30.00 refunded before by another workflow.
  RefundRecord before{"wf-old/psp", "wf-old", "r-1001", "", "", "re_old", "succeeded", 3000, "EUR", 1, 1};
  ASSERT_TRUE(tables_->UpsertRefund(before).ok());
  const Value settle_in = Value::Map{{"claim_id", id}, {"breakdown", Breakdown(kHalfWindow)}, {"charge", "ch_1"},
                                     {"host_account", "acct_h1"}};
  ActivityResult settled = Run(MakeSettleClaimActivity(nullptr), "settle", settle_in);
  ASSERT_TRUE(settled.ok()) << settled.error().code << ": " << settled.error().message;
  const Value& out = settled.output();
  EXPECT_EQ(out.Get("already_refunded"), MoneyToValue(Money{3000, "EUR"}));
  EXPECT_EQ(out.Get("claim_payout"), MoneyToValue(Money{5000, "EUR"}));
  EXPECT_EQ(out.Get("guest_refund"), MoneyToValue(Money{28350 - 3000 - 5000, "EUR"}));
  EXPECT_EQ(out.Get("host_payout"), MoneyToValue(Money{26865 + 5000, "EUR"}));
  auto claim = claims_->Claim(id);
  EXPECT_EQ(claim->status, ClaimStatus::kSettled);
  EXPECT_EQ(claim->payout.guest_refund, 20350);
  SettlementStore settlements(tables_.storage());
  auto txns = settlements.Transactions();
  ASSERT_TRUE(txns.ok());
  ASSERT_EQ(txns->size(), 3u);
  for (const SettlementTransaction& t : *txns) {
    if (t.kind == TransactionKind::kGuestRefund) {
      EXPECT_EQ(t.amount.minor, 20350);
      EXPECT_EQ(t.psp_idempotency_key, "wf-c/psp");
    }
    if (t.kind == TransactionKind::kHostPayout) {
      EXPECT_EQ(t.amount.minor, 31865);
      EXPECT_EQ(t.psp_idempotency_key, "wf-c/payout");
    }
  }
  EXPECT_EQ(settlements.Snapshots("r-1001")->size(), 1u);

  // A replay: the same rows, nothing added.
  ActivityResult again = Run(MakeSettleClaimActivity(nullptr), "settle", settle_in);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_TRUE(again.output().Get("replayed").BoolOr(false));
  EXPECT_EQ(settlements.Transactions()->size(), 3u);
  // Another workflow cannot settle this reservation's cancellation again.
  ActivityResult other = Run(MakeSettleClaimActivity(nullptr), "settle", settle_in, "wf-other");
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, "claim_conflict");
}

TEST_F(ClaimStoreTest, ASettlementRefusesAReservationAnotherWorkflowIsRefunding) {
  ActivityResult opened = Run(MakeOpenClaimActivity(nullptr), "open", OpenInput());
  ASSERT_TRUE(opened.ok());
  const std::string id = opened.output().Get("id").StringOr("");
  ASSERT_TRUE(Run(MakeDecideClaimActivity(nullptr), "decide",
                  Value::Map{{"claim_id", id},
                             {"review", Review({Approval("rita", kReduceAndReject), Approval("rob", "ok")})}})
                  .ok());
  ASSERT_TRUE(tables_->ClaimRequest("r-1001", "cancellation", "wf-refund", 1).ok());
  ActivityResult settled = Run(MakeSettleClaimActivity(nullptr), "settle",
                               Value::Map{{"claim_id", id}, {"breakdown", Breakdown(kHalfWindow)}, {"charge", "ch_1"},
                                          {"host_account", "acct_h1"}});
  ASSERT_FALSE(settled.ok());
  EXPECT_EQ(settled.error().code, "duplicate_request");
  EXPECT_EQ(claims_->Claim(id)->status, ClaimStatus::kDecided);
}

}  // namespace
}  // namespace steadfast::refund
