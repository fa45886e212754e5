// PgStore: the Store interface on PostgreSQL, glued from the pieces beside
// it (store/postgres/pg_store.h).
#include "store/postgres/pg_store.h"

#include <mutex>
#include <utility>

#include <fmt/format.h>

#include "core/crash_point.h"
#include "store/plugin_write.h"
#include "store/postgres/pg_catalog_ops.h"
#include "store/postgres/pg_checkpoint_committer.h"
#include "store/postgres/pg_checkpoint_statements.h"
#include "store/postgres/pg_start_statements.h"
#include "store/postgres/pg_node_lock.h"
#include "store/postgres/pg_plugin_migrations.h"
#include "store/postgres/pg_plugin_transaction.h"
#include "store/postgres/pg_pool.h"
#include "store/postgres/pg_read_ops.h"
#include "store/postgres/pg_schema.h"
#include "store/postgres/pg_task_listener.h"
#include "store/postgres/pg_transaction.h"
#include "store/postgres/pg_write_ops.h"

namespace steadfast {
namespace {

struct Done {};

Status ToStatus(const Result<Done>& r) { return r.ok() ? Status::Ok() : r.status(); }

class PgStore final : public Store, public PluginStorage, public DeployedDefinitionStore {
 public:
  PgStore(const PgStoreOptions& options, PgConnectionOptions connection, std::string channel)
      : clock_(options.clock != nullptr ? options.clock : &SystemClock::Instance()),
        logger_(options.logger != nullptr ? options.logger : &NullLogger::Instance()),
        channel_(std::move(channel)),
        pool_(std::move(connection), options.max_connections),
        committer_(
            &pool_, options.group_commit, channel_, [this](const EncodedCommit& e) { return CommitAlone(e); },
            [this](const EncodedStart& e) { return StartAlone(e); }) {}

  Status PutDefinition(const DefinitionRecord& def) override {
    if (def.hash.empty()) return Status::InvalidArgument("definition hash is empty");
    const TimeMs now = clock_->NowMs();
    return ToStatus(Write<Done>([&](PgConnection& c) -> Result<Done> {
      SF_RETURN_IF_ERROR(PgWritePutDefinition(c, def, now));
      return Done{};
    }));
  }

  Result<std::optional<DefinitionRecord>> GetDefinition(const std::string& hash) override {
    return Read([&](PgConnection& c) { return PgReadDefinition(c, hash); });
  }

  Result<StartResult> StartInstance(StartRequest req) override {
    if (req.instance.id.empty()) return Status::InvalidArgument("cannot start an instance without an id");
    SF_ASSIGN_OR_RETURN(EncodedStart start, EncodeStart(std::move(req), clock_->NowMs()));
    if (PgCanPipeline(start.request)) return committer_.Start(start);
    return Write<StartResult>([this, &start](PgConnection& c) -> Result<StartResult> {
      const ScheduleTickWrite& tick = *start.request.schedule_tick;
      // The tick's preconditions first (its schedule locked): a tick handled already starts nothing.
      SF_RETURN_IF_ERROR(PgWriteScheduleTicks(
          c, ScheduleTickWrite{tick.schedule, tick.expect_cursor_at, std::nullopt, {}, ""}, "", start.now));
      SF_ASSIGN_OR_RETURN(StartResult result, PgWriteStart(c, start));
      if (result.outcome == StartOutcome::kCreated) {
        SF_RETURN_IF_ERROR(PgWriteScheduleTicks(c, tick, result.instance.id, start.now));
      }
      SF_RETURN_IF_ERROR(NotifyIfUnheld(c, result.created_tasks));
      return result;
    });
  }

  // DeployedDefinitionStore.
  Result<DeployedDefinition> DeployDefinition(const DeployedDefinition& deployed) override {
    if (deployed.definition.hash.empty()) return Status::InvalidArgument("definition hash is empty");
    DeployedDefinition request = deployed;
    if (request.deployed_at == 0) request.deployed_at = clock_->NowMs();
    return Write<DeployedDefinition>([&request](PgConnection& c) { return PgWriteDeployDefinition(c, request); });
  }

  Result<std::vector<DeployedDefinition>> ListDeployedDefinitions() override {
    return Read([&](PgConnection& c) { return PgReadDeployedDefinitions(c); });
  }

  Status EnsureSchedules(const std::vector<ScheduleState>& schedules) override {
    const TimeMs now = clock_->NowMs();
    return ToStatus(Write<Done>([&](PgConnection& c) -> Result<Done> {
      SF_RETURN_IF_ERROR(PgWriteEnsureSchedules(c, schedules, now));
      return Done{};
    }));
  }

  Result<std::vector<ScheduleState>> ListSchedules() override {
    return Read([&](PgConnection& c) { return PgReadSchedules(c); });
  }

