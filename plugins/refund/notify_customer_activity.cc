// refund.notify_customer: send the refund receipt; never fail the refund.
//
// Input:  {to, reservation_id, amount: {minor, currency}, method?: cash | voucher,
//          psp_status?: succeeded | pending, template?, recipient_role?: customer | buyer | seller,
//          payout_adjustment?: {minor, currency} (seller notices)}
// Output: {sent: true, notification_id, provisional, subject, replayed}
//      or {sent: false, error: {code, message}, tries, provisional, subject}
//
// Choice (docs/refunds.md): a receipt that cannot be delivered must not undo
// or fail a refund whose money already moved, and a failed step would make
// the engine compensate the refund. So the activity retries delivery itself
// (notify_max_tries tries, doubling from notify_backoff, all with the same
// Idempotency-Key so the customer gets one message) and then reports
// {sent: false, error} as a success; the failure stays visible in the step
// output and history. Only malformed input is an error (invalid_input).
//
// Wording: a settled cash refund says when the money arrives (5-10 business
// days); a pending one is provisional ("we have asked your bank ..."); a
// voucher is available at once.
#include <fmt/format.h>

#include "refund/activities.h"
#include "refund/activity_support.h"

namespace steadfast::refund {

Receipt ComposeReceipt(const ReceiptFacts& f) {
  Receipt r;
  const std::string amount = FormatMoney(Money{f.amount_minor, f.currency});
  const std::string hint = f.card_hint.empty() ? "your original payment method" : f.card_hint;
  if (f.recipient_role == "seller") {
    r.expected_timing = "with your next payout";
    r.subject = fmt::format("Order {} was cancelled and refunded", f.reservation_id);
    r.body = fmt::format(
        "Order {} was cancelled by you and the buyer has been refunded {}. Your payout for this order changes by "
        "{}; the commission on it is reversed. The change appears with your next payout.",
        f.reservation_id, amount, FormatMoney(Money{f.payout_adjustment_minor, f.currency}));
    return r;
  }
  if (f.method == "voucher") {
    r.expected_timing = "immediately";
    r.subject = fmt::format("Your {} voucher for reservation {}", amount, f.reservation_id);
    r.body = fmt::format(
        "We have issued a voucher worth {} for reservation {}. It is available in your account immediately.",
        amount, f.reservation_id);
    return r;
  }
  if (f.psp_status == "pending") {
    r.provisional = true;
    r.expected_timing = "usually 5-10 business days once confirmed";
    r.subject = fmt::format("Your refund of {} for reservation {} is being processed", amount, f.reservation_id);
    r.body = fmt::format(
        "We have requested a refund of {} to {} for reservation {}. Your bank has not confirmed it yet, so this "
        "receipt is provisional: we will write again if anything changes. Once confirmed, refunds usually appear "
        "within 5-10 business days.",
        amount, hint, f.reservation_id);
    return r;
  }
  r.expected_timing = "5-10 business days";
  r.subject = fmt::format("Your refund of {} for reservation {}", amount, f.reservation_id);
  r.body = fmt::format(
      "We have refunded {} to {} for reservation {}. Depending on your bank it appears within 5-10 business days.",
      amount, hint, f.reservation_id);
  return r;
}

ActivityFn MakeNotifyCustomerActivity(Services s) {
  return [s](ActivityContext& ctx) -> ActivityResult {
    const Value& in = ctx.input();
    const std::string to = in.Get("to").StringOr("");
    if (to.empty()) return InvalidInput("to (the recipient) is required");
    Result<Money> amount = MoneyFromValue(in.Get("amount"));
    if (!amount.ok()) return InvalidInput("amount: " + amount.status().message());
    ReceiptFacts facts;
    facts.reservation_id = IdString(in.Get("reservation_id"));
    facts.amount_minor = amount->minor;
    facts.currency = amount->currency;
    facts.method = in.Get("method").StringOr("cash");
    facts.psp_status = in.Get("psp_status").StringOr(facts.method == "cash" ? "succeeded" : "");
    facts.recipient_role = in.Get("recipient_role").StringOr("customer");
    if (const Value& adj = in.Get("payout_adjustment"); !adj.is_null()) {
      Result<Money> m = MoneyFromValue(adj);
      if (!m.ok() || m->currency != amount->currency) return InvalidInput("payout_adjustment must be money in the refund currency");
      facts.payout_adjustment_minor = m->minor;
    }
    if (facts.method != "cash" && facts.method != "voucher") return InvalidInput("method must be cash or voucher");
    Receipt receipt = ComposeReceipt(facts);

    Value out;
    out["provisional"] = receipt.provisional;
    out["subject"] = receipt.subject;
    out["expected_timing"] = receipt.expected_timing;
    if (!s->notification) {
      out["sent"] = false;
      out["error"] = Value::Map{{"code", "notification_not_configured"}, {"message", s->notification_problem}};
      out["tries"] = 0;
      ctx.logger().Warn("receipt not sent: " + s->notification_problem);
      return out;
    }
    Value body;
    body["to"] = to;
    body["template"] = in.Get("template").StringOr("refund_receipt");
    body["recipient_role"] = facts.recipient_role;
    body["reservation_id"] = facts.reservation_id;
    body["subject"] = receipt.subject;
    body["body"] = receipt.body;
    body["amount"] = amount->minor;
    body["currency"] = amount->currency;
    body["method"] = facts.method;
    body["provisional"] = receipt.provisional;
    body["expected_timing"] = receipt.expected_timing;

    const int max_tries = std::max(1, s->config.notify_max_tries);
    int64_t delay = s->config.notify_backoff_ms;
    ActivityError last;
    int tries = 0;
    for (; tries < max_tries; ++tries) {
      if (tries > 0) {
        int64_t wait = last.retry_after_ms ? std::max(delay, *last.retry_after_ms) : delay;
        if (wait > ctx.remaining_ms() - 500 || !SleepUnlessCancelled(ctx, wait)) break;
        delay *= 2;
      }
      RemoteResult<JsonResponse> r = s->notification->PostJson("/notifications", body, ctx.idempotency_key());
      if (r.ok()) {
        out["sent"] = true;
        out["notification_id"] = r->body.Get("id").StringOr("");
        out["replayed"] = r->replayed;
        out["tries"] = tries + 1;
        return out;
      }
      last = r.error();
      if (last.kind == ErrorKind::kNonRetryable) {
        ++tries;
        break;
      }
    }
    out["sent"] = false;
    out["error"] = Value::Map{{"code", last.code}, {"message", last.message}};
    out["tries"] = tries;
    ctx.logger().Warn(fmt::format("receipt to customer not sent after {} tries: {}", tries, last.code));
    return out;
  };
}

}  // namespace steadfast::refund
