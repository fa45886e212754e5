// A new task's INSERT and record (store/postgres/pg_task_rows.h).
#include "store/postgres/pg_task_rows.h"

namespace steadfast {
namespace {

// A pre-claimed task starts at token 1, as if claimed once; a free one at
// 0, so its first claim hands out 1 as well.
int64_t FirstToken(const NewTask& t) { return t.lease_owner.empty() ? 0 : 1; }
TimeMs FirstLeaseUntil(const NewTask& t) { return t.lease_owner.empty() ? 0 : t.lease_until; }

}  // namespace

const std::string kPgInsertTask =
    "INSERT INTO tasks(instance_id, kind, step_id, attempt, due_at, lease_owner, lease_until, lease_token, "
    "step_started_at, activity, priority) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
    "coalesce((SELECT priority FROM instances WHERE id = $1), 3)) RETURNING id, priority";

std::vector<PgParam> PgInsertTaskParams(const std::string& instance_id, const NewTask& t) {
  using P = PgParam;
  return {P::Text(instance_id),        P::Int64(static_cast<int>(t.kind)), P::Text(t.step_id),
          P::Int64(t.attempt),         P::Int64(t.due_at),                 P::Text(t.lease_owner),
          P::Int64(FirstLeaseUntil(t)), P::Int64(FirstToken(t)),           P::Int64(t.step_started_at),
          P::Text(t.activity)};
}

TaskRecord PgInsertedTask(const std::string& instance_id, const NewTask& t, int64_t id, int64_t priority) {
  TaskRecord r;
  r.id = id;
  r.instance_id = instance_id;
  r.kind = t.kind;
  r.step_id = t.step_id;
  r.attempt = t.attempt;
  r.due_at = t.due_at;
  r.lease_owner = t.lease_owner;
  r.lease_until = FirstLeaseUntil(t);
  r.lease_token = FirstToken(t);
  r.step_started_at = t.step_started_at;
  r.activity = t.activity;
  r.priority = static_cast<int>(priority);
  return r;
}

}  // namespace steadfast
