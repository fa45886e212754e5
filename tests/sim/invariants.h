// Invariants checked after every simulated run (and, for durability, after
// every restart). Each violation is one line naming the invariant first:
//   instance_lost, psp_effect_twice, psp_refunds_per_charge,
//   history_inconsistent, ledger_unbalanced, reconcile_drift,
//   acknowledged_commit_lost.
#ifndef STEADFAST_TESTS_SIM_INVARIANTS_H_
#define STEADFAST_TESTS_SIM_INVARIANTS_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sim_network.h"
#include "steadfast/clock.h"
#include "runtime/workflow_catalog.h"
#include "store/store.h"
#include "workload.h"

namespace steadfast::sim {

// What the store acknowledged for one instance: the highest version a
// commit returned (the version counts commits), and the history as read
// back right after each acknowledged commit (seq -> type).
struct Acknowledged {
  int64_t version = 0;
  std::map<int64_t, std::string> events;
};
using AcknowledgedCommits = std::map<std::string, Acknowledged>;

// Every acknowledged commit is still in the store.
void CheckAcknowledged(Store& store, const AcknowledgedCommits& acked, std::vector<std::string>& violations);

// The end-of-run checks; `store` has the refund plugin's tables. Money the
// PSP moved for a workflow that gave up on its PSP step with the whole
// retry budget used (max_attempts or schedule_to_close), without learning
// the outcome or without booking it, is the one drift the design leaves to
// `steadfast reconcile --repair`: it must be repairable, and is counted in
// *handed_to_reconcile, not reported.
void CheckFinalInvariants(Store& store, WorkflowCatalog& catalog, SimNetwork& network, const Clock& clock,
                          const std::vector<PlannedInstance>& planned, std::vector<std::string>& violations,
                          int* handed_to_reconcile);

}  // namespace steadfast::sim

#endif  // STEADFAST_TESTS_SIM_INVARIANTS_H_
