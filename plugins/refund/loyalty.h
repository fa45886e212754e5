// Loyalty points for an amount of money, in whole major units of its currency.
//
// A customer earns (and on a refund gives back) one point per whole major
// unit: 178.50 EUR is 178 points, 17850 JPY is 17850, 17.850 KWD is 17. The
// exponent comes from the currency table, never from a hard-coded 100, which
// would give a JPY refund a hundredth of its points and a KWD refund ten
// times too many. Fractions of a major unit earn nothing, so the count is
// rounded toward zero (symmetric: -178.50 EUR is -178).
#ifndef STEADFAST_PLUGINS_REFUND_LOYALTY_H_
#define STEADFAST_PLUGINS_REFUND_LOYALTY_H_

#include <cstdint>

#include "refund/money.h"
#include "steadfast/status.h"

namespace steadfast::refund {

// Whole major units in `amount`, rounded toward zero. InvalidArgument for a
// currency that is not in the table.
Result<int64_t> LoyaltyPointsFor(const Money& amount);

}  // namespace steadfast::refund

#endif  // STEADFAST_PLUGINS_REFUND_LOYALTY_H_
