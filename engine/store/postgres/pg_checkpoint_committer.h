// PgCheckpointCommitter: group commit of checkpoints (and starts) on
// PostgreSQL.
//
// As on SQLite (store/sqlite/group_committer.h) the callers commit for one
// another: a caller that finds fewer than max_leaders batches in flight
// leads one, taking up to max_batch queued checkpoints, and the others wait
// for their answer. A batch is one pipeline (store/postgres/pg_pipeline.h):
// every checkpoint's statements (pg_checkpoint_statements.h) and every
// start's (pg_start_statements.h) sent at once and committed by one Sync,
// so N writes cost one round trip and one commit instead of six or seven
// round trips and one commit each. Nothing is answered before the Sync
// confirmed the commit.
//
// A failed precondition (lease lost, version conflict, ...) aborts the
// pipeline's whole transaction: its checkpoint gets that answer and the
// others go back to the head of the queue for the next batch; a start
// whose id or key was taken commits alone, interactively, to be answered
// as the interactive start answers (kExisting or Conflict). Any other
// error of a batch of several (a deadlock, a constraint) commits each of
// its writes alone (the interactive path, one transaction each), so every
// answer is the one a lone commit would get.
// A connection lost after the Sync was sent answers Unavailable: whether
// the batch committed is unknown, as for a lone COMMIT.
//
// Within a batch, writes are ordered by instance id (arrival order within
// one instance), so two batches lock instance rows in one order. A write
// that commits alone after its batch failed is answered before the rest of
// the batch is sent again: two concurrent starts of one id have no set
// order, as two concurrent requests never have.
// Crash points "store.before_commit" / "store.after_commit" bracket the
// Sync as they bracket a COMMIT.
#ifndef STEADFAST_STORE_POSTGRES_PG_CHECKPOINT_COMMITTER_H_
#define STEADFAST_STORE_POSTGRES_PG_CHECKPOINT_COMMITTER_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "steadfast/status.h"
#include "store/encoded_writes.h"
#include "store/postgres/pg_checkpoint_statements.h"
#include "store/postgres/pg_pool.h"
#include "store/postgres/pg_start_statements.h"
#include "store/store.h"

namespace steadfast {

struct PgGroupCommitOptions {
  int max_batch = 64;   // writes per pipeline (>= 1)
  int max_leaders = 2;  // pipelines in flight at once, each on its own pooled connection (>= 1)
};

// Counters since the committer started.
struct PgGroupCommitCounters {
  int64_t batches = 0;         // pipelines that reached the server
  int64_t writes = 0;          // writes they carried
  int64_t largest_batch = 0;   // most writes in one pipeline
  int64_t requeued = 0;        // writes sent again because another one of their batch failed
  int64_t committed_alone = 0; // writes committed interactively after their batch failed
};

class PgCheckpointCommitter {
 public:
  using CommitAlone = PgPipelinedCheckpoint::AloneFn;
  using StartAlone = PgPipelinedStart::AloneFn;
  // pool must outlive the committer; a batch that creates a task nobody
  // holds notifies channel (PgTaskChannel); commit_alone and start_alone
  // commit one write interactively.
  PgCheckpointCommitter(PgPool* pool, PgGroupCommitOptions options, std::string channel, CommitAlone commit_alone,
                        StartAlone start_alone);
  // Waits until every queued write was answered.
  ~PgCheckpointCommitter();
  PgCheckpointCommitter(const PgCheckpointCommitter&) = delete;
  PgCheckpointCommitter& operator=(const PgCheckpointCommitter&) = delete;

  // Commits e (PgCanPipeline) with whatever else is queued; returns once
  // its batch committed or failed. Thread-safe.
  Result<CommitResult> Commit(const EncodedCommit& e);
  Result<StartResult> Start(const EncodedStart& e);

  PgGroupCommitCounters Counters() const;
  // Writes waiting for a batch now (not those in one).
  size_t Queued();

 private:
  struct Request {
    PgPipelinedWrite* write;
    bool done = false;  // GUARDED_BY(mu_)
    std::condition_variable woken;
  };

  // Queues write and returns once it is settled, leading batches while a
  // lane is free.
  void Run(PgPipelinedWrite* write);
  // Runs one pipeline for batch; settles the writes it answered and
  // returns the ones to send again (in their queue order).
  std::vector<Request*> RunBatch(const std::vector<Request*>& batch);
  void Done(Request* r);

  PgPool* const pool_;
  const std::string channel_;
  const size_t max_batch_;
  const int max_leaders_;
  const CommitAlone commit_alone_;
  const StartAlone start_alone_;

  std::mutex mu_;
  std::condition_variable idle_;   // signalled when the last leader ends with nothing queued
  std::deque<Request*> queue_;     // GUARDED_BY(mu_): not yet in a batch
  int leaders_ = 0;                // GUARDED_BY(mu_)

  std::atomic<int64_t> batches_{0};
  std::atomic<int64_t> writes_{0};
  std::atomic<int64_t> largest_batch_{0};
  std::atomic<int64_t> requeued_{0};
  std::atomic<int64_t> committed_alone_{0};
};

}  // namespace steadfast

#endif  // STEADFAST_STORE_POSTGRES_PG_CHECKPOINT_COMMITTER_H_
