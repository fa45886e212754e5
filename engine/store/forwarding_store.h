// ForwardingStore: a Store that hands every call to another one. The base of
// decorators that change a few calls and leave the rest to the real store:
// MeteredStore measures some (observability/metered_store.h), tests inject
// a fault into one (a busy database, a slow commit). A Store method added
// later is forwarded here once, not in every decorator.
#ifndef STEADFAST_STORE_FORWARDING_STORE_H_
#define STEADFAST_STORE_FORWARDING_STORE_H_

#include "store/store.h"

namespace steadfast {

class ForwardingStore : public Store {
 public:
  explicit ForwardingStore(Store& inner) : inner_(inner) {}

  Status PutDefinition(const DefinitionRecord& def) override { return inner_.PutDefinition(def); }
  Result<std::optional<DefinitionRecord>> GetDefinition(const std::string& hash) override {
    return inner_.GetDefinition(hash);
  }
  Result<StartResult> StartInstance(StartRequest req) override { return inner_.StartInstance(std::move(req)); }
  Result<CommitResult> Apply(Commit commit) override { return inner_.Apply(std::move(commit)); }
  Result<std::vector<TaskRecord>> ClaimDueTasks(const std::string& owner, TimeMs now, TimeMs lease_until,
                                                int limit) override {
    return inner_.ClaimDueTasks(owner, now, lease_until, limit);
  }
  Result<ClaimResult> ClaimDueTasks(const ClaimRequest& request) override { return inner_.ClaimDueTasks(request); }
  Status HoldActivity(const ActivityHold& hold) override { return inner_.HoldActivity(hold); }
  Result<bool> ReleaseActivity(const std::string& activity, const std::string& principal,
                               const std::string& reason) override {
    return inner_.ReleaseActivity(activity, principal, reason);
  }
  Result<std::vector<ActivityHold>> ListActivityHolds() override { return inner_.ListActivityHolds(); }
  Result<std::vector<ActivityHoldEvent>> ListActivityHoldLog(int limit) override {
    return inner_.ListActivityHoldLog(limit);
  }
  Result<int64_t> ReleaseLeases(const std::string& owner_prefix, const std::string& except_owner) override {
    return inner_.ReleaseLeases(owner_prefix, except_owner);
  }
  Status ReturnUnstartedTask(const TaskRecord& task) override { return inner_.ReturnUnstartedTask(task); }
  Result<std::unique_ptr<NodeLock>> LockNode(const std::string& node_name) override {
    return inner_.LockNode(node_name);
  }
  Status RenewLease(int64_t task_id, int64_t lease_token, TimeMs lease_until) override {
    return inner_.RenewLease(task_id, lease_token, lease_until);
  }
  Result<std::optional<TimeMs>> NextDueAt(TimeMs now) override { return inner_.NextDueAt(now); }
  Result<std::optional<InstanceRecord>> GetInstance(const std::string& id) override { return inner_.GetInstance(id); }
  Result<std::optional<int64_t>> GetInstanceVersion(const std::string& id) override {
    return inner_.GetInstanceVersion(id);
  }
  Result<std::vector<InstanceRecord>> ListInstances(const ListFilter& filter) override {
    return inner_.ListInstances(filter);
  }
  Result<int64_t> CountInstances(const ListFilter& filter) override { return inner_.CountInstances(filter); }
  Result<int64_t> PurgeInstances(const std::vector<std::string>& ids) override { return inner_.PurgeInstances(ids); }
  Status PutBulkOperation(const BulkOperationRecord& op) override { return inner_.PutBulkOperation(op); }
  Result<std::optional<BulkOperationRecord>> GetBulkOperation(const std::string& id) override {
    return inner_.GetBulkOperation(id);
  }
  Result<std::vector<BulkOperationRecord>> ListBulkOperations(const std::string& state, const std::string& before_id,
                                                              int limit) override {
    return inner_.ListBulkOperations(state, before_id, limit);
  }
  Result<std::vector<std::pair<InstanceStatus, int64_t>>> CountByStatus() override { return inner_.CountByStatus(); }
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
  Result<std::vector<HistoryEvent>> GetHistory(const std::string& instance_id, int64_t after_seq,
                                               int limit) override {
    return inner_.GetHistory(instance_id, after_seq, limit);
  }
  Result<std::vector<TaskRecord>> GetTasks(const std::string& instance_id) override {
    return inner_.GetTasks(instance_id);
  }
  Result<std::vector<SignalRecord>> GetPendingSignals(const std::string& instance_id,
                                                      const std::string& name) override {
    return inner_.GetPendingSignals(instance_id, name);
  }
  Result<std::optional<SignalRecord>> FindSignalByKey(const std::string& instance_id,
                                                      const std::string& idempotency_key) override {
    return inner_.FindSignalByKey(instance_id, idempotency_key);
  }
  bool ChangedExternally() override { return inner_.ChangedExternally(); }
  PluginStorage* plugin_storage() override { return inner_.plugin_storage(); }

 protected:
  Store& inner() { return inner_; }

 private:
  Store& inner_;
};

}  // namespace steadfast

#endif  // STEADFAST_STORE_FORWARDING_STORE_H_
