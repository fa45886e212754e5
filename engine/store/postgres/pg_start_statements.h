// A start as statements that need no answer in between, for a group-commit
// pipeline (store/postgres/pg_checkpoint_committer.h).
//
// The interactive start (PgWriteStart) first looks for an instance with
// the id or idempotency key, to answer kExisting or Conflict; a pipelined
// one is optimistic: it inserts the row (ON CONFLICT DO NOTHING) and a
// function raises when nothing was inserted (pg_migration_v2.cc), which
// aborts the batch; the start then commits alone, interactively, and gets
// the answer the interactive start gives. The search keys, events and
// tasks follow, as PgWriteStart writes them.
//
// Schedule ticks are not pipelined (their cursor check reads first).
#ifndef STEADFAST_STORE_POSTGRES_PG_START_STATEMENTS_H_
#define STEADFAST_STORE_POSTGRES_PG_START_STATEMENTS_H_

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "steadfast/status.h"
#include "store/encoded_writes.h"
#include "store/postgres/pg_pipelined_write.h"
#include "store/store.h"

namespace steadfast {

bool PgCanPipeline(const StartRequest& start);

class PgPipelinedStart final : public PgPipelinedWrite {
 public:
  using AloneFn = std::function<Result<StartResult>(const EncodedStart&)>;
  // e (PgCanPipeline(e.request)) and alone must outlive the object.
  PgPipelinedStart(const EncodedStart& e, const AloneFn& alone) : e_(e), alone_(alone) {}

  const std::string& instance_id() const override { return e_.request.instance.id; }
  void Append(std::vector<PgStatement>& out) override;
  bool creates_unheld_task() const override;
  void Answer(std::span<const Result<PgResult>> results) override;
  // Never its own answer: a taken id or key, or anything else, is found
  // out by the interactive start.
  bool AnswerFailure(const Status&) override { return false; }
  void CommitAlone() override { answer_.emplace(alone_(e_)); }
  void Fail(const Status& error) override { answer_.emplace(error); }

  Result<StartResult> TakeAnswer();

 private:
  Result<StartResult> AnswerFrom(std::span<const Result<PgResult>> results) const;

  const EncodedStart& e_;
  const AloneFn& alone_;
  std::vector<size_t> tasks_;  // each task's INSERT ... RETURNING id, priority
  std::optional<Result<StartResult>> answer_;
};

}  // namespace steadfast

#endif  // STEADFAST_STORE_POSTGRES_PG_START_STATEMENTS_H_
