// ShardMember: one file of a store spread over shards, as the sharded store
// (sharded_store.h) uses it: the Store of that file and what routing across
// files needs of it. Internal to engine/store/sqlite.
#ifndef STEADFAST_STORE_SQLITE_SHARD_MEMBER_H_
#define STEADFAST_STORE_SQLITE_SHARD_MEMBER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "store/sqlite/connection.h"
#include "store/sqlite/sqlite_store.h"

namespace steadfast {

class ShardMember : public SqliteStore {
 public:
  // The instance started with this idempotency key, if any.
  virtual Result<std::optional<std::string>> FindInstanceIdByIdempotencyKey(const std::string& key) = 0;
  // Attempts of `activity` leased and unexpired at `now` (max_in_flight's count).
  virtual Result<int64_t> CountLeasedAttempts(const std::string& activity, TimeMs now) = 0;
  // The ranks of the tasks a claim would take now, best first, taking
  // nothing (write_ops.h ReadClaimRanks).
  virtual Result<std::vector<int64_t>> PeekClaimRanks(const ClaimRequest& request) = 0;
  // The state of an activity's rate bucket (GCRA's theoretical arrival
  // time, microseconds; 0 when it has none).
  virtual Result<int64_t> RateBucketTat(const std::string& activity) = 0;

  // The redo of shard_redo.h. Step 1 and 3 on this file: applies `commit`
  // (its plugin_writes left out) with the marker `redo_id` and first
  // deletes the markers `forget_markers`; inside, once the checkpoint is
  // written, `commit_home` gets its changeset and must make the plugin
  // writes and the changeset durable in the home file (step 2) or fail,
  // which undoes the checkpoint.
  virtual Result<CommitResult> ApplyWithHomeWrites(Commit commit, int64_t redo_id,
                                                   const std::vector<int64_t>& forget_markers,
                                                   const std::function<Status(const std::string&)>& commit_home) = 0;
  // Step 2 on the home file: the plugin writes and the changeset owed to
  // `shard`, in one transaction, with the rows `forget` deleted.
  virtual Status CommitOwedRedo(const std::vector<PluginWrite>& writes, int64_t redo_id, int shard,
                                const std::string& changeset, const std::vector<int64_t>& forget) = 0;
  // From now on every transaction of this file's writer first applies what
  // the home file (read through `home`) owes shard `shard`. Call before
  // the first write.
  virtual void OweFromHome(std::unique_ptr<Connection> home, int shard) = 0;
  // An empty write transaction: applies what is owed.
  virtual Status Sync() = 0;
};

}  // namespace steadfast

#endif  // STEADFAST_STORE_SQLITE_SHARD_MEMBER_H_
