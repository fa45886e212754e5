// Group commit of checkpoints in pipelines (store/postgres/pg_checkpoint_committer.h).
#include "store/postgres/pg_checkpoint_committer.h"

#include <algorithm>
#include <string>
#include <utility>

#include "core/crash_point.h"
#include "store/postgres/pg_pipeline.h"
#include "store/postgres/pg_status.h"
#include "store/postgres/pg_task_listener.h"

namespace steadfast {
namespace {

void RaiseToMax(std::atomic<int64_t>& max, int64_t value) {
  int64_t seen = max.load(std::memory_order_relaxed);
  while (value > seen && !max.compare_exchange_weak(seen, value, std::memory_order_relaxed)) {
  }
}

}  // namespace

PgCheckpointCommitter::PgCheckpointCommitter(PgPool* pool, PgGroupCommitOptions options, std::string channel,
                                             CommitAlone commit_alone, StartAlone start_alone)
    : pool_(pool),
      channel_(std::move(channel)),
      max_batch_(static_cast<size_t>(std::max(1, options.max_batch))),
      max_leaders_(std::max(1, options.max_leaders)),
      commit_alone_(std::move(commit_alone)),
      start_alone_(std::move(start_alone)) {}

PgCheckpointCommitter::~PgCheckpointCommitter() {
  std::unique_lock<std::mutex> lock(mu_);
  idle_.wait(lock, [this] { return leaders_ == 0 && queue_.empty(); });
}

PgGroupCommitCounters PgCheckpointCommitter::Counters() const {
  PgGroupCommitCounters c;
  c.batches = batches_.load(std::memory_order_relaxed);
  c.writes = writes_.load(std::memory_order_relaxed);
  c.largest_batch = largest_batch_.load(std::memory_order_relaxed);
  c.requeued = requeued_.load(std::memory_order_relaxed);
  c.committed_alone = committed_alone_.load(std::memory_order_relaxed);
  return c;
}

size_t PgCheckpointCommitter::Queued() {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.size();
}

Result<CommitResult> PgCheckpointCommitter::Commit(const EncodedCommit& e) {
  PgPipelinedCheckpoint write(e, commit_alone_);
  Run(&write);
  return write.TakeAnswer();
}

Result<StartResult> PgCheckpointCommitter::Start(const EncodedStart& e) {
  PgPipelinedStart write(e, start_alone_);
  Run(&write);
  return write.TakeAnswer();
}

void PgCheckpointCommitter::Run(PgPipelinedWrite* write) {
  Request me{write};
  std::unique_lock<std::mutex> lock(mu_);
  queue_.push_back(&me);
  while (!me.done) {
    if (leaders_ >= max_leaders_ || queue_.empty()) {
      // Ours is in a batch in flight, or every lane is busy: a leader
      // settles it or wakes us to lead.
      me.woken.wait(lock);
      continue;
    }
    // No waiting for a batch to fill: what queued while the lanes were
    // busy forms the next batch, so a lone write commits at once and a
    // busy store batches by itself.
    ++leaders_;
    std::vector<Request*> batch;
    while (!queue_.empty() && batch.size() < max_batch_) {
      batch.push_back(queue_.front());
      queue_.pop_front();
    }
    lock.unlock();
    std::vector<Request*> again = RunBatch(batch);
    lock.lock();
    for (auto it = again.rbegin(); it != again.rend(); ++it) queue_.push_front(*it);
    --leaders_;
    if (!queue_.empty()) {
      queue_.front()->woken.notify_one();  // a lane is free: its caller leads next
    } else if (leaders_ == 0) {
      idle_.notify_all();
    }
  }
}

void PgCheckpointCommitter::Done(Request* r) {
  // r lives on its caller's stack: nothing touches it once it is done.
  std::lock_guard<std::mutex> lock(mu_);
  r->done = true;
  r->woken.notify_one();
}

std::vector<PgCheckpointCommitter::Request*> PgCheckpointCommitter::RunBatch(const std::vector<Request*>& batch) {
  std::vector<Request*> order = batch;
  std::stable_sort(order.begin(), order.end(), [](const Request* a, const Request* b) {
    return a->write->instance_id() < b->write->instance_id();
  });
  auto fail_all = [&](const Status& s) {
    for (Request* r : batch) {
      r->write->Fail(s);
      Done(r);
    }
  };
  auto commit_each_alone = [&] {
    for (Request* r : batch) {
      committed_alone_.fetch_add(1, std::memory_order_relaxed);
      r->write->CommitAlone();
      Done(r);
    }
  };
  for (int tries = 1;; ++tries) {
    std::vector<PgStatement> statements;
    bool notify = false;
    for (Request* r : order) {
      r->write->Append(statements);
      notify = notify || r->write->creates_unheld_task();
    }
    // Other processes' listeners hear it when the batch commits.
    if (notify) statements.push_back(PgStatement{&kPgNotifySql, {PgParam::Text(channel_)}});

    Result<PgPipelineOutcome> outcome = Status::Unavailable("no connection");
    {
      Result<PgLease> lease = pool_->Lease();
      if (!lease.ok()) {
        fail_all(lease.status());
        return {};
      }
      outcome = RunPgPipeline(**lease, statements, [] { CrashPoint("store.before_commit"); });
    }
    if (!outcome.ok()) {
      // Nothing ran. A pooled connection the server has closed since (a
      // restart, a failover) fails so: the next one is tried, up to a
      // fresh one, as PgStore's lone writes do.
      if (outcome.status().code() == StatusCode::kUnavailable && tries <= pool_->max_connections()) continue;
      if (batch.size() > 1 && outcome.status().code() != StatusCode::kUnavailable) {
        commit_each_alone();  // e.g. one write's value PostgreSQL cannot store
      } else {
        fail_all(outcome.status());
      }
      return {};
    }
    batches_.fetch_add(1, std::memory_order_relaxed);
    writes_.fetch_add(static_cast<int64_t>(batch.size()), std::memory_order_relaxed);
    RaiseToMax(largest_batch_, static_cast<int64_t>(batch.size()));

    if (outcome->failed < 0) {
      if (!outcome->ended.ok()) {
        fail_all(outcome->ended);  // the commit failed, or its answer was lost
        return {};
      }
      CrashPoint("store.after_commit");
      for (Request* r : order) {
        r->write->Answer(outcome->results);
        Done(r);
      }
      return {};
    }
    // A statement failed: nothing of the batch committed.
    const auto failed = static_cast<size_t>(outcome->failed);
    const Status& error = outcome->results[failed].status();
    if (error.code() == StatusCode::kUnavailable) {
      // The server failing a statement proves nothing committed: the
      // session it ended (a restart, a failover, a terminated backend) is
      // left for the next connection, up to a fresh one. Without its word
      // the connection broke after the Sync went out: committed or not is
      // unknown, as for a lone COMMIT.
      if (!outcome->failed_sqlstate.empty() && tries <= pool_->max_connections()) continue;
      fail_all(error);
      return {};
    }
    auto owner = std::find_if(order.begin(), order.end(), [failed](const Request* r) {
      return failed >= r->write->first() && failed < r->write->first() + r->write->count();
    });
    if (owner == order.end()) {  // the batch's own statement (the NOTIFY)
      if (batch.size() == 1) {
        fail_all(error);
      } else {
        commit_each_alone();
      }
      return {};
    }
    Request* failing = *owner;
    if (!failing->write->AnswerFailure(error)) {
      if (batch.size() > 1 && !IsPgPreconditionStatus(error)) {
        commit_each_alone();  // a deadlock, a constraint: each alone gets the answer a lone commit gets
        return {};
      }
      committed_alone_.fetch_add(1, std::memory_order_relaxed);
      failing->write->CommitAlone();  // e.g. a start whose id was taken: answered as the interactive start answers
    }
    Done(failing);
    std::vector<Request*> again;
    for (Request* r : batch) {
      if (r != failing) again.push_back(r);
    }
    requeued_.fetch_add(static_cast<int64_t>(again.size()), std::memory_order_relaxed);
    return again;
  }
}

}  // namespace steadfast
