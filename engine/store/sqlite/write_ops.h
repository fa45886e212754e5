// The write side of each Store method, as run by the group commit's leader.
//
// Each function runs inside the caller's transaction and the request's own
// savepoint; a non-ok result means "roll my savepoint back", so a function
// may stop halfway without cleaning up. Values are encoded on the calling
// thread before the request is queued (store/encoded_writes.h): the single
// writer thread is the store's bottleneck and should only run SQL.
#ifndef STEADFAST_STORE_SQLITE_WRITE_OPS_H_
#define STEADFAST_STORE_SQLITE_WRITE_OPS_H_

#include <string>
#include <vector>

#include "steadfast/clock.h"
#include "steadfast/status.h"
#include "store/encoded_writes.h"
#include "store/sqlite/connection.h"
#include "store/store.h"

namespace steadfast {

// Runs commit.plugin_writes (after its preconditions, before its other
// writes; store/plugin_write.h).
Result<CommitResult> WriteCommit(Connection& conn, const EncodedCommit& c);
Status RunPluginWrites(Connection& conn, const std::vector<PluginWrite>& writes);
Result<StartResult> WriteStart(Connection& conn, const EncodedStart& s);
// Leases due tasks as Store::ClaimDueTasks(ClaimRequest) says.
Result<ClaimResult> WriteClaim(Connection& conn, const ClaimRequest& request);
// The claim ranks (due_at moved by priority) of the due tasks of
// activities neither held nor limited, best first, as a claim would take
// them: a sharded store's claim takes each file's share of the best ones
// across all of them.
Result<std::vector<int64_t>> ReadClaimRanks(Connection& conn, const ClaimRequest& request);
Status WriteHoldActivity(Connection& conn, const ActivityHold& hold, TimeMs now);
Result<bool> WriteReleaseActivity(Connection& conn, const std::string& activity, const std::string& principal,
                                  const std::string& reason, TimeMs now);
// Store::PurgeInstances: the finished ones among `ids`, with their rows.
Result<int64_t> WritePurgeInstances(Connection& conn, const std::vector<std::string>& ids);
Result<int64_t> WriteReleaseLeases(Connection& conn, const std::string& owner_prefix,
                                   const std::string& except_owner);
Status WriteRenewLease(Connection& conn, int64_t task_id, int64_t lease_token, TimeMs lease_until);
Status WriteReturnUnstartedTask(Connection& conn, const TaskRecord& task);
Status WritePutDefinition(Connection& conn, const DefinitionRecord& def, TimeMs now);

}  // namespace steadfast

#endif  // STEADFAST_STORE_SQLITE_WRITE_OPS_H_
