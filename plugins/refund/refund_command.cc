// steadfast refund quote|policy-diff|ledger|records: the refund plugin's
// tools for people, a verb the plugin adds to the CLI (refund/commands.h).
//
//   refund quote --reservation JSON|@file [--policy NAME] [--cancel-at TIME] [--method cash|voucher]
//                [--policies PATH] [--json]
//       the breakdown a cancellation would get, without starting anything
//   refund policy-diff OLD.yaml NEW.yaml --over reservations.jsonl [--top N] [--json]
//       what a policy file change does to the refunds of the listed cancellations
//   refund ledger [--instance ID] [--db PATH | --config FILE] [--json]
//       ledger entries (all, or one workflow's), balances per account, and whether they balance
//   refund records [--db PATH | --config FILE] [--json]
//       the PSP refunds the plugin recorded
//   refund transactions list|execute ...
//       settlement transactions: settlement_command.cc
//   refund claims list|show ...
//       reservation claims: claim_command.cc
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "refund/breakdown.h"
#include "refund/commands.h"
#include "refund/ledger.h"
#include "refund/money.h"
#include "refund/plugin.h"
#include "refund/policy.h"
#include "refund/policy_diff.h"
#include "refund/quote.h"
#include "refund/reconcile_sources.h"
#include "refund/refund_store.h"
#include "steadfast/commands.h"

