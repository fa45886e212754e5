// CalculateRefund: the refund rules of docs/refunds.md, step by step.
#include "refund/calculator.h"

#include <algorithm>
#include <array>
#include <span>
#include <vector>

#include <fmt/format.h>

namespace steadfast::refund {
namespace {

// round(amount * bps / 10000) in the policy's rounding mode.
Result<int64_t> PercentOf(int64_t amount, int64_t bps, RoundingMode mode) {
  return MulDivRound(amount, bps, kBasisPointsPerWhole, mode);
}

// The first part of `amount` split by weights {a, b} (largest remainder);
// zero when both weights are zero.
Result<int64_t> FirstShare(int64_t amount, int64_t a, int64_t b) {
  if (a == 0 && b == 0) return int64_t{0};
  std::array<int64_t, 2> weights{a, b};
  SF_ASSIGN_OR_RETURN(std::vector<int64_t> parts, AllocateMinor(amount, weights));
  return parts[0];
}

// `amount` split by `weights` (largest remainder); all zero when the weights are.
Result<std::vector<int64_t>> Shares(int64_t amount, std::span<const int64_t> weights) {
  if (std::all_of(weights.begin(), weights.end(), [](int64_t w) { return w == 0; })) {
    return std::vector<int64_t>(weights.size(), 0);
  }
  return AllocateMinor(amount, weights);
}

}  // namespace

Result<RefundBreakdown> CalculateRefund(const Reservation& r, const RefundPolicy& policy, TimeMs cancel_at_ms) {
  SF_RETURN_IF_ERROR(policy.CheckCurrency(r.currency));
  const std::string& cur = r.currency;
  auto money = [&](int64_t minor) { return Money{minor, cur}; };
  auto text = [&](int64_t minor) { return FormatAmount(money(minor)); };
  const ReservationLines& in = r.lines;
  // Every rounding below breaks ties this way; allocations (largest
  // remainder) do not round and are the same in every mode.
  const RoundingMode mode = policy.RoundingFor(cur);
  auto Percent = [mode](int64_t amount, int64_t bps) { return PercentOf(amount, bps, mode); };

  RefundBreakdown b;
  b.reservation_id = r.id;
  b.currency = cur;
  b.policy_name = policy.name;
  b.policy_version = policy.version;
  b.rounding = mode;
  b.start_at_ms = r.start_at_ms;
  b.cancel_at_ms = cancel_at_ms;
  b.booked_at_ms = r.booked_at_ms;
  b.check_in = r.check_in;
  SF_ASSIGN_OR_RETURN(b.notice_ms, CheckedSub(r.start_at_ms, cancel_at_ms));

  // 1. The rule: the grace rule when the second clock (time since booking)
  // allows it, else the windows on the notice.
  std::optional<int64_t> since_booking;
  if (r.booked_at_ms.has_value()) {
    SF_ASSIGN_OR_RETURN(since_booking, CheckedSub(cancel_at_ms, *r.booked_at_ms));
  }
  b.grace = policy.CheckGrace(b.notice_ms, since_booking);
  b.window = policy.RuleFor(b.notice_ms, b.grace);
  const RefundRule& rule = b.window.rule;
  const int64_t pct = rule.refund_bps;  // the rental's percent (every line's unless per_line)

  // 2. Refundable bases. The discount is split over rental and delivery by
  // their amounts, then follows them through proration and refundability.
  // The cleaning fee is never discounted nor prorated.
  b.units_total = r.units_total;
  SF_ASSIGN_OR_RETURN(const int64_t unused, rule.prorate ? CheckedSub(r.units_total, r.units_used)
                                                         : Result<int64_t>(r.units_total));
  SF_ASSIGN_OR_RETURN(const int64_t used, CheckedSub(r.units_total, unused));
  b.units_refunded = unused;
  SF_ASSIGN_OR_RETURN(int64_t discount_on_rental, FirstShare(in.discount, in.rental, in.delivery));
  SF_ASSIGN_OR_RETURN(const int64_t discount_on_delivery, CheckedSub(in.discount, discount_on_rental));
  SF_ASSIGN_OR_RETURN(int64_t rental_base, FirstShare(in.rental, unused, used));
  SF_ASSIGN_OR_RETURN(int64_t rental_discount_base, FirstShare(discount_on_rental, unused, used));
  const int64_t delivery_base = rule.delivery_refundable ? in.delivery : 0;
  const int64_t delivery_discount_base = rule.delivery_refundable ? discount_on_delivery : 0;
  const int64_t delivery_pct = rule.delivery_refundable ? rule.delivery_bps : 0;

  // 3. The refunded subtotal. Lines refunded at the same percent are rounded
  // together, once: their net (base less discount share) and their gross are
  // each rounded, the gross is split over the lines exactly (largest
  // remainder), and the discount line takes net - gross (<= 0; 0 without a
  // discount). With one refund_percent for all lines this is one group, so
  // the subtotal is rounded exactly once, as it always was.
  struct Part {
    int64_t base = 0;           // refundable amount of the line
    int64_t discount_base = 0;  // its refundable share of the discount
    int64_t bps = 0;            // its percent
    int64_t refund = 0;         // its gross refund (set below)
  };
  std::array<Part, 3> parts{{{rental_base, rental_discount_base, pct, 0},
                             {delivery_base, delivery_discount_base, delivery_pct, 0},
                             {in.cleaning_fee, 0, rule.cleaning_fee_bps, 0}}};
  std::array<bool, 3> done{false, false, false};
  int64_t net_refund = 0, discount_refund = 0;
  bool rental_delivery_together = false;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (done[i]) continue;
    std::vector<size_t> group;
    int64_t gross_base = 0, discount_base = 0;
    for (size_t j = i; j < parts.size(); ++j) {
      if (done[j] || parts[j].bps != parts[i].bps) continue;
      done[j] = true;
      group.push_back(j);
      SF_ASSIGN_OR_RETURN(gross_base, CheckedAdd(gross_base, parts[j].base));
      SF_ASSIGN_OR_RETURN(discount_base, CheckedAdd(discount_base, parts[j].discount_base));
    }
    if (i == 0 && group.size() > 1 && group[1] == 1) rental_delivery_together = true;
    SF_ASSIGN_OR_RETURN(const int64_t net_base, CheckedSub(gross_base, discount_base));  // >= 0
    SF_ASSIGN_OR_RETURN(const int64_t group_net, Percent(net_base, parts[i].bps));
    SF_ASSIGN_OR_RETURN(const int64_t group_gross, Percent(gross_base, parts[i].bps));
    std::vector<int64_t> weights;
    for (size_t j : group) weights.push_back(parts[j].base);
    SF_ASSIGN_OR_RETURN(std::vector<int64_t> shares, Shares(group_gross, weights));
    for (size_t k = 0; k < group.size(); ++k) parts[group[k]].refund = shares[k];
    SF_ASSIGN_OR_RETURN(net_refund, CheckedAdd(net_refund, group_net));
    SF_ASSIGN_OR_RETURN(const int64_t group_discount, CheckedSub(group_net, group_gross));
    SF_ASSIGN_OR_RETURN(discount_refund, CheckedAdd(discount_refund, group_discount));
  }
  int64_t rental_refund = parts[0].refund;
  int64_t delivery_refund = parts[1].refund;
  int64_t cleaning_refund = parts[2].refund;

