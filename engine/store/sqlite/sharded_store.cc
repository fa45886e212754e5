// ShardedStore: a Store that routes to the SQLite stores of its shards.
#include "store/sqlite/sharded_store.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "store/deployed_definition_store.h"
#include "store/sqlite/shard_layout.h"
#include "store/sqlite/shard_redo.h"

namespace steadfast {
namespace {

class ShardedStore final : public SqliteStore, public DeployedDefinitionStore {
 public:
  ShardedStore(std::vector<std::unique_ptr<ShardMember>> shards, std::unique_ptr<NodeLock> layout_lock)
      : layout_lock_(std::move(layout_lock)), shards_(std::move(shards)) {}

  Status PutDefinition(const DefinitionRecord& def) override { return home().PutDefinition(def); }
  Result<std::optional<DefinitionRecord>> GetDefinition(const std::string& hash) override {
    return home().GetDefinition(hash);
  }

  Result<DeployedDefinition> DeployDefinition(const DeployedDefinition& deployed) override {
    return home_deployed().DeployDefinition(deployed);
  }
  Result<std::vector<DeployedDefinition>> ListDeployedDefinitions() override {
    return home_deployed().ListDeployedDefinitions();
  }

  Result<StartResult> StartInstance(StartRequest req) override {
    if (req.instance.id.empty()) return Status::InvalidArgument("cannot start an instance without an id");
    const int shard = ShardOf(req.instance.id, count());
    if (req.schedule_tick.has_value() && shard != 0) return StartScheduled(shard, std::move(req));
    if (!req.instance.idempotency_key.empty()) {
      // The key is unique in each file; across them, look in the others
      // first, and keep two starts with one key from passing each other.
      std::lock_guard<std::mutex> lock(keyed_start_mu_);
      for (int s = 0; s < count(); ++s) {
        if (s == shard) continue;
        SF_ASSIGN_OR_RETURN(std::optional<std::string> id,
                            shards_[s]->FindInstanceIdByIdempotencyKey(req.instance.idempotency_key));
        if (id.has_value()) return ExistingForKey(*shards_[s], *id, req);
      }
      return StartIn(shard, std::move(req));
    }
    return StartIn(shard, std::move(req));
  }

  Result<CommitResult> Apply(Commit commit) override {
    if (commit.instance_id.empty()) return Status::InvalidArgument("commit names no instance");
    const int shard = ShardOf(commit.instance_id, count());
    if (commit.task_id != 0) {
      if (ShardOfTask(commit.task_id) != shard) {
        return Status::LeaseLost(fmt::format("task {} is not a task of instance {}", commit.task_id, commit.instance_id));
      }
      commit.task_id = LocalTaskId(commit.task_id);
    }
    for (const ChildStart& child : commit.start_children) {
      if (ShardOf(child.start.instance.id, count()) != shard) {
        return Status::Internal(fmt::format("child {} would live in another shard than {}",
                                            child.start.instance.id, commit.instance_id));
      }
    }
    for (const TaskForInstance& other : commit.tasks_for_others) {
      if (ShardOf(other.instance_id, count()) != shard) {
        return Status::Internal(
            fmt::format("a task for {} would cross shards from {}", other.instance_id, commit.instance_id));
      }
    }
    // Definitions a commit brings are read from the home file (GetDefinition).
    if (commit.continue_as_new.has_value() && commit.continue_as_new->next_definition.has_value()) {
      SF_RETURN_IF_ERROR(PutDefinitionOnce(*commit.continue_as_new->next_definition));
    }
    for (const ChildStart& child : commit.start_children) {
      if (child.definition.has_value()) SF_RETURN_IF_ERROR(PutDefinitionOnce(*child.definition));
    }
    Result<CommitResult> applied = shard != 0 && !commit.plugin_writes.empty()
                                       ? ApplyWithHomeWrites(shard, std::move(commit))
                                       : shards_[shard]->Apply(std::move(commit));
    SF_RETURN_IF_ERROR(applied.status());
    for (TaskRecord& t : applied->created_tasks) t.id = GlobalTaskId(t.id, shard);
    return applied;
  }

  Result<std::vector<TaskRecord>> ClaimDueTasks(const std::string& owner, TimeMs now, TimeMs lease_until,
                                                int limit) override {
    return ClaimTasks(*this, owner, now, lease_until, limit);
  }

