// The `refund.calculate_amount` activity: a reservation and a cancellation
// instant in, the refund breakdown out.
//
// Input:  {reservation: {...}, policy?: "name" | "name@version" | {name, version},
//          cancel_at?: RFC 3339 string | epoch milliseconds (default: ctx.clock().NowMs()),
//          refund_method?: "cash" | "voucher" (the guest's choice, when the policy allows one)}
// Output: BreakdownToValue (see breakdown.h).
// The policy is the input's, else the reservation's, else the file's default.
// Errors are non-retryable (the same input always fails the same way):
//   invalid_reservation   the reservation is missing or malformed (or its amounts overflow)
//   unknown_policy        no such policy or version
//   unsupported_currency  the policy has per-currency amounts but none for this currency
//   invalid_input         cancel_at, refund_method or the policy field is malformed
// Pure: it touches nothing outside, so retries are trivially safe.
#ifndef STEADFAST_PLUGINS_REFUND_CALCULATE_AMOUNT_ACTIVITY_H_
#define STEADFAST_PLUGINS_REFUND_CALCULATE_AMOUNT_ACTIVITY_H_

#include <memory>

#include "refund/policy.h"
#include "steadfast/activity.h"
#include "steadfast/clock.h"
#include "steadfast/registry.h"
#include "steadfast/value.h"

namespace steadfast::refund {

inline constexpr char kCalculateAmountActivity[] = "refund.calculate_amount";

// The activity's logic without a context: `now_ms` stands in for the clock.
ActivityResult CalculateAmount(const PolicySet& policies, const Value& input, TimeMs now_ms);

// The activity function over a shared, immutable policy set.
ActivityFn MakeCalculateAmountActivity(std::shared_ptr<const PolicySet> policies);

}  // namespace steadfast::refund

#endif  // STEADFAST_PLUGINS_REFUND_CALCULATE_AMOUNT_ACTIVITY_H_
