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

// Statements the pipelined checkpoint (pg_checkpoint_statements.h) shares.
extern const std::string kPgDeleteInstanceTasks;  // $1 instance
extern const std::string kPgDeleteStepTasks;      // $1 instance: all but its deadline
extern const std::string kPgInsertSignal;         // RETURNING id
std::vector<PgParam> PgInsertSignalParams(const EncodedCommit& e);  // e.commit.add_signal's

// ... and the pipelined start (pg_start_statements.h).
// INSERT of an instance row at version 1 ... ON CONFLICT DO NOTHING RETURNING id.
extern const std::string kPgInsertInstance;
std::vector<PgParam> PgInsertInstanceParams(const InstanceRecord& n, const std::string& input_blob,
                                            const std::string& output_blob, int64_t last_seq);
extern const std::string kPgInsertSearchKey;  // ON CONFLICT DO NOTHING
std::vector<PgParam> PgInsertSearchKeyParams(const InstanceRecord& instance, const SearchKey& key);
// History rows, up to kPgEventsPerInsert per statement (one prepared
// statement per row count): events[first, first + n) numbered on from last_seq.
inline constexpr size_t kPgEventsPerInsert = 16;
const std::string& PgInsertEventsSql(size_t rows);
std::vector<PgParam> PgInsertEventsParams(const std::string& instance_id, int64_t last_seq,
                                          const std::vector<HistoryEvent>& events,
                                          const std::vector<std::string>& blobs, size_t first, size_t n, TimeMs now);
// A created start's answer before its tasks: the instance at version 1
// with its times defaulted to e.now.
StartResult PgCreatedStart(const EncodedStart& e);

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