  Status RecordScheduleTicks(ScheduleTickWrite write) override {
    const TimeMs now = clock_->NowMs();
    return ToStatus(Write<Done>([&](PgConnection& c) -> Result<Done> {
      SF_RETURN_IF_ERROR(PgWriteScheduleTicks(c, write, write.started_instance, now));
      return Done{};
    }));
  }

  Status SetSchedulePaused(const std::string& name, bool paused, const std::string& principal,
                           const std::string& reason, TimeMs at) override {
    return ToStatus(Write<Done>([&](PgConnection& c) -> Result<Done> {
      SF_RETURN_IF_ERROR(PgWriteSchedulePaused(c, name, paused, principal, reason, at));
      return Done{};
    }));
  }

  Result<std::vector<ScheduleTick>> ListScheduleTicks(const std::string& name, int limit) override {
    return Read([&](PgConnection& c) { return PgReadScheduleTicks(c, name, limit); });
  }

  Status PutBulkOperation(const BulkOperationRecord& op) override {
    if (op.id.empty()) return Status::InvalidArgument("bulk operation id is empty");
    return ToStatus(Write<Done>([&op](PgConnection& c) -> Result<Done> {
      SF_RETURN_IF_ERROR(PgWritePutBulkOperation(c, op));
      return Done{};
    }));
  }

  Result<std::optional<BulkOperationRecord>> GetBulkOperation(const std::string& id) override {
    return Read([&](PgConnection& c) { return PgReadBulkOperation(c, id); });
  }

  Result<std::vector<BulkOperationRecord>> ListBulkOperations(const std::string& state, const std::string& before_id,
                                                              int limit) override {
    return Read([&](PgConnection& c) { return PgReadBulkOperations(c, state, before_id, limit); });
  }

  Result<CommitResult> Apply(Commit commit) override {
    if (commit.instance_id.empty()) return Status::InvalidArgument("commit names no instance");
    SF_ASSIGN_OR_RETURN(EncodedCommit encoded, EncodeCommit(std::move(commit), clock_->NowMs()));
    if (PgCanPipeline(encoded.commit)) return committer_.Commit(encoded);
    return CommitAlone(encoded);
  }

  Result<std::vector<TaskRecord>> ClaimDueTasks(const std::string& owner, TimeMs now, TimeMs lease_until,
                                                int limit) override {
    return ClaimTasks(*this, owner, now, lease_until, limit);
  }

  Result<ClaimResult> ClaimDueTasks(const ClaimRequest& request) override {
    if (request.limit <= 0) return ClaimResult();
    SF_RETURN_IF_ERROR(CheckClaimRequest(request));
    return Write<ClaimResult>([&](PgConnection& c) { return PgWriteClaim(c, request); });
  }

  Status HoldActivity(const ActivityHold& hold) override {
    if (hold.activity.empty()) return Status::InvalidArgument("a hold needs an activity name (or * for all)");
    const TimeMs now = clock_->NowMs();
    return ToStatus(Write<Done>([&](PgConnection& c) -> Result<Done> {
      SF_RETURN_IF_ERROR(PgWriteHoldActivity(c, hold, now));
      return Done{};
    }));
  }

  Result<bool> ReleaseActivity(const std::string& activity, const std::string& principal,
                               const std::string& reason) override {
    const TimeMs now = clock_->NowMs();
    return Write<bool>([&](PgConnection& c) { return PgWriteReleaseActivity(c, activity, principal, reason, now); });
  }

  Result<std::vector<ActivityHold>> ListActivityHolds() override {
    return Read([&](PgConnection& c) { return PgReadActivityHolds(c); });
  }

  Result<std::vector<ActivityHoldEvent>> ListActivityHoldLog(int limit) override {
    return Read([&](PgConnection& c) { return PgReadActivityHoldLog(c, limit); });
  }

  Result<int64_t> ReleaseLeases(const std::string& owner_prefix, const std::string& except_owner) override {
    return Write<int64_t>([&](PgConnection& c) -> Result<int64_t> {
      SF_ASSIGN_OR_RETURN(int64_t released, PgWriteReleaseLeases(c, owner_prefix, except_owner));
      if (released > 0) SF_RETURN_IF_ERROR(Notify(c));
      return released;
    });
  }

  Status ReturnUnstartedTask(const TaskRecord& task) override {
    return ToStatus(Write<Done>([&](PgConnection& c) -> Result<Done> {
      SF_RETURN_IF_ERROR(PgWriteReturnUnstartedTask(c, task));
      SF_RETURN_IF_ERROR(Notify(c));
      return Done{};
    }));
  }

  Result<std::unique_ptr<NodeLock>> LockNode(const std::string& node_name) override {
    return LockPgNode(pool_.options(), node_name);
  }

