// steadfast refund transactions list|execute: the settlement transactions
// for people (refund/commands.h; docs/cli.md, docs/refunds.md "Settlement").
//
//   refund transactions list [--reservation R] [--status pending|completed|failed]
//                            [--kind booking|guestrefund|hostpayout] [--db PATH | --config FILE] [--json]
//       the transactions (and, with --reservation, its CancellationDetails snapshots)
//   refund transactions execute ID --reason TEXT [--destination acct_...] [--as PRINCIPAL]
//                               [--db PATH | --config FILE] [--psp-url URL] [--json]
//       an admin executes a pending or failed guest refund / host payout through the PSP
//
// Executing is audited and idempotent: a completed transaction is a no-op
// that says so (and is audited as such); a pending one is sent under the PSP
// key it already has (the PSP answers with an operation the workflow step
// made instead of making a second); a failed one (a definitive refusal:
// nothing moved) under a new key recorded before the call
// (settlement_store.h). The CLI works on the database directly: whoever may
// run it on the engine's database is an admin here (the HTTP API has no
// plugin routes yet); --as names the admin in the audit, default cli:$USER.
//
// Exit codes: 0 listed / completed / already completed; 1 the PSP refused
// (the transaction is failed) or did not answer for sure (still pending:
// run execute again, it resends under the same key); 2 bad usage or an
// unknown id; 3 could not (database, PSP set-up).
#include <cctype>
#include <cstdio>
#include <map>
#include <optional>
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
#include "steadfast/commands.h"
#include "steadfast/time_text.h"

namespace steadfast::refund {
namespace {

using Args = std::vector<std::string>;

const char* kTransactionsUsage =
    "usage: steadfast refund transactions list [--reservation R] [--status pending|completed|failed]\n"
    "                                          [--kind booking|guestrefund|hostpayout] [--db PATH] [--json]\n"
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
    if (!filter.kind) return CommandFail(kCommandUsage, "--kind must be booking, guestrefund or hostpayout");
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
    Value::List list;
    for (const SettlementTransaction& t : *txns) list.push_back(TransactionToValue(t));
    Value out;
    out["transactions"] = std::move(list);
    if (!filter.reservation_id.empty()) {
      Value::List snaps;
      for (const CancellationDetails& d : snapshots) snaps.push_back(CancellationDetailsToValue(d));
      out["snapshots"] = std::move(snaps);
    }
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
  }
  if (!snapshots.empty()) std::printf("\n");
  PrintTransactions(*txns);
  std::printf("%zu transaction(s)\n", txns->size());
  return kCommandOk;
}

// The PSP's answer to an admin's execution of `t` (pending under its key now).
PspOutcome Execute(PspAdapter& psp, const SettlementTransaction& t, const std::string& actor, TimeMs now_ms) {
  // workflow_id ties the PSP's refund to the workflow's ledger for reconciliation.
  std::map<std::string, std::string> metadata = {{"reservation_id", t.reservation_id},
                                                 {"settlement_transaction", t.id},
                                                 {"workflow_id", t.workflow_id},
                                                 {"executed_by", actor}};
  ActivityResult result = ActivityError::NonRetryable("invalid_input", "nothing to execute");
  if (t.kind == TransactionKind::kGuestRefund) {
    RefundRequest req;
    req.charge = t.charge;
    req.amount_minor = t.amount.minor;
    std::string lower = t.amount.currency;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    req.expected_currency = lower;
    req.reason = RefundReason::kRequestedByCustomer;
    req.metadata = metadata;
    req.idempotency_key = t.psp_idempotency_key;
    RemoteResult<PspRefund> r = psp.Refund(req);
    if (r.ok()) {
      result = Value(Value::Map{{"refund_id", r->id}, {"status", std::string(PspRefundStatusName(r->status))}});
    } else {
      result = r.error();
    }
  } else if (t.kind == TransactionKind::kHostPayout) {
    TransferRequest req;
    req.amount_minor = t.amount.minor;
    req.currency = t.amount.currency;
    req.destination = t.destination;
    req.transfer_group = t.reservation_id;
    req.description = "host payout of cancelled reservation " + t.reservation_id + " (executed by " + actor + ")";
    req.metadata = metadata;
    req.idempotency_key = t.psp_idempotency_key;
    RemoteResult<PspTransfer> r = psp.Transfer(req);
    if (r.ok()) {
      result = Value(Value::Map{{"transfer_id", r->id}, {"status", r->status}, {"paid", r->status == "paid"}});
    } else {
      result = r.error();
    }
  }
  std::optional<PspOutcome> o = PspOutcomeOf(t.kind, result, t.psp_idempotency_key, now_ms);
  if (!o) {
    // No definitive answer (retryable, or ambiguous): it stays pending
    // under the same key; the audit row keeps what the PSP said.
    o = PspOutcome{t.psp_idempotency_key, t.kind, TransactionStatus::kPending, "", "", "", now_ms};
  }
  if (!result.ok() && o->failure_code.empty()) {
    o->failure_code = result.error().code;
    o->failure_message = result.error().message;
  }
  return *o;
}

// Whether (and how) the ledger books guest refund `t` executed by `actor`.
Result<ExecutedRefundBooking> PlanBooking(CommandHost& host, RefundTables& tables, const std::string& database,
                                          const SettlementTransaction& t, const std::string& actor) {
  SF_ASSIGN_OR_RETURN(std::unique_ptr<WorkflowReader> workflows, host.OpenWorkflows(database));
  return PlanExecutedRefundBooking(*workflows, *tables, t, actor);
}

