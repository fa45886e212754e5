// Eligibility rules of refund.check_eligibility (the pure part).
#include <gtest/gtest.h>

#include "refund/activities.h"
#include "steadfast/time_text.h"

namespace steadfast::refund {
namespace {

const TimeMs kNow = *ParseRfc3339("2026-11-20T09:00:00Z");

Value EligibleReservation() {
  return *Value::FromJson(R"({
    "id": "r-1", "status": "confirmed", "paid": true, "currency": "EUR",
    "start_at": "2026-12-18T15:00:00+01:00", "end_at": "2026-12-21T11:00:00+01:00",
    "lines": {"rental": 20000}, "customer": {"id": "g-1"}, "payment": {"charge": "ch_1"}})");
}

Value Order() {
  return *Value::FromJson(R"({
    "id": "o-1", "status": "delivered", "currency": "EUR", "start_at": "2026-11-01T10:00:00Z",
    "delivered_at": "2026-11-05T14:00:00Z", "lines": {"rental": 15000},
    "items": [
      {"sku": "boots", "quantity": 1, "unit_price": 12000, "unit_tax": 2280, "category": "shoes"},
      {"sku": "socks", "quantity": 2, "unit_price": 1500, "unit_tax": 285},
      {"sku": "cake", "quantity": 1, "unit_price": 900, "category": "perishable"},
      {"sku": "engraved", "quantity": 1, "unit_price": 5000, "returnable": false}]})");
}

EligibilityRules Rules() { return EligibilityRules{30LL * 24 * 3600 * 1000, {"perishable", "final_sale"}}; }

Value Judge(Value reservation, Value request, std::vector<RefundRecord> prior = {}) {
  Value in;
  in["reservation"] = std::move(reservation);
  in["request"] = std::move(request);
  ActivityResult r = EvaluateEligibility(in, Rules(), kNow, prior);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? r.output() : Value();
}

std::string Reason(const Value& v) { return v.Get("eligible").BoolOr(true) ? "eligible" : v.Get("reason").StringOr("?"); }

TEST(Eligibility, ConfirmedPaidReservationIsEligible) {
  Value v = Judge(EligibleReservation(), Value::Map{{"kind", "cancellation"}});
  EXPECT_EQ(Reason(v), "eligible");
  EXPECT_EQ(v.Get("reservation").Get("id").StringOr(""), "r-1");
  EXPECT_EQ(v.Get("customer_id").StringOr(""), "g-1");
}

TEST(Eligibility, ReservationStateRules) {
  Value r = EligibleReservation();
  r["status"] = "cancelled";
  EXPECT_EQ(Reason(Judge(r, Value::Map{{"kind", "cancellation"}})), "already_cancelled");
  r = EligibleReservation();
  r["paid"] = false;
  EXPECT_EQ(Reason(Judge(r, Value::Map{{"kind", "cancellation"}})), "not_paid");
  r = EligibleReservation();
  r["status"] = "refunded";
  EXPECT_EQ(Reason(Judge(r, Value::Map{{"kind", "cancellation"}})), "already_refunded");
}

TEST(Eligibility, PriorRefundOfAnotherWorkflowMeansAlreadyRefunded) {
  RefundRecord prior;
  prior.idempotency_key = "wf-0/psp";
  prior.workflow_id = "wf-0";
  prior.psp_refund_id = "re_1";
  prior.status = "succeeded";
  prior.amount_minor = 20000;
  prior.currency = "EUR";
  Value v = Judge(EligibleReservation(), Value::Map{{"kind", "cancellation"}}, {prior});
  EXPECT_EQ(Reason(v), "already_refunded");
  EXPECT_NE(v.Get("detail").StringOr("").find("re_1"), std::string::npos);
}

TEST(Eligibility, CancellationAfterTheStayEndedIsRefused) {
  Value v = Judge(EligibleReservation(), Value::Map{{"kind", "cancellation"}, {"requested_at", "2026-12-21T11:00:00+01:00"}});
  EXPECT_EQ(Reason(v), "stay_completed");
  v = Judge(EligibleReservation(), Value::Map{{"kind", "cancellation"}, {"requested_at", "2026-12-21T10:59:59+01:00"}});
  EXPECT_EQ(Reason(v), "eligible");
}

