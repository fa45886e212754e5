// ISO 4217 currencies and their minor-unit exponents.
//
// An amount of money is an integer count of minor units; the exponent says
// how many decimal places separate minor from major units (JPY 0: 1500 JPY is
// 1500 minor units; EUR 2: 12.34 EUR is 1234; KWD 3: 1.234 KWD is 1234). The
// table is compiled in; a code missing from it is an error, never a guess,
// because a wrong exponent scales a refund by 10x or 100x.
#ifndef STEADFAST_PLUGINS_REFUND_CURRENCY_H_
#define STEADFAST_PLUGINS_REFUND_CURRENCY_H_

#include <string>
#include <string_view>
#include <vector>

#include "steadfast/status.h"

namespace steadfast::refund {

// The number of minor-unit decimal places of an ISO 4217 code ("EUR" -> 2,
// "JPY" -> 0, "KWD" -> 3). Codes are upper case, exactly as ISO writes them.
// InvalidArgument for a code that is not in the table.
Result<int> CurrencyExponent(std::string_view code);

// True when CurrencyExponent(code) would succeed.
bool IsKnownCurrency(std::string_view code);

// Every code in the table, sorted (for documentation and tests).
std::vector<std::string> KnownCurrencies();

}  // namespace steadfast::refund

#endif  // STEADFAST_PLUGINS_REFUND_CURRENCY_H_