  Result<ClaimResult> ClaimDueTasks(const ClaimRequest& request) override {
    if (request.limit <= 0) return ClaimResult();
    SF_RETURN_IF_ERROR(CheckClaimRequest(request));
    if (!request.limits.empty()) return ClaimLimited(request);
    // The best `limit` due tasks across the files, as one file would take
    // them: each file's ranks are read first, and each file then claims
    // its share of the best (a file's claim takes its own best first).
    std::vector<std::pair<int64_t, int>> ranks;  // (rank, shard)
    for (int s = 0; s < count(); ++s) {
      SF_ASSIGN_OR_RETURN(std::vector<int64_t> part, shards_[s]->PeekClaimRanks(request));
      for (int64_t rank : part) ranks.emplace_back(rank, s);
    }
    std::sort(ranks.begin(), ranks.end());
    std::vector<int> share(shards_.size(), 0);
    for (size_t i = 0; i < ranks.size() && i < static_cast<size_t>(request.limit); ++i) ++share[ranks[i].second];
    ClaimResult out;
    for (int s = 0; s < count(); ++s) {
      if (share[s] == 0) continue;
      ClaimRequest part = request;
      part.limit = share[s];
      SF_ASSIGN_OR_RETURN(ClaimResult r, shards_[s]->ClaimDueTasks(part));
      Merge(s, std::move(r), out);
    }
    SortClaimed(out);
    return out;
  }

  Status HoldActivity(const ActivityHold& hold) override {
    // The home file first: its log is the audit record; then the others.
    for (int s = 0; s < count(); ++s) SF_RETURN_IF_ERROR(shards_[s]->HoldActivity(hold));
    return Status::Ok();
  }

  Result<bool> ReleaseActivity(const std::string& activity, const std::string& principal,
                               const std::string& reason) override {
    SF_ASSIGN_OR_RETURN(bool released, home().ReleaseActivity(activity, principal, reason));
    for (int s = 1; s < count(); ++s) SF_RETURN_IF_ERROR(shards_[s]->ReleaseActivity(activity, principal, reason).status());
    return released;
  }

  Result<std::vector<ActivityHold>> ListActivityHolds() override { return home().ListActivityHolds(); }
  Result<std::vector<ActivityHoldEvent>> ListActivityHoldLog(int limit) override {
    return home().ListActivityHoldLog(limit);
  }

  Result<int64_t> ReleaseLeases(const std::string& owner_prefix, const std::string& except_owner) override {
    int64_t released = 0;
    for (auto& shard : shards_) {
      SF_ASSIGN_OR_RETURN(int64_t n, shard->ReleaseLeases(owner_prefix, except_owner));
      released += n;
    }
    return released;
  }

  Status ReturnUnstartedTask(const TaskRecord& task) override {
    TaskRecord local = task;
    local.id = LocalTaskId(task.id);
    return shards_[ShardOfTaskChecked(task.id)]->ReturnUnstartedTask(local);
  }

  Result<std::unique_ptr<NodeLock>> LockNode(const std::string& node_name) override {
    return home().LockNode(node_name);
  }

  Status RenewLease(int64_t task_id, int64_t lease_token, TimeMs lease_until) override {
    return shards_[ShardOfTaskChecked(task_id)]->RenewLease(LocalTaskId(task_id), lease_token, lease_until);
  }

  Result<std::optional<TimeMs>> NextDueAt(TimeMs now) override {
    std::optional<TimeMs> earliest;
    for (auto& shard : shards_) {
      SF_ASSIGN_OR_RETURN(std::optional<TimeMs> due, shard->NextDueAt(now));
      if (due.has_value() && (!earliest.has_value() || *due < *earliest)) earliest = due;
    }
    return earliest;
  }

  Result<std::optional<InstanceRecord>> GetInstance(const std::string& id) override {
    return ShardFor(id).GetInstance(id);
  }
  Result<std::optional<int64_t>> GetInstanceVersion(const std::string& id) override {
    return ShardFor(id).GetInstanceVersion(id);
  }

