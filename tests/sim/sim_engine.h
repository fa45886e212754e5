// SimEngine: one incarnation of the engine process, driven by hand.
//
// It holds exactly what `steadfast serve` holds in memory (the activity
// registry with the refund plugin initialised, the store, the workflow
// service and the task executor), wired as Engine wires them, but without
// Engine's threads: the simulation's loop decides when a due task is
// claimed and run, and plays the watchdog when simulated time passes an
// attempt's deadline. Opening one does what Engine::Start does for
// recovery (frees the leases the node's previous incarnation left);
// destroying one is a process dying: nothing is flushed or handed back.
#ifndef STEADFAST_TESTS_SIM_SIM_ENGINE_H_
#define STEADFAST_TESTS_SIM_SIM_ENGINE_H_

#include <deque>
#include <memory>
#include <vector>
#include <string>

#include "core/random.h"
#include "runtime/task_executor.h"
#include "runtime/workflow_catalog.h"
#include "runtime/workflow_service.h"
#include "steadfast/http_transport.h"
#include "steadfast/logger.h"
#include "steadfast/registry.h"
#include "store/plugin_schemas.h"
#include "store/store.h"

namespace steadfast::sim {

inline constexpr const char* kNodeName = "sim";
inline constexpr const char* kDatabasePath = "/sim/engine.db";
inline constexpr int64_t kLeaseMs = 60'000;

struct EngineParts {
  const Value* refund_config = nullptr;  // plugin_config.refund
  WorkflowCatalog* catalog = nullptr;
  HttpTransport* http = nullptr;
  const Clock* clock = nullptr;
  Random* random = nullptr;
  Logger* logger = nullptr;
  std::function<void(int64_t ms)> sleep;  // the executor's waits: simulated time
};

class SimEngine {
 public:
  // Initialises the plugin, opens the store on the simulated disk and frees
  // the previous incarnation's leases. Fails as the process would at start.
  static Result<std::unique_ptr<SimEngine>> Open(const EngineParts& parts, const std::string& owner);
  ~SimEngine();
  SimEngine(const SimEngine&) = delete;
  SimEngine& operator=(const SimEngine&) = delete;

  WorkflowService& service() { return *service_; }
  TaskExecutor& executor() { return *executor_; }
  Store& store() { return *store_; }
  const std::string& owner() const { return owner_; }
  // Tasks handed to this process to run now (Engine's ready queue).
  std::deque<TaskRecord>& ready() { return ready_; }
  // Claims due tasks into ready() (the scheduler's pass); how many.
  Result<int> ClaimDue(int capacity);
  // Runs the next ready task to its checkpoint (a worker's turn); false when none.
  bool RunNext();
  // The watchdog's pass: abandons attempts past their start-to-close deadline.
  void Watchdog();
  // Acknowledged commits seen (instance id -> highest version), for the
  // durability check.
  using AckFn = std::function<void(const InstanceRecord&, const std::vector<HistoryEvent>&)>;
  void SetAckObserver(AckFn fn) { ack_ = std::move(fn); }
  // Sees every attempt's end (for the run's trace).
  void SetAttemptObserver(AttemptObserver fn) { attempt_ = std::move(fn); }

 private:
  SimEngine() = default;
  const Clock* clock_ = nullptr;
  Logger* logger_ = nullptr;
  std::string owner_;
  ActivityRegistry registry_;
  DeclaredPluginSchemas schemas_;
  PluginStorageHandle storage_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<WorkflowService> service_;
  std::unique_ptr<TaskExecutor> executor_;
  std::deque<TaskRecord> ready_;
  std::vector<std::shared_ptr<RunningAttempt>> running_;  // in start order (no pointer order)
  AckFn ack_;
  AttemptObserver attempt_;
};

}  // namespace steadfast::sim

#endif  // STEADFAST_TESTS_SIM_SIM_ENGINE_H_
