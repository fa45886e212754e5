// Reservation parsing and validation.
#include "refund/reservation.h"

#include <array>

#include <fmt/format.h>

#include "refund/currency.h"
#include "refund/money.h"
#include "refund/policy.h"
#include "steadfast/time_text.h"

namespace steadfast::refund {
namespace {

Status Invalid(std::string_view field, std::string_view why) {
  return Status::InvalidArgument(fmt::format("reservation {}: {}", field, why));
}

Result<int64_t> LineAmount(const Value& v, std::string_view field, const std::string& currency) {
  Result<Money> m = Status::InvalidArgument("");
  switch (v.type()) {
    case Value::Type::kInt: return v.AsInt();
    case Value::Type::kString: {
      const std::string& s = v.AsString();
      m = s.find(' ') == std::string::npos ? ParseAmount(s, currency) : ParseMoney(s);
      break;
    }
    case Value::Type::kMap: m = MoneyFromValue(v); break;
    case Value::Type::kDouble:
      return Invalid(field, "floating-point amounts are not accepted; use integer minor units or a decimal string");
    default:
      return Invalid(field, fmt::format("expected an amount, got {}", Value::TypeName(v.type())));
  }
  if (!m.ok()) return Invalid(field, m.status().message());
  if (m->currency != currency) {
    return Invalid(field, fmt::format("amount in {} but the reservation is in {}", m->currency, currency));
  }
  return m->minor;
}

Result<int64_t> OptionalCount(const Value& parent, std::string_view key, int64_t fallback) {
  const Value* v = parent.Find(key);
  if (v == nullptr || v->is_null()) return fallback;
  if (!v->is_int()) return Invalid(key, fmt::format("expected an integer, got {}", Value::TypeName(v->type())));
  return v->AsInt();
}

// `check_in: {date: "2026-03-29", time: "15:00", time_zone: "Europe/Paris"}`
// -> the instant, with the zone's gap/overlap rule (steadfast/local_time.h).
Result<LocalCheckIn> CheckInFromValue(const Value& v) {
  if (!v.is_map()) return Invalid("check_in", "expected a map {date, time, time_zone}");
  for (const auto& [key, value] : v.AsMap()) {
    if (key != "date" && key != "time" && key != "time_zone") {
      return Invalid("check_in." + key, "unknown key (expected date, time, time_zone)");
    }
  }
  LocalCheckIn c;
  struct Part {
    std::string_view key;
    std::string LocalCheckIn::*member;
    std::string_view example;
  };
  for (const Part& part : {Part{"date", &LocalCheckIn::date, "\"2026-03-29\""},
                           Part{"time", &LocalCheckIn::time, "\"15:00\""},
                           Part{"time_zone", &LocalCheckIn::time_zone, "an IANA name such as Europe/Paris"}}) {
    const Value& value = v.Get(part.key);
    std::string field = fmt::format("check_in.{}", part.key);
    if (!value.is_string() || value.AsString().empty()) return Invalid(field, fmt::format("required ({})", part.example));
    c.*(part.member) = value.AsString();
  }
  if (c.date.size() != 10) return Invalid("check_in.date", fmt::format("'{}' is not YYYY-MM-DD", c.date));
  if (c.time.size() != 5 && c.time.size() != 8) {
    return Invalid("check_in.time", fmt::format("'{}' is not HH:MM or HH:MM:SS (local, without offset)", c.time));
  }
  Result<ZonedInstant> at = ResolveLocalTime(c.date + "T" + c.time, c.time_zone);
  if (at.status().code() == StatusCode::kNotFound) return Invalid("check_in.time_zone", at.status().message());
  if (!at.ok()) return Invalid("check_in", at.status().message());
  c.resolved = *at;
  return c;
}

}  // namespace

std::string_view RefundMethodName(RefundMethod m) { return m == RefundMethod::kVoucher ? "voucher" : "cash"; }

Result<RefundMethod> ParseRefundMethod(std::string_view name) {
  if (name == "cash") return RefundMethod::kCash;
  if (name == "voucher") return RefundMethod::kVoucher;
  return Status::InvalidArgument(fmt::format("refund method '{}' is neither 'cash' nor 'voucher'", name));
}

Result<Reservation> ReservationFromValue(const Value& v) {
  if (!v.is_map()) return Status::InvalidArgument(fmt::format("reservation must be a map, got {}", Value::TypeName(v.type())));
  Reservation r;

  const Value& id = v.Get("id");
  if (id.is_string() && !id.AsString().empty()) {
    r.id = id.AsString();
  } else if (id.is_int()) {
    r.id = std::to_string(id.AsInt());
  } else {
    return Invalid("id", "required (a non-empty string or an integer)");
  }

  const Value& currency = v.Get("currency");
  if (!currency.is_string()) return Invalid("currency", "required (an ISO 4217 code such as EUR)");
  if (!IsKnownCurrency(currency.AsString())) return Invalid("currency", fmt::format("unknown currency '{}'", currency.AsString()));
  r.currency = currency.AsString();

  // The start: an instant, or the property's local check-in date and hour.
  const Value* start = v.Find("start_at");
  const Value* check_in = v.Find("check_in");
  const bool has_start = start != nullptr && !start->is_null();
  const bool has_check_in = check_in != nullptr && !check_in->is_null();
  if (has_start && has_check_in) {
    return Invalid("start_at", "give start_at or check_in, not both (they could name different instants)");
  }
  if (has_check_in) {
    SF_ASSIGN_OR_RETURN(r.check_in, CheckInFromValue(*check_in));
    r.start_at_ms = r.check_in->resolved.at_ms;
  } else {
    if (!has_start || !start->is_string()) {
      return Invalid("start_at",
                     "required (RFC 3339 with offset), or check_in {date, time, time_zone} in the property's zone");
    }
    Result<TimeMs> start_ms = ParseRfc3339(start->AsString());
    if (!start_ms.ok()) return Invalid("start_at", start_ms.status().message());
    r.start_at_ms = *start_ms;
  }
  if (const Value* booked = v.Find("booked_at"); booked != nullptr && !booked->is_null()) {
    if (!booked->is_string()) return Invalid("booked_at", "expected an RFC 3339 string with offset");
    Result<TimeMs> booked_ms = ParseRfc3339(booked->AsString());
    if (!booked_ms.ok()) return Invalid("booked_at", booked_ms.status().message());
    r.booked_at_ms = *booked_ms;
  }
  if (const Value* end = v.Find("end_at"); end != nullptr && !end->is_null()) {
    if (!end->is_string()) return Invalid("end_at", "expected an RFC 3339 string");
    Result<TimeMs> end_ms = ParseRfc3339(end->AsString());
    if (!end_ms.ok()) return Invalid("end_at", end_ms.status().message());
    if (*end_ms < r.start_at_ms) return Invalid("end_at", "is before start_at");
    r.end_at_ms = *end_ms;
  }

  const Value& lines = v.Get("lines");
  if (!lines.is_map()) {
    return Invalid("lines", "required (a map of rental, delivery, cleaning_fee, discount, tax, service_fee)");
  }
  struct LineField {
    std::string_view key;
    int64_t ReservationLines::*member;
  };
  static constexpr std::array<LineField, 6> kLineFields{{{"rental", &ReservationLines::rental},
                                                         {"delivery", &ReservationLines::delivery},
                                                         {"cleaning_fee", &ReservationLines::cleaning_fee},
                                                         {"discount", &ReservationLines::discount},
                                                         {"tax", &ReservationLines::tax},
                                                         {"service_fee", &ReservationLines::service_fee}}};
  for (const auto& [key, value] : lines.AsMap()) {
    const LineField* field = nullptr;
    for (const LineField& f : kLineFields) {
      if (f.key == key) field = &f;
    }
    std::string name = "lines." + key;
    if (field == nullptr) {
      return Invalid(name, "unknown line (expected rental, delivery, cleaning_fee, discount, tax or service_fee)");
    }
    if (value.is_null()) continue;
    SF_ASSIGN_OR_RETURN(int64_t amount, LineAmount(value, name, r.currency));
    if (amount < 0) {
      return Invalid(name, key == "discount" ? "write the discount as a positive amount taken off the price"
                                             : "must not be negative");
    }
    r.lines.*(field->member) = amount;
  }
  SF_ASSIGN_OR_RETURN(int64_t gross, CheckedAdd(r.lines.rental, r.lines.delivery));
  if (r.lines.discount > gross) return Invalid("lines.discount", "exceeds rental + delivery");
  if (Result<int64_t> total = PaidTotalMinor(r.lines); !total.ok()) return Invalid("lines", total.status().message());

  SF_ASSIGN_OR_RETURN(r.units_total, OptionalCount(v, "units_total", 1));
  SF_ASSIGN_OR_RETURN(r.units_used, OptionalCount(v, "units_used", 0));
  if (r.units_total < 1) return Invalid("units_total", "must be at least 1");
  if (r.units_used < 0 || r.units_used > r.units_total) return Invalid("units_used", "must be between 0 and units_total");

  Result<std::string> policy = PolicySpecFromValue(v.Get("policy"));
  if (!policy.ok()) return Invalid("policy", policy.status().message());
  r.policy = *policy;

  if (const Value* status = v.Find("status"); status != nullptr && !status->is_null()) {
    if (!status->is_string()) return Invalid("status", "expected a string");
    r.status = status->AsString();
  }
  if (const Value* paid = v.Find("paid"); paid != nullptr && !paid->is_null()) {
    if (!paid->is_bool()) return Invalid("paid", "expected true or false");
    if (!paid->AsBool()) return Invalid("paid", "the reservation is not paid, so there is nothing to refund");
  }
  if (const Value* method = v.Find("refund_method"); method != nullptr && !method->is_null()) {
    if (!method->is_string()) return Invalid("refund_method", "expected \"cash\" or \"voucher\"");
    Result<RefundMethod> m = ParseRefundMethod(method->AsString());
    if (!m.ok()) return Invalid("refund_method", m.status().message());
    r.refund_method = *m;
  }
  SF_ASSIGN_OR_RETURN(r.deposit, SecurityDepositFromValue(v.Get("deposit"), r.currency));
  return r;
}

Result<std::optional<SecurityDeposit>> SecurityDepositFromValue(const Value& v, const std::string& currency) {
  if (v.is_null()) return std::optional<SecurityDeposit>();
  if (!v.is_map()) return Invalid("deposit", "expected {amount, charge}");
  for (const auto& [key, value] : v.AsMap()) {
    if (key != "amount" && key != "charge") return Invalid("deposit." + key, "unknown field (expected amount, charge)");
  }
  SecurityDeposit d;
  SF_ASSIGN_OR_RETURN(d.amount_minor, LineAmount(v.Get("amount"), "deposit.amount", currency));
  if (d.amount_minor <= 0) return Invalid("deposit.amount", "must be positive (leave the deposit out for none)");
  d.charge = v.Get("charge").StringOr("");
  // Its own charge: returning it must never refund the booking's payment.
  if (d.charge.rfind("ch_", 0) != 0 || d.charge.size() <= 3) {
    return Invalid("deposit.charge", "the deposit's own charge at the PSP (ch_...) is required");
  }
  return std::optional<SecurityDeposit>(std::move(d));
}

Value SecurityDepositToValue(const SecurityDeposit& d, const std::string& currency) {
  return Value::Map{{"amount", MoneyToValue(Money{d.amount_minor, currency})}, {"charge", d.charge}};
}

Result<int64_t> PaidTotalMinor(const ReservationLines& lines) {
  SF_ASSIGN_OR_RETURN(int64_t total, CheckedAdd(lines.rental, lines.delivery));
  SF_ASSIGN_OR_RETURN(total, CheckedAdd(total, lines.cleaning_fee));
  SF_ASSIGN_OR_RETURN(total, CheckedSub(total, lines.discount));
  SF_ASSIGN_OR_RETURN(total, CheckedAdd(total, lines.tax));
  SF_ASSIGN_OR_RETURN(total, CheckedAdd(total, lines.service_fee));
  return total;
}

}  // namespace steadfast::refund
