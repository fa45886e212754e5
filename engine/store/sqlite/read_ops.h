// The read side of the Store: one function per query, run on a reader
// connection by the calling thread.
//
// Every function is a single SELECT (ListInstances with a cursor: two), so
// it sees one committed snapshot without an explicit transaction.
//
// A row whose blob cannot be decoded fails a read of that one row
// (ReadInstance: Corruption); lists keep it, marked with its decode_error,
// and warn through the logger, so one damaged row hides nothing else.
#ifndef STEADFAST_STORE_SQLITE_READ_OPS_H_
#define STEADFAST_STORE_SQLITE_READ_OPS_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "steadfast/logger.h"
#include "steadfast/status.h"
#include "store/sqlite/connection.h"
#include "store/store.h"

namespace steadfast {

Result<std::optional<DefinitionRecord>> ReadDefinition(Connection& conn, const std::string& hash);
Result<std::optional<InstanceRecord>> ReadInstance(Connection& conn, const std::string& id);
Result<std::optional<int64_t>> ReadInstanceVersion(Connection& conn, const std::string& id);
Result<std::vector<InstanceRecord>> ReadInstances(Connection& conn, const ListFilter& filter, Logger& logger);
Result<int64_t> ReadCountInstances(Connection& conn, const ListFilter& filter);
Result<std::vector<std::pair<InstanceStatus, int64_t>>> ReadCountByStatus(Connection& conn);
// Attempts of an activity leased and unexpired at `now` (an activity limit's max_in_flight).
Result<int64_t> ReadCountLeasedAttempts(Connection& conn, const std::string& activity, TimeMs now);
// An activity's rate bucket (GCRA's theoretical arrival time, microseconds; 0 when it has none).
Result<int64_t> ReadRateBucketTat(Connection& conn, const std::string& activity);
Result<std::vector<HistoryEvent>> ReadHistory(Connection& conn, const std::string& instance_id, int64_t after_seq,
                                              int limit, Logger& logger);
Result<std::vector<TaskRecord>> ReadTasks(Connection& conn, const std::string& instance_id);
Result<std::vector<SignalRecord>> ReadPendingSignals(Connection& conn, const std::string& instance_id,
                                                     const std::string& name);
Result<std::optional<SignalRecord>> ReadSignalByKey(Connection& conn, const std::string& instance_id,
                                                    const std::string& idempotency_key);
Result<std::optional<TimeMs>> ReadNextDueAt(Connection& conn, TimeMs now);
// Holds in activity order; the hold log newest first (limit <= 0: all).
Result<std::vector<ActivityHold>> ReadActivityHolds(Connection& conn);
Result<std::vector<ActivityHoldEvent>> ReadActivityHoldLog(Connection& conn, int limit);

}  // namespace steadfast

#endif  // STEADFAST_STORE_SQLITE_READ_OPS_H_
