// The PostgreSQL store's writes and reads of what the engine keeps beside
// instances: schedules and their ticks (store/schedule_records.h), bulk
// operations, and deployed definitions (store/deployed_definition_store.h).
// Same meaning as the SQLite store's (sqlite/schedule_ops.h, bulk_ops.h,
// deployed_definition_ops.h); the checks that decide between concurrent
// processes are taken under row locks: a tick write locks its schedule's
// row before comparing the cursor, a deploy inserts with ON CONFLICT and
// reads back what won.
#ifndef STEADFAST_STORE_POSTGRES_PG_CATALOG_OPS_H_
#define STEADFAST_STORE_POSTGRES_PG_CATALOG_OPS_H_

#include <optional>
#include <string>
#include <vector>

#include "steadfast/clock.h"
#include "steadfast/status.h"
#include "store/deployed_definition_store.h"
#include "store/postgres/pg_connection.h"
#include "store/store.h"

namespace steadfast {

Status PgWriteEnsureSchedules(PgConnection& conn, const std::vector<ScheduleState>& schedules, TimeMs now);
// started_instance: the instance a tick started ("" = none).
Status PgWriteScheduleTicks(PgConnection& conn, const ScheduleTickWrite& write, const std::string& started_instance,
                            TimeMs now);
Status PgWriteSchedulePaused(PgConnection& conn, const std::string& name, bool paused, const std::string& principal,
                             const std::string& reason, TimeMs at);
Result<std::vector<ScheduleState>> PgReadSchedules(PgConnection& conn);
Result<std::vector<ScheduleTick>> PgReadScheduleTicks(PgConnection& conn, const std::string& name, int limit);

Status PgWritePutBulkOperation(PgConnection& conn, const BulkOperationRecord& op);
Result<std::optional<BulkOperationRecord>> PgReadBulkOperation(PgConnection& conn, const std::string& id);
Result<std::vector<BulkOperationRecord>> PgReadBulkOperations(PgConnection& conn, const std::string& state,
                                                              const std::string& before_id, int limit);

Result<DeployedDefinition> PgWriteDeployDefinition(PgConnection& conn, const DeployedDefinition& deployed);
Result<std::vector<DeployedDefinition>> PgReadDeployedDefinitions(PgConnection& conn);

}  // namespace steadfast

#endif  // STEADFAST_STORE_POSTGRES_PG_CATALOG_OPS_H_
