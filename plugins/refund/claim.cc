// ReservationClaim values: names, item parsing, totals, the Value form.
#include "refund/claim.h"

#include <fmt/format.h>

#include <array>
#include <set>

#include "steadfast/time_text.h"

namespace steadfast::refund {
namespace {

constexpr std::array<std::string_view, 3> kClaimStatusNames = {"open", "decided", "settled"};
constexpr std::array<std::string_view, 4> kItemStatusNames = {"requested", "approved", "reduced", "rejected"};

template <class Enum, size_t N>
std::optional<Enum> ParseName(const std::array<std::string_view, N>& names, std::string_view name) {
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return static_cast<Enum>(i);
  }
  return std::nullopt;
}

Value Instant(TimeMs ms) { return ms == 0 ? Value() : Value(FormatRfc3339Utc(ms)); }

}  // namespace

std::string_view ClaimStatusName(ClaimStatus s) { return kClaimStatusNames.at(static_cast<size_t>(s)); }
std::optional<ClaimStatus> ParseClaimStatus(std::string_view name) {
  return ParseName<ClaimStatus>(kClaimStatusNames, name);
}
std::string_view ClaimItemStatusName(ClaimItemStatus s) { return kItemStatusNames.at(static_cast<size_t>(s)); }
std::optional<ClaimItemStatus> ParseClaimItemStatus(std::string_view name) {
  return ParseName<ClaimItemStatus>(kItemStatusNames, name);
}

Result<Money> ClaimAmountFromValue(const Value& v) {
  if (v.is_string()) return ParseMoney(v.AsString());
  return MoneyFromValue(v);
}

Result<std::vector<ClaimItem>> ClaimItemsFromValue(const Value& items, const std::string& currency) {
  std::vector<ClaimItem> out;
  if (items.is_null()) return out;
  if (!items.is_list()) return Status::InvalidArgument("items must be a list of {id, description, amount}");
  std::set<std::string> seen;
  for (size_t i = 0; i < items.AsList().size(); ++i) {
    const Value& v = items.AsList()[i];
    ClaimItem item;
    item.id = v.Get("id").is_int() ? std::to_string(v.Get("id").AsInt()) : v.Get("id").StringOr("");
    if (item.id.empty()) return Status::InvalidArgument(fmt::format("item {} has no id", i + 1));
    if (!seen.insert(item.id).second) return Status::InvalidArgument("item id " + item.id + " appears twice");
    item.description = v.Get("description").StringOr("");
    Result<Money> amount = ClaimAmountFromValue(v.Get("amount"));
    if (!amount.ok()) return Status::InvalidArgument("item " + item.id + " amount: " + amount.status().message());
    if (amount->currency != currency) {
      return Status::InvalidArgument(fmt::format("item {} is in {}, the reservation in {}: currencies never mix",
                                                 item.id, amount->currency, currency));
    }
    if (amount->minor <= 0) return Status::InvalidArgument("item " + item.id + " amount must be positive");
    item.amount = *amount;
    out.push_back(std::move(item));
  }
  return out;
}

Result<int64_t> ClaimedTotal(const ReservationClaim& claim) {
  int64_t sum = 0;
  for (const ClaimItem& i : claim.items) {
    SF_ASSIGN_OR_RETURN(sum, CheckedAdd(sum, i.amount.minor));
  }
  return sum;
}

Result<int64_t> DecidedTotal(const ReservationClaim& claim) {
  int64_t sum = 0;
  for (const ClaimItem& i : claim.items) {
    SF_ASSIGN_OR_RETURN(sum, CheckedAdd(sum, i.decided_minor));
  }
  return sum;
}

Value ClaimPayoutToValue(const ClaimPayout& p, const std::string& currency) {
  auto m = [&currency](int64_t minor) { return MoneyToValue(Money{minor, currency}); };
  Value v = Value::Map{{"already_refunded", m(p.already_refunded)}, {"remaining", m(p.remaining)},
                       {"claim_payout", m(p.claim_payout)},         {"uncovered", m(p.uncovered)},
                       {"guest_refund", m(p.guest_refund)},         {"host_payout", m(p.host_payout)}};
  if (p.deposit > 0) {
    v["deposit"] = Value::Map{
        {"held", m(p.deposit)}, {"claimed", m(p.deposit_claimed)}, {"returned", m(p.deposit_returned)}};
  }
  return v;
}

Value ClaimToValue(const ReservationClaim& c) {
  auto money = [&c](int64_t minor) { return MoneyToValue(Money{minor, c.currency}); };
  Value::List items;
  for (const ClaimItem& i : c.items) {
    const bool decided = i.status != ClaimItemStatus::kRequested;
    items.push_back(Value::Map{{"id", i.id},
                               {"description", i.description},
                               {"amount", MoneyToValue(i.amount)},
                               {"status", std::string(ClaimItemStatusName(i.status))},
                               {"decided_amount", decided ? money(i.decided_minor) : Value()},
                               {"decided_by", i.decided_by.empty() ? Value() : Value(i.decided_by)}});
  }
  Value::List messages;
  for (const ClaimMessage& m : c.messages) {
    messages.push_back(
        Value::Map{{"seq", m.seq}, {"author", m.author}, {"text", m.text}, {"at", Instant(m.at_ms)}});
  }
  Value v;
  v["id"] = c.id;
  v["reservation_id"] = c.reservation_id;
  v["host_id"] = c.host_id;
  v["currency"] = c.currency;
  v["status"] = std::string(ClaimStatusName(c.status));
  v["opened_by"] = c.opened_by;
  v["workflow_id"] = c.workflow_id;
  v["decision"] = c.decision.empty() ? Value() : Value(c.decision);
  v["items"] = std::move(items);
  v["messages"] = std::move(messages);
  Result<int64_t> claimed = ClaimedTotal(c);
  Result<int64_t> decided = DecidedTotal(c);
  v["claimed"] = claimed.ok() ? money(*claimed) : Value();
  v["decided"] = decided.ok() ? money(*decided) : Value();
  if (c.status == ClaimStatus::kSettled) {
    v["payout"] = ClaimPayoutToValue(c.payout, c.currency);
  } else {
    v["payout"] = Value();
  }
  v["created_at"] = Instant(c.created_ms);
  v["updated_at"] = Instant(c.updated_ms);
  return v;
}

}  // namespace steadfast::refund
