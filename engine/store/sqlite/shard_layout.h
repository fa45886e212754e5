// Where an instance lives when the SQLite store is spread over several
// files (shards), and how a data directory changes its number of shards.
//
// Shard 0 is the database file the config names (the home file): it keeps
// everything that is not an instance's (definitions, schedules, activity
// holds and rates, bulk operations, the plugins' tables) and the instances
// that hash to 0. Shard k > 0 is the file ShardPath(home, k) beside it, with
// the same schema, holding the instances that hash to k: their rows,
// history, tasks, signals, search keys and large inputs. Each file has its
// own writer and group commit.
//
// An instance's shard is a hash of its root id, the part before the first
// '~' (at most its first 111 bytes, what a long child id keeps of it): a
// child workflow ("<parent>~<step>") and the archived runs of an instance
// ("<id>~<run>") live with it, so every commit stays in one file.
// The hash (FNV-1a, 64 bits) never changes: a file's rows are found again
// after a restart.
#ifndef STEADFAST_STORE_SQLITE_SHARD_LAYOUT_H_
#define STEADFAST_STORE_SQLITE_SHARD_LAYOUT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "steadfast/status.h"
#include "store/node_lock.h"
#include "store/sqlite/connection.h"

namespace steadfast {

// Most shards a store can have; task ids carry the shard in their low bits.
inline constexpr int kMaxShards = 16;

int ShardOf(std::string_view instance_id, int shards);

// Shard 0: home itself; shard k: "<home>.shard-<k>".
std::string ShardPath(const std::string& home, int shard);

// Task ids of a sharded store: the file's own id times kMaxShards plus the
// shard, unique across the files and telling which one holds the task.
inline int64_t GlobalTaskId(int64_t local_id, int shard) { return local_id * kMaxShards + shard; }
inline int ShardOfTask(int64_t task_id) { return static_cast<int>(task_id % kMaxShards); }
inline int64_t LocalTaskId(int64_t task_id) { return task_id / kMaxShards; }

// The file's shard_layout row: its shard and the number of shards, or
// (0, 1) when it has none (a store of one file).
struct ShardLayoutRow {
  int shard = 0;
  int shards = 1;
};
Result<ShardLayoutRow> ReadShardLayout(Connection& conn);
// Replaces the file's row (inside the caller's transaction); shards == 1 removes it.
Status WriteShardLayout(Connection& conn, const ShardLayoutRow& row);

// A flock on "<home>.shards.lock", held by every process that has the store
// open (shared) and by one re-spreading its instances (exclusive), so the
// files are never re-spread under a process routing by the old count.
class LayoutLock final : public NodeLock {
 public:
  // Shared; FailedPrecondition while another process re-spreads the files;
  // null when the lock file cannot be created (a read-only directory).
  static Result<std::unique_ptr<LayoutLock>> Acquire(const std::string& home);
  ~LayoutLock() override;
  // Exclusive while this process re-spreads; FailedPrecondition while
  // another process has the store open. Shared() gives the lock back.
  Status Exclusive();
  void Shared();

 private:
  LayoutLock(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_;
  std::string path_;
};

// Moves every instance (with its history, tasks, signals, search keys and
// large input) of the files `paths` (index = shard; a missing file is "")
// into the file ShardOf(id, shards) names, creating nothing: the files of
// shards 0..shards-1 must exist with the current schema. Each move copies a
// file's instances into the target in one transaction (those the target
// has already are not copied again) and then deletes them from the source
// in another, so a crash at any point leaves every instance whole in at
// least one file and running it again finishes the job. Tasks get new ids
// in their new file (no lease is held while a store is being opened);
// signals keep theirs. Returns how many instances moved. The caller keeps
// other processes out (it holds the home file's write lock).
Result<int64_t> RespreadInstances(const std::vector<std::string>& paths, int shards, const std::string& vfs,
                                  int busy_timeout_ms);

}  // namespace steadfast

#endif  // STEADFAST_STORE_SQLITE_SHARD_LAYOUT_H_