  Result<std::vector<InstanceRecord>> ListInstances(const ListFilter& filter) override {
    ListFilter each = filter;
    if (!filter.after_id.empty() && !filter.after_created_at.has_value()) {
      // The cursor is an instance of one shard; the others list after its place.
      SF_ASSIGN_OR_RETURN(std::optional<InstanceRecord> cursor, ShardFor(filter.after_id).GetInstance(filter.after_id));
      if (!cursor.has_value()) {
        return Status::InvalidArgument(fmt::format(
            "list cursor {} is not an instance id (pass the id of the last instance listed)", filter.after_id));
      }
      each.after_created_at = cursor->created_at;
    }
    std::vector<InstanceRecord> all;
    for (auto& shard : shards_) {
      SF_ASSIGN_OR_RETURN(std::vector<InstanceRecord> part, shard->ListInstances(each));
      for (InstanceRecord& r : part) all.push_back(std::move(r));
    }
    std::sort(all.begin(), all.end(), [](const InstanceRecord& a, const InstanceRecord& b) {
      return a.created_at != b.created_at ? a.created_at < b.created_at : a.id < b.id;
    });
    if (filter.limit > 0 && all.size() > static_cast<size_t>(filter.limit)) all.resize(static_cast<size_t>(filter.limit));
    return all;
  }

  Result<int64_t> CountInstances(const ListFilter& filter) override {
    int64_t total = 0;
    for (auto& shard : shards_) {
      SF_ASSIGN_OR_RETURN(int64_t n, shard->CountInstances(filter));
      total += n;
    }
    return total;
  }

  Result<std::vector<std::pair<InstanceStatus, int64_t>>> CountByStatus() override {
    std::map<InstanceStatus, int64_t> by_status;
    for (auto& shard : shards_) {
      SF_ASSIGN_OR_RETURN(auto counts, shard->CountByStatus());
      for (const auto& [status, n] : counts) by_status[status] += n;
    }
    return std::vector<std::pair<InstanceStatus, int64_t>>(by_status.begin(), by_status.end());
  }

  Result<std::vector<HistoryEvent>> GetHistory(const std::string& instance_id, int64_t after_seq,
                                               int limit) override {
    return ShardFor(instance_id).GetHistory(instance_id, after_seq, limit);
  }

  Result<std::vector<TaskRecord>> GetTasks(const std::string& instance_id) override {
    const int shard = ShardOf(instance_id, count());
    SF_ASSIGN_OR_RETURN(std::vector<TaskRecord> tasks, shards_[shard]->GetTasks(instance_id));
    for (TaskRecord& t : tasks) t.id = GlobalTaskId(t.id, shard);
    return tasks;
  }

  Result<std::vector<SignalRecord>> GetPendingSignals(const std::string& instance_id,
                                                      const std::string& name) override {
    return ShardFor(instance_id).GetPendingSignals(instance_id, name);
  }

  Result<std::optional<SignalRecord>> FindSignalByKey(const std::string& instance_id,
                                                      const std::string& idempotency_key) override {
    return ShardFor(instance_id).FindSignalByKey(instance_id, idempotency_key);
  }

  Result<int64_t> PurgeInstances(const std::vector<std::string>& ids) override {
    std::vector<std::vector<std::string>> by_shard(shards_.size());
    for (const std::string& id : ids) by_shard[static_cast<size_t>(ShardOf(id, count()))].push_back(id);
    int64_t purged = 0;
    for (int s = 0; s < count(); ++s) {
      if (by_shard[s].empty()) continue;
      SF_ASSIGN_OR_RETURN(int64_t n, shards_[s]->PurgeInstances(by_shard[s]));
      purged += n;
    }
    return purged;
  }

  Status PutBulkOperation(const BulkOperationRecord& op) override { return home().PutBulkOperation(op); }
  Result<std::optional<BulkOperationRecord>> GetBulkOperation(const std::string& id) override {
    return home().GetBulkOperation(id);
  }
  Result<std::vector<BulkOperationRecord>> ListBulkOperations(const std::string& state, const std::string& before_id,
                                                              int limit) override {
    return home().ListBulkOperations(state, before_id, limit);
  }

  bool ChangedExternally() override {
    bool changed = false;
    for (auto& shard : shards_) changed = shard->ChangedExternally() || changed;  // ask each: each keeps its mark
    return changed;
  }

  Status EnsureSchedules(const std::vector<ScheduleState>& schedules) override {
    return home().EnsureSchedules(schedules);
  }
  Result<std::vector<ScheduleState>> ListSchedules() override { return home().ListSchedules(); }
  Status RecordScheduleTicks(ScheduleTickWrite write) override { return home().RecordScheduleTicks(std::move(write)); }
  Status SetSchedulePaused(const std::string& name, bool paused, const std::string& principal,
                           const std::string& reason, TimeMs at) override {
    return home().SetSchedulePaused(name, paused, principal, reason, at);
  }
  Result<std::vector<ScheduleTick>> ListScheduleTicks(const std::string& name, int limit) override {
    return home().ListScheduleTicks(name, limit);
  }

