// A checkpoint as statements that need no answer in between, for a
// pipeline (store/postgres/pg_pipeline.h) that may carry many checkpoints.
//
// The interactive commit (PgWriteCommit) reads the instance's version and
// last event seq, judges each precondition and computes seqs in C++; here
// every precondition is a function that raises (pg_migration_v2.cc), the
// events take their seqs from the locked instance row, and the row's
// version is incremented by the UPDATE that returns it. A step's checkpoint
// is three statements: steadfast_begin_checkpoint (lock, version, fence),
// the next task's INSERT, and the row's UPDATE with the events' INSERT. Two checkpoints of
// one instance in one pipeline therefore behave as if committed one after
// the other. Same writes, same answers, same errors as PgWriteCommit.
//
// A commit whose writes depend on what it reads (plugin writes,
// continue_as_new, child starts, tasks for other instances), or with more
// than 16 events, is not pipelined: PgCanPipeline says false and it commits
// interactively.
#ifndef STEADFAST_STORE_POSTGRES_PG_CHECKPOINT_STATEMENTS_H_
#define STEADFAST_STORE_POSTGRES_PG_CHECKPOINT_STATEMENTS_H_

#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "steadfast/status.h"
#include "store/encoded_writes.h"
#include "store/postgres/pg_pipeline.h"
#include "store/postgres/pg_pipelined_write.h"
#include "store/store.h"

namespace steadfast {

bool PgCanPipeline(const Commit& commit);

class PgPipelinedCheckpoint final : public PgPipelinedWrite {
 public:
  using AloneFn = std::function<Result<CommitResult>(const EncodedCommit&)>;
  // e (PgCanPipeline(e.commit)) and alone must outlive the object.
  PgPipelinedCheckpoint(const EncodedCommit& e, const AloneFn& alone) : e_(e), alone_(alone) {}

  const std::string& instance_id() const override { return e_.commit.instance_id; }
  void Append(std::vector<PgStatement>& out) override;
  bool creates_unheld_task() const override;
  void Answer(std::span<const Result<PgResult>> results) override;
  // A failed precondition (NotFound, Conflict, LeaseLost, AlreadyExists)
  // is the checkpoint's own answer.
  bool AnswerFailure(const Status& error) override;
  void CommitAlone() override { answer_.emplace(alone_(e_)); }
  void Fail(const Status& error) override { answer_.emplace(error); }

  Result<CommitResult> TakeAnswer();

 private:
  Result<CommitResult> AnswerFrom(std::span<const Result<PgResult>> results) const;

  const EncodedCommit& e_;
  const AloneFn& alone_;
  size_t version_ = 0;              // the statement whose first column is the row's version after the commit
  std::vector<size_t> tasks_;       // each new task's INSERT ... RETURNING id, priority
  std::optional<size_t> signal_;    // the added signal's INSERT ... RETURNING id
  std::optional<Result<CommitResult>> answer_;
};

}  // namespace steadfast

#endif  // STEADFAST_STORE_POSTGRES_PG_CHECKPOINT_STATEMENTS_H_
