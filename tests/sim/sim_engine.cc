// SimEngine: plugin init, store open, recovery, and the scheduler, worker
// and watchdog turns Engine's threads would take.
#include "sim_engine.h"

#include "builtin/std_activities.h"
#include "refund/plugin.h"
#include "sim_disk.h"
#include "store/sqlite/sqlite_store.h"

namespace steadfast::sim {

Result<std::unique_ptr<SimEngine>> SimEngine::Open(const EngineParts& parts, const std::string& owner) {
  std::unique_ptr<SimEngine> e(new SimEngine());
  e->clock_ = parts.clock;
  e->logger_ = parts.logger;
  e->owner_ = owner;
  // The plugin's init, as the CLI runs it for a built-in plugin.
  PluginContext ctx;
  ctx.name = "refund";
  ctx.config = *parts.refund_config;
  ctx.logger = parts.logger;
  ctx.http = parts.http;
  ctx.clock = parts.clock;
  ctx.schemas = &e->schemas_;
  ctx.storage = &e->storage_;
  SF_RETURN_IF_ERROR(RegisterStdActivities(e->registry_));
  SF_ASSIGN_OR_RETURN(refund::RefundPluginConfig config, refund::RefundPluginConfig::FromPluginContext(ctx));
  SF_RETURN_IF_ERROR(refund::RegisterRefundActivities(e->registry_, config, ctx));

  SqliteStoreOptions so;
  so.path = kDatabasePath;
  so.vfs = SimDisk::kName;
  so.clock = parts.clock;
  so.logger = parts.logger;
  so.plugin_schemas = e->schemas_.schemas();
  SF_ASSIGN_OR_RETURN(e->store_, OpenSqliteStore(so));
  e->storage_.Bind(e->store_->plugin_storage());

  // Engine::Start's recovery: tasks the previous incarnation held resume now.
  SF_RETURN_IF_ERROR(e->store_->ReleaseLeases(std::string(kNodeName) + "/", owner).status());

  SimEngine* self = e.get();
  e->service_ = std::make_unique<WorkflowService>(*e->store_, *parts.catalog, *parts.clock, *parts.random);
  e->service_->SetLocalRunner(owner, kLeaseMs, [self](const TaskRecord& t) { self->ready_.push_back(t); });
  e->service_->SetObserver([self](const InstanceRecord& r, const std::vector<HistoryEvent>& ev) {
    if (self->ack_) self->ack_(r, ev);
  });
  ExecutorEnv env;
  env.store = e->store_.get();
  env.catalog = parts.catalog;
  env.registry = &e->registry_;
  env.clock = parts.clock;
  env.random = parts.random;
  env.logger = parts.logger;
  env.owner = owner;
  env.lease_ms = kLeaseMs;
  env.observer = [self](const InstanceRecord& r, const std::vector<HistoryEvent>& ev) {
    if (self->ack_) self->ack_(r, ev);
  };
  env.on_attempt = [self](const AttemptReport& r) {
    if (self->attempt_) self->attempt_(r);
  };
  env.watch = [self](const std::shared_ptr<RunningAttempt>& a) { self->running_.push_back(a); };
  env.unwatch = [self](const std::shared_ptr<RunningAttempt>& a) { std::erase(self->running_, a); };
  env.stopping = [] { return false; };
  env.sleep = parts.sleep;
  e->executor_ = std::make_unique<TaskExecutor>(std::move(env));
  return e;
}

SimEngine::~SimEngine() {
  executor_.reset();
  service_.reset();
  storage_.Bind(nullptr);
  store_.reset();
}

Result<int> SimEngine::ClaimDue(int capacity) {
  const TimeMs now = clock_->NowMs();
  SF_ASSIGN_OR_RETURN(std::vector<TaskRecord> claimed, store_->ClaimDueTasks(owner_, now, now + kLeaseMs, capacity));
  for (const TaskRecord& t : claimed) {
    bool queued = false;
    for (TaskRecord& q : ready_) {
      if (q.id == t.id) {
        q = t;  // re-claimed while queued: run it with the new token (as Engine::Enqueue)
        queued = true;
      }
    }
    if (!queued) ready_.push_back(t);
  }
  return static_cast<int>(claimed.size());
}

bool SimEngine::RunNext() {
  if (ready_.empty()) return false;
  TaskRecord task = ready_.front();
  ready_.pop_front();
  executor_->Run(task);
  return true;
}

void SimEngine::Watchdog() {
  const TimeMs now = clock_->NowMs();
  std::vector<std::shared_ptr<RunningAttempt>> expired;
  for (const auto& a : running_) {
    if (a->deadline <= now) expired.push_back(a);
  }
  for (const auto& a : expired) {
    std::erase(running_, a);
    if (executor_->AbandonAttempt(a)) {
      logger_->Warn("abandoned attempt " + std::to_string(a->attempt) + " of " + a->instance_id + "/" +
                    a->task.step_id + " after its start-to-close timeout");
    }
  }
}

}  // namespace steadfast::sim
