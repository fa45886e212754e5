// steadfast refund claims list|show: reservation claims for people
// (refund/commands.h; docs/cli.md, docs/refunds.md "Claims"). `show` is
// refund/claim_view.h, which GET /v1/plugins/refund/claims/{id} shows too.
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
#include "refund/claim_view.h"
#include "refund/commands.h"
#include "refund/money.h"
#include "refund/reconcile_sources.h"
#include "steadfast/commands.h"
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

int Show(const Args& args, CommandHost& host) {
  auto flags = CommandFlags::Parse(args, CommonCommandFlags(), {"json"});
  if (!flags.ok()) return CommandFail(kCommandUsage, flags.status().message() + "\n" + kClaimsUsage);
  if (flags->positional().size() != 1) return CommandFail(kCommandUsage, kClaimsUsage);
  auto opened = OpenCommandRefundTables(*flags, host);
  if (const int* code = std::get_if<int>(&opened)) return *code;
  RefundTables& tables = std::get<RefundTables>(opened);
  auto workflows = host.OpenWorkflows(tables.path);
  if (!workflows.ok()) return CommandFail(kCommandError, workflows.status().message());
  ClaimStore store(*tables.storage);
  auto view = ViewClaim(store, *tables, workflows->get(), flags->positional()[0]);
  if (!view.ok()) {
    return CommandFail(view.status().code() == StatusCode::kNotFound ? kCommandUsage : kCommandError,
                       view.status().message());
  }
  const ReservationClaim& c = view->claim;
  const std::optional<ClaimPayout>& settlement = view->settlement;
  const std::string& basis = view->basis;
  if (flags->Has("json")) {
    std::printf("%s\n", view->ToValue().ToPrettyJson().c_str());
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
    if (p.deposit > 0) {
      std::printf("  deposit held       %14s\n  from the deposit   %14s\n  deposit returned   %14s\n",
                  Amount(p.deposit, c.currency).c_str(), Amount(p.deposit_claimed, c.currency).c_str(),
                  Amount(p.deposit_returned, c.currency).c_str());
    }
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