  PluginStorage* plugin_storage() override { return home().plugin_storage(); }

  // SqliteStore.
  SqliteStoreStats Stats() const override {
    SqliteStoreStats total;
    for (const auto& shard : shards_) {
      SqliteStoreStats s = shard->Stats();
      total.transactions += s.transactions;
      total.requests += s.requests;
      total.failed_transactions += s.failed_transactions;
      total.largest_batch = std::max(total.largest_batch, s.largest_batch);
      total.pages_written += s.pages_written;
    }
    return total;
  }

  void SetCommitBatchObserver(std::function<void(int64_t requests)> observer) override {
    for (auto& shard : shards_) shard->SetCommitBatchObserver(observer);
  }

  Result<StoreSchemaVersions> SchemaVersions() override { return home().SchemaVersions(); }

  int ShardCount() const override { return count(); }

 private:
  int count() const { return static_cast<int>(shards_.size()); }
  ShardMember& home() { return *shards_[0]; }
  DeployedDefinitionStore& home_deployed() { return *dynamic_cast<DeployedDefinitionStore*>(shards_[0].get()); }
  ShardMember& ShardFor(const std::string& instance_id) { return *shards_[ShardOf(instance_id, count())]; }
  // A task id of another layout names no shard of this one: shard 0 then
  // answers kLeaseLost, as for any task that is gone.
  int ShardOfTaskChecked(int64_t task_id) const {
    const int s = ShardOfTask(task_id);
    return s < count() ? s : 0;
  }

  // A definition is stored once by hash and never removed: after its first
  // write here, later commits bringing it need not write the home file again.
  Status PutDefinitionOnce(const DefinitionRecord& def) {
    {
      std::lock_guard<std::mutex> lock(definitions_mu_);
      if (home_definitions_.count(def.hash) != 0) return Status::Ok();
    }
    SF_RETURN_IF_ERROR(home().PutDefinition(def));
    std::lock_guard<std::mutex> lock(definitions_mu_);
    home_definitions_.insert(def.hash);
    return Status::Ok();
  }

  Result<StartResult> StartIn(int shard, StartRequest req) {
    SF_ASSIGN_OR_RETURN(StartResult result, shards_[shard]->StartInstance(std::move(req)));
    for (TaskRecord& t : result.created_tasks) t.id = GlobalTaskId(t.id, shard);
    return result;
  }

  // A checkpoint of an instance outside the home file with plugin writes,
  // which live in the home file: committed by the redo of shard_redo.h.
  // Rows and markers of earlier redos that both files have are deleted on
  // the way (home rows in the home's transaction, markers in the shard's).
  Result<CommitResult> ApplyWithHomeWrites(int shard, Commit commit) {
    const int64_t redo_id = NewRedoId();
    const std::vector<PluginWrite> writes = std::move(commit.plugin_writes);
    std::vector<int64_t> forget_markers = TakeForgettableMarkers(shard);
    Result<CommitResult> result = shards_[shard]->ApplyWithHomeWrites(
        std::move(commit), redo_id, forget_markers, [&](const std::string& changeset) -> Status {
          std::vector<std::pair<int, int64_t>> forget = TakeDoneRedo();
          std::vector<int64_t> ids;
          for (const auto& f : forget) ids.push_back(f.second);
          Status s = home().CommitOwedRedo(writes, redo_id, shard, changeset, ids);
          std::lock_guard<std::mutex> lock(redo_mu_);
          if (s.ok()) {
            for (const auto& [k, id] : forget) forgettable_markers_[k].push_back(id);
          } else {
            done_redo_.insert(done_redo_.end(), forget.begin(), forget.end());
          }
          return s;
        });
    std::lock_guard<std::mutex> lock(redo_mu_);
    if (result.ok()) {
      done_redo_.emplace_back(shard, redo_id);
    } else {
      auto& markers = forgettable_markers_[shard];
      markers.insert(markers.end(), forget_markers.begin(), forget_markers.end());
    }
    return result;
  }

