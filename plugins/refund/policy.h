// Refund policies: the declarative rules that decide how much of a paid
// reservation goes back to the guest and what the host keeps.
//
// Policies are declared in YAML (config/refund_policies.yaml; reference in
// docs/refunds.md), identified by name and version, and never edited in
// place: a changed policy is a new version, and a reservation names the
// policy (and optionally the version) it was booked under. A policy holds an
// ordered list of cancellation windows measured as notice before the
// reservation start, an optional rule for cancellations after the start, a
// cancellation fee, a minimum refund, the host's terms and the refund method,
// and optionally a grace rule on a second clock, the time since booking.
// Loading validates everything and reports errors as file:line:col.
#ifndef STEADFAST_PLUGINS_REFUND_POLICY_H_
#define STEADFAST_PLUGINS_REFUND_POLICY_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "refund/money.h"
#include "steadfast/status.h"
#include "steadfast/value.h"

namespace steadfast::refund {

// What one window (or the after-start rule) refunds.
struct RefundRule {
  std::string name;                     // e.g. "full"; defaults to "notice>=7d" / "after_start" / "none"
  int64_t min_notice_ms = 0;            // windows and grace: applies when notice >= this
  int64_t max_since_booking_ms = 0;     // grace only: and when cancelled at most this long after booked_at
  // The share of each host line refunded, 0..10000 basis points.
  // `refund_percent: 50` sets all three (per_line false); a map
  // `refund_percent: {rental: 50, cleaning_fee: 100, default: 0}` sets them
  // one by one (per_line true). refund_bps is the rental's share, the
  // headline number; the discount follows rental and delivery; tax and
  // (if refundable) the service fee follow in proportion.
  int64_t refund_bps = 0;               // rental (and, unless per_line, every line)
  int64_t delivery_bps = 0;
  int64_t cleaning_fee_bps = 0;
  bool per_line = false;
  bool service_fee_refundable = false;  // guest service fee refunded (in proportion) or kept
  bool delivery_refundable = true;      // delivery (and its share of the discount) refunded or kept
  bool prorate = false;                 // refund only the unused units of the rental
  bool charge_cancellation_fee = true;  // deduct the policy's cancellation fee in this window
};

// Which kind of rule applied to a cancellation.
enum class WindowKind : int {
  kNotice = 0,      // one of the policy's windows (notice >= min_notice)
  kAfterStart = 1,  // the after_start rule (cancelled at or after the start)
  kNone = 2,        // no rule matched: nothing is refunded
  kGrace = 3,       // the grace rule (soon after booking and far enough before the start)
};
std::string_view WindowKindName(WindowKind kind);

struct AppliedRule {
  RefundRule rule;
  WindowKind kind = WindowKind::kNone;
};

// Whether a policy's grace rule applied to a cancellation, and why not.
enum class GraceStatus : int {
  kNotInPolicy = 0,     // the policy has no grace rule
  kApplied = 1,         // it applied (and won over the windows)
  kNoBookedAt = 2,      // the reservation has no booked_at: the second clock cannot be read
  kBeforeBooking = 3,   // cancel_at is before booked_at
  kTooLate = 4,         // cancelled more than max_since_booking after booking
  kTooCloseToStart = 5, // within the booking limit, but notice < the grace min_notice
};
std::string_view GraceStatusName(GraceStatus status);

struct GraceCheck {
  GraceStatus status = GraceStatus::kNotInPolicy;
  std::string rule;                         // the grace rule's name ("" without one)
  std::optional<int64_t> since_booking_ms;  // cancel_at - booked_at, when booked_at is known
  std::string reason;                       // for people: what was compared ("" without a grace rule)
};

// How refunds are paid out under a policy.
enum class RefundAs : int {
  kCash = 0,         // always to the original payment method
  kVoucher = 1,      // always as a voucher/credit (with the bonus)
  kGuestChoice = 2,  // as the reservation's refund_method says; cash when unset
};
std::string_view RefundAsName(RefundAs as);

using AmountByCurrency = std::map<std::string, int64_t, std::less<>>;  // ISO code -> minor units

struct RefundPolicy {
  std::string name;
  int version = 0;
  std::string description;
  std::vector<RefundRule> windows;        // strictly decreasing min_notice_ms
  std::optional<RefundRule> after_start;  // cancellations at/after start that no window caught
  // Checked before the windows: applies when cancelled at most
  // max_since_booking_ms after the reservation's booked_at and at least
  // min_notice_ms before the start; otherwise the windows decide as usual.
  std::optional<RefundRule> grace;
  int64_t cancellation_fee_bps = 0;       // of the refunded subtotal
  AmountByCurrency cancellation_fee_fixed;
  AmountByCurrency minimum_refund;        // a refund below this becomes zero
  int64_t host_fee_bps = 0;               // platform's fee on what the host keeps
  int64_t host_cancellation_fee_share_bps = 0;  // share of the cancellation fee paid to the host
  RefundAs refund_as = RefundAs::kCash;
  int64_t voucher_bonus_bps = 0;          // extra value on voucher refunds
  // How every rounding of the calculation breaks a tie (`rounding:` in the
  // YAML): `rounding` for all currencies unless `rounding_by_currency` names
  // the reservation's currency.
  RoundingMode rounding = RoundingMode::kHalfEven;
  std::map<std::string, RoundingMode, std::less<>> rounding_by_currency;
  std::string source;                     // "file:line:col" of the declaration

