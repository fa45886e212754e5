// A checkpoint's statements for a pipeline (store/postgres/pg_checkpoint_statements.h).
#include "store/postgres/pg_checkpoint_statements.h"

#include <algorithm>
#include <array>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "store/postgres/pg_status.h"
#include "store/postgres/pg_task_rows.h"
#include "store/postgres/pg_write_ops.h"

namespace steadfast {
namespace {

using P = PgParam;

const std::string kBeginCheckpoint = "SELECT version FROM steadfast_begin_checkpoint($1, $2, $3, $4)";
const std::string kRequireNoAttempt = "SELECT steadfast_require_no_attempt($1)";
const std::string kRequireNewSignalKey = "SELECT steadfast_require_new_signal_key($1, $2)";
const std::string kConsumeSignal = "SELECT steadfast_consume_signal($1, $2)";

// The most events a pipelined checkpoint carries (one prepared statement
// per count); a checkpoint with more commits interactively.
constexpr size_t kMaxPipelinedEvents = 16;

// The instance row's UPDATE, RETURNING its new version and `base`, the
// last_seq before it: the mutable columns ($2..$8), or only the version,
// when the row is not given. Either way version + 1 and last_seq + the
// events' count ($9, or $2).
constexpr const char* kUpdateRow =
    "UPDATE instances SET status = $2, current_step = $3, output = $4, error_code = $5, error_message = $6, "
    "state = $7, deadline_at = $8, version = version + 1, last_seq = last_seq + $9, updated_at = $10 "
    "WHERE id = $1 RETURNING version, last_seq - $9 AS base";
constexpr size_t kUpdateRowParams = 10;
constexpr const char* kTouchRow =
    "UPDATE instances SET version = version + 1, last_seq = last_seq + $2, updated_at = $3 WHERE id = $1 "
    "RETURNING version, last_seq - $2 AS base";
constexpr size_t kTouchRowParams = 3;

// The row's UPDATE and the events' INSERT in one statement: the events are
// numbered on from `base`, the last_seq the UPDATE found (after the
// instance's earlier checkpoints in the same pipeline). Per event, after
// the UPDATE's parameters: its offset, at, type, step_id, attempt, data.
std::string RowAndEventsSql(const char* update, size_t first_param, size_t events) {
  if (events == 0) return update;
  std::string sql = fmt::format(
      "WITH r AS ({}), e AS (INSERT INTO history(instance_id, seq, at, type, step_id, attempt, data) "
      "SELECT $1, r.base + v.n, v.at, v.type, v.step_id, v.attempt, v.data FROM r, (VALUES ",
      update);
  for (size_t i = 0; i < events; ++i) {
    const size_t b = first_param + 6 * i;
    sql += fmt::format("{}(${}, ${}, ${}, ${}, ${}, ${})", i == 0 ? "" : ", ", b, b + 1, b + 2, b + 3, b + 4, b + 5);
  }
  sql += ") v(n, at, type, step_id, attempt, data)) SELECT version FROM r";
  return sql;
}

// The statement for a given row write and event count, made once.
const std::string& RowAndEventsSqlFor(bool whole_row, size_t events) {
  using Table = std::array<std::string, kMaxPipelinedEvents + 1>;
  static const std::array<Table, 2> sql = [] {
    std::array<Table, 2> all;
    for (size_t n = 0; n <= kMaxPipelinedEvents; ++n) {
      all[0][n] = RowAndEventsSql(kTouchRow, kTouchRowParams + 1, n);
      all[1][n] = RowAndEventsSql(kUpdateRow, kUpdateRowParams + 1, n);
    }
    return all;
  }();
  return sql[whole_row ? 1 : 0][events];
}

}  // namespace

bool PgCanPipeline(const Commit& c) {
  return c.plugin_writes.empty() && !c.continue_as_new.has_value() && c.start_children.empty() &&
         c.tasks_for_others.empty() && c.events.size() <= kMaxPipelinedEvents;
}

void PgPipelinedCheckpoint::Append(std::vector<PgStatement>& out) {
  const EncodedCommit& e = e_;
  const Commit& c = e.commit;
  first_ = out.size();
  tasks_.clear();
  signal_.reset();
  const std::string& id = c.instance_id;
  auto add = [&out](const std::string& sql, std::vector<PgParam> params) {
    out.push_back(PgStatement{&sql, std::move(params)});
    return out.size() - 1;
  };
  const bool fenced = c.task_id != 0;
  version_ = add(kBeginCheckpoint, {P::Text(id), c.expect_version.has_value() ? P::Int64(*c.expect_version) : P::Null(),
                                    fenced ? P::Int64(c.task_id) : P::Null(), fenced ? P::Int64(c.lease_token) : P::Null()});
  if (c.require_no_claimed_attempt) add(kRequireNoAttempt, {P::Text(id)});
  if (c.add_signal.has_value()) {
    if (!c.add_signal->idempotency_key.empty()) {
      add(kRequireNewSignalKey, {P::Text(id), P::Text(c.add_signal->idempotency_key)});
    }
    signal_ = add(kPgInsertSignal, PgInsertSignalParams(e));
  }
  if (c.consume_signal_id != 0) add(kConsumeSignal, {P::Int64(c.consume_signal_id), P::Text(id)});
  if (c.delete_other_tasks || c.delete_step_tasks) {
    add(c.delete_other_tasks ? kPgDeleteInstanceTasks : kPgDeleteStepTasks, {P::Text(id)});
  }
  for (const NewTask& t : c.new_tasks) tasks_.push_back(add(kPgInsertTask, PgInsertTaskParams(id, t)));

  const auto events = static_cast<int64_t>(c.events.size());
  if (!c.instance.has_value() && events == 0) {
    count_ = out.size() - first_;
    return;  // the row does not change: its version is the one the first statement read
  }
  std::vector<PgParam> params;
  if (c.instance.has_value()) {
    const InstanceRecord& r = *c.instance;
    params = {P::Text(id),          P::Int64(static_cast<int>(r.status)), P::Text(r.current_step),
              P::Bytea(e.output),   P::Text(r.error_code),                P::Text(r.error_message),
              P::Bytea(r.state),    P::Int64(r.deadline_at),              P::Int64(events),
              P::Int64(r.updated_at != 0 ? r.updated_at : e.now)};
  } else {
    params = {P::Text(id), P::Int64(events), P::Int64(e.now)};
  }
  for (size_t i = 0; i < c.events.size(); ++i) {
    const HistoryEvent& ev = c.events[i];
    params.insert(params.end(), {P::Int64(static_cast<int64_t>(i) + 1), P::Int64(ev.at != 0 ? ev.at : e.now),
                                 P::Text(ev.type), P::Text(ev.step_id), P::Int64(ev.attempt), P::Bytea(e.events[i])});
  }
  version_ = add(RowAndEventsSqlFor(c.instance.has_value(), c.events.size()), std::move(params));
  count_ = out.size() - first_;
}

bool PgPipelinedCheckpoint::creates_unheld_task() const {
  return std::any_of(e_.commit.new_tasks.begin(), e_.commit.new_tasks.end(),
                     [](const NewTask& t) { return t.lease_owner.empty(); });
}

void PgPipelinedCheckpoint::Answer(std::span<const Result<PgResult>> results) { answer_.emplace(AnswerFrom(results)); }

bool PgPipelinedCheckpoint::AnswerFailure(const Status& error) {
  if (!IsPgPreconditionStatus(error)) return false;
  answer_.emplace(error);
  return true;
}

Result<CommitResult> PgPipelinedCheckpoint::TakeAnswer() {
  if (!answer_.has_value()) return Status::Internal("checkpoint finished without an answer");
  return std::move(*answer_);
}

Result<CommitResult> PgPipelinedCheckpoint::AnswerFrom(std::span<const Result<PgResult>> results) const {
  CommitResult answer;
  const Result<PgResult>& version = results[version_];
  SF_RETURN_IF_ERROR(version.status());
  SF_ASSIGN_OR_RETURN(answer.instance_version, version->Int64(0, 0));
  const std::vector<NewTask>& tasks = e_.commit.new_tasks;
  answer.created_tasks.reserve(tasks.size());
  for (size_t i = 0; i < tasks.size(); ++i) {
    const Result<PgResult>& row = results[tasks_[i]];
    SF_RETURN_IF_ERROR(row.status());
    SF_ASSIGN_OR_RETURN(int64_t task_id, row->Int64(0, 0));
    SF_ASSIGN_OR_RETURN(int64_t priority, row->Int64(0, 1));
    answer.created_tasks.push_back(PgInsertedTask(e_.commit.instance_id, tasks[i], task_id, priority));
  }
  if (signal_.has_value()) {
    const Result<PgResult>& row = results[*signal_];
    SF_RETURN_IF_ERROR(row.status());
    SF_ASSIGN_OR_RETURN(answer.signal_id, row->Int64(0, 0));
  }
  return answer;
}

}  // namespace steadfast