  std::vector<int64_t> TakeForgettableMarkers(int shard) {
    std::lock_guard<std::mutex> lock(redo_mu_);
    return std::exchange(forgettable_markers_[shard], {});
  }

  std::vector<std::pair<int, int64_t>> TakeDoneRedo() {
    std::lock_guard<std::mutex> lock(redo_mu_);
    return std::exchange(done_redo_, {});
  }

  // A schedule's start outside the home file, where the schedule's rows
  // are: the tick's precondition is checked there first (a tick handled
  // already starts nothing), then the instance is started, then the tick
  // recorded. Not one transaction: after a crash between the start and the
  // record, the scheduler takes the tick again, the start finds the
  // instance (its id is the tick's) and the tick is recorded then.
  Result<StartResult> StartScheduled(int shard, StartRequest req) {
    ScheduleTickWrite tick = std::move(*req.schedule_tick);
    req.schedule_tick.reset();
    SF_RETURN_IF_ERROR(home().RecordScheduleTicks(ScheduleTickWrite{tick.schedule, tick.expect_cursor_at,
                                                                    std::nullopt, {}, ""}));
    SF_ASSIGN_OR_RETURN(StartResult result, StartIn(shard, std::move(req)));
    tick.started_instance = result.instance.id;
    SF_RETURN_IF_ERROR(home().RecordScheduleTicks(std::move(tick)));
    return result;
  }

  // A start whose idempotency key an instance of another shard holds: that
  // instance when it was started with the same workflow and input, else
  // kConflict (as one file answers, write_ops.cc WriteStart).
  static Result<StartResult> ExistingForKey(ShardMember& shard, const std::string& id, const StartRequest& req) {
    SF_ASSIGN_OR_RETURN(std::optional<InstanceRecord> existing, shard.GetInstance(id));
    if (!existing.has_value()) {
      return Status::Conflict(fmt::format("idempotency key {} is held by instance {}, which is being purged",
                                          req.instance.idempotency_key, id));
    }
    if (existing->workflow_name != req.instance.workflow_name || !(existing->input == req.instance.input)) {
      return Status::Conflict(fmt::format(
          "idempotency key {} was already used by instance {} with a different {}", req.instance.idempotency_key, id,
          existing->workflow_name != req.instance.workflow_name ? fmt::format("workflow ({})", existing->workflow_name)
                                                                : std::string("input")));
    }
    StartResult result;
    result.outcome = StartOutcome::kExisting;
    result.instance = std::move(*existing);
    return result;
  }

  // A claim with activity limits: one at a time, each shard's claim told
  // how many attempts of each limited activity the other shards hold and
  // where the activity's rate bucket stands, so the limits hold across
  // the files as they do in one.
  Result<ClaimResult> ClaimLimited(const ClaimRequest& request) {
    std::lock_guard<std::mutex> lock(limited_claim_mu_);
    const int first = static_cast<int>(next_claim_shard_.fetch_add(1) % static_cast<unsigned>(count()));
    // activity -> attempts leased in each shard, counted once; each shard's
    // claim adds what it took to its own count.
    std::map<std::string, std::vector<int64_t>> leased;
    for (const ActivityLimit& l : request.limits) {
      if (l.max_in_flight <= 0) continue;
      std::vector<int64_t>& per_shard = leased[l.activity];
      for (auto& shard : shards_) {
        SF_ASSIGN_OR_RETURN(int64_t n, shard->CountLeasedAttempts(l.activity, request.now));
        per_shard.push_back(n);
      }
    }
    ClaimResult out;
    for (int i = 0; i < count() && static_cast<int>(out.tasks.size()) < request.limit; ++i) {
      const int s = (first + i) % count();
      ClaimRequest part = request;
      part.limit = request.limit - static_cast<int>(out.tasks.size());
      part.shard_context = ClaimRequest::ShardContext{};
      for (const ActivityLimit& l : request.limits) {
        if (l.max_in_flight > 0) {
          const std::vector<int64_t>& per_shard = leased[l.activity];
          int64_t elsewhere = 0;
          for (int k = 0; k < count(); ++k) elsewhere += k == s ? 0 : per_shard[static_cast<size_t>(k)];
          part.shard_context->leased_elsewhere[l.activity] = elsewhere;
        }
        if (l.per_second > 0) {
          SF_ASSIGN_OR_RETURN(int64_t tat, BucketTat(l.activity));
          part.shard_context->rate_tat_us[l.activity] = tat;
        }
      }
      SF_ASSIGN_OR_RETURN(ClaimResult r, shards_[s]->ClaimDueTasks(part));
      for (const TaskRecord& t : r.tasks) {
        auto counted = leased.find(t.activity);
        if (counted != leased.end()) ++counted->second[static_cast<size_t>(s)];
      }
      for (const auto& [activity, tat] : r.rate_tat_us) rate_tat_us_[activity] = std::max(rate_tat_us_[activity], tat);
      Merge(s, std::move(r), out);
    }
    SortClaimed(out);
    return out;
  }