  // 4. Tax and service fee in proportion to the refunded subtotal.
  SF_ASSIGN_OR_RETURN(int64_t gross_paid, CheckedAdd(in.rental, in.delivery));
  SF_ASSIGN_OR_RETURN(gross_paid, CheckedAdd(gross_paid, in.cleaning_fee));
  SF_ASSIGN_OR_RETURN(const int64_t subtotal_paid, CheckedSub(gross_paid, in.discount));
  auto proportional = [&](int64_t amount) -> Result<int64_t> {
    if (subtotal_paid == 0) return Percent(amount, pct);
    return MulDivRound(amount, net_refund, subtotal_paid, mode);
  };
  SF_ASSIGN_OR_RETURN(int64_t tax_refund, proportional(in.tax));
  int64_t fee_refund = 0;
  if (rule.service_fee_refundable) {
    SF_ASSIGN_OR_RETURN(fee_refund, proportional(in.service_fee));
  }
  SF_ASSIGN_OR_RETURN(int64_t before_fee, CheckedAdd(net_refund, tax_refund));
  SF_ASSIGN_OR_RETURN(before_fee, CheckedAdd(before_fee, fee_refund));

  // 5. Cancellation fee, capped at what is being refunded.
  int64_t cancellation_fee = 0;
  std::string fee_basis = "not charged in this window";
  if (rule.charge_cancellation_fee && before_fee > 0) {
    auto fixed_it = policy.cancellation_fee_fixed.find(cur);
    const int64_t fixed = fixed_it == policy.cancellation_fee_fixed.end() ? 0 : fixed_it->second;
    SF_ASSIGN_OR_RETURN(int64_t variable, Percent(net_refund, policy.cancellation_fee_bps));
    SF_ASSIGN_OR_RETURN(cancellation_fee, CheckedAdd(fixed, variable));
    fee_basis.clear();
    if (fixed != 0) fee_basis = fmt::format("{} fixed", text(fixed));
    if (policy.cancellation_fee_bps != 0) {
      fee_basis += fmt::format("{}{} of {}", fee_basis.empty() ? "" : " + ",
                               FormatBasisPoints(policy.cancellation_fee_bps), text(net_refund));
    }
    if (cancellation_fee > before_fee) {
      cancellation_fee = before_fee;
      fee_basis += fmt::format(", capped at the refund {}", text(before_fee));
    }
    if (cancellation_fee == 0) fee_basis = "no cancellation fee in this policy";
  }
  SF_ASSIGN_OR_RETURN(int64_t refund_total, CheckedSub(before_fee, cancellation_fee));

