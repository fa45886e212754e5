// Gathering reconciliation's three sources for `steadfast reconcile`:
// the PSP's refund list (through the PSP adapter, every page), the refund
// plugin's ledger and refund records, and the workflow instances: every one
// still in flight, and the finished ones with their history (which refund
// steps succeeded, the amount step's output).
#ifndef STEADFAST_PLUGINS_REFUND_RECONCILE_SOURCES_H_
#define STEADFAST_PLUGINS_REFUND_RECONCILE_SOURCES_H_

#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "refund/plugin.h"
#include "refund/psp/psp_adapter.h"
#include "refund/reconciliation.h"
#include "refund/refund_store.h"
#include "refund/settlement_reconciliation.h"
#include "steadfast/clock.h"
#include "steadfast/commands.h"
#include "steadfast/status.h"

namespace steadfast::refund {

// PSP refunds (and finished workflows) are read from this long before a
// run's `since`, so that a refund booked after it but created at the PSP
// (or by a workflow) just before it is not "missing".
inline constexpr int64_t kPspLookBackMs = 24LL * 3600 * 1000;

// Where a refund verb's database and PSP come from, the way the refund
// plugin finds them: the database is --db, else the engine config's
// (--config FILE, else config/steadfast.yaml when it exists); the PSP is
// --psp-url, else plugin_config.refund.psp.base_url, its secret key only
// ever from the environment variable psp.secret_key_env names.
struct CommandSources {
  std::string database;
  refund::PspSettings psp;
  int64_t settle_margin_ms = refund::kDefaultSettleMarginMs;
};
// InvalidArgument when there is no database or no PSP; the config's errors.
Result<CommandSources> FindCommandSources(const CommandFlags& flags, CommandHost& host);
// The Stripe adapter for `psp` on the CLI's transport and clock (no
// circuit breaker: a verb makes a handful of calls). Errors say "PSP not set up: ...".
Result<std::unique_ptr<refund::PspAdapter>> MakeCommandPsp(const refund::PspSettings& psp, CommandHost& host);

// The refund plugin's tables in the engine database at `path`, opened
// through the CLI host (CommandHost::OpenPluginStorage with the refund schema).
struct RefundTables {
  std::string path;  // the engine database they are in
  std::unique_ptr<PluginStorage> storage;
  std::unique_ptr<refund::RefundStore> refunds;  // on storage
  refund::RefundStore* operator->() const { return refunds.get(); }
  refund::RefundStore& operator*() const { return *refunds; }
};
// NotFound "no database at <path>"; the store's errors otherwise.
Result<RefundTables> OpenRefundTables(CommandHost& host, const std::string& path);
// The refund tables of the database a listing verb names: --db PATH, else
// the engine config's (--config FILE, default kDefaultEngineConfigPath).
// On failure the message is printed and the exit code returned: usage when
// no database can be told, error when it cannot be opened.
std::variant<RefundTables, int> OpenCommandRefundTables(const CommandFlags& flags, CommandHost& host);

// Every PSP refund created at or after created_gte_ms (0 = all), tied to a
// workflow by metadata[workflow_id] / metadata[reservation_id], else by the
// plugin's refund records. Retries a transient PSP failure a few times;
// Unavailable with the PSP's error code and message after that, or at once
// when the listing cannot be complete (never a partial list).
Result<std::vector<refund::PspRefundFact>> LoadPspRefunds(refund::PspAdapter& psp, refund::RefundStore& refunds,
                                                          TimeMs created_gte_ms);

// Every ledger transaction, reduced to what reconciliation compares.
Result<std::vector<refund::LedgerFact>> LoadLedger(refund::RefundStore& refunds);

// Every instance still in flight (status only: its history is not read), and
// the finished ones whose history shows a refund.* activity; with
// updated_since_ms > 0 only finished ones last updated at or after it.
Result<std::vector<refund::WorkflowFact>> LoadWorkflows(WorkflowReader& workflows, TimeMs updated_since_ms);

// The settlement transactions for ReconcileSettlements, read now: call it
// before listing the PSP's refunds (a transaction that completes meanwhile
// then shows at the PSP and is younger than the settle margin).
Result<refund::SettlementReconciliationInput> LoadSettlementTransactions(PluginStorage& storage, TimeMs now_ms,
                                                                        int64_t settle_margin_ms);
// Completes `in` once the PSP's refunds and the workflows are read: the
// refunds, the workflows in flight, and each host payout's transfer looked
// up by id (at rest only). Unavailable when a transfer cannot be read
// (anything but resource_missing): never a judgement on part of the data.
Status CompleteSettlementInput(refund::PspAdapter& psp, const std::vector<refund::PspRefundFact>& psp_refunds,
                               const std::vector<refund::WorkflowFact>& workflows,
                               refund::SettlementReconciliationInput& in);

// What a run leaves, recorded in reconciliation_runs for /metrics
// (steadfast_reconciliation_*): the drift left by kind and the money in
// it per currency (checked sums: InvalidArgument on overflow).
Result<refund::ReconciliationRun> SummarizeRun(const refund::ReconciliationReport& left, int64_t repaired,
                                               const std::string& actor, TimeMs now);

}  // namespace steadfast::refund

#endif  // STEADFAST_PLUGINS_REFUND_RECONCILE_SOURCES_H_
