// The refund policy loader (plugins/refund/policy.h, config/refund_policies.yaml).
// Properties: Parse never throws and fails only with InvalidArgument; every
// policy it accepts can be selected by its id, and the calculator under it
// keeps the money invariants for real reservations at any notice: the
// refund is between 0 and what was paid, and refund + host payout + tax
// retained + platform retained is exactly the paid total (or a clear
// error: a currency the policy does not list, an overflow).
#include <initializer_list>
#include <string>
#include <vector>

#include "fuzz_check.h"
#include "refund/calculator.h"
#include "refund/policy.h"
#include "refund/reservation.h"

namespace steadfast::refund {
namespace {

constexpr int64_t kDay = 24LL * 3600 * 1000;

const std::vector<Reservation>& Reservations() {
  static const std::vector<Reservation> all = [] {
    std::vector<Reservation> out;
    for (const char* json : {
             R"({"id": "R-1", "currency": "EUR", "start_at": "2027-01-15T14:00:00Z", "end_at": "2027-01-20T10:00:00Z",
                 "booked_at": "2027-01-10T00:00:00Z",
                 "units_total": 5, "units_used": 2, "refund_method": "voucher",
                 "lines": {"rental": 50000, "delivery": "45.00", "discount": 2500, "tax": 9500, "service_fee": 6000}})",
             R"({"id": "R-2", "currency": "JPY", "start_at": "2027-01-15T14:00:00+09:00",
                 "lines": {"rental": 88000, "tax": 8800, "service_fee": 1200}})",
             R"({"id": "R-3", "currency": "KWD", "start_at": "2027-01-15T14:00:00Z", "units_total": 3,
                 "lines": {"rental": "120.500 KWD", "delivery": 7, "service_fee": 3}})",
             // The start as a local check-in, booked two weeks ahead: a grace rule applies at some notices.
             R"({"id": "R-4", "currency": "USD",
                 "check_in": {"date": "2027-01-15", "time": "14:00", "time_zone": "America/New_York"},
                 "booked_at": "2027-01-01T09:00:00-05:00",
                 "units_total": 3, "units_used": 1,
                 "lines": {"rental": "612.45", "delivery": "20.00", "cleaning_fee": "85.01", "discount": "30.62",
                           "tax": "57.25", "service_fee": "98.41"}})",
         }) {
      Result<Reservation> r = ReservationFromValue(*Value::FromJson(json));
      FUZZ_CHECK(r.ok());
      out.push_back(*r);
    }
    return out;
  }();
  return all;
}

void CheckMoney(const RefundBreakdown& b) {
  FUZZ_CHECK(b.refund_total.minor >= 0);
  FUZZ_CHECK(b.refund_total.minor <= b.paid_total.minor);
  FUZZ_CHECK(b.refund_to_guest.minor >= b.refund_total.minor);
  FUZZ_CHECK(b.tax_retained.minor >= 0);
  FUZZ_CHECK(b.platform_retained.minor >= 0);
  FUZZ_CHECK(b.refund_total.minor + b.payout_to_host.minor + b.tax_retained.minor + b.platform_retained.minor ==
             b.paid_total.minor);
}

}  // namespace
}  // namespace steadfast::refund

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace steadfast;
  using namespace steadfast::refund;
  Result<PolicySet> set = PolicySet::Parse(fuzz::AsText(data, size), "fuzz_policies.yaml");
  if (!set.ok()) {
    FUZZ_CHECK(set.status().code() == StatusCode::kInvalidArgument);
    return 0;
  }
  FUZZ_CHECK(set->Select("").ok());
  for (const RefundPolicy& policy : set->policies()) {
    Result<const RefundPolicy*> selected = set->Select(policy.Id());
    FUZZ_CHECK(selected.ok() && *selected == &policy);
    for (size_t i = 1; i < policy.windows.size(); ++i) {
      FUZZ_CHECK(policy.windows[i - 1].min_notice_ms > policy.windows[i].min_notice_ms);
    }
    for (const Reservation& r : Reservations()) {
      for (int64_t notice :
           std::initializer_list<int64_t>{-3 * kDay, -1, 0, 1, kDay / 2, 2 * kDay, 7 * kDay, 14 * kDay, 400 * kDay}) {
        Result<RefundBreakdown> b = CalculateRefund(r, policy, r.start_at_ms - notice);
        if (b.ok()) {
          CheckMoney(*b);
        } else {
          FUZZ_CHECK(b.status().code() == StatusCode::kFailedPrecondition ||
                     b.status().code() == StatusCode::kInvalidArgument);
        }
      }
    }
  }
  return 0;
}
