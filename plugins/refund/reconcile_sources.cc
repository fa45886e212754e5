// Reconciliation sources: PSP pages, ledger rows, workflow histories.
#include "refund/reconcile_sources.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "refund/money.h"
#include "refund/settlement_store.h"
#include "refund/psp/stripe_psp_adapter.h"

namespace steadfast::refund {
namespace {

constexpr int kPspTries = 4;  // about 3 s of backoff in all

std::string Upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

// The plugin's activities that move no money: the nightly reconciliation and
// the scheduled syncs of disputes and settlements. A workflow of only these
// is not a refund workflow (the syncs run every few minutes in every serve).
bool MovesNoMoney(const std::string& activity) {
  return activity == "refund.reconcile" || activity == "refund.sync_disputes" ||
         activity == "refund.sync_settlements";
}

}  // namespace

Result<CommandSources> FindCommandSources(const CommandFlags& flags, CommandHost& host) {
  CommandSources s;
  std::optional<std::string> config_path = flags.Get("config");
  if (!config_path && !flags.Has("db") && std::filesystem::exists(kDefaultEngineConfigPath)) {
    config_path = kDefaultEngineConfigPath;
  }
  if (config_path) {
    SF_ASSIGN_OR_RETURN(PluginContext pc, host.LoadPluginContext(*config_path));
    SF_ASSIGN_OR_RETURN(refund::RefundPluginConfig rc, refund::RefundPluginConfig::FromPluginContext(pc));
    SF_ASSIGN_OR_RETURN(s.database, host.EngineDatabase(*config_path));
    s.psp = rc.psp;
    s.settle_margin_ms = rc.reconcile_settle_margin_ms;
  }
  if (auto db = flags.Get("db")) s.database = *db;
  if (auto url = flags.Get("psp-url")) s.psp.base_url = *url;
  if (s.database.empty()) return Status::InvalidArgument("--db PATH or --config FILE is required");
  if (s.psp.base_url.empty()) {
    return Status::InvalidArgument("no PSP: set plugin_config.refund.psp.base_url in the config or pass --psp-url");
  }
  return s;
}

Result<std::unique_ptr<refund::PspAdapter>> MakeCommandPsp(const refund::PspSettings& psp, CommandHost& host) {
  refund::StripeConfig sc;
  sc.base_url = psp.base_url;
  sc.secret_key = psp.secret_key;
  sc.secret_key_env = psp.secret_key_env;
  sc.timeout_ms = psp.timeout_ms;
  auto stripe = refund::StripePspAdapter::Create(sc, host.http(), host.clock());
  if (!stripe.ok()) return Status::FailedPrecondition("PSP not set up: " + stripe.status().message());
  return std::unique_ptr<refund::PspAdapter>(std::move(stripe).value());
}

Result<RefundTables> OpenRefundTables(CommandHost& host, const std::string& path) {
  RefundTables tables;
  tables.path = path;
  SF_ASSIGN_OR_RETURN(tables.storage, host.OpenPluginStorage(path, refund::RefundStore::Schema()));
  tables.refunds = std::make_unique<refund::RefundStore>(*tables.storage);
  return tables;
}

std::variant<RefundTables, int> OpenCommandRefundTables(const CommandFlags& flags, CommandHost& host) {
  std::string database = flags.GetOr("db", "");
  if (database.empty()) {
    auto db = host.EngineDatabase(flags.GetOr("config", kDefaultEngineConfigPath));
    if (!db.ok()) return CommandFail(kCommandUsage, "--db PATH or --config FILE is required: " + db.status().message());
    database = *db;
  }
  auto tables = OpenRefundTables(host, database);
  if (!tables.ok()) return CommandFail(kCommandError, tables.status().message());
  return std::move(tables).value();
}

Result<std::vector<refund::PspRefundFact>> LoadPspRefunds(refund::PspAdapter& psp, refund::RefundStore& refunds,
                                                          TimeMs created_gte_ms) {
  refund::ListRefundsRequest request;
  request.limit = 100;
  if (created_gte_ms > 0) request.created_gte_s = created_gte_ms / 1000;
  refund::RemoteResult<std::vector<refund::PspRefund>> listed = refund::ListAllRefunds(psp, request);
  for (int attempt = 1; !listed.ok() && listed.error().kind == ErrorKind::kRetryable && attempt < kPspTries; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200LL << attempt));
    listed = refund::ListAllRefunds(psp, request);
  }
  if (!listed.ok()) {
    return Status::Unavailable("listing the PSP's refunds: " + listed.error().code + ": " + listed.error().message);
  }
  SF_ASSIGN_OR_RETURN(std::vector<refund::RefundRecord> records, refunds.AllRefunds());
  std::map<std::string, const refund::RefundRecord*> by_psp_id;
  for (const refund::RefundRecord& r : records) {
    if (!r.psp_refund_id.empty()) by_psp_id[r.psp_refund_id] = &r;
  }
  std::vector<refund::PspRefundFact> out;
  out.reserve(listed->size());
  for (const refund::PspRefund& r : *listed) {
    refund::PspRefundFact& f = out.emplace_back();
    f.id = r.id;
    f.charge = r.charge;
    f.status = std::string(refund::PspRefundStatusName(r.status));
    f.amount_minor = r.amount_minor;
    f.currency = Upper(r.currency);
    f.created_ms = r.created_s * 1000;
    if (auto it = r.metadata.find("workflow_id"); it != r.metadata.end()) f.workflow_id = it->second;
    if (auto it = r.metadata.find("reservation_id"); it != r.metadata.end()) f.reservation_id = it->second;
    if (auto it = r.metadata.find("deposit"); it != r.metadata.end()) f.deposit_return = it->second == "return";
    if (auto it = by_psp_id.find(r.id); it != by_psp_id.end()) {
      if (f.workflow_id.empty()) f.workflow_id = it->second->workflow_id;
      if (f.reservation_id.empty()) f.reservation_id = it->second->reservation_id;
    }
  }
  return out;
}

