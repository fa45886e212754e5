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
#include "store/store.h"

namespace steadfast {

class MeteredStore final : public Store {
 public:
  // inner and registry must outlive this object.
  MeteredStore(Store& inner, metrics::Registry& registry);
  ~MeteredStore() override;  // stops observing the inner store's commits

  Status PutDefinition(const DefinitionRecord& def) override;
  Result<std::optional<DefinitionRecord>> GetDefinition(const std::string& hash) override;
  Result<StartResult> StartInstance(StartRequest req) override;
  Result<CommitResult> Apply(Commit commit) override;
  Result<std::vector<TaskRecord>> ClaimDueTasks(const std::string& owner, TimeMs now, TimeMs lease_until,
                                                int limit) override;
  Result<ClaimResult> ClaimDueTasks(const ClaimRequest& request) override;
  Status HoldActivity(const ActivityHold& hold) override { return inner_.HoldActivity(hold); }
  Result<bool> ReleaseActivity(const std::string& activity, const std::string& principal,
                               const std::string& reason) override {
    return inner_.ReleaseActivity(activity, principal, reason);
  }
  Result<std::vector<ActivityHold>> ListActivityHolds() override { return inner_.ListActivityHolds(); }
  Result<std::vector<ActivityHoldEvent>> ListActivityHoldLog(int limit) override {
    return inner_.ListActivityHoldLog(limit);
  }
  Result<int64_t> ReleaseLeases(const std::string& owner_prefix, const std::string& except_owner) override;
  Status ReturnUnstartedTask(const TaskRecord& task) override;
  Result<std::unique_ptr<NodeLock>> LockNode(const std::string& node_name) override {
    return inner_.LockNode(node_name);
  }
  Status RenewLease(int64_t task_id, int64_t lease_token, TimeMs lease_until) override;
  Result<std::optional<TimeMs>> NextDueAt(TimeMs now) override;
  Result<std::optional<InstanceRecord>> GetInstance(const std::string& id) override;
  Result<std::vector<InstanceRecord>> ListInstances(const ListFilter& filter) override;
  Result<int64_t> CountInstances(const ListFilter& filter) override;
  // Bulk operations are rare and slow by nature: not metered.
  Status PutBulkOperation(const BulkOperationRecord& op) override { return inner_.PutBulkOperation(op); }
  Result<std::optional<BulkOperationRecord>> GetBulkOperation(const std::string& id) override {
    return inner_.GetBulkOperation(id);
  }
  Result<std::vector<BulkOperationRecord>> ListBulkOperations(const std::string& state, const std::string& before_id,
                                                              int limit) override {
    return inner_.ListBulkOperations(state, before_id, limit);
  }
  Result<std::vector<std::pair<InstanceStatus, int64_t>>> CountByStatus() override;
  Result<std::vector<HistoryEvent>> GetHistory(const std::string& instance_id, int64_t after_seq, int limit) override;
  Result<std::vector<TaskRecord>> GetTasks(const std::string& instance_id) override;
  Result<std::vector<SignalRecord>> GetPendingSignals(const std::string& instance_id,
                                                      const std::string& name) override;
  Result<std::optional<SignalRecord>> FindSignalByKey(const std::string& instance_id,
                                                      const std::string& idempotency_key) override;
  bool ChangedExternally() override { return inner_.ChangedExternally(); }
  // Schedules are the inner store's (not metered: a few writes a tick).
  Status EnsureSchedules(const std::vector<ScheduleState>& schedules) override {
    return inner_.EnsureSchedules(schedules);
  }
  Result<std::vector<ScheduleState>> ListSchedules() override { return inner_.ListSchedules(); }
  Status RecordScheduleTicks(ScheduleTickWrite write) override { return inner_.RecordScheduleTicks(std::move(write)); }
  Status SetSchedulePaused(const std::string& name, bool paused, const std::string& principal,
                           const std::string& reason, TimeMs at) override {
    return inner_.SetSchedulePaused(name, paused, principal, reason, at);
  }
  Result<std::vector<ScheduleTick>> ListScheduleTicks(const std::string& name, int limit) override {
    return inner_.ListScheduleTicks(name, limit);
  }
  // Plugin tables are the inner store's (their statements are not metered).
  PluginStorage* plugin_storage() override { return inner_.plugin_storage(); }

  Store& inner() { return inner_; }

 private:
  // Counts a failed call (expected outcomes of optimistic concurrency,
  // conflicts and lost leases, are counted too: the code label tells them apart).
  void Count(const char* op, const Status& s);

  Store& inner_;
  metrics::Histogram& start_seconds_;
  metrics::Histogram& apply_seconds_;
  metrics::Family<metrics::Counter>& errors_;
  metrics::Counter& transactions_;
  metrics::Counter& checkpoints_;
  metrics::Counter& failed_transactions_;
  metrics::Gauge& largest_batch_;
  metrics::Histogram& batch_size_;
};

}  // namespace steadfast

#endif  // STEADFAST_OBSERVABILITY_METERED_STORE_H_