  // Where an activity's rate bucket stands across the shards: the latest
  // state any of them reached (each claim writes its own file's), read
  // from the files once after opening.
  Result<int64_t> BucketTat(const std::string& activity) {
    auto known = rate_tat_us_.find(activity);
    if (known != rate_tat_us_.end()) return known->second;
    int64_t tat = 0;
    for (auto& shard : shards_) {
      SF_ASSIGN_OR_RETURN(int64_t here, shard->RateBucketTat(activity));
      tat = std::max(tat, here);
    }
    rate_tat_us_[activity] = tat;
    return tat;
  }

  static void Merge(int shard, ClaimResult part, ClaimResult& out) {
    for (TaskRecord& t : part.tasks) {
      t.id = GlobalTaskId(t.id, shard);
      out.tasks.push_back(std::move(t));
    }
    if (part.next_rate_slot_at != 0 && (out.next_rate_slot_at == 0 || part.next_rate_slot_at < out.next_rate_slot_at)) {
      out.next_rate_slot_at = part.next_rate_slot_at;
    }
  }

  static void SortClaimed(ClaimResult& out) {
    std::sort(out.tasks.begin(), out.tasks.end(), [](const TaskRecord& a, const TaskRecord& b) {
      return a.due_at != b.due_at ? a.due_at < b.due_at : a.id < b.id;
    });
  }

  const std::unique_ptr<NodeLock> layout_lock_;  // held while open: no re-spread under this process
  const std::vector<std::unique_ptr<ShardMember>> shards_;
  std::atomic<unsigned> next_claim_shard_{0};
  std::mutex keyed_start_mu_;
  std::mutex limited_claim_mu_;
  std::map<std::string, int64_t> rate_tat_us_;  // GUARDED_BY(limited_claim_mu_): the latest bucket state seen
  std::mutex definitions_mu_;
  std::set<std::string> home_definitions_;  // GUARDED_BY(definitions_mu_): hashes this store put in the home file
  std::mutex redo_mu_;
  std::vector<std::pair<int, int64_t>> done_redo_;           // GUARDED_BY(redo_mu_): (shard, id) both files have
  std::map<int, std::vector<int64_t>> forgettable_markers_;  // GUARDED_BY(redo_mu_): markers whose home rows are gone
};

}  // namespace

Result<std::unique_ptr<SqliteStore>> MakeShardedStore(std::vector<std::unique_ptr<ShardMember>> shards,
                                                      std::unique_ptr<NodeLock> layout_lock) {
  // A hold placed or released while a process died between the files: the
  // home file's holds are the ones in force.
  SF_ASSIGN_OR_RETURN(std::vector<ActivityHold> holds, shards[0]->ListActivityHolds());
  for (size_t k = 1; k < shards.size(); ++k) {
    SF_ASSIGN_OR_RETURN(std::vector<ActivityHold> here, shards[k]->ListActivityHolds());
    for (const ActivityHold& h : here) {
      const bool kept = std::any_of(holds.begin(), holds.end(), [&](const ActivityHold& o) { return o.activity == h.activity; });
      if (!kept) SF_RETURN_IF_ERROR(shards[k]->ReleaseActivity(h.activity, h.held_by, "released in the home file").status());
    }
    for (const ActivityHold& h : holds) {
      const bool there = std::any_of(here.begin(), here.end(), [&](const ActivityHold& o) {
        return o.activity == h.activity && o.reason == h.reason && o.held_by == h.held_by;
      });
      if (!there) SF_RETURN_IF_ERROR(shards[k]->HoldActivity(h));
    }
  }
  return std::unique_ptr<SqliteStore>(std::make_unique<ShardedStore>(std::move(shards), std::move(layout_lock)));
}

}  // namespace steadfast