Result<std::vector<refund::LedgerFact>> LoadLedger(refund::RefundStore& refunds) {
  SF_ASSIGN_OR_RETURN(std::vector<refund::StoredTransaction> stored, refunds.LedgerTransactions());
  std::vector<refund::LedgerFact> out;
  out.reserve(stored.size());
  for (const refund::StoredTransaction& t : stored) {
    SF_ASSIGN_OR_RETURN(refund::LedgerFact fact, refund::LedgerFactOf(t));
    out.push_back(std::move(fact));
  }
  return out;
}

Result<std::vector<refund::WorkflowFact>> LoadWorkflows(WorkflowReader& workflows, TimeMs updated_since_ms) {
  constexpr int kPage = 500;
  std::vector<refund::WorkflowFact> out;
  std::string after;
  while (true) {
    SF_ASSIGN_OR_RETURN(std::vector<WorkflowSummary> page, workflows.List(after, kPage));
    for (const WorkflowSummary& inst : page) {
      refund::WorkflowFact f;
      f.id = inst.id;
      f.workflow_name = inst.workflow_name;
      f.status = inst.status;
      f.created_ms = inst.created_at;
      if (!inst.finished) {
        out.push_back(std::move(f));  // pending whatever its history says
        continue;
      }
      if (updated_since_ms > 0 && inst.updated_at < updated_since_ms) continue;
      f.phase = inst.status == "completed" ? refund::WorkflowPhase::kCompleted : refund::WorkflowPhase::kEnded;
      f.finished_ms = inst.updated_at;
      SF_ASSIGN_OR_RETURN(std::vector<HistoryEvent> history, workflows.History(inst.id));
      std::map<std::string, std::string> activity_of;  // step id -> activity
      bool uses_refund = false;
      for (const HistoryEvent& e : history) {
        if (e.type == history::kStepScheduled) {
          activity_of[e.step_id] = e.data.Get("activity").StringOr("");
          continue;
        }
        if (e.type != history::kAttemptSucceeded) continue;
        const std::string& activity = activity_of[e.step_id];
        const Value& output = e.data.Get("output");
        if (activity.rfind("refund.", 0) == 0 && !MovesNoMoney(activity)) uses_refund = true;
        if (activity == "refund.calculate_amount") {
          f.breakdown = output;
          if (f.reservation_id.empty()) f.reservation_id = output.Get("reservation_id").StringOr("");
        } else if (activity == "refund.settle_claim") {
          // A claim settlement refunds the breakdown as settled with the claim.
          f.breakdown = output.Get("breakdown");
        } else if (activity == "refund.psp_refund") {
          f.psp_refund_succeeded = true;
          f.psp_refund_id = output.Get("refund_id").StringOr("");
        } else if (activity == "refund.post_ledger") {
          f.ledger_step_succeeded = true;
          if (f.reservation_id.empty()) f.reservation_id = output.Get("reference").StringOr("");
        }
      }
      if (uses_refund) out.push_back(std::move(f));
    }
    if (page.size() < static_cast<size_t>(kPage)) break;
    after = page.back().id;
  }
  return out;
}