int ExecuteCommand(const Args& args, CommandHost& host) {
  std::set<std::string> valued = CommonCommandFlags();
  valued.insert({"reason", "destination", "as", "psp-url"});
  auto flags = CommandFlags::Parse(args, valued, {"json"});
  if (!flags.ok()) return CommandFail(kCommandUsage, flags.status().message() + "\n" + kTransactionsUsage);
  if (flags->positional().size() != 1) return CommandFail(kCommandUsage, kTransactionsUsage);
  const std::string id = flags->positional()[0];
  const std::string reason = flags->GetOr("reason", "");
  if (reason.empty()) return CommandFail(kCommandUsage, "--reason is required: it goes into the audit");
  const std::string destination = flags->GetOr("destination", "");
  if (!destination.empty() && (destination.rfind("acct_", 0) != 0 || destination.size() <= 5)) {
    return CommandFail(kCommandUsage, "--destination must be a connected account id (acct_...)");
  }
  const std::string actor = flags->GetOr("as", host.principal());

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

  auto started = settlements.BeginExecution(id, actor, reason, destination, host.clock().NowMs());
  if (!started.ok()) {
    const StatusCode c = started.status().code();
    return CommandFail(c == StatusCode::kNotFound || c == StatusCode::kFailedPrecondition ? kCommandUsage
                                                                                          : kCommandError,
                       started.status().message());
  }
  SettlementTransaction t = *started;
  if (t.status == TransactionStatus::kCompleted) {
    // A guest refund an admin completed is booked with its completion; one
    // completed before that was done, or while its workflow still ran, is
    // booked now (once: the posting's key is the transaction's).
    std::string booked;
    if (t.kind == TransactionKind::kGuestRefund && t.executed_by != kExecutedByPsp) {
      auto booking = PlanBooking(host, *tables, sources->database, t, actor);
      if (!booking.ok()) return CommandFail(kCommandError, booking.status().message());
      if (booking->posting) {
        auto posted = (*tables)->PostTransaction(*booking->posting, host.clock().NowMs());
        if (!posted.ok()) return CommandFail(kCommandError, "booking the refund: " + posted.status().message());
        booked = posted->replayed ? "" : booking->note;
      }
    }
    if (flags->Has("json")) {
      Value out = TransactionToValue(t);
      out["outcome"] = "already_completed";
      if (!booked.empty()) out["ledger"] = booked;
      std::printf("%s\n", out.ToPrettyJson().c_str());
    } else {
      std::printf("%s (%s %s of %s) is completed already (%s, by %s): nothing done\n", t.id.c_str(),
                  std::string(TransactionKindName(t.kind)).c_str(), FormatMoney(t.amount).c_str(),
                  t.reservation_id.c_str(), Or(t.provider_id).c_str(), Or(t.executed_by).c_str());
      if (!booked.empty()) std::printf("%s\n", booked.c_str());
    }
    return kCommandOk;
  }

  // Decided before the PSP call, so the posting commits with the completion.
  ExecutedRefundBooking booking;
  if (t.kind == TransactionKind::kGuestRefund) {
    auto planned = PlanBooking(host, *tables, sources->database, t, actor);
    if (!planned.ok()) return CommandFail(kCommandError, planned.status().message());
    booking = std::move(*planned);
  }
  PspOutcome outcome = Execute(**psp, t, actor, host.clock().NowMs());
  Status finished = settlements.FinishExecution(id, actor, reason, outcome,
                                                booking.posting ? &*booking.posting : nullptr);
  if (!finished.ok()) return CommandFail(kCommandError, "recording the PSP's answer: " + finished.message());
  auto now = settlements.Transaction(id);
  if (!now.ok()) return CommandFail(kCommandError, now.status().message());
  const char* said = outcome.status == TransactionStatus::kCompleted ? "completed"
                     : outcome.status == TransactionStatus::kFailed  ? "failed"
                                                                     : "still pending";
  if (flags->Has("json")) {
    Value out = TransactionToValue(*now);
    out["outcome"] = said;
    if (outcome.status == TransactionStatus::kCompleted && !booking.note.empty()) out["ledger"] = booking.note;
    std::printf("%s\n", out.ToPrettyJson().c_str());
  } else {
    std::printf("%s (%s %s of %s, PSP key %s): %s", now->id.c_str(), std::string(TransactionKindName(now->kind)).c_str(),
                FormatMoney(now->amount).c_str(), now->reservation_id.c_str(), now->psp_idempotency_key.c_str(), said);
    if (!now->provider_id.empty()) std::printf(", %s", now->provider_id.c_str());
    if (!outcome.failure_code.empty()) {
      std::printf(" (%s: %s)", outcome.failure_code.c_str(), outcome.failure_message.c_str());
    }
    std::printf("\n");
    if (outcome.status == TransactionStatus::kCompleted && !booking.note.empty()) {
      std::printf("%s\n", booking.note.c_str());
    }
    if (outcome.status == TransactionStatus::kPending && outcome.failure_code.empty() &&
        !outcome.provider_id.empty()) {
      // Accepted (a payout that settles asynchronously): nothing to resend.
      std::printf("the PSP accepted it as pending: the settlement sync (settlement_sync) moves it once the PSP "
                  "settles it\n");
    } else if (outcome.status == TransactionStatus::kPending) {
      std::printf("the PSP did not answer for sure: run execute again, it resends under the same key\n");
    }
  }
  return outcome.status == TransactionStatus::kCompleted ? kCommandOk : kCommandFailed;
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
