// steadfast refund transactions list|execute: the settlement transactions
// for people (refund/commands.h; docs/cli.md, docs/refunds.md "Settlement").
//
//   refund transactions list [--reservation R] [--status pending|completed|failed]
//                            [--kind booking|guestrefund|hostpayout|deposit|depositreturn] [--db PATH | --config FILE] [--json]
//       the transactions (and, with --reservation, its CancellationDetails snapshots)
//   refund transactions execute ID --reason TEXT [--destination acct_...] [--as PRINCIPAL]
//                               [--db PATH | --config FILE] [--psp-url URL] [--json]
//       an admin executes a pending or failed guest refund / host payout through the PSP
//
// Executing is audited and idempotent (transaction_execution.h, the same
// function POST /v1/plugins/refund/transactions/{id}/execute runs). The CLI
// works on the database directly: whoever may run it on the engine's
// database is an admin here (over HTTP only the admin role may); --as names
// the admin in the audit, default cli:$USER.
//
// Exit codes: 0 listed / completed / already completed; 1 the PSP refused
// (the transaction is failed) or did not answer for sure (still pending:
// run execute again, it resends under the same key); 2 bad usage or an
// unknown id; 3 could not (database, PSP set-up).
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "refund/commands.h"
#include "refund/executed_refund_posting.h"
#include "refund/money.h"
#include "refund/psp/psp_adapter.h"
#include "refund/reconcile_sources.h"
#include "refund/settlement.h"
#include "refund/settlement_store.h"
#include "refund/transaction_execution.h"
#include "steadfast/commands.h"
#include "steadfast/time_text.h"

