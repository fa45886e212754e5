// A start's statements for a pipeline (store/postgres/pg_start_statements.h).
#include "store/postgres/pg_start_statements.h"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "store/postgres/pg_task_rows.h"
#include "store/postgres/pg_write_ops.h"

namespace steadfast {
namespace {

// The row inserted unless its id or key is taken, and the batch aborted
// when it was (SF303).
const std::string& InsertNewInstanceSql() {
  static const std::string sql =
      fmt::format("WITH ins AS ({}) SELECT steadfast_require_inserted(count(*), $1) FROM ins", kPgInsertInstance);
  return sql;
}

}  // namespace

bool PgCanPipeline(const StartRequest& start) { return !start.schedule_tick.has_value(); }

void PgPipelinedStart::Append(std::vector<PgStatement>& out) {
  first_ = out.size();
  tasks_.clear();
  const StartResult created = PgCreatedStart(e_);
  const InstanceRecord& r = created.instance;
  const std::vector<HistoryEvent>& events = e_.request.events;
  out.push_back(PgStatement{&InsertNewInstanceSql(),
                            PgInsertInstanceParams(r, e_.input, e_.output, static_cast<int64_t>(events.size()))});
  for (const SearchKey& key : r.search_keys) {
    out.push_back(PgStatement{&kPgInsertSearchKey, PgInsertSearchKeyParams(r, key)});
  }
  for (size_t first = 0; first < events.size(); first += kPgEventsPerInsert) {
    const size_t n = std::min(kPgEventsPerInsert, events.size() - first);
    out.push_back(PgStatement{&PgInsertEventsSql(n), PgInsertEventsParams(r.id, 0, events, e_.events, first, n, e_.now)});
  }
  for (const NewTask& t : e_.request.tasks) {
    out.push_back(PgStatement{&kPgInsertTask, PgInsertTaskParams(r.id, t)});
    tasks_.push_back(out.size() - 1);
  }
  count_ = out.size() - first_;
}

bool PgPipelinedStart::creates_unheld_task() const {
  return std::any_of(e_.request.tasks.begin(), e_.request.tasks.end(),
                     [](const NewTask& t) { return t.lease_owner.empty(); });
}

void PgPipelinedStart::Answer(std::span<const Result<PgResult>> results) { answer_.emplace(AnswerFrom(results)); }

Result<StartResult> PgPipelinedStart::TakeAnswer() {
  if (!answer_.has_value()) return Status::Internal("start finished without an answer");
  return std::move(*answer_);
}

Result<StartResult> PgPipelinedStart::AnswerFrom(std::span<const Result<PgResult>> results) const {
  StartResult answer = PgCreatedStart(e_);
  const std::vector<NewTask>& tasks = e_.request.tasks;
  answer.created_tasks.reserve(tasks.size());
  for (size_t i = 0; i < tasks.size(); ++i) {
    const Result<PgResult>& row = results[tasks_[i]];
    SF_RETURN_IF_ERROR(row.status());
    SF_ASSIGN_OR_RETURN(int64_t task_id, row->Int64(0, 0));
    SF_ASSIGN_OR_RETURN(int64_t priority, row->Int64(0, 1));
    answer.created_tasks.push_back(PgInsertedTask(answer.instance.id, tasks[i], task_id, priority));
  }
  return answer;
}

}  // namespace steadfast
