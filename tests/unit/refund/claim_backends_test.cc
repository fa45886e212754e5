// The claim tables and their statements on both backends (SQLite, and the
// PostgreSQL cluster named by STEADFAST_TEST_PG_URL: skipped without one,
// failed when CI is set): refund schema version 4 applied as `serve`
// applies it, a claim opened, messaged, decided and settled by the
// activities (their plugin transactions and checkpoint writes), read back
// and listed, with the replays writing nothing.
#include <gtest/gtest.h>


#include "backend_database.h"
#include "half_window_breakdown.h"
#include "refund_backend_test.h"
#include "refund/activities.h"
#include "refund/claim_store.h"
#include "refund/refund_store.h"
#include "refund/settlement_store.h"
#include "steadfast/testing.h"

namespace steadfast::refund {
namespace {

using testing_breakdowns::HalfWindowBreakdown;

class ClaimBackendsTest : public testing_backends::RefundBackendTest {
 protected:
  void SetUp() override { CreateDatabase("claim_backends"); }
  ActivityResult Run(ActivityFn fn, const std::string& step, Value input) {
    return RefundBackendTest::Run(std::move(fn), "wf-b", step, std::move(input));
  }
};

TEST_P(ClaimBackendsTest, AClaimIsOpenedDecidedAndSettledOnThisBackend) {
  Value open = Value::Map{{"reservation_id", "r-b"},
                          {"currency", "EUR"},
                          {"claim_id", "clm_b"},
                          {"host_id", "host-b"},
                          {"items", Value::List{Value::Map{{"id", "lamp"}, {"description", "lamp"}, {"amount", "80.00 EUR"}},
                                                Value::Map{{"id", "clean"}, {"description", "cleaning"},
                                                           {"amount", "40.00 EUR"}}}},
                          {"messages", Value::List{Value::Map{{"author", "host-b"}, {"text", "photos"}}}}};
  ActivityResult opened = Run(MakeOpenClaimActivity(nullptr), "open", open);
  ASSERT_TRUE(opened.ok()) << opened.error().code << ": " << opened.error().message;
  ActivityResult again = Run(MakeOpenClaimActivity(nullptr), "open", open);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_TRUE(again.output().Get("replayed").BoolOr(false));

  ActivityResult message = Run(MakeAddClaimMessageActivity(nullptr), "msg",
                               Value::Map{{"claim_id", "clm_b"}, {"author", "rita"}, {"text", "receipt?"}});
  ASSERT_TRUE(message.ok()) << message.error().message;
  EXPECT_EQ(message.output().Get("seq"), Value(2));
  ActivityResult message_again = Run(MakeAddClaimMessageActivity(nullptr), "msg",
                                     Value::Map{{"claim_id", "clm_b"}, {"author", "rita"}, {"text", "receipt?"}});
  ASSERT_TRUE(message_again.ok());
  EXPECT_TRUE(message_again.output().Get("replayed").BoolOr(false));

  const std::string decisions =
      R"({"items": [{"id": "lamp", "decision": "reduce", "amount": "50.00 EUR"}, {"id": "clean", "decision": "reject"}]})";
  Value review = Value::Map{{"held", true},
                            {"decision", "approve"},
                            {"approvals", Value::List{Value::Map{{"principal", "rita"}, {"decision", "approve"},
                                                                 {"comment", decisions}},
                                                      Value::Map{{"principal", "rob"}, {"decision", "approve"},
                                                                 {"comment", "ok"}}}}};
  ActivityResult decided =
      Run(MakeDecideClaimActivity(nullptr), "decide", Value::Map{{"claim_id", "clm_b"}, {"review", review}});
  ASSERT_TRUE(decided.ok()) << decided.error().message;

  RefundStore refunds(*store_->plugin_storage());
  ASSERT_TRUE(refunds.UpsertRefund({"wf-old/psp", "wf-old", "r-b", "", "", "re_o", "succeeded", 3000, "EUR", 1, 1}).ok());
  ActivityResult settled = Run(MakeSettleClaimActivity(nullptr), "settle",
                               Value::Map{{"claim_id", "clm_b"}, {"breakdown", HalfWindowBreakdown("r-b")},
                                          {"charge", "ch_b"}, {"host_account", "acct_b"}});
  ASSERT_TRUE(settled.ok()) << settled.error().code << ": " << settled.error().message;
  EXPECT_EQ(settled.output().Get("guest_refund"), MoneyToValue(Money{28350 - 3000 - 5000, "EUR"}));

  ClaimStore claims(*store_->plugin_storage());
  auto claim = claims.Claim("clm_b");
  ASSERT_TRUE(claim.ok()) << claim.status().ToString();
  EXPECT_EQ(claim->status, ClaimStatus::kSettled);
  EXPECT_EQ(claim->payout.already_refunded, 3000);
  EXPECT_EQ(claim->payout.host_payout, 26865 + 5000);
  ASSERT_EQ(claim->items.size(), 2u);
  EXPECT_EQ(claim->items[0].status, ClaimItemStatus::kReduced);
  EXPECT_EQ(claim->items[0].decided_minor, 5000);
  EXPECT_EQ(claim->items[1].status, ClaimItemStatus::kRejected);
  ASSERT_EQ(claim->messages.size(), 2u);
  EXPECT_EQ(claim->messages[1].author, "rita");
  ClaimFilter filter;
  filter.reservation_id = "r-b";
  filter.status = ClaimStatus::kSettled;
  EXPECT_EQ(claims.Claims(filter)->size(), 1u);
  EXPECT_EQ(SettlementStore(*store_->plugin_storage()).Transactions()->size(), 3u);
  ReservationClaim second;
  second.id = "clm_b2";
  second.reservation_id = "r-b";
  second.currency = "EUR";
  EXPECT_EQ(claims.Open(second).status().code(), StatusCode::kConflict) << "one claim per reservation";
}

INSTANTIATE_TEST_SUITE_P(Backends, ClaimBackendsTest, STEADFAST_STORE_BACKENDS);

}  // namespace
}  // namespace steadfast::refund