namespace steadfast::refund {
namespace {

using Args = std::vector<std::string>;

const char* kRefundUsage =
    "usage: steadfast refund quote --reservation JSON|@file [--policy NAME] [--cancel-at TIME] [--method M] [--json]\n"
    "       steadfast refund policy-diff OLD.yaml NEW.yaml --over reservations.jsonl [--top N] [--json]\n"
    "       steadfast refund ledger [--instance ID] [--db PATH] [--json]\n"
    "       steadfast refund records [--db PATH] [--json]\n"
    "       steadfast refund transactions list|execute ... (steadfast refund transactions for its usage)\n"
    "       steadfast refund claims list|show ... (steadfast refund claims for its usage)\n"
    "       steadfast refund disputes list [--status open|won|lost] [--json]\n";

// The database of --db, else of the config (explicit or config/steadfast.yaml).
Result<std::string> DatabasePath(const CommandFlags& flags, CommandHost& host) {
  if (auto db = flags.Get("db")) return *db;
  std::optional<std::string> config_path = flags.Get("config");
  if (!config_path && std::filesystem::exists(kDefaultEngineConfigPath)) config_path = kDefaultEngineConfigPath;
  if (!config_path) return Status::InvalidArgument("--db PATH or --config FILE is required");
  return host.EngineDatabase(*config_path);
}

int Quote(const Args& args, CommandHost& host) {
  auto flags = CommandFlags::Parse(args, {"reservation", "policy", "cancel-at", "method", "policies", "config"}, {"json"});
  if (!flags.ok()) return CommandFail(kCommandUsage, flags.status().message());
  if (!flags->Get("reservation")) return CommandFail(kCommandUsage, kRefundUsage);
  refund::QuoteRequest req;
  req.policies_path = flags->GetOr("policies", "");
  if (req.policies_path.empty()) {
    // The engine config's plugin_config.refund.policies, else the default.
    std::optional<std::string> config_path = flags->Get("config");
    if (!config_path && std::filesystem::exists(kDefaultEngineConfigPath)) config_path = kDefaultEngineConfigPath;
    req.policies_path = refund::kDefaultPoliciesPath;
    if (config_path) {
      auto pc = host.LoadPluginContext(*config_path);
      if (!pc.ok()) return CommandFail(kCommandError, pc.status().message());
      auto rc = refund::RefundPluginConfig::FromPluginContext(*pc);
      if (!rc.ok()) return CommandFail(kCommandError, rc.status().message());
      req.policies_path = rc->policies_path;
    }
  }
  req.policy = flags->GetOr("policy", "");
  req.reservation = *flags->Get("reservation");
  req.cancel_at = flags->GetOr("cancel-at", "");
  req.refund_method = flags->GetOr("method", "");
  auto breakdown = refund::ComputeQuote(req, host.clock());
  if (!breakdown.ok()) {
    int code = breakdown.status().code() == StatusCode::kInvalidArgument ||
                       breakdown.status().code() == StatusCode::kNotFound
                   ? kCommandUsage
                   : kCommandFailed;
    return CommandFail(code, breakdown.status().message());
  }
  if (flags->Has("json")) {
    std::printf("%s\n", refund::BreakdownToValue(*breakdown).ToPrettyJson().c_str());
  } else {
    std::fputs(refund::FormatBreakdownTable(*breakdown).c_str(), stdout);
  }
  return kCommandOk;
}

int PolicyDiff(const Args& args) {
  auto flags = CommandFlags::Parse(args, {"over", "top"}, {"json"});
  if (!flags.ok()) return CommandFail(kCommandUsage, flags.status().message());
  if (flags->positional().size() != 2 || !flags->Get("over")) return CommandFail(kCommandUsage, kRefundUsage);
  auto top = flags->GetInt("top", 10);
  if (!top.ok()) return CommandFail(kCommandUsage, top.status().message());
  if (*top < 0) return CommandFail(kCommandUsage, "--top must not be negative");
  const std::string& old_path = flags->positional()[0];
  const std::string& new_path = flags->positional()[1];
  auto old_policies = refund::PolicySet::Load(old_path);
  if (!old_policies.ok()) return CommandFail(kCommandUsage, old_policies.status().message());
  auto new_policies = refund::PolicySet::Load(new_path);
  if (!new_policies.ok()) return CommandFail(kCommandUsage, new_policies.status().message());
  const std::string over = *flags->Get("over");
  auto lines = ReadArgOrFile("@" + over);
  if (!lines.ok()) return CommandFail(kCommandUsage, "cannot read " + over + ": " + lines.status().message());
  auto report = refund::DiffPolicies(*old_policies, *new_policies, *lines, over, static_cast<int>(*top));
  if (!report.ok()) return CommandFail(kCommandUsage, report.status().message());
  if (flags->Has("json")) {
    std::printf("%s\n", refund::PolicyDiffToValue(*report).ToPrettyJson().c_str());
  } else {
    std::fputs(refund::FormatPolicyDiff(*report, old_path, new_path).c_str(), stdout);
  }
  // A line one of the files cannot price is a problem the change would cause.
  return report->unpriced == 0 ? kCommandOk : kCommandFailed;
}

int Ledger(const Args& args, CommandHost& host) {
  std::set<std::string> valued = CommonCommandFlags();
  valued.insert("instance");
  auto flags = CommandFlags::Parse(args, valued, {"json"});
  if (!flags.ok()) return CommandFail(kCommandUsage, flags.status().message());
  auto db = DatabasePath(*flags, host);
  if (!db.ok()) return CommandFail(kCommandUsage, db.status().message());
  auto store = OpenRefundTables(host, *db);
  if (!store.ok()) return CommandFail(kCommandError, store.status().message());
  const std::string instance = flags->GetOr("instance", "");
  auto entries = (*store)->LedgerEntries(instance);
  if (!entries.ok()) return CommandFail(kCommandError, entries.status().message());
  auto balance = (*store)->LedgerBalance(instance);
  if (!balance.ok()) return CommandFail(kCommandError, balance.status().message());

  // Per transaction and per currency, debits must equal credits.
  std::map<std::pair<int64_t, std::string>, int64_t> per_txn;
  for (const auto& p : *entries) {
    per_txn[{p.transaction_id, p.entry.currency}] +=
        p.entry.direction == refund::Direction::kDebit ? p.entry.amount_minor : -p.entry.amount_minor;
  }
  bool balanced = true;
  for (const auto& [k, v] : per_txn) balanced = balanced && v == 0;

  if (flags->Has("json")) {
    Value::List list;
    for (const auto& p : *entries) {
      Value v = refund::EntryToValue(p.entry);
      v["transaction_id"] = p.transaction_id;
      v["workflow_id"] = p.workflow_id;
      v["reference"] = p.reference;
      list.push_back(std::move(v));
    }
    Value::List balances;
    for (const auto& [key, minor] : *balance) {
      balances.push_back(Value::Map{{"account", key.first}, {"currency", key.second}, {"balance_minor", minor}});
    }
    Value out = Value::Map{{"entries", list}, {"balances", balances}, {"balanced", balanced}};
    std::printf("%s\n", out.ToPrettyJson().c_str());
    return balanced ? kCommandOk : kCommandFailed;
  }
  std::printf("%-6s %-28s %-24s %-7s %14s  %s\n", "txn", "workflow", "account", "dr/cr", "amount", "memo");
  for (const auto& p : *entries) {
    std::printf("%-6lld %-28s %-24s %-7s %14s  %s\n", static_cast<long long>(p.transaction_id), p.workflow_id.c_str(),
                p.entry.account.c_str(), std::string(refund::DirectionName(p.entry.direction)).c_str(),
                refund::FormatMoney(refund::Money{p.entry.amount_minor, p.entry.currency}).c_str(),
                p.entry.memo.c_str());
  }
  std::printf("\nbalances (debit +, credit -)\n");
  for (const auto& [key, minor] : *balance) {
    std::printf("  %-24s %14s\n", key.first.c_str(), refund::FormatMoney(refund::Money{minor, key.second}).c_str());
  }
  std::printf("%zu entries in %zu transaction(s): %s\n", entries->size(), per_txn.size(),
              balanced ? "every transaction balances" : "UNBALANCED");
  return balanced ? kCommandOk : kCommandFailed;
}

int Records(const Args& args, CommandHost& host) {
  auto flags = CommandFlags::Parse(args, CommonCommandFlags(), {"json"});
  if (!flags.ok()) return CommandFail(kCommandUsage, flags.status().message());
  auto db = DatabasePath(*flags, host);
  if (!db.ok()) return CommandFail(kCommandUsage, db.status().message());
  auto store = OpenRefundTables(host, *db);
  if (!store.ok()) return CommandFail(kCommandError, store.status().message());
  auto records = (*store)->AllRefunds();
  if (!records.ok()) return CommandFail(kCommandError, records.status().message());
  Value::List list;
  for (const auto& r : *records) {
    if (!flags->Has("json")) {
      std::printf("%-28s %-12s %-30s %-10s %14s\n", r.workflow_id.c_str(), r.reservation_id.c_str(),
                  r.psp_refund_id.c_str(), r.status.c_str(),
                  refund::FormatMoney(refund::Money{r.amount_minor, r.currency}).c_str());
      continue;
    }
    list.push_back(Value::Map{{"workflow_id", r.workflow_id},
                              {"reservation_id", r.reservation_id},
                              {"psp_refund_id", r.psp_refund_id},
                              {"status", r.status},
                              {"amount", refund::MoneyToValue(refund::Money{r.amount_minor, r.currency})}});
  }
  if (flags->Has("json")) std::printf("%s\n", Value(list).ToPrettyJson().c_str());
  return kCommandOk;
}

}  // namespace

int RunRefundCommand(const std::vector<std::string>& args, CommandHost& host) {
  if (args.empty()) return CommandFail(kCommandUsage, kRefundUsage);
  Args rest(args.begin() + 1, args.end());
  if (args[0] == "quote") return Quote(rest, host);
  if (args[0] == "policy-diff") return PolicyDiff(rest);
  if (args[0] == "ledger") return Ledger(rest, host);
  if (args[0] == "records") return Records(rest, host);
  if (args[0] == "transactions") return RunTransactionsCommand(rest, host);
  if (args[0] == "claims") return RunClaimsCommand(rest, host);
  if (args[0] == "disputes") return RunDisputesCommand(rest, host);
  return CommandFail(kCommandUsage, std::string("unknown refund command '") + args[0] + "'\n" + kRefundUsage);
}

}  // namespace steadfast::refund
