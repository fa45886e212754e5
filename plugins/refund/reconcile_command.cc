// steadfast reconcile: compare the ledger, the workflow states and the PSP's
// refunds; report drift; with --repair post compensating, audited entries.
// A verb the refund plugin adds to the CLI (refund/commands.h).
//
//   reconcile [--db PATH | --config FILE] [--since T] [--settle-margin D] [--repair] [--as P] [--psp-url URL]
//             [--json]
//
// Where things come from (docs/refunds.md, "Reconciliation"): the database
// is --db, else the config's `database` (the refund plugin's tables live
// in the engine's store); the PSP is --psp-url, else
// plugin_config.refund.psp.base_url; the PSP secret key only ever comes from
// the environment variable psp.secret_key_env names (default
// STEADFAST_PSP_SECRET_KEY), exactly as the plugin finds it. Subjects not
// at rest (a workflow in flight, or anything younger than the settle margin:
// --settle-margin, else plugin_config.refund.reconcile_settle_margin, else
// 15m) are listed as pending and neither compared nor repaired.
//
// Exit codes: 0 no drift (with --repair: none left after repairing);
// 4 drift found (with --repair: drift left that needs a person); 2 bad usage;
// 3 could not reconcile (database, PSP unreachable or refusing the key, a
// PSP listing that cannot be complete): then nothing is compared or repaired.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "refund/commands.h"
#include "refund/money.h"
#include "refund/plugin.h"
#include "refund/psp/stripe_psp_adapter.h"
#include "refund/reconcile_sources.h"
#include "refund/reconciliation.h"
#include "refund/refund_store.h"
#include "refund/settlement_reconciliation.h"
#include "refund/settlement_store.h"
#include "steadfast/commands.h"
#include "steadfast/time_text.h"

namespace steadfast::refund {
namespace {

constexpr int kExitDrift = 4;

const char* kReconcileUsage =
    "usage: steadfast reconcile [--db PATH | --config FILE] [--since TIME|DURATION] [--settle-margin DURATION]\n"
    "                           [--repair] [--as PRINCIPAL] [--psp-url URL] [--json]\n";

// --since: an RFC 3339 instant, or a duration back from now ("24h", "7d").
Result<TimeMs> ParseSince(const std::string& text, TimeMs now) {
  if (Result<TimeMs> at = ParseRfc3339(text); at.ok()) return *at;
  if (Result<int64_t> d = ParseDurationMs(text); d.ok()) return now - *d;
  return Status::InvalidArgument("--since must be an RFC 3339 time (2026-06-01T00:00:00Z) or a duration (24h, 7d)");
}

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : ",") + p;
  return out.empty() ? "-" : out;
}

std::string Or(const std::string& s) { return s.empty() ? "-" : s; }

void PrintPending(const std::vector<refund::PendingSubject>& pending) {
  std::printf("pending, not compared (%zu): not at rest yet, so neither drift nor repaired\n", pending.size());
  std::printf("  %-20s %-16s %-30s %16s %16s  %s\n", "subject", "status", "psp refund", "psp amount", "ledger amount",
              "why");
  for (const refund::PendingSubject& p : pending) {
    std::printf("  %-20s %-16s %-30s %16s %16s  %s\n", p.subject.c_str(), Or(p.status).c_str(),
                Join(p.psp_refund_ids).c_str(), refund::FormatAmounts(p.psp_amount).c_str(),
                refund::FormatAmounts(p.ledger_amount).c_str(), p.detail.c_str());
  }
}

struct Outcome {
  refund::Drift drift;
  std::string action;  // "repairable", "needs a person", "repaired (txn 12)", "repair failed: ..."
  Value::List repairs;  // posted transactions
};

void PrintTable(const std::vector<Outcome>& outcomes) {
  std::printf("%-25s %-12s %-14s %-20s %-30s %16s %16s  %s\n", "kind", "reservation", "charge", "workflow",
              "psp refund", "psp amount", "ledger amount", "action");
  for (const Outcome& o : outcomes) {
    const refund::Drift& d = o.drift;
    std::printf("%-25s %-12s %-14s %-20s %-30s %16s %16s  %s\n", std::string(refund::DriftKindName(d.kind)).c_str(),
                Or(d.reservation_id).c_str(), Or(d.charge).c_str(), Or(d.workflow_id).c_str(),
                Join(d.psp_refund_ids).c_str(), refund::FormatAmounts(d.psp_amount).c_str(),
                refund::FormatAmounts(d.ledger_amount).c_str(), o.action.c_str());
    std::printf("    %s\n", d.detail.c_str());
  }
}

}  // namespace

