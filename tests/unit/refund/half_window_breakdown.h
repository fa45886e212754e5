// The refund.calculate_amount output of docs/refunds.md §8's half window
// (moderate@2: 283.50 EUR back to the guest, 268.65 to the host), for tests
// that need a breakdown without a policy file.
#ifndef STEADFAST_TESTS_UNIT_REFUND_HALF_WINDOW_BREAKDOWN_H_
#define STEADFAST_TESTS_UNIT_REFUND_HALF_WINDOW_BREAKDOWN_H_

#include <string>

#include "refund/money.h"
#include "steadfast/value.h"

namespace steadfast::refund::testing_breakdowns {

inline Value HalfWindowBreakdown(const std::string& reservation) {
  auto eur = [](int64_t minor) { return MoneyToValue(Money{minor, "EUR"}); };
  auto line = [&eur](const char* kind, int64_t paid, int64_t refund) {
    return Value::Map{{"kind", kind}, {"paid", eur(paid)}, {"refund", eur(refund)}};
  };
  return Value::Map{{"reservation_id", reservation},
                    {"currency", "EUR"},
                    {"refund_method", "cash"},
                    {"policy", Value::Map{{"name", "moderate"}, {"version", 2}}},
                    {"lines", Value::List{line("rental", 50000, 25000), line("delivery", 10000, 5000),
                                          line("cleaning_fee", 0, 0), line("discount", -6000, -3000),
                                          line("tax", 5400, 2700), line("guest_service_fee", 0, 0),
                                          line("cancellation_fee", 0, -1350), line("voucher_bonus", 0, 0)}},
                    {"paid_total", eur(67500)},
                    {"refund_total", eur(28350)},
                    {"refund_to_guest", eur(28350)},
                    {"payout_to_host", eur(26865)},
                    {"host_payout_before", eur(52380)},
                    {"host_payout_adjustment", eur(26865 - 52380)},
                    {"settlement", Value::Map{{"host_fee", eur(810)}}}};
}

}  // namespace steadfast::refund::testing_breakdowns

#endif  // STEADFAST_TESTS_UNIT_REFUND_HALF_WINDOW_BREAKDOWN_H_
