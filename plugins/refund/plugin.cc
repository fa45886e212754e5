// Refund plugin registration: config, shared services, the activities,
// their metrics.
#include "refund/plugin.h"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "refund/activities.h"
#include "refund/batch_preview.h"
#include "refund/calculate_amount_activity.h"
#include "refund/http_routes.h"
#include "refund/policy.h"
#include "refund/psp/circuit_breaking_psp_adapter.h"
#include "refund/psp/stripe_psp_adapter.h"
#include "refund/psp/trace_propagation.h"
#include "refund/refund_metrics.h"
#include "refund/refund_services.h"
#include "refund/settlement_event_store.h"
#include "steadfast/batch_preview.h"
#include "steadfast/time_text.h"

namespace steadfast::refund {
namespace {

Status Bad(const std::string& field, const std::string& what) {
  return Status::InvalidArgument("refund plugin config: '" + field + "' " + what);
}

Status ReadString(const Value& section, const char* key, const std::string& field, std::string& out) {
  const Value* v = section.Find(key);
  if (v == nullptr || v->is_null()) return Status::Ok();
  if (!v->is_string()) return Bad(field, "must be a string");
  out = v->AsString();
  return Status::Ok();
}

// "10s" / "30d" or integer milliseconds; must be > 0 (>= 0 when allow_zero).
Status ReadDuration(const Value& section, const char* key, const std::string& field, int64_t& out,
                    bool allow_zero = false) {
  const Value* v = section.Find(key);
  if (v == nullptr || v->is_null()) return Status::Ok();
  int64_t ms = -1;
  if (v->is_int()) {
    ms = v->AsInt();
  } else if (v->is_string()) {
    Result<int64_t> parsed = ParseDurationMs(v->AsString());
    if (!parsed.ok()) return Bad(field, "must be a duration like 10s: " + parsed.status().message());
    ms = *parsed;
  } else {
    return Bad(field, "must be a duration (\"10s\") or milliseconds");
  }
  if (ms < 0 || (ms == 0 && !allow_zero)) return Bad(field, "must be positive");
  out = ms;
  return Status::Ok();
}

Status ReadInt(const Value& section, const char* key, const std::string& field, int& out) {
  const Value* v = section.Find(key);
  if (v == nullptr || v->is_null()) return Status::Ok();
  if (!v->is_int() || v->AsInt() < 1 || v->AsInt() > 1000) return Bad(field, "must be an integer from 1 to 1000");
  out = static_cast<int>(v->AsInt());
  return Status::Ok();
}

std::string Resolve(const std::string& dir, const std::string& path) {
  if (path.empty() || dir.empty() || path == ":memory:" || std::filesystem::path(path).is_absolute()) return path;
  return (std::filesystem::path(dir) / path).lexically_normal().string();
}

}  // namespace

Result<RefundPluginConfig> RefundPluginConfig::FromValue(const Value& section) {
  RefundPluginConfig config;
  if (section.is_null()) return config;
  if (!section.is_map()) return Status::InvalidArgument("refund plugin config must be a map");
  if (const Value* path = section.Find("policies"); path != nullptr && !path->is_null()) {
    if (!path->is_string() || path->AsString().empty()) {
      return Status::InvalidArgument("refund plugin config: 'policies' must be a file path");
    }
    config.policies_path = path->AsString();
  }
  static const char* kKnown[] = {"policies",         "risk_rules",      "database",        "psp",
                                 "inventory_url",    "notification_url", "service_token_env", "service_timeout",
                                 "return_window",    "non_returnable_categories", "notify",
                                 "reconcile_settle_margin"};
  for (const auto& [key, _] : section.AsMap()) {
    bool known = false;
    for (const char* k : kKnown) known = known || key == k;
    if (!known) return Bad(key, "is not a refund plugin setting");
  }
  SF_RETURN_IF_ERROR(ReadString(section, "risk_rules", "risk_rules", config.risk_rules_path));
  if (const Value* db = section.Find("database"); db != nullptr && !db->is_null()) {
    return Bad("database",
               "is no longer a refund plugin setting: the plugin's tables live in the engine's database "
               "(the top-level `database`): remove it (docs/plugins.md, \"Plugin state\", shows how to bring tables "
               "over from a separate file)");
  }
  SF_RETURN_IF_ERROR(ReadString(section, "inventory_url", "inventory_url", config.inventory_base_url));
  SF_RETURN_IF_ERROR(ReadString(section, "notification_url", "notification_url", config.notification_base_url));
  SF_RETURN_IF_ERROR(ReadString(section, "service_token_env", "service_token_env", config.service_token_env));
  SF_RETURN_IF_ERROR(ReadDuration(section, "service_timeout", "service_timeout", config.service_timeout_ms));
  SF_RETURN_IF_ERROR(ReadDuration(section, "return_window", "return_window", config.return_window_ms));
  SF_RETURN_IF_ERROR(ReadDuration(section, "reconcile_settle_margin", "reconcile_settle_margin",
                                  config.reconcile_settle_margin_ms, true));
  if (const Value* cats = section.Find("non_returnable_categories"); cats != nullptr && !cats->is_null()) {
    if (!cats->is_list()) return Bad("non_returnable_categories", "must be a list of strings");
    config.non_returnable_categories.clear();
    for (const Value& c : cats->AsList()) {
      if (!c.is_string()) return Bad("non_returnable_categories", "must be a list of strings");
      config.non_returnable_categories.push_back(c.AsString());
    }
  }
  if (const Value* notify = section.Find("notify"); notify != nullptr && !notify->is_null()) {
    if (!notify->is_map()) return Bad("notify", "must be a map {max_tries, backoff}");
    SF_RETURN_IF_ERROR(ReadInt(*notify, "max_tries", "notify.max_tries", config.notify_max_tries));
    SF_RETURN_IF_ERROR(ReadDuration(*notify, "backoff", "notify.backoff", config.notify_backoff_ms));
  }
  if (const Value* psp = section.Find("psp"); psp != nullptr && !psp->is_null()) {
    if (!psp->is_map()) return Bad("psp", "must be a map");
    PspSettings& p = config.psp;
    SF_RETURN_IF_ERROR(ReadString(*psp, "base_url", "psp.base_url", p.base_url));
    SF_RETURN_IF_ERROR(ReadString(*psp, "secret_key", "psp.secret_key", p.secret_key));
    SF_RETURN_IF_ERROR(ReadString(*psp, "secret_key_env", "psp.secret_key_env", p.secret_key_env));
    SF_RETURN_IF_ERROR(ReadDuration(*psp, "timeout", "psp.timeout", p.timeout_ms));
    SF_RETURN_IF_ERROR(ReadDuration(*psp, "settle_wait", "psp.settle_wait", p.settle_wait_ms, true));
    SF_RETURN_IF_ERROR(ReadDuration(*psp, "poll_interval", "psp.poll_interval", p.poll_interval_ms));
    SF_RETURN_IF_ERROR(ReadDuration(*psp, "pending_retry_after", "psp.pending_retry_after", p.pending_retry_after_ms));
    SF_RETURN_IF_ERROR(ReadInt(*psp, "breaker_failures", "psp.breaker_failures", p.breaker_failures));
    SF_RETURN_IF_ERROR(ReadDuration(*psp, "breaker_open", "psp.breaker_open", p.breaker_open_ms));
  }
  return config;
}

Result<RefundPluginConfig> RefundPluginConfig::FromPluginContext(const PluginContext& ctx) {
  SF_ASSIGN_OR_RETURN(RefundPluginConfig config, FromValue(ctx.config));
  config.policies_path = Resolve(ctx.config_dir, config.policies_path);
  config.risk_rules_path = Resolve(ctx.config_dir, config.risk_rules_path);
  return config;
}

Result<RefundStore*> RefundServices::Store() const {
  if (!store) return Status::Unavailable("the refund plugin has no storage: the engine gave it none");
  return store.get();
}

ActivityError StoreError(const Status& s) {
  switch (s.code()) {
    case StatusCode::kBusy:
    case StatusCode::kUnavailable:
    case StatusCode::kInternal:
    case StatusCode::kResourceExhausted:
      return ActivityError::Retryable("refund_store_error", s.message());
    default:
      return ActivityError::NonRetryable("refund_store_error", s.message());
  }
}

namespace {

struct ActivitySpec {
  const char* name;
  ActivityFn (*make)(Services);
  const char* description;
};

ActivityFn MakeCalculateAmount(Services s) { return MakeCalculateAmountActivity(s->policies); }

// Every refund activity, in registration order.
constexpr ActivitySpec kActivities[] = {
    {kCalculateAmountActivity, &MakeCalculateAmount, "refund breakdown of a reservation under its refund policy"},
    {"refund.check_eligibility", &MakeCheckEligibilityActivity,
     "may this reservation/order be refunded now? {eligible, reason}"},
    {"refund.assess_risk", &MakeAssessRiskActivity, "rule-based risk score (0..1) and reasons"},
    {"refund.psp_refund", &MakePspRefundActivity, "refund through the PSP (Stripe API), idempotent by activity key"},
    {"refund.psp_payout", &MakePspPayoutActivity,
     "pay a marketplace seller's connected account (Stripe transfer), idempotent by activity key"},
    {"refund.psp_reverse_payout", &MakePspReversePayoutActivity,
     "compensation: reverse a seller's payout (Stripe transfer reversal), idempotent by key"},
    {"refund.release_inventory", &MakeReleaseInventoryActivity,
     "release capacity / restock returned items by inspection result"},
    {"refund.rehold_inventory", &MakeReholdInventoryActivity, "compensation: hold the released capacity again"},
    {"refund.notify_customer", &MakeNotifyCustomerActivity, "send the refund receipt; never fails the refund"},
    {"refund.post_ledger", &MakePostLedgerActivity, "post a balanced double-entry transaction, idempotent by key"},
    {"refund.open_manual_review", &MakeOpenManualReviewActivity, "compensation: open a manual review case"},
    {"refund.record_unfinished_refund", &MakeRecordUnfinishedRefundActivity,
     "compensation of a refund that moved money: post it, open a review case"},
    {"refund.create_return_label", &MakeCreateReturnLabelActivity, "open an RMA and issue its return label"},
    {"refund.release_claim", &MakeReleaseClaimActivity,
     "compensation: drop this workflow's claim on a refund request"},
    {"refund.close_rma", &MakeCloseRmaActivity, "close a return authorisation"},
    {"refund.adjust_loyalty", &MakeAdjustLoyaltyActivity, "adjust a customer's loyalty points once per key"},
    {"refund.reconcile", &MakeReconcileActivity,
     "compare the ledger, the refund workflows and the PSP and record the drift (report only)"},
    {"refund.record_settlement", &MakeRecordSettlementActivity,
     "write a cancellation's settlement snapshot and its transactions (pending) with the checkpoint"},
    {"refund.open_claim", &MakeOpenClaimActivity,
     "open a host's claim (items, evidence messages) against a reservation, once per claim id"},
    {"refund.add_claim_message", &MakeAddClaimMessageActivity, "add an evidence message to a claim, once per key"},
    {"refund.decide_claim", &MakeDecideClaimActivity,
     "decide a claim's items from its reviewers' approval payloads (with the checkpoint)"},
    {"refund.settle_claim", &MakeSettleClaimActivity,
     "settle a decided claim: guest refund, host and claim payout, snapshot and transactions (with the checkpoint)"},
    {"refund.return_deposit", &MakeReturnDepositActivity,
     "return the security deposit (or what a claim left of it) by a PSP refund of its charge; booked when it moves"},
    {"refund.sync_disputes", &MakeSyncDisputesActivity,
     "pull the PSP's new disputes, record them, and route those overlapping a refund to a person"},
    {"refund.sync_settlements", &MakeSyncSettlementsActivity,
     "pull the PSP's settlements of pending refunds and payouts and move their transactions"},
};

// The scrape-time gauges: the last reconciliation run's drift, read from
// the refund tables (`steadfast reconcile` runs in a process of its own),
// and the PSP circuit breaker's state.
void AddCollectors(MetricsSink& sink, const std::shared_ptr<const RefundServices>& services) {
  RegisterReconciliationGauges(sink);
  std::weak_ptr<const RefundServices> weak_services = services;
  auto currencies_shown = std::make_shared<std::set<std::string>>();  // only the collector touches it
  sink.SetCollector("refund.reconciliation", [&sink, weak_services, currencies_shown] {
    std::shared_ptr<const RefundServices> alive = weak_services.lock();
    if (!alive) return;
    Result<RefundStore*> store = alive->Store();
    if (!store.ok()) return;
    Result<std::optional<ReconciliationRun>> run = (*store)->LastReconciliationRun();
    if (!run.ok() || !run->has_value()) return;
    const ReconciliationRun& last = **run;
    std::map<std::string, int64_t> amounts = last.amount_minor_by_currency;
    for (const std::string& c : *currencies_shown) amounts.emplace(c, 0);  // drift cleared since: 0
    for (const auto& [c, _] : amounts) currencies_shown->insert(c);
    PublishReconciliationDrift(sink, last.drifts_by_kind, amounts, last.run_at);
  });
  RegisterSettlementTransactionGauges(sink, [weak_services]() -> Result<SettlementTransactionCounts> {
    std::shared_ptr<const RefundServices> alive = weak_services.lock();
    if (!alive || alive->storage == nullptr) return Status::Unavailable("no refund tables");
    return SettlementEventStore(*alive->storage).CountByStatusAndKind();
  });
  if (services->psp) {
    // Weak: the sink may outlive these services (tests set up many).
    std::weak_ptr<const RefundServices> weak = services;
    RegisterCircuitStateGauge(sink, "stripe", [weak] {
      std::shared_ptr<const RefundServices> alive = weak.lock();
      auto* guarded = alive ? dynamic_cast<const CircuitBreakingPspAdapter*>(alive->psp.get()) : nullptr;
      return guarded != nullptr ? guarded->breaker().state() : CircuitState::kClosed;
    });
  }
}

}  // namespace

Status RegisterRefundActivities(ActivityRegistry& registry, const RefundPluginConfig& config,
                                const PluginContext& host) {
  if (host.http == nullptr) return Status::InvalidArgument("refund plugin: no HTTP transport in the plugin context");
  Result<PolicySet> policies = PolicySet::Load(config.policies_path);
  if (!policies.ok()) return policies.status();
  auto shared = std::make_shared<const PolicySet>(std::move(policies).value());

  auto services = std::make_shared<RefundServices>();
  services->config = config;
  services->policies = shared;
  if (!config.risk_rules_path.empty()) {
    SF_ASSIGN_OR_RETURN(services->risk_rules, RiskRules::Load(config.risk_rules_path));
  }
  if (host.schemas != nullptr) SF_RETURN_IF_ERROR(host.schemas->Declare(RefundStore::Schema()));
  if (host.storage != nullptr) services->store = std::make_unique<RefundStore>(*host.storage);
  services->storage = host.storage;
  services->workflows = host.workflows;

  const Clock& clock = host.clock != nullptr ? *host.clock : SystemClock::Instance();
  // Every outgoing call carries the running attempt's traceparent.
  services->transport = std::make_unique<TracePropagatingTransport>(*host.http);
  HttpTransport& transport = *services->transport;
  if (config.psp.base_url.empty()) {
    services->psp_problem = "no PSP configured (plugin_config.refund.psp.base_url)";
  } else {
    StripeConfig sc;
    sc.base_url = config.psp.base_url;
    sc.secret_key = config.psp.secret_key;
    sc.secret_key_env = config.psp.secret_key_env;
    sc.timeout_ms = config.psp.timeout_ms;
    Result<std::unique_ptr<StripePspAdapter>> stripe = StripePspAdapter::Create(sc, transport, clock);
    if (stripe.ok()) {
      CircuitBreakerOptions breaker;
      breaker.failure_threshold = config.psp.breaker_failures;
      breaker.open_duration_ms = config.psp.breaker_open_ms;
      services->psp = std::make_unique<CircuitBreakingPspAdapter>(std::move(stripe).value(), breaker, clock);
    } else {
      services->psp_problem = "PSP not set up: " + stripe.status().message();
    }
  }
  std::string token;
  if (!config.service_token_env.empty()) {
    if (const char* t = std::getenv(config.service_token_env.c_str()); t != nullptr) token = t;
  }
  auto make_client = [&](const char* service, const std::string& url, std::unique_ptr<JsonHttpClient>& out,
                         std::string& problem) {
    if (url.empty()) {
      problem = fmt::format("no {} service configured (plugin_config.refund.{}_url)", service, service);
      return;
    }
    JsonHttpClientOptions o;
    o.service = service;
    o.base_url = url;
    o.bearer_token = token;
    o.timeout_ms = config.service_timeout_ms;
    Result<std::unique_ptr<JsonHttpClient>> c = JsonHttpClient::Create(o, transport, clock);
    if (c.ok()) {
      out = std::move(c).value();
    } else {
      problem = fmt::format("{} client not set up: {}", service, c.status().message());
    }
  };
  make_client("inventory", config.inventory_base_url, services->inventory, services->inventory_problem);
  make_client("notification", config.notification_base_url, services->notification, services->notification_problem);

  if (host.batch_previews != nullptr) {
    SF_RETURN_IF_ERROR(host.batch_previews->Add(kRefundBatchWorkflow, MakeRefundBatchPreview(shared, clock)));
  }
  if (host.routes != nullptr) SF_RETURN_IF_ERROR(AddRefundRoutes(*host.routes, services, clock));
  Services s = services;
  for (const ActivitySpec& a : kActivities) {
    SF_RETURN_IF_ERROR(registry.Register(a.name, WithTracePropagation(a.make(s)), a.description));
  }
  if (host.metrics != nullptr) {
    AddCollectors(*host.metrics, services);
    if (host.events != nullptr) host.events->Subscribe(MakeRefundMetricsListener(*host.metrics));
  }
  return Status::Ok();
}

Status RegisterUnconfiguredRefundActivities(ActivityRegistry& registry, const std::string& why) {
  for (const ActivitySpec& a : kActivities) {
    ActivityFn refuse = [why](ActivityContext&) -> ActivityResult {
      return ActivityError::NonRetryable("refund_not_configured", "the refund plugin is not configured: " + why);
    };
    SF_RETURN_IF_ERROR(registry.Register(a.name, std::move(refuse), a.description));
  }
  return Status::Ok();
}

}  // namespace steadfast::refund
