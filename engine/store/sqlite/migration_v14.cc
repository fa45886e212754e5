// Schema version 14: the tables of a store spread over several files
// (shard_layout.h).
//
//  - shard_layout: one row when the store is sharded. In the home file
//    (shard 0), the number of shards; in shard file k, k and that number,
//    so a file put in the wrong place is refused. No row: a store of one
//    file, as every database written before.
//  - shard_redo (home file): a checkpoint of an instance in another file
//    whose plugin writes committed here, as an SQLite changeset, until
//    that file has it (shard_redo.h).
//  - shard_redo_applied (every file): which of those this file has; each
//    id is written by the checkpoint itself, so it is there exactly when
//    the checkpoint is.
#include "store/sqlite/migrations.h"

namespace steadfast {

Status MigrateToV14(Connection& conn) {
  return conn.Exec(
      "CREATE TABLE shard_layout (shard INTEGER NOT NULL, shards INTEGER NOT NULL);"
      "CREATE TABLE shard_redo (id INTEGER PRIMARY KEY, shard INTEGER NOT NULL, changeset BLOB NOT NULL);"
      "CREATE TABLE shard_redo_applied (id INTEGER PRIMARY KEY)");
}

}  // namespace steadfast
