// Claim settlement arithmetic, the settled breakdown and its snapshot.
#include "refund/claim_settlement.h"

#include <fmt/format.h>

#include <algorithm>

namespace steadfast::refund {
namespace {

Result<int64_t> MinorAt(const Value& v, const std::string& currency, std::string_view what) {
  Result<Money> m = MoneyFromValue(v);
  if (!m.ok()) return Status::InvalidArgument(fmt::format("breakdown {}: {}", what, m.status().message()));
  if (m->currency != currency) {
    return Status::InvalidArgument(fmt::format("breakdown {} is in {}, not {}", what, m->currency, currency));
  }
  return m->minor;
}

Value Line(std::string_view kind, int64_t refund, const std::string& currency, std::string basis) {
  return Value::Map{{"kind", std::string(kind)},
                    {"paid", MoneyToValue(Money{0, currency})},
                    {"refund", MoneyToValue(Money{-refund, currency})},
                    {"basis", std::move(basis)}};
}

}  // namespace

Result<ClaimPayout> ComputeClaimSettlement(const ClaimSettlementInput& in) {
  if (in.refund_total < 0 || in.payout_to_host < 0 || in.already_refunded < 0 || in.decided < 0 || in.deposit < 0) {
    return Status::InvalidArgument("claim settlement amounts must not be negative");
  }
  ClaimPayout p;
  p.already_refunded = in.already_refunded;
  // The deposit is held for exactly this: the claim draws on it first.
  p.deposit = in.deposit;
  p.deposit_claimed = std::min(in.decided, in.deposit);
  p.deposit_returned = in.deposit - p.deposit_claimed;
  p.remaining = std::max<int64_t>(0, in.refund_total - in.already_refunded);
  const int64_t from_refund = std::min(in.decided - p.deposit_claimed, p.remaining);
  p.claim_payout = p.deposit_claimed + from_refund;
  p.uncovered = in.decided - p.claim_payout;
  p.guest_refund = p.remaining - from_refund;
  SF_ASSIGN_OR_RETURN(p.host_payout, CheckedAdd(in.payout_to_host, p.claim_payout));
  if (in.refund_method == "voucher" && (from_refund > 0 || in.already_refunded > 0)) {
    return Status::InvalidArgument(
        "a voucher refund settles only without a claim payout from the refund or earlier refunds (its bonus is not "
        "re-derived)");
  }
  if (in.refund_method != "cash" && in.refund_method != "voucher") {
    return Status::InvalidArgument("refund_method must be cash or voucher");
  }
  return p;
}

Result<Value> SettledBreakdown(const Value& breakdown, const ClaimPayout& p) {
  if (!breakdown.is_map() || !breakdown.Get("lines").is_list()) {
    return Status::InvalidArgument("breakdown must be the refund.calculate_amount output");
  }
  const std::string currency = breakdown.Get("currency").StringOr("");
  SF_ASSIGN_OR_RETURN(int64_t refund_total, MinorAt(breakdown.Get("refund_total"), currency, "refund_total"));
  SF_ASSIGN_OR_RETURN(int64_t to_guest, MinorAt(breakdown.Get("refund_to_guest"), currency, "refund_to_guest"));
  SF_ASSIGN_OR_RETURN(int64_t before, MinorAt(breakdown.Get("host_payout_before"), currency, "host_payout_before"));
  const int64_t prior = refund_total - p.remaining;  // the part of the earlier refunds this refund covered
  const int64_t from_refund = p.claim_payout - p.deposit_claimed;
  if (prior < 0 || from_refund < 0 || p.guest_refund + from_refund != p.remaining ||
      p.deposit_claimed + p.deposit_returned != p.deposit) {
    return Status::InvalidArgument("the claim settlement does not belong to this breakdown");
  }
  const int64_t bonus = to_guest - refund_total;
  Value out = breakdown;
  out["refund_total"] = MoneyToValue(Money{p.guest_refund, currency});
  out["refund_to_guest"] = MoneyToValue(Money{p.guest_refund + bonus, currency});
  out["payout_to_host"] = MoneyToValue(Money{p.host_payout, currency});
  out["host_payout_adjustment"] = MoneyToValue(Money{p.host_payout - before, currency});
  Value::List& lines = out["lines"].MutableList();
  lines.push_back(Line("prior_refunds", prior, currency,
                       fmt::format("refunded before: {}", FormatMoney(Money{p.already_refunded, currency}))));
  lines.push_back(Line("claim", from_refund, currency,
                       fmt::format("host's claim paid from the guest's refund{}{}",
                                   p.deposit_claimed > 0 ? fmt::format(" (and {} from the deposit)",
                                                                       FormatMoney(Money{p.deposit_claimed, currency}))
                                                         : "",
                                   p.uncovered > 0 ? fmt::format(" ({} uncovered)",
                                                                 FormatMoney(Money{p.uncovered, currency}))
                                                   : "")));
  out["claim"] = Value::Map{{"decided", MoneyToValue(Money{p.claim_payout + p.uncovered, currency})},
                            {"payout", MoneyToValue(Money{p.claim_payout, currency})},
                            {"uncovered", MoneyToValue(Money{p.uncovered, currency})},
                            {"already_refunded", MoneyToValue(Money{p.already_refunded, currency})}};
  if (p.deposit > 0) {
    out["deposit"] = Value::Map{{"held", MoneyToValue(Money{p.deposit, currency})},
                                {"claimed", MoneyToValue(Money{p.deposit_claimed, currency})},
                                {"returned", MoneyToValue(Money{p.deposit_returned, currency})}};
  }
  return out;
}

Result<CancellationDetails> ClaimSnapshot(const Value& breakdown, const ClaimPayout& p) {
  // The cancellation's own snapshot gives the fee portions and checks the
  // breakdown (its lines add up, the fee counted once).
  SF_ASSIGN_OR_RETURN(CancellationDetails d, CancellationDetailsFromBreakdown(breakdown));
  const int64_t bonus = d.refund_to_guest - d.refund_total;
  d.refund_total = p.guest_refund;
  d.refund_to_guest = p.guest_refund + bonus;
  d.payout_to_host = p.host_payout;
  // The guest service fee portion stays inside what the guest receives.
  d.guest_service_fee = std::min(d.guest_service_fee, d.refund_to_guest);
  d.deposit = p.deposit;
  d.deposit_claimed = p.deposit_claimed;
  d.deposit_returned = p.deposit_returned;
  return d;
}

}  // namespace steadfast::refund
