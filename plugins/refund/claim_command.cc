// steadfast refund claims list|show: reservation claims for people
// (refund/commands.h; docs/cli.md, docs/refunds.md "Claims").
//
//   refund claims list [--reservation R] [--status open|decided|settled] [--db PATH | --config FILE] [--json]
//   refund claims show ID [--db PATH | --config FILE] [--json]
//       its items, its messages and the settlement: what it paid once
//       settled, else a preview from the claim workflow's cancellation
//       breakdown (the amount step), the refunds made before and the
//       decided claim (as asked while still open)
//
// Read-only: deciding happens in the claim_settlement workflow's review
// (the engine's approvals). Exit codes: 0 shown; 2 bad usage or an unknown
// claim; 3 could not (database).
#include <cstdio>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "refund/claim.h"
#include "refund/claim_settlement.h"
#include "refund/claim_store.h"
#include "refund/commands.h"
#include "refund/money.h"
#include "refund/reconcile_sources.h"
#include "steadfast/commands.h"
#include "steadfast/history.h"
#include "steadfast/time_text.h"

namespace steadfast::refund {
namespace {

using Args = std::vector<std::string>;

const char* kClaimsUsage =
    "usage: steadfast refund claims list [--reservation R] [--status open|decided|settled] [--db PATH | --config FILE]"
    " [--json]\n"
    "       steadfast refund claims show ID [--db PATH | --config FILE] [--json]\n";

std::string Amount(int64_t minor, const std::string& currency) { return FormatMoney(Money{minor, currency}); }

int List(const Args& args, CommandHost& host) {
  std::set<std::string> valued = CommonCommandFlags();
  valued.insert({"reservation", "status"});
  auto flags = CommandFlags::Parse(args, valued, {"json"});
  if (!flags.ok()) return CommandFail(kCommandUsage, flags.status().message() + "\n" + kClaimsUsage);
  if (!flags->positional().empty()) return CommandFail(kCommandUsage, kClaimsUsage);
  ClaimFilter filter;
  filter.reservation_id = flags->GetOr("reservation", "");
  if (auto s = flags->Get("status")) {
    filter.status = ParseClaimStatus(*s);
    if (!filter.status) return CommandFail(kCommandUsage, "--status must be open, decided or settled");
  }
  auto opened = OpenCommandRefundTables(*flags, host);
  if (const int* code = std::get_if<int>(&opened)) return *code;
  RefundTables& tables = std::get<RefundTables>(opened);
  ClaimStore store(*tables.storage);
  auto claims = store.Claims(filter);
  if (!claims.ok()) return CommandFail(kCommandError, claims.status().message());
  if (flags->Has("json")) {
    Value::List list;
    for (const ReservationClaim& c : *claims) list.push_back(ClaimToValue(c));
    std::printf("%s\n", Value(Value::Map{{"claims", std::move(list)}}).ToPrettyJson().c_str());
    return kCommandOk;
  }
  std::printf("%-22s %-12s %-10s %-8s %5s %14s %14s %14s  %s\n", "id", "reservation", "host", "status", "items",
              "claimed", "decided", "paid", "workflow");
  for (const ReservationClaim& c : *claims) {
    const std::string paid = c.status == ClaimStatus::kSettled ? Amount(c.payout.claim_payout, c.currency) : "-";
    std::printf("%-22s %-12s %-10s %-8s %5zu %14s %14s %14s  %s\n", c.id.c_str(), c.reservation_id.c_str(),
                c.host_id.empty() ? "-" : c.host_id.c_str(), std::string(ClaimStatusName(c.status)).c_str(),
                c.items.size(), Amount(ClaimedTotal(c).ok() ? *ClaimedTotal(c) : 0, c.currency).c_str(),
                c.status == ClaimStatus::kOpen ? "-" : Amount(DecidedTotal(c).ok() ? *DecidedTotal(c) : 0, c.currency).c_str(),
                paid.c_str(), c.workflow_id.c_str());
  }
  std::printf("%zu claim(s)\n", claims->size());
  return kCommandOk;
}

// The cancellation breakdown the claim's workflow computed (its
// refund.calculate_amount step), or null when it has none yet.
Result<Value> WorkflowBreakdown(CommandHost& host, const std::string& database, const std::string& workflow_id) {
  SF_ASSIGN_OR_RETURN(std::unique_ptr<WorkflowReader> workflows, host.OpenWorkflows(database));
  Result<std::vector<HistoryEvent>> history = workflows->History(workflow_id);
  if (!history.ok()) return history.status().code() == StatusCode::kNotFound ? Value() : Result<Value>(history.status());
  std::string amount_step;
  Value breakdown;
  for (const HistoryEvent& e : *history) {
    if (e.type == history::kStepScheduled && e.data.Get("activity").StringOr("") == "refund.calculate_amount") {
      amount_step = e.step_id;
    } else if (e.type == history::kAttemptSucceeded && !amount_step.empty() && e.step_id == amount_step) {
      breakdown = e.data.Get("output");
    }
  }
  return breakdown;
}

// What settling the claim would pay now: null when its workflow has no
// cancellation breakdown yet.
Result<std::optional<ClaimPayout>> Preview(RefundStore& refunds, const ReservationClaim& c, const Value& breakdown) {
  if (!breakdown.is_map()) return std::optional<ClaimPayout>();
  SF_ASSIGN_OR_RETURN(std::vector<RefundRecord> prior, refunds.ActiveRefundsOf(c.reservation_id));
  int64_t already = 0;
  for (const RefundRecord& r : prior) {
    if (r.workflow_id != c.workflow_id && r.currency == c.currency) already += r.amount_minor;
  }
  SF_ASSIGN_OR_RETURN(int64_t decided, c.status == ClaimStatus::kOpen ? ClaimedTotal(c) : DecidedTotal(c));
  SF_ASSIGN_OR_RETURN(Money refund_total, MoneyFromValue(breakdown.Get("refund_total")));
  SF_ASSIGN_OR_RETURN(Money payout, MoneyFromValue(breakdown.Get("payout_to_host")));
  SF_ASSIGN_OR_RETURN(ClaimPayout p,
                      ComputeClaimSettlement(ClaimSettlementInput{c.currency, breakdown.Get("refund_method").StringOr("cash"),
                                                                  refund_total.minor, payout.minor, already, decided}));
  return std::optional<ClaimPayout>(p);
}

Value PayoutToValue(const ClaimPayout& p, const std::string& currency) {
  auto m = [&currency](int64_t minor) { return MoneyToValue(Money{minor, currency}); };
  return Value::Map{{"already_refunded", m(p.already_refunded)}, {"remaining", m(p.remaining)},
                    {"claim_payout", m(p.claim_payout)},         {"uncovered", m(p.uncovered)},
                    {"guest_refund", m(p.guest_refund)},         {"host_payout", m(p.host_payout)}};
}

int Show(const Args& args, CommandHost& host) {
  auto flags = CommandFlags::Parse(args, CommonCommandFlags(), {"json"});
  if (!flags.ok()) return CommandFail(kCommandUsage, flags.status().message() + "\n" + kClaimsUsage);
  if (flags->positional().size() != 1) return CommandFail(kCommandUsage, kClaimsUsage);
  auto opened = OpenCommandRefundTables(*flags, host);
  if (const int* code = std::get_if<int>(&opened)) return *code;
  RefundTables& tables = std::get<RefundTables>(opened);
  ClaimStore store(*tables.storage);
  auto claim = store.Claim(flags->positional()[0]);
  if (!claim.ok()) {
    return CommandFail(claim.status().code() == StatusCode::kNotFound ? kCommandUsage : kCommandError,
                       claim.status().message());
  }
  const ReservationClaim& c = *claim;
  std::optional<ClaimPayout> settlement;
  std::string basis;
  if (c.status == ClaimStatus::kSettled) {
    settlement = c.payout;
    basis = "settled";
  } else {
    auto breakdown = WorkflowBreakdown(host, tables.path, c.workflow_id);
    if (!breakdown.ok()) return CommandFail(kCommandError, breakdown.status().message());
    auto preview = Preview(*tables, c, *breakdown);
    if (!preview.ok()) return CommandFail(kCommandError, "preview: " + preview.status().message());
    settlement = *preview;
    basis = c.status == ClaimStatus::kOpen ? "preview, if approved as asked" : "preview of the decided claim";
  }
  if (flags->Has("json")) {
    Value out = ClaimToValue(c);
    out["settlement"] = settlement ? PayoutToValue(*settlement, c.currency) : Value();
    out["settlement_basis"] = settlement ? Value(basis) : Value();
    std::printf("%s\n", out.ToPrettyJson().c_str());
    return kCommandOk;
  }
  std::printf("claim %s of %s (host %s), %s%s, opened by %s in workflow %s\n", c.id.c_str(), c.reservation_id.c_str(),
              c.host_id.empty() ? "-" : c.host_id.c_str(), std::string(ClaimStatusName(c.status)).c_str(),
              c.decision.empty() ? "" : (" (" + c.decision + ")").c_str(), c.opened_by.empty() ? "-" : c.opened_by.c_str(),
              c.workflow_id.c_str());
  std::printf("\n%-10s %-32s %14s %-9s %14s  %s\n", "item", "description", "asked", "status", "decided", "decided by");
  for (const ClaimItem& i : c.items) {
    const bool decided = i.status != ClaimItemStatus::kRequested;
    std::printf("%-10s %-32s %14s %-9s %14s  %s\n", i.id.c_str(), i.description.c_str(),
                FormatMoney(i.amount).c_str(), std::string(ClaimItemStatusName(i.status)).c_str(),
                decided ? Amount(i.decided_minor, c.currency).c_str() : "-",
                i.decided_by.empty() ? "-" : i.decided_by.c_str());
  }
  std::printf("%zu item(s): asked %s, decided %s\n", c.items.size(),
              Amount(ClaimedTotal(c).ok() ? *ClaimedTotal(c) : 0, c.currency).c_str(),
              c.status == ClaimStatus::kOpen ? "-" : Amount(DecidedTotal(c).ok() ? *DecidedTotal(c) : 0, c.currency).c_str());
  std::printf("\nmessages:\n");
  for (const ClaimMessage& m : c.messages) {
    std::printf("  #%lld %s %s: %s\n", static_cast<long long>(m.seq), FormatRfc3339Utc(m.at_ms).c_str(),
                m.author.c_str(), m.text.c_str());
  }
  if (c.messages.empty()) std::printf("  (none)\n");
  std::printf("\nsettlement (%s):\n", settlement ? basis.c_str() : "no preview: the workflow has no breakdown yet");
  if (settlement) {
    const ClaimPayout& p = *settlement;
    std::printf("  refunded before    %14s\n  remaining          %14s\n  claim payout       %14s\n"
                "  uncovered          %14s\n  refund to guest    %14s\n  payout to host     %14s\n",
                Amount(p.already_refunded, c.currency).c_str(), Amount(p.remaining, c.currency).c_str(),
                Amount(p.claim_payout, c.currency).c_str(), Amount(p.uncovered, c.currency).c_str(),
                Amount(p.guest_refund, c.currency).c_str(), Amount(p.host_payout, c.currency).c_str());
  }
  return kCommandOk;
}

}  // namespace

int RunClaimsCommand(const std::vector<std::string>& args, CommandHost& host) {
  if (args.empty()) return CommandFail(kCommandUsage, kClaimsUsage);
  Args rest(args.begin() + 1, args.end());
  if (args[0] == "list") return List(rest, host);
  if (args[0] == "show") return Show(rest, host);
  return CommandFail(kCommandUsage, std::string("unknown refund claims command '") + args[0] + "'\n" + kClaimsUsage);
}

}  // namespace steadfast::refund