  Status RenewLease(int64_t task_id, int64_t lease_token, TimeMs lease_until) override {
    return ToStatus(Write<Done>([&](PgConnection& c) -> Result<Done> {
      SF_RETURN_IF_ERROR(PgWriteRenewLease(c, task_id, lease_token, lease_until));
      return Done{};
    }));
  }

  Result<std::optional<TimeMs>> NextDueAt(TimeMs now) override {
    return Read([&](PgConnection& c) { return PgReadNextDueAt(c, now); });
  }

  Result<std::optional<InstanceRecord>> GetInstance(const std::string& id) override {
    return Read([&](PgConnection& c) { return PgReadInstance(c, id); });
  }

  Result<std::optional<int64_t>> GetInstanceVersion(const std::string& id) override {
    return Read([&](PgConnection& c) { return PgReadInstanceVersion(c, id); });
  }

  Result<std::vector<InstanceRecord>> ListInstances(const ListFilter& filter) override {
    return Read([&](PgConnection& c) { return PgReadInstances(c, filter, *logger_); });
  }

  Result<int64_t> CountInstances(const ListFilter& filter) override {
    return Read([&](PgConnection& c) { return PgReadCountInstances(c, filter); });
  }

  Result<std::vector<std::pair<InstanceStatus, int64_t>>> CountByStatus() override {
    return Read([&](PgConnection& c) { return PgReadCountByStatus(c); });
  }

  Result<std::vector<HistoryEvent>> GetHistory(const std::string& instance_id, int64_t after_seq,
                                               int limit) override {
    return Read([&](PgConnection& c) { return PgReadHistory(c, instance_id, after_seq, limit, *logger_); });
  }

  Result<std::vector<TaskRecord>> GetTasks(const std::string& instance_id) override {
    return Read([&](PgConnection& c) { return PgReadTasks(c, instance_id); });
  }

  Result<std::vector<SignalRecord>> GetPendingSignals(const std::string& instance_id,
                                                      const std::string& name) override {
    return Read([&](PgConnection& c) { return PgReadPendingSignals(c, instance_id, name); });
  }

  Result<std::optional<SignalRecord>> FindSignalByKey(const std::string& instance_id,
                                                      const std::string& idempotency_key) override {
    return Read([&](PgConnection& c) { return PgReadSignalByKey(c, instance_id, idempotency_key); });
  }

  Result<int64_t> PurgeInstances(const std::vector<std::string>& ids) override {
    if (ids.empty()) return int64_t{0};
    return Write<int64_t>([&](PgConnection& c) { return PgWritePurgeInstances(c, ids); });
  }

  // Other processes always may have written: nothing cheap tells.
  bool ChangedExternally() override { return true; }

  void SetExternalWriteCallback(std::function<void()> on_write) override {
    std::unique_ptr<PgTaskListener> old;
    {
      std::lock_guard<std::mutex> lock(listener_mu_);
      old = std::move(listener_);
      if (on_write) listener_ = std::make_unique<PgTaskListener>(pool_.options(), channel_, std::move(on_write));
    }
    old.reset();  // joins its thread: no call of the old callback after this
  }

  PluginStorage* plugin_storage() override { return this; }

  // PluginStorage: a read in a READ ONLY transaction of its own (writes
  // are refused by the server); Transact as any write.
  Result<std::vector<Row>> Query(std::string_view sql, const std::vector<Value>& params) override {
    return Read([&](PgConnection& c) -> Result<std::vector<Row>> {
      SF_ASSIGN_OR_RETURN(PgTransaction tx, PgTransaction::Begin(c));
      SF_RETURN_IF_ERROR(c.Exec("SET TRANSACTION READ ONLY").status());
      SF_ASSIGN_OR_RETURN(std::vector<Row> rows, PgPluginTransaction(c, /*read_only=*/true).Query(sql, params));
      SF_RETURN_IF_ERROR(tx.Commit());
      return rows;
    });
  }

  Status Transact(const PluginWrite& write) override {
    if (!write) return Status::InvalidArgument("Transact needs a write function");
    if (InPluginWrite()) {
      return Status::FailedPrecondition(
          "Transact called from inside a plugin write: use the PluginTransaction that write was given");
    }
    return ToStatus(Write<Done>([&write](PgConnection& c) -> Result<Done> {
      PgPluginTransaction tx(c);
      Status s = RunPluginWrite(write, tx);
      if (s.ok() && !c.InTransaction()) {
        return Status::Internal("a plugin write ended the store's transaction (BEGIN/COMMIT/ROLLBACK are not allowed)");
      }
      SF_RETURN_IF_ERROR(s);
      return Done{};
    }));
  }

