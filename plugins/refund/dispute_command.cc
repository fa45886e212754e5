// steadfast refund disputes list: the PSP's disputes (chargebacks) as the
// refund plugin recorded them (refund.sync_disputes; docs/cli.md,
// docs/refunds.md "Disputes and chargebacks").
//
//   refund disputes list [--status open|won|lost] [--db PATH | --config FILE] [--json]
//       newest first: charge, amount, status, how it overlaps the charge's
//       refunds, the refunds concerned and the manual review case opened
//
// Exit codes: 0 listed; 2 bad usage; 3 could not (database).
#include <cstdio>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "refund/commands.h"
#include "refund/dispute_store.h"
#include "refund/money.h"
#include "refund/reconcile_sources.h"
#include "steadfast/commands.h"

namespace steadfast::refund {
namespace {

using Args = std::vector<std::string>;

const char* kDisputesUsage =
    "usage: steadfast refund disputes list [--status open|won|lost] [--db PATH | --config FILE] [--json]\n";

std::string Or(const std::string& s) { return s.empty() ? "-" : s; }

int List(const Args& args, CommandHost& host) {
  std::set<std::string> valued = CommonCommandFlags();
  valued.insert("status");
  auto flags = CommandFlags::Parse(args, valued, {"json"});
  if (!flags.ok()) return CommandFail(kCommandUsage, flags.status().message() + "\n" + kDisputesUsage);
  if (!flags->positional().empty()) return CommandFail(kCommandUsage, kDisputesUsage);
  const std::string status = flags->GetOr("status", "");
  if (!status.empty() && status != "open" && status != "won" && status != "lost") {
    return CommandFail(kCommandUsage, "--status must be open, won or lost");
  }
  auto opened = OpenCommandRefundTables(*flags, host);
  if (const int* code = std::get_if<int>(&opened)) return *code;
  RefundTables& tables = std::get<RefundTables>(opened);
  auto disputes = DisputeStore(*tables.storage).List(status);
  if (!disputes.ok()) return CommandFail(kCommandError, disputes.status().message());
  if (flags->Has("json")) {
    Value::List list;
    for (const DisputeRow& d : *disputes) list.push_back(d.ToValue());
    Value out;
    out["disputes"] = std::move(list);
    std::printf("%s\n", out.ToPrettyJson().c_str());
    return kCommandOk;
  }
  std::printf("%-28s %-24s %14s  %-7s %-14s %-30s %-12s %s\n", "id", "charge", "amount", "status", "overlap",
              "refunds", "subject", "review case");
  for (const DisputeRow& d : *disputes) {
    std::printf("%-28s %-24s %14s  %-7s %-14s %-30s %-12s %s\n", d.id.c_str(), d.charge.c_str(),
                FormatMoney(Money{d.amount_minor, d.currency}).c_str(), d.status.c_str(), d.overlap.c_str(),
                Or(d.refund_ids).c_str(), Or(d.subject).c_str(), Or(d.review_case_id).c_str());
  }
  std::printf("%zu dispute(s)\n", disputes->size());
  return kCommandOk;
}

}  // namespace

int RunDisputesCommand(const std::vector<std::string>& args, CommandHost& host) {
  if (args.empty()) return CommandFail(kCommandUsage, kDisputesUsage);
  Args rest(args.begin() + 1, args.end());
  if (args[0] == "list") return List(rest, host);
  return CommandFail(kCommandUsage,
                     std::string("unknown refund disputes command '") + args[0] + "'\n" + kDisputesUsage);
}

}  // namespace steadfast::refund
