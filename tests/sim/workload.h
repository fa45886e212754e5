// Workload: the refund instances one seed starts, and what the people
// around them do (reviewers deciding approvals, the warehouse signalling a
// return's arrival and inspection).
//
// Inputs are the examples in workflows/examples/ with a fresh id, charge
// and amounts per instance, so every instance refunds its own charge. Each
// charge is seeded at the PSP with twice the amount paid: a second refund
// for the same reservation would then succeed at the PSP rather than be
// refused, and the invariants must catch it.
#ifndef STEADFAST_TESTS_SIM_WORKLOAD_H_
#define STEADFAST_TESTS_SIM_WORKLOAD_H_

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "runtime/transition.h"
#include "steadfast/value.h"
#include "store/store.h"

namespace steadfast::sim {

struct PlannedInstance {
  std::string id;           // instance id
  std::string workflow;     // reservation_refund | return_refund | marketplace_cancellation
  Value input;
  std::string charge;       // its own PSP charge
  int64_t charge_amount = 0;
  std::string currency;     // upper case
  bool acknowledged = false;  // Start returned OK: the instance must never be lost
};

// `count` instances drawn from `rng`; examples read from `examples_dir`.
Result<std::vector<PlannedInstance>> PlanInstances(const std::string& examples_dir, int count, std::mt19937_64& rng);

// What a person does next to an instance parked on a step, if anything:
// a decision for an approval, a signal for a signal step.
struct ClientAction {
  enum class Kind : int { kNone, kDecide, kSignal } kind = Kind::kNone;
  DecisionRequest decision;
  std::string signal;
  Value payload;
};
ClientAction NextClientAction(const InstanceRecord& rec, std::mt19937_64& rng);

}  // namespace steadfast::sim

#endif  // STEADFAST_TESTS_SIM_WORKLOAD_H_