  // 6. Minimum refund.
  auto min_it = policy.minimum_refund.find(cur);
  if (min_it != policy.minimum_refund.end() && refund_total > 0 && refund_total < min_it->second) {
    b.minimum_refund_applied = true;
    rental_refund = delivery_refund = cleaning_refund = discount_refund = net_refund = 0;
    tax_refund = fee_refund = cancellation_fee = refund_total = 0;
  }

  // 7. Method and voucher bonus.
  switch (policy.refund_as) {
    case RefundAs::kCash: b.method = RefundMethod::kCash; break;
    case RefundAs::kVoucher: b.method = RefundMethod::kVoucher; break;
    case RefundAs::kGuestChoice: b.method = r.refund_method.value_or(RefundMethod::kCash); break;
  }
  int64_t bonus = 0;
  if (b.method == RefundMethod::kVoucher) {
    SF_ASSIGN_OR_RETURN(bonus, Percent(refund_total, policy.voucher_bonus_bps));
  }
  SF_ASSIGN_OR_RETURN(int64_t to_guest, CheckedAdd(refund_total, bonus));

  // 8. Host and settlement.
  SF_ASSIGN_OR_RETURN(const int64_t host_keeps, CheckedSub(subtotal_paid, net_refund));
  SF_ASSIGN_OR_RETURN(int64_t host_fee, Percent(host_keeps, policy.host_fee_bps));
  SF_ASSIGN_OR_RETURN(int64_t fee_to_host, Percent(cancellation_fee, policy.host_cancellation_fee_share_bps));
  SF_ASSIGN_OR_RETURN(int64_t host_fee_before, Percent(subtotal_paid, policy.host_fee_bps));
  SF_ASSIGN_OR_RETURN(int64_t payout, CheckedSub(host_keeps, host_fee));
  SF_ASSIGN_OR_RETURN(payout, CheckedAdd(payout, fee_to_host));
  SF_ASSIGN_OR_RETURN(const int64_t payout_before, CheckedSub(subtotal_paid, host_fee_before));
  SF_ASSIGN_OR_RETURN(const int64_t payout_adjustment, CheckedSub(payout, payout_before));
  SF_ASSIGN_OR_RETURN(int64_t paid_total, PaidTotalMinor(in));
  SF_ASSIGN_OR_RETURN(const int64_t fee_kept, CheckedSub(in.service_fee, fee_refund));
  SF_ASSIGN_OR_RETURN(const int64_t fee_share_kept, CheckedSub(cancellation_fee, fee_to_host));
  SF_ASSIGN_OR_RETURN(int64_t platform_retained, CheckedAdd(fee_kept, host_fee));
  SF_ASSIGN_OR_RETURN(platform_retained, CheckedAdd(platform_retained, fee_share_kept));
  SF_ASSIGN_OR_RETURN(const int64_t tax_retained, CheckedSub(in.tax, tax_refund));