TEST(Eligibility, ReturnWindowIsThirtyDaysAfterDelivery) {
  Value edge = Judge(Order(), Value::Map{{"kind", "return"}, {"items", Value::List{Value::Map{{"sku", "boots"}}}},
                                         {"requested_at", "2026-12-05T14:00:00Z"}});
  EXPECT_EQ(Reason(edge), "eligible");
  Value late = Judge(Order(), Value::Map{{"kind", "return"}, {"items", Value::List{Value::Map{{"sku", "boots"}}}},
                                         {"requested_at", "2026-12-05T14:00:01Z"}});
  EXPECT_EQ(Reason(late), "return_window_expired");
  Value o = Order();
  o.MutableMap().erase("delivered_at");
  EXPECT_EQ(Reason(Judge(o, Value::Map{{"kind", "return"}})), "not_delivered");
}

TEST(Eligibility, NonReturnableItemsByFlagOrCategory) {
  auto ask = [](const char* sku) {
    return Value::Map{{"kind", "return"}, {"items", Value::List{Value::Map{{"sku", sku}, {"quantity", 1}}}}};
  };
  EXPECT_EQ(Reason(Judge(Order(), ask("engraved"))), "non_returnable_item");
  EXPECT_EQ(Reason(Judge(Order(), ask("cake"))), "non_returnable_item");
  EXPECT_EQ(Reason(Judge(Order(), ask("socks"))), "eligible");
}

TEST(Eligibility, ReturnSnapshotCoversOnlyReturnedItems) {
  Value req = Value::Map{{"kind", "return"},
                         {"items", Value::List{Value::Map{{"sku", "boots"}, {"quantity", 1}},
                                               Value::Map{{"sku", "socks"}, {"quantity", 1}}}}};
  Value v = Judge(Order(), req);
  ASSERT_EQ(Reason(v), "eligible");
  EXPECT_EQ(v.Get("reservation").Get("lines").Get("rental").IntOr(0), 13500);
  EXPECT_EQ(v.Get("reservation").Get("lines").Get("tax").IntOr(0), 2565);
  EXPECT_EQ(v.Get("reservation").Get("start_at").StringOr(""), "2026-11-05T14:00:00Z");
  EXPECT_EQ(v.Get("items").AsList().size(), 2u);
}

ActivityResult JudgeReturn(Value order, Value::List items) {
  Value in;
  in["reservation"] = std::move(order);
  in["request"] = Value::Map{{"kind", "return"}, {"items", std::move(items)}};
  return EvaluateEligibility(in, Rules(), kNow, {});
}

Value Item(const char* sku, int64_t quantity) { return Value::Map{{"sku", sku}, {"quantity", quantity}}; }

void ExpectRefused(const ActivityResult& r, const std::string& words) {
  ASSERT_FALSE(r.ok()) << r.output().ToJson();
  EXPECT_EQ(r.error().code, "invalid_input");
  EXPECT_EQ(r.error().kind, ErrorKind::kNonRetryable);
  EXPECT_NE(r.error().message.find(words), std::string::npos) << r.error().message;
}

// Quantities are judged per SKU, not per line: one pair of boots bought
// cannot be returned (and refunded) twice by listing it on two lines.
TEST(Eligibility, SameSkuOnTwoRequestLinesIsCountedPerSku) {
  ExpectRefused(JudgeReturn(Order(), {Item("boots", 1), Item("boots", 1)}),
                "request returns 2 of item 'boots', the order has 1");
  // Two lines without a quantity each ask for everything bought.
  ExpectRefused(JudgeReturn(Order(), {Value::Map{{"sku", "boots"}}, Value::Map{{"sku", "boots"}}}),
                "request returns 2 of item 'boots'");
  // Within what was bought, the lines add up to one returned item.
  ActivityResult socks = JudgeReturn(Order(), {Item("socks", 1), Item("socks", 1)});
  ASSERT_TRUE(socks.ok()) << socks.error().message;
  EXPECT_EQ(socks.output().Get("reservation").Get("lines").Get("rental").IntOr(0), 3000);
  EXPECT_EQ(socks.output().Get("reservation").Get("lines").Get("tax").IntOr(0), 570);
  ASSERT_EQ(socks.output().Get("items").AsList().size(), 1u);
  EXPECT_EQ(socks.output().Get("items").AsList()[0].Get("quantity").IntOr(0), 2);
  ExpectRefused(JudgeReturn(Order(), {Item("socks", 2), Item("socks", 1)}), "request returns 3 of item 'socks'");
  // A quantity that is not an integer is refused, not read as "everything".
  ExpectRefused(JudgeReturn(Order(), {Value::Map{{"sku", "socks"}, {"quantity", "2"}}}), "must be an integer");
}

