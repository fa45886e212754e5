// MeteredStore: a Store that forwards every call to another Store and
// measures it: checkpoint commit latency (StartInstance, Apply), store
// errors by operation and code, and, for a SqliteStore underneath, its group
// commit counters (transactions, checkpoints they carried, failures).
//
// A decorator, so neither the engine nor the SQLite store knows about
// metrics: `steadfast serve` hands the engine a MeteredStore wrapping the
// real one. The cost per call is two steady_clock reads and a few relaxed
// atomic adds.
#ifndef STEADFAST_OBSERVABILITY_METERED_STORE_H_
#define STEADFAST_OBSERVABILITY_METERED_STORE_H_

#include <string>

#include "metrics/registry.h"
#include "store/forwarding_store.h"

namespace steadfast {

class MeteredStore final : public ForwardingStore {
 public:
  // inner and registry must outlive this object.
  MeteredStore(Store& inner, metrics::Registry& registry);
  ~MeteredStore() override;  // stops observing the inner store's commits

  // Measured. Everything else (holds, bulk operations,
  // schedules, node locks, plugin tables: rare or not the engine's hot
  // path) is forwarded unmeasured by ForwardingStore.
  Status PutDefinition(const DefinitionRecord& def) override;
  Result<std::optional<DefinitionRecord>> GetDefinition(const std::string& hash) override;
  Result<StartResult> StartInstance(StartRequest req) override;
  Result<CommitResult> Apply(Commit commit) override;
  Result<std::vector<TaskRecord>> ClaimDueTasks(const std::string& owner, TimeMs now, TimeMs lease_until,
                                                int limit) override;
  Result<ClaimResult> ClaimDueTasks(const ClaimRequest& request) override;
  Result<int64_t> ReleaseLeases(const std::string& owner_prefix, const std::string& except_owner) override;
  Status ReturnUnstartedTask(const TaskRecord& task) override;
  Status RenewLease(int64_t task_id, int64_t lease_token, TimeMs lease_until) override;
  Result<std::optional<TimeMs>> NextDueAt(TimeMs now) override;
  Result<std::optional<InstanceRecord>> GetInstance(const std::string& id) override;
  Result<std::vector<InstanceRecord>> ListInstances(const ListFilter& filter) override;
  Result<int64_t> CountInstances(const ListFilter& filter) override;
  Result<std::vector<std::pair<InstanceStatus, int64_t>>> CountByStatus() override;
  Result<std::vector<HistoryEvent>> GetHistory(const std::string& instance_id, int64_t after_seq, int limit) override;
  Result<std::vector<TaskRecord>> GetTasks(const std::string& instance_id) override;
  Result<std::vector<SignalRecord>> GetPendingSignals(const std::string& instance_id,
                                                      const std::string& name) override;
  Result<std::optional<SignalRecord>> FindSignalByKey(const std::string& instance_id,
                                                      const std::string& idempotency_key) override;

  using ForwardingStore::inner;

 private:
  // Counts a failed call (expected outcomes of optimistic concurrency,
  // conflicts and lost leases, are counted too: the code label tells them apart).
  void Count(const char* op, const Status& s);

  metrics::Histogram& start_seconds_;
  metrics::Histogram& apply_seconds_;
  metrics::Family<metrics::Counter>& errors_;
  metrics::Counter& transactions_;
  metrics::Counter& checkpoints_;
  metrics::Counter& failed_transactions_;
  metrics::Gauge& largest_batch_;
  metrics::Counter& pages_written_;
  metrics::Histogram& batch_size_;
};

}  // namespace steadfast

#endif  // STEADFAST_OBSERVABILITY_METERED_STORE_H_
