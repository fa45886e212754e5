// A new task's INSERT and the TaskRecord it makes: shared by the
// interactive commit (pg_write_ops.cc) and the pipelined one
// (pg_checkpoint_statements.cc), so both write and answer the same.
#ifndef STEADFAST_STORE_POSTGRES_PG_TASK_ROWS_H_
#define STEADFAST_STORE_POSTGRES_PG_TASK_ROWS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "store/postgres/pg_param.h"
#include "store/store.h"

namespace steadfast {

// INSERT of one task ($1..$10: PgInsertTaskParams), its priority the
// instance's; RETURNING id, priority.
extern const std::string kPgInsertTask;

std::vector<PgParam> PgInsertTaskParams(const std::string& instance_id, const NewTask& t);
// The record of t as inserted with the id and priority the INSERT returned.
TaskRecord PgInsertedTask(const std::string& instance_id, const NewTask& t, int64_t id, int64_t priority);

}  // namespace steadfast

#endif  // STEADFAST_STORE_POSTGRES_PG_TASK_ROWS_H_
