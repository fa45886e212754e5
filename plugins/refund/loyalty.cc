// Loyalty points: minor units divided by 10^exponent, toward zero.
#include "refund/loyalty.h"

#include "refund/currency.h"

namespace steadfast::refund {

Result<int64_t> LoyaltyPointsFor(const Money& amount) {
  SF_ASSIGN_OR_RETURN(const int exponent, CurrencyExponent(amount.currency));
  int64_t minor_per_major = 1;
  for (int i = 0; i < exponent; ++i) {
    SF_ASSIGN_OR_RETURN(minor_per_major, CheckedMul(minor_per_major, 10));
  }
  return amount.minor / minor_per_major;  // C++ division truncates toward zero
}

}  // namespace steadfast::refund
