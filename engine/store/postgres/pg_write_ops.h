// The write side of the PostgreSQL store: the SQLite store's writes
// (store/sqlite/write_ops.h) in PostgreSQL's SQL, made safe for several
// processes writing at once.
//
// Each function runs inside the caller's READ COMMITTED transaction; a
// non-ok result means "roll back". Where SQLite has one writer and every
// check-then-write is serial, here other transactions run beside this one,
// so every precondition is taken under a row lock (docs/store.md, "The
// PostgreSQL store"):
//   - a Commit locks its instance's row first (SELECT ... FOR UPDATE):
//     commits of one instance are serial, and its version, history seq
//     and signal keys cannot move under it;
//   - the task fence is the conditional DELETE itself: it waits for a
//     concurrent claim of the row, then sees the new token;
//   - require_no_claimed_attempt locks the instance's attempt tasks before
//     reading their tokens, so no claim can take one until the commit ends;
//   - claims take tasks FOR UPDATE SKIP LOCKED, so concurrent claims never
//     take the same task nor wait on each other;
//   - a start inserts with ON CONFLICT DO NOTHING and, when another start
//     won the race, answers with what that one wrote.
#ifndef STEADFAST_STORE_POSTGRES_PG_WRITE_OPS_H_
#define STEADFAST_STORE_POSTGRES_PG_WRITE_OPS_H_

#include <string>
#include <vector>

#include "steadfast/clock.h"
#include "steadfast/status.h"
#include "store/encoded_writes.h"
#include "store/postgres/pg_connection.h"
#include "store/store.h"

namespace steadfast {

// Runs commit.plugin_writes after its preconditions, before its other
// writes (store/plugin_write.h).
Result<CommitResult> PgWriteCommit(PgConnection& conn, const EncodedCommit& c);
Status PgRunPluginWrites(PgConnection& conn, const std::vector<PluginWrite>& writes);
Result<StartResult> PgWriteStart(PgConnection& conn, const EncodedStart& s);
Result<ClaimResult> PgWriteClaim(PgConnection& conn, const ClaimRequest& request);
Status PgWriteHoldActivity(PgConnection& conn, const ActivityHold& hold, TimeMs now);
Result<bool> PgWriteReleaseActivity(PgConnection& conn, const std::string& activity, const std::string& principal,
                                    const std::string& reason, TimeMs now);
Result<int64_t> PgWritePurgeInstances(PgConnection& conn, const std::vector<std::string>& ids);
Result<int64_t> PgWriteReleaseLeases(PgConnection& conn, const std::string& owner_prefix,
                                     const std::string& except_owner);
Status PgWriteRenewLease(PgConnection& conn, int64_t task_id, int64_t lease_token, TimeMs lease_until);
Status PgWriteReturnUnstartedTask(PgConnection& conn, const TaskRecord& task);
Status PgWritePutDefinition(PgConnection& conn, const DefinitionRecord& def, TimeMs now);

}  // namespace steadfast

#endif  // STEADFAST_STORE_POSTGRES_PG_WRITE_OPS_H_
