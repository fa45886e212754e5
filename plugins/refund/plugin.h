// The refund plugin's registration: its configuration and the one call the
// engine (or a test) makes to add the refund activities to a registry.
//
// Registers refund.calculate_amount, check_eligibility, assess_risk,
// psp_refund, release_inventory, notify_customer, post_ledger, the
// compensations open_manual_review, rehold_inventory and release_claim, and the return
// activities create_return_label, close_rma and adjust_loyalty
// (docs/refunds.md, "Activities").
#ifndef STEADFAST_PLUGINS_REFUND_PLUGIN_H_
#define STEADFAST_PLUGINS_REFUND_PLUGIN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "steadfast/registry.h"
#include "steadfast/status.h"
#include "steadfast/value.h"

namespace steadfast::refund {

inline constexpr char kDefaultPoliciesPath[] = "config/refund_policies.yaml";
inline constexpr char kDefaultPspSecretKeyEnv[] = "STEADFAST_PSP_SECRET_KEY";
// How long after a workflow finishes, or a PSP refund is created, before
// `steadfast reconcile` compares the subject: longer than a run of reconcile
// and than the clock skew between the PSP and us.
inline constexpr int64_t kDefaultSettleMarginMs = 15LL * 60 * 1000;

// plugin_config.refund.psp
struct PspSettings {
  std::string base_url;                            // "" = no PSP configured (psp_refund fails psp_not_configured)
  std::string secret_key;                          // discouraged: prefer secret_key_env
  std::string secret_key_env = kDefaultPspSecretKeyEnv;
  int64_t timeout_ms = 10'000;                     // per HTTP exchange
  int64_t settle_wait_ms = 3'000;                  // how long one attempt polls a pending refund
  int64_t poll_interval_ms = 250;                  // between polls within an attempt
  int64_t pending_retry_after_ms = 5'000;          // retry hint when still pending after settle_wait
  int breaker_failures = 5;                        // consecutive PSP failures that open the breaker
  int64_t breaker_open_ms = 5'000;                 // how long it stays open before a probe
};

struct RefundPluginConfig {
  std::string policies_path = kDefaultPoliciesPath;  // the refund policy YAML file
  std::string risk_rules_path;                       // risk rules YAML; "" = no rules (score 0)
  PspSettings psp;
  std::string inventory_base_url;                    // "" = inventory activities fail inventory_not_configured
  std::string notification_base_url;                 // "" = notify_customer reports sent: false
  std::string service_token_env;                     // env var with a bearer token for inventory/notifications
  int64_t service_timeout_ms = 5'000;
  int64_t return_window_ms = 30LL * 24 * 3600 * 1000;  // returns: this long after delivery
  std::vector<std::string> non_returnable_categories = {"final_sale", "perishable", "personalized", "hygiene"};
  int notify_max_tries = 3;                          // notification tries inside one attempt
  int64_t notify_backoff_ms = 200;                   // first delay between them (doubles)
  // `steadfast reconcile` compares a subject only this long after its
  // workflow finished and its PSP refund was created (docs/refunds.md §15).
  int64_t reconcile_settle_margin_ms = kDefaultSettleMarginMs;

  // From the plugin's section of the engine config:
  //   {policies, risk_rules, psp: {base_url, secret_key | secret_key_env, timeout,
  //    settle_wait, poll_interval, pending_retry_after, breaker_failures, breaker_open},
  //    inventory_url, notification_url, service_token_env, service_timeout, return_window,
  //    non_returnable_categories, notify: {max_tries, backoff}, reconcile_settle_margin}
  // Durations are strings ("10s", "30d") or integer milliseconds.
  // Null gives the defaults; a non-map or a wrongly typed field is InvalidArgument,
  // and so is `database`: the plugin's tables live in the engine's store now.
  static Result<RefundPluginConfig> FromValue(const Value& section);

  // FromValue, then relative file paths resolved against ctx.config_dir:
  // what the engine calls.
  static Result<RefundPluginConfig> FromPluginContext(const PluginContext& ctx);
};

// Loads the policy (and risk rule) files and registers the refund
// activities. From `host` it takes the HTTP transport (required), the clock
// (SystemClock when null) and, when set, the metrics sink (the refund SLIs,
// counted from host.events, and the breaker/reconciliation gauges). The
// plugin's tables (RefundStore::Schema()) are declared in host.schemas and
// reached through host.storage; without storage, the activities that need
// the tables fail with refund_store_error. Errors:
// the files' (NotFound, or InvalidArgument with file:line:col) or the
// registry's (AlreadyExists when called twice on one registry). A PSP that
// cannot be set up (e.g. the secret key's environment variable is unset)
// does not fail registration: refund.psp_refund then fails with the
// non-retryable psp_not_configured and the reason. Call before the engine
// starts; the loaded files are immutable afterwards.
Status RegisterRefundActivities(ActivityRegistry& registry, const RefundPluginConfig& config,
                                const PluginContext& host);

// Registers the same activities for an engine that has no refund
// configuration (no plugin_config.refund, no policy file where the default
// points): workflows naming them validate, and running one fails at once
// with the non-retryable refund_not_configured and `why`.
Status RegisterUnconfiguredRefundActivities(ActivityRegistry& registry, const std::string& why);

}  // namespace steadfast::refund

#endif  // STEADFAST_PLUGINS_REFUND_PLUGIN_H_
