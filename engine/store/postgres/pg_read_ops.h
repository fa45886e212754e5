// Queries behind the PostgreSQL store's read methods: the SQLite store's
// (store/sqlite/read_ops.h) in PostgreSQL's SQL, selecting the same column
// lists (store/record_rows.h). Each runs as one statement, so it reads one
// committed snapshot.
#ifndef STEADFAST_STORE_POSTGRES_PG_READ_OPS_H_
#define STEADFAST_STORE_POSTGRES_PG_READ_OPS_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "steadfast/logger.h"
#include "steadfast/status.h"
#include "store/postgres/pg_connection.h"
#include "store/store.h"

namespace steadfast {

Result<std::optional<DefinitionRecord>> PgReadDefinition(PgConnection& conn, const std::string& hash);
// kCorruption when the input or output cannot be decoded. for_update: locks
// the row until the transaction ends (the caller is inside one).
Result<std::optional<InstanceRecord>> PgReadInstance(PgConnection& conn, const std::string& id,
                                                     bool for_update = false);
Result<std::optional<int64_t>> PgReadInstanceVersion(PgConnection& conn, const std::string& id);
Result<std::vector<InstanceRecord>> PgReadInstances(PgConnection& conn, const ListFilter& filter, Logger& logger);
Result<int64_t> PgReadCountInstances(PgConnection& conn, const ListFilter& filter);
Result<std::vector<std::pair<InstanceStatus, int64_t>>> PgReadCountByStatus(PgConnection& conn);
Result<std::vector<HistoryEvent>> PgReadHistory(PgConnection& conn, const std::string& instance_id,
                                                int64_t after_seq, int limit, Logger& logger);
Result<std::vector<TaskRecord>> PgReadTasks(PgConnection& conn, const std::string& instance_id);
Result<std::vector<SignalRecord>> PgReadPendingSignals(PgConnection& conn, const std::string& instance_id,
                                                       const std::string& name);
Result<std::optional<SignalRecord>> PgReadSignalByKey(PgConnection& conn, const std::string& instance_id,
                                                      const std::string& idempotency_key);
Result<std::optional<TimeMs>> PgReadNextDueAt(PgConnection& conn, TimeMs now);
Result<std::vector<ActivityHold>> PgReadActivityHolds(PgConnection& conn);
Result<std::vector<ActivityHoldEvent>> PgReadActivityHoldLog(PgConnection& conn, int limit);

}  // namespace steadfast

#endif  // STEADFAST_STORE_POSTGRES_PG_READ_OPS_H_