TEST(Eligibility, OrderListingASkuOnSeveralLinesIsSummed) {
  Value o = Order();
  o["items"].MutableList().emplace_back(
      Value::Map{{"sku", "boots"}, {"quantity", 1}, {"unit_price", 12000}, {"unit_tax", 2280}, {"category", "shoes"}});
  ActivityResult two = JudgeReturn(o, {Item("boots", 2)});
  ASSERT_TRUE(two.ok()) << two.error().message;
  EXPECT_EQ(two.output().Get("reservation").Get("lines").Get("rental").IntOr(0), 24000);
  ExpectRefused(JudgeReturn(o, {Item("boots", 2), Item("boots", 1)}), "the order has 2");
  // Lines of one SKU at different prices: nobody can tell which was returned.
  o["items"].MutableList().back()["unit_price"] = 9000;
  ExpectRefused(JudgeReturn(o, {Item("boots", 1)}), "different price");
}

TEST(Eligibility, OrderLinesWithoutSkuCannotBeReturnedNorBlockAReturn) {
  Value o = Order();
  o["items"] = Value::List{Value::Map{{"sku", "boots"}, {"quantity", 1}, {"unit_price", 12000}},
                           Value::Map{{"description", "gift wrap"}, {"unit_price", 300}}};
  Value in;
  in["reservation"] = o;
  in["request"] = Value::Map{{"kind", "return"}};  // everything bought
  ActivityResult all = EvaluateEligibility(in, Rules(), kNow, {});
  ASSERT_TRUE(all.ok()) << all.error().message;
  EXPECT_EQ(all.output().Get("reservation").Get("lines").Get("rental").IntOr(0), 12000);
  ExpectRefused(JudgeReturn(o, {Value::Map{{"quantity", 1}}}), "request item without a sku");
}

TEST(Eligibility, HugeQuantitiesAndPricesAreAnOverflowErrorNotWraparound) {
  Value o = Order();
  o["items"] = Value::List{
      Value::Map{{"sku", "gold"}, {"quantity", INT64_MAX}, {"unit_price", 4}},
      Value::Map{{"sku", "bar"}, {"quantity", 1}, {"unit_price", INT64_MAX}},
      Value::Map{{"sku", "ingot"}, {"quantity", 1}, {"unit_price", INT64_MAX / 2 + 1}, {"unit_tax", 0}}};
  // quantity x unit_price does not fit.
  ExpectRefused(JudgeReturn(o, {Item("gold", INT64_MAX / 4 + 1)}), "overflows");
  // Each line fits, their sum does not.
  ExpectRefused(JudgeReturn(o, {Item("bar", 1), Item("ingot", 1)}), "overflows");
  // Request quantities of one SKU that overflow when summed.
  ExpectRefused(JudgeReturn(o, {Item("gold", INT64_MAX), Item("gold", INT64_MAX)}), "quantity overflows");
  // Order lines of one SKU that overflow when summed.
  o["items"].MutableList().emplace_back(Value::Map{{"sku", "gold"}, {"quantity", INT64_MAX}, {"unit_price", 4}});
  ExpectRefused(JudgeReturn(o, {Item("gold", 1)}), "quantity overflows");
}

TEST(Eligibility, SellerCannotCancelShippedOrder) {
  Value o = Order();
  o["status"] = "shipped";
  EXPECT_EQ(Reason(Judge(o, Value::Map{{"kind", "seller_cancellation"}})), "already_shipped");
  o["status"] = "paid";
  EXPECT_EQ(Reason(Judge(o, Value::Map{{"kind", "seller_cancellation"}})), "eligible");
}

TEST(Eligibility, MalformedInputIsAnError) {
  Value in;
  in["reservation"] = "r-1";
  EXPECT_FALSE(EvaluateEligibility(in, Rules(), kNow, {}).ok());
  in["reservation"] = EligibleReservation();
  in["request"] = Value::Map{{"kind", "exchange"}};
  ActivityResult r = EvaluateEligibility(in, Rules(), kNow, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "invalid_input");
  EXPECT_EQ(r.error().kind, ErrorKind::kNonRetryable);
  // Asking to return more than was bought.
  in["reservation"] = Order();
  in["request"] = Value::Map{{"kind", "return"}, {"items", Value::List{Value::Map{{"sku", "socks"}, {"quantity", 3}}}}};
  EXPECT_FALSE(EvaluateEligibility(in, Rules(), kNow, {}).ok());
}

}  // namespace
}  // namespace steadfast::refund
