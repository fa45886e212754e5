// The schedules' reads and writes (store/schedule_records.h) on SQLite.
// Writes run inside the group commit's transaction and the request's own
// savepoint, like write_ops.h: a non-ok result rolls the request back.
#ifndef STEADFAST_STORE_SQLITE_SCHEDULE_OPS_H_
#define STEADFAST_STORE_SQLITE_SCHEDULE_OPS_H_

#include <string>
#include <vector>

#include "steadfast/status.h"
#include "store/schedule_records.h"
#include "store/sqlite/connection.h"

namespace steadfast {

Status WriteEnsureSchedules(Connection& conn, const std::vector<ScheduleState>& schedules, TimeMs now);
// Checks the preconditions of `write` and records its ticks; with
// `started_instance` non-empty that instance becomes last_instance_id.
Status WriteScheduleTicks(Connection& conn, const ScheduleTickWrite& write, const std::string& started_instance,
                          TimeMs now);
Status WriteSchedulePaused(Connection& conn, const std::string& name, bool paused, const std::string& principal,
                           const std::string& reason, TimeMs at);
Result<std::vector<ScheduleState>> ReadSchedules(Connection& conn);
Result<std::vector<ScheduleTick>> ReadScheduleTicks(Connection& conn, const std::string& name, int limit);

}  // namespace steadfast

#endif  // STEADFAST_STORE_SQLITE_SCHEDULE_OPS_H_
