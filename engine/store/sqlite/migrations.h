// The schema migrations, one function per target version.
//
// Migration N takes a database at version N-1 to version N inside the
// caller's transaction; it does not touch schema_version (MigrateSchema
// does). A released migration never changes: a later fix is a new version.
#ifndef STEADFAST_STORE_SQLITE_MIGRATIONS_H_
#define STEADFAST_STORE_SQLITE_MIGRATIONS_H_

#include "steadfast/status.h"
#include "store/sqlite/connection.h"

namespace steadfast {

// Version 1: definitions, instances, tasks, history, signals.
Status MigrateToV1(Connection& conn);

// Version 2: instances.links (related instances, for trace links).
Status MigrateToV2(Connection& conn);

// Version 3: instances.started_by (the principal that made the start call).
Status MigrateToV3(Connection& conn);

// Version 4: plugin_migrations (which plugin migrations the database has).
Status MigrateToV4(Connection& conn);

// Version 5: schedules and schedule_ticks (cursors, pauses, ticks handled).
Status MigrateToV5(Connection& conn);

// Version 6: instances.search_keys and instance_keys (search keys).
Status MigrateToV6(Connection& conn);

// Version 7: bulk_operations (bulk actions by filter, their progress and audit).
Status MigrateToV7(Connection& conn);

// Version 8: tasks.activity, activity_holds, activity_hold_log, activity_rates.
Status MigrateToV8(Connection& conn);

// Version 9: deployed_definitions (workflow versions deployed to a running engine).
Status MigrateToV9(Connection& conn);

// Version 10: instances.priority, tasks.priority, activity_fair_turns.
Status MigrateToV10(Connection& conn);

// Version 11: instances.parent_id and parent_step (child workflows).
Status MigrateToV11(Connection& conn);

// Version 12: instance_inputs (inputs too large to keep in the instance row).
Status MigrateToV12(Connection& conn);

// Version 13: values in the compact encoding (nothing rewritten: a marker
// older binaries refuse).
Status MigrateToV13(Connection& conn);

// Version 14: shard_layout, shard_redo, shard_redo_applied (instances spread over several files).
Status MigrateToV14(Connection& conn);

}  // namespace steadfast

#endif  // STEADFAST_STORE_SQLITE_MIGRATIONS_H_