Result<refund::SettlementReconciliationInput> LoadSettlementTransactions(PluginStorage& storage, TimeMs now_ms,
                                                                        int64_t settle_margin_ms) {
  refund::SettlementReconciliationInput in;
  in.now_ms = now_ms;
  in.settle_margin_ms = settle_margin_ms;
  refund::SettlementStore settlements(storage);
  SF_ASSIGN_OR_RETURN(in.transactions, settlements.Transactions());
  return in;
}

Status CompleteSettlementInput(refund::PspAdapter& psp, const std::vector<refund::PspRefundFact>& psp_refunds,
                               const std::vector<refund::WorkflowFact>& workflows,
                               refund::SettlementReconciliationInput& in) {
  in.psp_refunds = psp_refunds;
  for (const refund::WorkflowFact& w : workflows) {
    if (w.phase == refund::WorkflowPhase::kInFlight) in.in_flight_workflows.insert(w.id);
  }
  // Host payouts are looked up by transfer id (the adapter lists no transfers).
  for (const refund::SettlementTransaction& t : in.transactions) {
    if (t.kind != refund::TransactionKind::kHostPayout || t.provider_id.empty() ||
        t.status == refund::TransactionStatus::kFailed || t.updated_ms > in.now_ms - in.settle_margin_ms ||
        in.in_flight_workflows.count(t.workflow_id) > 0) {
      continue;
    }
    refund::RemoteResult<refund::PspTransfer> transfer = psp.GetTransfer(t.provider_id);
    if (transfer.ok()) {
      in.transfers[t.provider_id] = transfer->status;
    } else if (transfer.error().code == "resource_missing") {
      in.transfers[t.provider_id] = "";
    } else {
      return Status::Unavailable("reading transfer " + t.provider_id + " at the PSP: " + transfer.error().code + ": " +
                                 transfer.error().message);
    }
  }
  return Status::Ok();
}

Result<refund::ReconciliationRun> SummarizeRun(const refund::ReconciliationReport& left, int64_t repaired,
                                               const std::string& actor, TimeMs now) {
  refund::ReconciliationRun run;
  run.run_at = now;
  run.actor = actor;
  run.repaired = repaired;
  for (const refund::Drift& d : left.drifts) {
    ++run.drifts_by_kind[std::string(refund::DriftKindName(d.kind))];
    std::set<std::string> currencies;
    for (const auto& [c, _] : d.psp_amount) currencies.insert(c);
    for (const auto& [c, _] : d.ledger_amount) currencies.insert(c);
    for (const std::string& c : currencies) {
      auto psp = d.psp_amount.find(c);
      auto ledger = d.ledger_amount.find(c);
      SF_ASSIGN_OR_RETURN(int64_t diff, refund::CheckedSub(psp == d.psp_amount.end() ? 0 : psp->second,
                                                           ledger == d.ledger_amount.end() ? 0 : ledger->second));
      if (diff < 0) {
        SF_ASSIGN_OR_RETURN(diff, refund::CheckedSub(0, diff));
      }
      int64_t& total = run.amount_minor_by_currency[c];
      SF_ASSIGN_OR_RETURN(total, refund::CheckedAdd(total, diff));
    }
  }
  return run;
}

}  // namespace steadfast::refund