int RunReconcileCommand(const std::vector<std::string>& args, CommandHost& host) {
  std::set<std::string> valued = CommonCommandFlags();
  valued.insert({"since", "as", "psp-url", "settle-margin"});
  auto flags = CommandFlags::Parse(args, valued, {"repair", "json"});
  if (!flags.ok()) return CommandFail(kCommandUsage, std::string(flags.status().message()) + "\n" + kReconcileUsage);
  if (!flags->positional().empty()) return CommandFail(kCommandUsage, kReconcileUsage);
  const TimeMs now = host.clock().NowMs();
  TimeMs since = 0;
  if (auto s = flags->Get("since")) {
    Result<TimeMs> parsed = ParseSince(*s, now);
    if (!parsed.ok()) return CommandFail(kCommandUsage, parsed.status().message());
    since = *parsed;
  }
  const std::string actor = flags->GetOr("as", host.principal());

  Result<CommandSources> sources = FindCommandSources(*flags, host);
  if (!sources.ok()) {
    return CommandFail(sources.status().code() == StatusCode::kInvalidArgument ? kCommandUsage : kCommandError,
                sources.status().message());
  }
  if (auto margin = flags->Get("settle-margin")) {
    Result<int64_t> parsed = ParseDurationMs(*margin);
    if (!parsed.ok() || *parsed < 0) {
      return CommandFail(kCommandUsage, "--settle-margin must be a duration such as 15m, 1h or 0s");
    }
    sources->settle_margin_ms = *parsed;
  }
  auto refunds = OpenRefundTables(host, sources->database);
  if (!refunds.ok()) return CommandFail(kCommandError, refunds.status().message());
  auto workflow_reader = host.OpenWorkflows(sources->database);
  if (!workflow_reader.ok()) return CommandFail(kCommandError, workflow_reader.status().message());

  auto psp = MakeCommandPsp(sources->psp, host);
  if (!psp.ok()) return CommandFail(kCommandError, psp.status().message());

  refund::ReconciliationInput input;
  input.since_ms = since;
  input.now_ms = now;
  input.settle_margin_ms = sources->settle_margin_ms;
  // Workflow states first: a workflow seen in flight stays pending whatever
  // it does while the PSP and the ledger are read; one that finishes or
  // refunds after this snapshot is younger than the settle margin.
  auto workflows = LoadWorkflows(**workflow_reader, since > 0 ? since - kPspLookBackMs : 0);
  if (!workflows.ok()) return CommandFail(kCommandError, workflows.status().message());
  input.workflows = std::move(*workflows);
  // The settlement transactions next, before the PSP: one that completes
  // meanwhile shows at the PSP, and is younger than the settle margin.
  auto settlement = LoadSettlementTransactions(*refunds->storage, now, sources->settle_margin_ms);
  if (!settlement.ok()) return CommandFail(kCommandError, settlement.status().message());
  auto psp_refunds = LoadPspRefunds(**psp, **refunds, since > 0 ? since - kPspLookBackMs : 0);
  if (!psp_refunds.ok()) {
    return CommandFail(kCommandError, psp_refunds.status().message() + "\nnothing was compared or repaired");
  }
  input.psp_refunds = std::move(*psp_refunds);
  if (Status st = CompleteSettlementInput(**psp, input.psp_refunds, input.workflows, *settlement); !st.ok()) {
    return CommandFail(kCommandError, st.message() + "\nnothing was compared or repaired");
  }
  auto ledger = LoadLedger(**refunds);
  if (!ledger.ok()) return CommandFail(kCommandError, ledger.status().message());
  input.ledger = std::move(*ledger);

  auto reconciled = refund::Reconcile(input);
  if (!reconciled.ok()) return CommandFail(kCommandError, "reconciling: " + reconciled.status().message());
  const refund::ReconciliationReport report = std::move(*reconciled);
  std::vector<Outcome> outcomes;
  int64_t repaired = 0;
  for (const refund::Drift& d : report.drifts) {
    Outcome o{d, d.repairable ? "repairable" : "needs a person", {}};
    if (flags->Has("repair") && d.repairable) {
      auto plans = refund::PlanRepair(d, input.ledger, actor, now);
      std::string ids;
      Status problem = plans.ok() ? Status::Ok() : plans.status();
      if (plans.ok()) {
        for (const refund::RepairPlan& p : *plans) {
          auto posted = (*refunds)->PostTransaction(p.txn, now, &p.audit);
          if (!posted.ok()) {
            problem = posted.status();
            break;
          }
          ids += (ids.empty() ? "" : ",") + std::to_string(posted->id);
          Value v = refund::PostedTransactionToValue(*posted);
          v["idempotency_key"] = p.txn.idempotency_key;
          o.repairs.push_back(std::move(v));
        }
      }
      if (problem.ok()) {
        ++repaired;
        o.action = "repaired (txn " + (ids.empty() ? std::string("none needed") : ids) + ")";
      } else {
        o.action = "repair failed: " + problem.message();
      }
    }
    outcomes.push_back(std::move(o));
  }

  // After repairing, what is left is what the exit code is about.
  refund::ReconciliationReport left = report;
  if (flags->Has("repair") && repaired > 0) {
    auto again = LoadLedger(**refunds);
    if (!again.ok()) return CommandFail(kCommandError, again.status().message());
    input.ledger = std::move(*again);
    auto after = refund::Reconcile(input);
    if (!after.ok()) return CommandFail(kCommandError, "reconciling after the repair: " + after.status().message());
    left = std::move(*after);
  }
  const std::vector<refund::SettlementDrift> settlement_drifts = refund::ReconcileSettlements(*settlement);
  Result<refund::ReconciliationRun> summary = refund::SummarizeRun(left, repaired, actor, now);
  if (!summary.ok()) return CommandFail(kCommandError, "summing the drift: " + summary.status().message());
  for (const refund::SettlementDrift& d : settlement_drifts) ++summary->drifts_by_kind[d.kind];
  const bool clean = left.clean() && settlement_drifts.empty();
  Status recorded = (*refunds)->RecordReconciliationRun(*summary);
  if (!recorded.ok()) return CommandFail(kCommandError, "recording the run: " + recorded.message());

  if (flags->Has("json")) {
    Value::List drifts;
    for (const Outcome& o : outcomes) {
      Value v = refund::DriftToValue(o.drift);
      v["action"] = o.action;
      if (!o.repairs.empty()) v["repairs"] = o.repairs;
      drifts.push_back(std::move(v));
    }
    Value::List remaining;
    for (const refund::Drift& d : left.drifts) remaining.push_back(refund::DriftToValue(d));
    Value::List pending;
    for (const refund::PendingSubject& p : report.pending) pending.push_back(refund::PendingToValue(p));
    Value out;
    out["clean"] = clean;
    out["since"] = since > 0 ? Value(FormatRfc3339Utc(since)) : Value();
    out["settle_margin"] = FormatDurationMs(input.settle_margin_ms);
    out["compared"] = Value::Map{{"psp_refunds", report.psp_refunds},
                                 {"ledger_transactions", report.ledger_transactions},
                                 {"finished_workflows", report.workflows}};
    out["pending"] = std::move(pending);
    out["drifts"] = std::move(drifts);
    out["repaired"] = repaired;
    out["remaining"] = std::move(remaining);
    Value::List settlement_list;
    for (const refund::SettlementDrift& d : settlement_drifts) settlement_list.push_back(refund::SettlementDriftToValue(d));
    out["settlement_drifts"] = std::move(settlement_list);
    std::printf("%s\n", out.ToPrettyJson().c_str());
  } else {
    std::printf("Reconciliation: %lld PSP refund(s), %lld ledger transaction(s), %lld finished refund workflow(s)%s; "
                "%zu pending, not compared\n",
                static_cast<long long>(report.psp_refunds), static_cast<long long>(report.ledger_transactions),
                static_cast<long long>(report.workflows),
                since > 0 ? (" since " + FormatRfc3339Utc(since)).c_str() : "", report.pending.size());
    if (!outcomes.empty()) {
      std::printf("\n");
      PrintTable(outcomes);
      std::printf("\n");
    }
    if (!report.pending.empty()) {
      if (outcomes.empty()) std::printf("\n");
      PrintPending(report.pending);
      std::printf("\n");
    }
    if (!settlement_drifts.empty()) {
      std::printf("settlement transactions that disagree with the PSP (%zu): need a person\n", settlement_drifts.size());
      std::printf("  %-28s %-20s %-12s %-11s %-9s %14s  %s\n", "kind", "transaction", "reservation", "type", "status",
                  "amount", "psp");
      for (const refund::SettlementDrift& d : settlement_drifts) {
        std::printf("  %-28s %-20s %-12s %-11s %-9s %14s  %s\n", d.kind.c_str(), d.transaction.id.c_str(),
                    d.transaction.reservation_id.c_str(),
                    std::string(refund::TransactionKindName(d.transaction.kind)).c_str(),
                    std::string(refund::TransactionStatusName(d.transaction.status)).c_str(),
                    refund::FormatMoney(d.transaction.amount).c_str(), Or(d.psp_id).c_str());
        std::printf("      %s\n", d.detail.c_str());
      }
      std::printf("\n");
    }
    // Pending subjects were not looked at: "no drift" alone would overstate it.
    const std::string unchecked =
        report.pending.empty() ? "" : " (" + std::to_string(report.pending.size()) + " pending, not compared)";
    if (clean) {
      std::printf("%s%s\n", report.clean() ? "no drift" : "no drift left after repair", unchecked.c_str());
    } else {
      int64_t human = static_cast<int64_t>(settlement_drifts.size());
      for (const refund::Drift& d : left.drifts) human += d.repairable ? 0 : 1;
      std::printf("%zu drift(s)%s; %lld need a person%s\n", left.drifts.size() + settlement_drifts.size(),
                  flags->Has("repair") ? " left after repair" : "", static_cast<long long>(human), unchecked.c_str());
    }
  }
  return clean ? kCommandOk : kExitDrift;
}

}  // namespace steadfast::refund
