// The SQLite store over several files (shard_layout.h), one Store to the
// engine.
//
// Each shard is a whole SQLite store of its own (writer, group commit,
// reader pool); this class routes. An instance's reads and commits go to
// its shard; claims, lists, counts and lease releases visit every shard and
// merge (lists in (created_at, id) order with the same cursor); what is not
// an instance's lives in the home file (shard 0) only: definitions,
// deployed versions, schedules, bulk operations, the hold log, node locks,
// the plugins' tables. Activity holds are written to every shard (each
// shard's claims read its own; copied again from the home file when the
// store is opened); activity limits are kept across shards by
// claiming limited activities under one lock with the counts of all of
// them. Task ids carry their shard (GlobalTaskId).
//
// A checkpoint of an instance outside the home file that carries plugin
// writes commits through the home file first (shard_redo.h). Limits of
// the layout (docs/store.md "Shards"): fair turns are kept per file, and
// idempotency keys and activity limits are checked across the files under
// this process's locks, so one process per sharded store is the layout
// they are exact for.
#ifndef STEADFAST_STORE_SQLITE_SHARDED_STORE_H_
#define STEADFAST_STORE_SQLITE_SHARDED_STORE_H_

#include <memory>
#include <vector>

#include "store/node_lock.h"
#include "store/sqlite/shard_member.h"
#include "store/sqlite/sqlite_store.h"

namespace steadfast {

// shards[0] is the home file's store; every shard a store of one file
// (their layout rows written); layout_lock is kept until the store closes.
Result<std::unique_ptr<SqliteStore>> MakeShardedStore(std::vector<std::unique_ptr<ShardMember>> shards,
                                                      std::unique_ptr<NodeLock> layout_lock);

}  // namespace steadfast

#endif  // STEADFAST_STORE_SQLITE_SHARDED_STORE_H_