 private:
  // Other processes' listeners hear it when this transaction commits (the
  // server sends one notification per channel and transaction).
  Status Notify(PgConnection& c) const { return c.Query(kPgNotifySql, {PgParam::Text(channel_)}).status(); }
  // Only tasks no one holds are news: a task pre-claimed by the committing
  // worker is run by that worker.
  Status NotifyIfUnheld(PgConnection& c, const std::vector<TaskRecord>& created) const {
    for (const TaskRecord& t : created) {
      if (t.lease_owner.empty()) return Notify(c);
    }
    return Status::Ok();
  }

  // Runs fn in its own transaction and commits it; fn's result once the
  // commit returned. Crash points bracket the COMMIT as on SQLite.
  // An idle pooled connection the server has closed since (a restart, a
  // failover, a killed backend) fails its first statement with Unavailable;
  // the pool then drops it. Before anything was changed that is safe to try
  // again on the next connection, up to a fresh one.
  bool TryAnother(const Status& s, int tries) const {
    return s.code() == StatusCode::kUnavailable && tries <= pool_.max_connections();
  }

  // Runs fn in its own transaction and commits it; fn's result once the
  // commit returned. Crash points bracket the COMMIT as on SQLite. Only a
  // failed BEGIN is tried again: after it, whether a write happened is the
  // caller's to find out.
  template <class T, class Fn>
  Result<T> Write(Fn fn) {
    for (int tries = 1;; ++tries) {
      SF_ASSIGN_OR_RETURN(PgLease conn, pool_.Lease());
      Result<PgTransaction> tx = PgTransaction::Begin(*conn);
      if (!tx.ok()) {
        if (TryAnother(tx.status(), tries)) continue;
        return tx.status();
      }
      Result<T> result = fn(*conn);
      if (!result.ok()) {
        tx->Rollback();
        return result.status();
      }
      CrashPoint("store.before_commit");
      SF_RETURN_IF_ERROR(tx->Commit());
      CrashPoint("store.after_commit");
      return result;
    }
  }

  // Reads change nothing: one that lost its connection is run again.
  template <class Fn>
  auto Read(Fn fn) -> decltype(fn(std::declval<PgConnection&>())) {
    for (int tries = 1;; ++tries) {
      SF_ASSIGN_OR_RETURN(PgLease conn, pool_.Lease());
      auto result = fn(*conn);
      if (!result.ok() && TryAnother(result.status(), tries)) continue;
      return result;
    }
  }

  // A checkpoint in a transaction of its own, its checks judged between
  // its statements: those that cannot be pipelined, and the fallback of a
  // batch that failed (store/postgres/pg_checkpoint_committer.h).
  Result<CommitResult> CommitAlone(const EncodedCommit& encoded) {
    return Write<CommitResult>([this, &encoded](PgConnection& c) -> Result<CommitResult> {
      SF_ASSIGN_OR_RETURN(CommitResult result, PgWriteCommit(c, encoded));
      SF_RETURN_IF_ERROR(NotifyIfUnheld(c, result.created_tasks));
      return result;
    });
  }

  // A start in a transaction of its own that first looks for an instance
  // with its id or key: schedule ticks' starts are made so, and a
  // pipelined start whose id or key was taken is answered so.
  Result<StartResult> StartAlone(const EncodedStart& start) {
    return Write<StartResult>([this, &start](PgConnection& c) -> Result<StartResult> {
      SF_ASSIGN_OR_RETURN(StartResult result, PgWriteStart(c, start));
      SF_RETURN_IF_ERROR(NotifyIfUnheld(c, result.created_tasks));
      return result;
    });
  }

  const Clock* clock_;
  Logger* logger_;
  const std::string channel_;  // PgTaskChannel of the store's schema
  PgPool pool_;
  PgCheckpointCommitter committer_;
  std::mutex listener_mu_;
  std::unique_ptr<PgTaskListener> listener_;  // GUARDED_BY(listener_mu_)
};

}  // namespace

Result<std::unique_ptr<Store>> OpenPgStore(const PgStoreOptions& options) {
  PgConnectionOptions connection;
  connection.url = options.url;
  connection.statement_timeout_ms = options.statement_timeout_ms;
  std::string channel;
  {
    SF_ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> conn, PgConnection::Open(connection));
    SF_RETURN_IF_ERROR(MigratePgSchema(*conn));
    const TimeMs now = (options.clock != nullptr ? options.clock : &SystemClock::Instance())->NowMs();
    SF_RETURN_IF_ERROR(MigratePgPluginSchemas(*conn, options.plugin_schemas, now));
    SF_ASSIGN_OR_RETURN(PgResult schema, conn->Exec("SELECT current_schema()"));
    SF_ASSIGN_OR_RETURN(std::string name, schema.Text(0, 0));
    channel = PgTaskChannel(name);
  }
  return std::unique_ptr<Store>(std::make_unique<PgStore>(options, std::move(connection), std::move(channel)));
}

}  // namespace steadfast
