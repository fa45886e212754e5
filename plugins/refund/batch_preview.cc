// What a batch of cancellations would refund, per currency.
#include "refund/batch_preview.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <string>

#include "refund/calculate_amount_activity.h"
#include "refund/money.h"

namespace steadfast::refund {
namespace {

struct Priced {
  int line = 0;
  std::string reservation_id;
  std::string method;  // cash | voucher
  Money refund;        // refund_to_guest
  std::string error;   // why it could not be priced
};

struct CurrencyTotals {
  int64_t lines = 0;
  int64_t refunds = 0;  // lines that refund more than zero
  int64_t cash = 0, voucher = 0;
  int64_t total = 0;
};

}  // namespace

BatchPreview PreviewRefundBatch(const PolicySet& policies, const std::vector<BatchPreviewItem>& items, TimeMs now_ms,
                                int top) {
  std::vector<Priced> priced;
  std::map<std::string, CurrencyTotals> currencies;
  int64_t unpriced = 0;
  for (const BatchPreviewItem& item : items) {
    Priced p;
    p.line = item.line;
    const Value& reservation = item.input.Get("reservation");
    const Value& id = reservation.Get("id");
    p.reservation_id = id.is_string() ? id.AsString() : id.is_int() ? std::to_string(id.AsInt()) : "";
    Value input = Value::Map{{"reservation", reservation}};
    for (const char* field : {"cancel_at", "policy", "refund_method"}) {
      if (const Value* v = item.input.Find(field); v != nullptr && !v->is_null()) input[field] = *v;
    }
    ActivityResult r = CalculateAmount(policies, input, now_ms);
    if (r.ok()) {
      Result<Money> refund = MoneyFromValue(r.output().Get("refund_to_guest"));
      if (refund.ok()) {
        p.refund = *refund;
      } else {
        p.error = refund.status().message();
      }
    } else {
      p.error = r.error().code + ": " + r.error().message;
    }
    if (!p.error.empty()) {
      ++unpriced;
      priced.push_back(std::move(p));
      continue;
    }
    p.method = r.output().Get("refund_method").StringOr("cash");
    CurrencyTotals& c = currencies[p.refund.currency];
    ++c.lines;
    if (p.refund.minor > 0) ++c.refunds;
    (p.method == "voucher" ? c.voucher : c.cash) += p.refund.minor;
    c.total += p.refund.minor;
    priced.push_back(std::move(p));
  }

  const int64_t total = static_cast<int64_t>(items.size());
  std::string text = fmt::format("Batch preview: {} cancellation(s) under the current refund policies\n", total);
  text += fmt::format("  {} priced, {} could not be priced (before eligibility, risk and review)\n\n",
                      total - unpriced, unpriced);
  text += fmt::format("  {:<8} {:>8} {:>8} {:>16} {:>16} {:>16}\n", "currency", "lines", "refunds", "cash",
                      "voucher", "refund total");
  Value::Map json_currencies;
  for (const auto& [currency, c] : currencies) {
    text += fmt::format("  {:<8} {:>8} {:>8} {:>16} {:>16} {:>16}\n", currency, c.lines, c.refunds,
                        FormatAmount(Money{c.cash, currency}), FormatAmount(Money{c.voucher, currency}),
                        FormatAmount(Money{c.total, currency}));
    json_currencies[currency] = Value::Map{{"lines", c.lines},
                                           {"refunds", c.refunds},
                                           {"cash_minor", c.cash},
                                           {"voucher_minor", c.voucher},
                                           {"total_minor", c.total}};
  }
  Value::Map json_top;
  for (const auto& [currency, c] : currencies) {
    std::vector<const Priced*> largest;
    for (const Priced& p : priced) {
      if (p.error.empty() && p.refund.currency == currency) largest.push_back(&p);
    }
    std::stable_sort(largest.begin(), largest.end(),
                     [](const Priced* a, const Priced* b) { return a->refund.minor > b->refund.minor; });
    if (static_cast<int>(largest.size()) > top) largest.resize(static_cast<size_t>(top));
    text += fmt::format("\n  largest refunds in {}\n", currency);
    text += fmt::format("  {:>5} {:<18} {:<8} {:>14}\n", "line", "reservation", "method", "refund");
    Value::List list;
    for (const Priced* p : largest) {
      text += fmt::format("  {:>5} {:<18} {:<8} {:>14}\n", p->line, p->reservation_id, p->method,
                          FormatAmount(p->refund));
      list.push_back(Value::Map{{"line", p->line},
                                {"reservation_id", p->reservation_id},
                                {"method", p->method},
                                {"refund_minor", p->refund.minor}});
    }
    json_top[currency] = Value(std::move(list));
  }
  Value::List json_unpriced;
  if (unpriced > 0) {
    text += "\n  could not be priced\n";
    for (const Priced& p : priced) {
      if (p.error.empty()) continue;
      text += fmt::format("  line {} ({}): {}\n", p.line, p.reservation_id, p.error);
      json_unpriced.push_back(Value::Map{{"line", p.line}, {"reservation_id", p.reservation_id}, {"error", p.error}});
    }
  }
  BatchPreview preview;
  preview.text = std::move(text);
  preview.json = Value::Map{{"lines", total},
                            {"unpriced", unpriced},
                            {"currencies", Value(std::move(json_currencies))},
                            {"largest", Value(std::move(json_top))},
                            {"could_not_price", Value(std::move(json_unpriced))}};
  return preview;
}

BatchPreviewFn MakeRefundBatchPreview(std::shared_ptr<const PolicySet> policies, const Clock& clock) {
  return [policies = std::move(policies), &clock](const std::vector<BatchPreviewItem>& items) -> Result<BatchPreview> {
    return PreviewRefundBatch(*policies, items, clock.NowMs());
  };
}

}  // namespace steadfast::refund
