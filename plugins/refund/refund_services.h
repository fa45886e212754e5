// RefundServices: what the refund activities share, built once at
// registration from RefundPluginConfig: the plugin's tables, the PSP adapter
// (Stripe behind a circuit breaker), the inventory and notification clients,
// the risk rules and the policies. Immutable after construction apart from
// the thread-safe objects it holds.
#ifndef STEADFAST_PLUGINS_REFUND_REFUND_SERVICES_H_
#define STEADFAST_PLUGINS_REFUND_REFUND_SERVICES_H_

#include <memory>
#include <string>

#include "refund/plugin.h"
#include "refund/policy.h"
#include "refund/psp/http_client.h"
#include "refund/psp/psp_adapter.h"
#include "refund/psp/trace_propagation.h"
#include "refund/refund_store.h"
#include "refund/risk_rules.h"
#include "steadfast/activity.h"
#include "steadfast/commands.h"
#include "steadfast/status.h"

namespace steadfast::refund {

struct RefundServices {
  // Declared first: the clients below send through it, so it is destroyed last.
  std::unique_ptr<TracePropagatingTransport> transport;
  RefundPluginConfig config;
  std::shared_ptr<const PolicySet> policies;
  RiskRules risk_rules;
  std::unique_ptr<RefundStore> store;             // null when the engine gave no storage
  PluginStorage* storage = nullptr;                // what store works on (the settlement gauges); may be null
  std::unique_ptr<PspAdapter> psp;                 // null when not configured
  std::string psp_problem;                         // why psp is null
  std::unique_ptr<JsonHttpClient> inventory;       // null when not configured
  std::string inventory_problem;
  std::unique_ptr<JsonHttpClient> notification;    // null when not configured
  std::string notification_problem;
  WorkflowReader* workflows = nullptr;             // the engine's workflows (refund.reconcile); null when none

  // The store, or Unavailable when the engine gave the plugin no storage.
  Result<RefundStore*> Store() const;
};

// An ActivityError for a store failure (Busy/Unavailable/Internal retryable,
// others non-retryable), code `refund_store_error`.
ActivityError StoreError(const Status& s);

}  // namespace steadfast::refund

#endif  // STEADFAST_PLUGINS_REFUND_REFUND_SERVICES_H_
