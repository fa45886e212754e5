// The compiled-in ISO 4217 exponent table (ISO 4217 amendment 176 values).
#include "refund/currency.h"

#include <algorithm>
#include <array>
#include <utility>

#include <fmt/format.h>

namespace steadfast::refund {
namespace {

struct CurrencyEntry {
  std::string_view code;
  int exponent;
};

// Sorted by code so lookups can binary-search.
constexpr std::array<CurrencyEntry, 60> kCurrencies{{
    {"AED", 2}, {"ARS", 2}, {"AUD", 2}, {"BGN", 2}, {"BHD", 3}, {"BIF", 0}, {"BRL", 2}, {"CAD", 2},
    {"CHF", 2}, {"CLF", 4}, {"CLP", 0}, {"CNY", 2}, {"COP", 2}, {"CZK", 2}, {"DJF", 0}, {"DKK", 2},
    {"EGP", 2}, {"EUR", 2}, {"GBP", 2}, {"GNF", 0}, {"HKD", 2}, {"HUF", 2}, {"IDR", 2}, {"ILS", 2},
    {"INR", 2}, {"IQD", 3}, {"ISK", 0}, {"JOD", 3}, {"JPY", 0}, {"KMF", 0}, {"KRW", 0}, {"KWD", 3},
    {"LYD", 3}, {"MAD", 2}, {"MXN", 2}, {"MYR", 2}, {"NOK", 2}, {"NZD", 2}, {"OMR", 3}, {"PHP", 2},
    {"PLN", 2}, {"PYG", 0}, {"QAR", 2}, {"RON", 2}, {"RWF", 0}, {"SAR", 2}, {"SEK", 2}, {"SGD", 2},
    {"THB", 2}, {"TND", 3}, {"TRY", 2}, {"TWD", 2}, {"UGX", 0}, {"USD", 2}, {"UYI", 0}, {"VND", 0},
    {"XAF", 0}, {"XOF", 0}, {"XPF", 0}, {"ZAR", 2},
}};

constexpr bool IsSorted() {
  for (size_t i = 1; i < kCurrencies.size(); ++i) {
    if (!(kCurrencies[i - 1].code < kCurrencies[i].code)) return false;
  }
  return true;
}
static_assert(IsSorted(), "kCurrencies must stay sorted by code");

const CurrencyEntry* Lookup(std::string_view code) {
  auto it = std::lower_bound(kCurrencies.begin(), kCurrencies.end(), code,
                             [](const CurrencyEntry& e, std::string_view c) { return e.code < c; });
  if (it == kCurrencies.end() || it->code != code) return nullptr;
  return &*it;
}

}  // namespace

Result<int> CurrencyExponent(std::string_view code) {
  const CurrencyEntry* e = Lookup(code);
  if (e == nullptr) return Status::InvalidArgument(fmt::format("unknown currency '{}'", code));
  return e->exponent;
}

bool IsKnownCurrency(std::string_view code) { return Lookup(code) != nullptr; }

std::vector<std::string> KnownCurrencies() {
  std::vector<std::string> out;
  out.reserve(kCurrencies.size());
  for (const CurrencyEntry& e : kCurrencies) out.emplace_back(e.code);
  return out;
}

}  // namespace steadfast::refund
