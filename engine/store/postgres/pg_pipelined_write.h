// PgPipelinedWrite: one write (a checkpoint, a start) as statements of a
// group-commit pipeline (store/postgres/pg_checkpoint_committer.h), and
// its answer from their results.
//
// The write lives on its caller's stack while the committer runs it, maybe
// in several batches (a batch another write's failure aborted is sent
// again): Append may be called more than once, each time for a new
// pipeline. Exactly one of Answer, AnswerFailure (true), CommitAlone or
// Fail settles it.
#ifndef STEADFAST_STORE_POSTGRES_PG_PIPELINED_WRITE_H_
#define STEADFAST_STORE_POSTGRES_PG_PIPELINED_WRITE_H_

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "steadfast/status.h"
#include "store/postgres/pg_pipeline.h"
#include "store/postgres/pg_result.h"

namespace steadfast {

class PgPipelinedWrite {
 public:
  virtual ~PgPipelinedWrite() = default;

  // The instance whose row the write locks or creates: batches order their
  // writes by it, so two batches lock rows in one order.
  virtual const std::string& instance_id() const = 0;
  // Appends the write's statements to out; first() and count() then say
  // where they are.
  virtual void Append(std::vector<PgStatement>& out) = 0;
  // Whether the write creates a task no worker holds (others must hear).
  virtual bool creates_unheld_task() const = 0;
  // The pipeline committed: the answer from its results (all succeeded).
  virtual void Answer(std::span<const Result<PgResult>> results) = 0;
  // One of the write's statements failed with error and nothing committed:
  // true when error is the write's own answer (recorded), false when the
  // write must commit alone to find its answer.
  virtual bool AnswerFailure(const Status& error) = 0;
  // Commits the write in a transaction of its own (the interactive path)
  // and records that answer.
  virtual void CommitAlone() = 0;
  // The batch failed as a whole (or its outcome is unknown): error is the answer.
  virtual void Fail(const Status& error) = 0;

  size_t first() const { return first_; }
  size_t count() const { return count_; }

 protected:
  size_t first_ = 0;
  size_t count_ = 0;
};

}  // namespace steadfast

#endif  // STEADFAST_STORE_POSTGRES_PG_PIPELINED_WRITE_H_