  // The rule for a cancellation `notice_ms` before the start (negative after
  // it): the first window with notice_ms >= min_notice_ms; else, when
  // notice_ms <= 0, the after_start rule if any; else an implicit "none" rule
  // that refunds nothing.
  AppliedRule RuleFor(int64_t notice_ms) const;

  // Whether the grace rule applies to a cancellation `notice_ms` before the
  // start and `since_booking_ms` after booking (nullopt: booked_at unknown,
  // so the grace rule does not apply). Both edges are inclusive.
  GraceCheck CheckGrace(int64_t notice_ms, std::optional<int64_t> since_booking_ms) const;

  // The grace rule when CheckGrace says it applies, else RuleFor(notice_ms).
  AppliedRule RuleFor(int64_t notice_ms, const GraceCheck& grace) const;

  // FailedPrecondition when the policy has per-currency amounts (fixed fee,
  // minimum refund) but none for `currency`: a policy must not silently treat
  // an unlisted currency as "no fee".
  Status CheckCurrency(std::string_view currency) const;

  // The rounding mode for amounts in `currency`.
  RoundingMode RoundingFor(std::string_view currency) const;

  // "moderate@2".
  std::string Id() const;
};

// An immutable, validated collection of policies. Thread-safe to read.
class PolicySet {
 public:
  // Parses YAML text; `source_name` prefixes error positions
  // ("config/refund_policies.yaml:12:7: ..."). InvalidArgument on any error.
  static Result<PolicySet> Parse(std::string_view yaml_text, std::string_view source_name);
  // Reads and parses a file. NotFound if it cannot be read.
  static Result<PolicySet> Load(const std::string& path);

  // Resolves a policy spec: "" -> the file's default; "name" -> its highest
  // version; "name@3" -> exactly that version. NotFound, listing what exists,
  // otherwise. The pointer lives as long as this set.
  Result<const RefundPolicy*> Select(std::string_view spec) const;

  const std::vector<RefundPolicy>& policies() const { return policies_; }
  const std::string& default_spec() const { return default_spec_; }

 private:
  std::vector<RefundPolicy> policies_;
  std::string default_spec_;
};

// A policy spec from a Value: a string ("moderate", "moderate@2"), a map
// {name, version?} (-> "name" / "name@version") or null (-> "").
// InvalidArgument for anything else.
Result<std::string> PolicySpecFromValue(const Value& v);

}  // namespace steadfast::refund

#endif  // STEADFAST_PLUGINS_REFUND_POLICY_H_