  b.paid_total = money(paid_total);
  b.refund_total = money(refund_total);
  b.refund_to_guest = money(to_guest);
  b.payout_to_host = money(payout);
  b.host_payout_before = money(payout_before);
  b.host_payout_adjustment = money(payout_adjustment);
  b.host_fee = money(host_fee);
  b.cancellation_fee_to_host = money(fee_to_host);
  b.tax_retained = money(tax_retained);
  b.platform_retained = money(platform_retained);

  // The lines, with the reasoning for people. The three host lines carry
  // the percent that applied to them.
  const std::string pct_text = FormatBasisPoints(pct);
  const std::string ratio = fmt::format("in proportion {}/{} of the subtotal", text(net_refund), text(subtotal_paid));
  std::string rental_basis = fmt::format("{} of {}", pct_text, text(rental_base));
  if (rule.prorate) rental_basis += fmt::format(" ({} of {} units unused)", unused, r.units_total);
  const std::string below_minimum = fmt::format(
      "refund below the policy minimum {}: nothing refunded",
      min_it == policy.minimum_refund.end() ? std::string() : text(min_it->second));
  auto basis = [&](std::string normal) { return b.minimum_refund_applied ? below_minimum : normal; };
  std::string discount_basis = "no discount";
  if (in.discount != 0 && rental_delivery_together) {
    SF_ASSIGN_OR_RETURN(const int64_t discount_base, CheckedAdd(rental_discount_base, delivery_discount_base));
    discount_basis = fmt::format("{} of -{}, rounded with the subtotal", pct_text, text(discount_base));
  } else if (in.discount != 0) {
    discount_basis = fmt::format("{} of -{} (rental) + {} of -{} (delivery), each rounded with its line", pct_text,
                                 text(rental_discount_base), FormatBasisPoints(delivery_pct),
                                 text(delivery_discount_base));
  }

  b.lines.reserve(kLineKindCount);
  b.lines.push_back({LineKind::kRental, money(in.rental), money(rental_refund), basis(rental_basis), pct});
  b.lines.push_back({LineKind::kDelivery, money(in.delivery), money(delivery_refund),
                     basis(rule.delivery_refundable ? fmt::format("{} of {}", FormatBasisPoints(delivery_pct),
                                                                  text(in.delivery))
                                                    : "not refundable in this window"),
                     delivery_pct});
  b.lines.push_back({LineKind::kCleaningFee, money(in.cleaning_fee), money(cleaning_refund),
                     basis(in.cleaning_fee == 0 ? std::string("no cleaning fee")
                                                : fmt::format("{} of {}", FormatBasisPoints(rule.cleaning_fee_bps),
                                                              text(in.cleaning_fee))),
                     rule.cleaning_fee_bps});
  b.lines.push_back({LineKind::kDiscount, money(-in.discount), money(discount_refund), basis(discount_basis)});
  b.lines.push_back({LineKind::kTax, money(in.tax), money(tax_refund), basis(ratio)});
  b.lines.push_back({LineKind::kGuestServiceFee, money(in.service_fee), money(fee_refund),
                     basis(rule.service_fee_refundable ? ratio : "not refundable in this window")});
  b.lines.push_back({LineKind::kCancellationFee, money(0), money(-cancellation_fee), basis(fee_basis)});
  b.lines.push_back({LineKind::kVoucherBonus, money(0), money(bonus),
                     b.method == RefundMethod::kVoucher
                         ? fmt::format("{} of {} as voucher credit", FormatBasisPoints(policy.voucher_bonus_bps),
                                       text(refund_total))
                         : std::string("cash refund: no voucher bonus")});
  return b;
}

}  // namespace steadfast::refund
