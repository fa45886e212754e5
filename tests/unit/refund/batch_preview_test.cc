// The reservation_refund batch preview: every line priced with the
// workflow's calculator, totals per currency (never mixed), the largest
// refunds, and the lines that cannot be priced with their line numbers.
#include "refund/batch_preview.h"

#include <gtest/gtest.h>

namespace steadfast::refund {
namespace {

constexpr char kPolicies[] = R"(
default: moderate
policies:
  - name: moderate
    version: 1
    windows:
      - { name: full, min_notice: 7d, refund_percent: 100, service_fee_refundable: true, charge_cancellation_fee: false }
      - { name: half, min_notice: 24h, refund_percent: 50, charge_cancellation_fee: false }
)";

BatchPreviewItem Item(int line, const std::string& id, const std::string& currency, int64_t rental,
                      const std::string& cancel_at) {
  Value reservation = Value::Map{{"id", id},
                                 {"currency", currency},
                                 {"start_at", "2026-06-15T15:00:00+02:00"},
                                 {"lines", Value::Map{{"rental", rental}}}};
  return {line, Value::Map{{"reservation", reservation}, {"cancel_at", cancel_at}}};
}

TEST(RefundBatchPreview, TotalsPerCurrencyLargestAndUnpriced) {
  PolicySet policies = std::move(PolicySet::Parse(kPolicies, "p.yaml").value());
  std::vector<BatchPreviewItem> items = {
      Item(1, "r-1", "EUR", 10000, "2026-06-12T15:00:00+02:00"),  // half: 50.00
      Item(2, "r-2", "EUR", 40000, "2026-06-05T15:00:00+02:00"),  // full: 400.00
      Item(4, "r-3", "JPY", 9000, "2026-06-12T15:00:00+02:00"),   // half: 4500
      {5, Value::Map{{"reservation", Value::Map{{"id", "r-4"}}}}},  // not a reservation
  };
  BatchPreview p = PreviewRefundBatch(policies, items, 0, 1);
  const Value& eur = p.json.Get("currencies").Get("EUR");
  EXPECT_EQ(eur.Get("lines").IntOr(0), 2);
  EXPECT_EQ(eur.Get("total_minor").IntOr(0), 45000);
  EXPECT_EQ(p.json.Get("currencies").Get("JPY").Get("total_minor").IntOr(0), 4500);  // never added to EUR
  EXPECT_EQ(p.json.Get("unpriced").IntOr(0), 1);
  ASSERT_EQ(p.json.Get("largest").Get("EUR").AsList().size(), 1u);  // top 1
  EXPECT_EQ(p.json.Get("largest").Get("EUR").AsList()[0].Get("reservation_id").StringOr(""), "r-2");
  EXPECT_EQ(p.json.Get("could_not_price").AsList()[0].Get("line").IntOr(0), 5);
  EXPECT_NE(p.text.find("450.00"), std::string::npos) << p.text;
  EXPECT_NE(p.text.find("line 5 (r-4)"), std::string::npos) << p.text;
  EXPECT_NE(p.text.find("3 priced, 1 could not be priced"), std::string::npos) << p.text;
}

}  // namespace
}  // namespace steadfast::refund