namespace steadfast::refund {
namespace {

using Args = std::vector<std::string>;

const char* kTransactionsUsage =
    "usage: steadfast refund transactions list [--reservation R] [--status pending|completed|failed]\n"
    "                                          [--kind booking|guestrefund|hostpayout|deposit|depositreturn]\n"
    "                                          [--db PATH] [--json]\n"
    "       steadfast refund transactions execute ID --reason TEXT [--destination acct_...] [--as PRINCIPAL]\n"
    "                                             [--db PATH | --config FILE] [--psp-url URL] [--json]\n";

std::string Or(const std::string& s) { return s.empty() ? "-" : s; }

void PrintTransactions(const std::vector<SettlementTransaction>& txns) {
  std::printf("%-20s %-12s %-11s %-9s %14s  %-30s %-16s %s\n", "id", "reservation", "kind", "status", "amount",
              "provider id", "executed by", "failure");
  for (const SettlementTransaction& t : txns) {
    std::printf("%-20s %-12s %-11s %-9s %14s  %-30s %-16s %s\n", t.id.c_str(), t.reservation_id.c_str(),
                std::string(TransactionKindName(t.kind)).c_str(), std::string(TransactionStatusName(t.status)).c_str(),
                FormatMoney(t.amount).c_str(), Or(t.provider_id).c_str(), Or(t.executed_by).c_str(),
                t.failure_code.empty() ? "-" : (t.failure_code + ": " + t.failure_message).c_str());
  }
}

int List(const Args& args, CommandHost& host) {
  std::set<std::string> valued = CommonCommandFlags();
  valued.insert({"reservation", "status", "kind", "psp-url"});
  auto flags = CommandFlags::Parse(args, valued, {"json"});
  if (!flags.ok()) return CommandFail(kCommandUsage, flags.status().message() + "\n" + kTransactionsUsage);
  if (!flags->positional().empty()) return CommandFail(kCommandUsage, kTransactionsUsage);
  TransactionFilter filter;
  filter.reservation_id = flags->GetOr("reservation", "");
  if (auto s = flags->Get("status")) {
    filter.status = ParseTransactionStatus(*s);
    if (!filter.status) return CommandFail(kCommandUsage, "--status must be pending, completed or failed");
  }
  if (auto k = flags->Get("kind")) {
    filter.kind = ParseTransactionKind(*k);
    if (!filter.kind) return CommandFail(kCommandUsage, "--kind must be booking, guestrefund, hostpayout, deposit or depositreturn");
  }
  // Listing needs no PSP: a config without one is fine.
  auto opened = OpenCommandRefundTables(*flags, host);
  if (const int* code = std::get_if<int>(&opened)) return *code;
  RefundTables& tables = std::get<RefundTables>(opened);
  SettlementStore settlements(*tables.storage);
  auto txns = settlements.Transactions(filter);
  if (!txns.ok()) return CommandFail(kCommandError, txns.status().message());
  std::vector<CancellationDetails> snapshots;
  if (!filter.reservation_id.empty()) {
    auto s = settlements.Snapshots(filter.reservation_id);
    if (!s.ok()) return CommandFail(kCommandError, s.status().message());
    snapshots = std::move(*s);
  }
  if (flags->Has("json")) {
    Value out = TransactionListingToValue(*txns, filter.reservation_id.empty() ? nullptr : &snapshots);
    std::printf("%s\n", out.ToPrettyJson().c_str());
    return kCommandOk;
  }
  for (const CancellationDetails& d : snapshots) {
    auto m = [&d](int64_t minor) { return FormatMoney(Money{minor, d.currency}); };
    std::printf("settlement of %s by %s (%s, %s): refund to guest %s (guest service fee %s, counted once), "
                "payout to host %s (host service fee %s), total paid %s\n",
                d.reservation_id.c_str(), d.workflow_id.c_str(), Or(d.policy).c_str(), d.refund_method.c_str(),
                m(d.refund_to_guest).c_str(), m(d.guest_service_fee).c_str(), m(d.payout_to_host).c_str(),
                m(d.host_service_fee).c_str(), m(d.total).c_str());
    if (d.deposit > 0) {
      std::printf("  security deposit %s: %s drawn by the claim, %s returned to the guest\n", m(d.deposit).c_str(),
                  m(d.deposit_claimed).c_str(), m(d.deposit_returned).c_str());
    }
  }
  if (!snapshots.empty()) std::printf("\n");
  PrintTransactions(*txns);
  std::printf("%zu transaction(s)\n", txns->size());
  return kCommandOk;
}

int ExecuteCommand(const Args& args, CommandHost& host) {
  std::set<std::string> valued = CommonCommandFlags();
  valued.insert({"reason", "destination", "as", "psp-url"});
  auto flags = CommandFlags::Parse(args, valued, {"json"});
  if (!flags.ok()) return CommandFail(kCommandUsage, flags.status().message() + "\n" + kTransactionsUsage);
  if (flags->positional().size() != 1) return CommandFail(kCommandUsage, kTransactionsUsage);
  ExecutionRequest request;
  request.transaction_id = flags->positional()[0];
  request.reason = flags->GetOr("reason", "");
  if (request.reason.empty()) return CommandFail(kCommandUsage, "--reason is required: it goes into the audit");
  request.destination = flags->GetOr("destination", "");
  request.actor = flags->GetOr("as", host.principal());

  Result<CommandSources> sources = FindCommandSources(*flags, host);
  if (!sources.ok()) {
    return CommandFail(sources.status().code() == StatusCode::kInvalidArgument ? kCommandUsage : kCommandError,
                       sources.status().message());
  }
  auto psp = MakeCommandPsp(sources->psp, host);
  if (!psp.ok()) return CommandFail(kCommandError, psp.status().message());
  auto tables = OpenRefundTables(host, sources->database);
  if (!tables.ok()) return CommandFail(kCommandError, tables.status().message());
  SettlementStore settlements(*tables->storage);

  auto workflows = host.OpenWorkflows(sources->database);
  if (!workflows.ok()) return CommandFail(kCommandError, workflows.status().message());

  Result<ExecutionResult> executed =
      ExecuteTransaction(settlements, **tables, **workflows, **psp, request, host.clock());
  if (!executed.ok()) {
    const StatusCode c = executed.status().code();
    const bool caller = c == StatusCode::kInvalidArgument || c == StatusCode::kNotFound ||
                        c == StatusCode::kFailedPrecondition;
    return CommandFail(caller ? kCommandUsage : kCommandError, executed.status().message());
  }
  const SettlementTransaction& t = executed->transaction;
  const std::string said(ExecutionOutcomeName(executed->outcome));
  if (flags->Has("json")) {
    Value out = TransactionToValue(t);
    out["outcome"] = said;
    if (!executed->ledger.empty()) out["ledger"] = executed->ledger;
    std::printf("%s\n", out.ToPrettyJson().c_str());
  } else if (executed->outcome == ExecutionOutcome::kAlreadyCompleted) {
    std::printf("%s (%s %s of %s) is completed already (%s, by %s): nothing done\n", t.id.c_str(),
                std::string(TransactionKindName(t.kind)).c_str(), FormatMoney(t.amount).c_str(),
                t.reservation_id.c_str(), Or(t.provider_id).c_str(), Or(t.executed_by).c_str());
    if (!executed->ledger.empty()) std::printf("%s\n", executed->ledger.c_str());
  } else {
    std::printf("%s (%s %s of %s, PSP key %s): %s", t.id.c_str(), std::string(TransactionKindName(t.kind)).c_str(),
                FormatMoney(t.amount).c_str(), t.reservation_id.c_str(), t.psp_idempotency_key.c_str(), said.c_str());
    if (!t.provider_id.empty()) std::printf(", %s", t.provider_id.c_str());
    if (!executed->failure_code.empty()) {
      std::printf(" (%s: %s)", executed->failure_code.c_str(), executed->failure_message.c_str());
    }
    std::printf("\n");
    if (!executed->ledger.empty()) std::printf("%s\n", executed->ledger.c_str());
    if (executed->outcome == ExecutionOutcome::kAcceptedPending) {
      std::printf("the PSP accepted it as pending: the settlement sync (settlement_sync) moves it once the PSP "
                  "settles it\n");
    } else if (executed->outcome == ExecutionOutcome::kStillPending) {
      std::printf("the PSP did not answer for sure: run execute again, it resends under the same key\n");
    }
  }
  const bool done = executed->outcome == ExecutionOutcome::kAlreadyCompleted ||
                    executed->outcome == ExecutionOutcome::kCompleted;
  return done ? kCommandOk : kCommandFailed;
}

}  // namespace

int RunTransactionsCommand(const std::vector<std::string>& args, CommandHost& host) {
  if (args.empty()) return CommandFail(kCommandUsage, kTransactionsUsage);
  Args rest(args.begin() + 1, args.end());
  if (args[0] == "list") return List(rest, host);
  if (args[0] == "execute") return ExecuteCommand(rest, host);
  return CommandFail(kCommandUsage,
                     std::string("unknown refund transactions command '") + args[0] + "'\n" + kTransactionsUsage);
}

}  // namespace steadfast::refund
