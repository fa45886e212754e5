// The one load -> build -> commit -> retry loop.
#include "runtime/transition_commit.h"

#include <algorithm>
#include <chrono>
#include <set>
#include <thread>

namespace steadfast {
namespace {

bool IsTransientStoreError(StatusCode c) { return c == StatusCode::kBusy || c == StatusCode::kUnavailable; }

int64_t TransientRetryDelayMs(int failures) { return std::min<int64_t>(1000, int64_t{10} << std::min(failures, 7)); }

using End = TransitionCommitResult::End;

TransitionCommitResult Ended(End end, Status status, Status last_commit, std::optional<LoadedInstance>& inst) {
  inst.reset();
  TransitionCommitResult r;
  r.end = end;
  r.status = std::move(status);
  r.last_commit = std::move(last_commit);
  return r;
}

}  // namespace

Result<LoadedInstance> LoadInstance(Store& store, WorkflowCatalog& catalog, const std::string& id) {
  SF_ASSIGN_OR_RETURN(std::optional<InstanceRecord> rec, store.GetInstance(id));
  if (!rec) return Status::NotFound("no workflow instance '" + id + "'");
  SF_ASSIGN_OR_RETURN(DefPtr def, catalog.ByHash(rec->definition_hash, store));
  SF_ASSIGN_OR_RETURN(InstanceState state, InstanceState::Decode(rec->state));
  LoadedInstance inst{std::move(*rec), std::move(def), std::move(state), {}, std::nullopt};
  // Read with the instance, so that entering a signal step never reads the
  // store: a signal buffered after this read bumps the instance's version,
  // and the commit built on this read then conflicts and is rebuilt.
  std::set<std::string> names;
  for (const StepDef& step : inst.def->steps) {
    if (step.kind == StepKind::kSignal) names.insert(step.signal);
  }
  for (const std::string& name : names) {
    SF_ASSIGN_OR_RETURN(std::vector<SignalRecord> pending, store.GetPendingSignals(id, name));
    if (!pending.empty()) inst.pending_signals[name] = std::move(pending);
  }
  return inst;
}

TransitionCommitResult CommitTransition(const TransitionCommitEnv& env, const TransitionCommitRequest& request,
                                        std::optional<LoadedInstance>& inst) {
  int transient_failures = 0;
  Status last_commit;
  for (int round = 0;; ++round) {
    if (!inst) {
      Result<LoadedInstance> loaded = LoadInstance(*env.store, *env.catalog, request.instance_id);
      if (!loaded.ok()) return Ended(End::kLoadFailed, loaded.status(), last_commit, inst);
      inst = std::move(loaded).value();
      // A rebuild after a refused commit: the event may no longer apply.
      if (round > 0 && request.still_applies && !request.still_applies(*inst)) {
        return Ended(End::kNoLongerApplies, last_commit, last_commit, inst);
      }
    }
    if (request.reads_tasks && !inst->tasks) {
      Result<std::vector<TaskRecord>> tasks = env.store->GetTasks(request.instance_id);
      if (!tasks.ok()) return Ended(End::kBuildFailed, tasks.status(), last_commit, inst);
      inst->tasks = std::move(tasks).value();
    }

    TransitionEnv tenv{env.clock->NowMs(), env.random, env.lease_owner, env.lease_ms, env.gate, env.catalog};
    Transition t(*inst, tenv);
    Status built = request.build(*inst, t);
    if (!built.ok()) return Ended(End::kBuildFailed, built, last_commit, inst);
    if (t.Unchanged()) {
      TransitionCommitResult r;
      r.end = End::kUnchanged;
      r.last_commit = last_commit;
      return r;
    }
    std::vector<HistoryEvent> events = t.events();
    Result<Commit> commit = t.Build(request.task_id, request.lease_token);
    int64_t consumed_signal = commit.ok() ? commit->consume_signal_id : 0;
    std::optional<RunArchive> filed_run = commit.ok() ? commit->continue_as_new : std::nullopt;
    std::vector<std::pair<InstanceRecord, std::vector<HistoryEvent>>> children;
    if (commit.ok()) {
      for (const ChildStart& c : commit->start_children) children.emplace_back(c.start.instance, c.start.events);
    }
    Result<CommitResult> applied = !commit.ok()      ? Result<CommitResult>(commit.status())
                                   : request.apply ? request.apply(std::move(commit).value())
                                                   : env.store->Apply(std::move(commit).value());
    if (applied.ok()) {
      inst->rec.version = applied->instance_version;
      inst->tasks.reset();
      if (consumed_signal != 0) {
        for (auto& [name, pending] : inst->pending_signals) {
          std::erase_if(pending, [&](const SignalRecord& s) { return s.id == consumed_signal; });
        }
      }
      TransitionCommitResult r;
      r.end = End::kCommitted;
      r.last_commit = last_commit;
      r.committed = std::move(applied).value();
      r.events = std::move(events);
      r.filed_run = std::move(filed_run);
      if (r.filed_run) r.filed_run->run.id = request.instance_id;
      for (auto& child : children) {
        const auto& written = r.committed.started_children;
        if (std::find(written.begin(), written.end(), child.first.id) != written.end()) {
          r.started_children.push_back(std::move(child));
        }
      }
      return r;
    }
    last_commit = applied.status();
    StatusCode c = last_commit.code();
    inst.reset();  // modified in place by the build: rebuilt on a fresh load
    // A finished attempt is worth keeping: a locked or briefly unavailable
    // store is waited out (bounded) rather than letting the attempt wait a
    // whole lease and run again.
    bool transient = IsTransientStoreError(c) && transient_failures < env.policy.max_transient_retries;
    if (transient) {
      int64_t delay = TransientRetryDelayMs(transient_failures++);
      if (env.logger != nullptr) {
        env.logger->Warn("checkpoint of " + request.instance_id + " failed (" + last_commit.ToString() +
                         "); retrying in " + std::to_string(delay) + "ms");
      }
      if (env.sleep) {
        env.sleep(delay);
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(delay));
      }
    }
    bool rebuild_without_writes = c == StatusCode::kAborted && round < env.policy.max_conflict_rounds &&
                                  request.on_aborted && request.on_aborted(last_commit);
    // Otherwise a client, a worker or the watchdog committed since the load:
    // rebuild on the fresh state.
    if ((c == StatusCode::kConflict && round < env.policy.max_conflict_rounds) || transient ||
        rebuild_without_writes) {
      continue;
    }
    return Ended(End::kCommitFailed, last_commit, last_commit, inst);
  }
}

void ReportOtherInstances(const TransitionCommitResult& r,
                          const std::function<void(const InstanceRecord&, const std::vector<HistoryEvent>&)>& observer) {
  if (!observer) return;
  if (r.filed_run) observer(r.filed_run->run, r.filed_run->events);
  for (const auto& [child, events] : r.started_children) observer(child, events);
}

}  // namespace steadfast
