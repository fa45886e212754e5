// A checkpoint whose plugin writes live in another file: the redo that
// makes the two commit together.
//
// In a store spread over shards (shard_layout.h) the plugins' tables are in
// the home file, and an instance in shard k may checkpoint an attempt
// together with plugin writes (ActivityContext::AtCheckpoint: a ledger
// posting, a settlement record). SQLite commits each file on its own, so
// the home file is made the commit point:
//
//  1. shard k's writer applies the checkpoint inside its transaction, with
//     a marker row (shard_redo_applied, a new redo id), and takes the
//     change as an SQLite changeset (the session extension);
//  2. the home file commits, in one transaction, the plugin writes and the
//     changeset (shard_redo: id, k, changeset);
//  3. shard k commits.
//
// A plugin write that fails undoes step 1 too. After a crash between 2 and
// 3 the home file has the changeset and shard k has neither it nor its
// marker: every transaction of shard k's writer (in any process) first
// applies what the home file says shard k is owed and lacks
// (ApplyOwedRedo), before anything else can write there; shard k held its
// write lock from 1 to 3, so nothing it applies on top of has changed. The
// home's rows, and then the markers, are deleted once both sides have them.
#ifndef STEADFAST_STORE_SQLITE_SHARD_REDO_H_
#define STEADFAST_STORE_SQLITE_SHARD_REDO_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "steadfast/status.h"
#include "store/sqlite/connection.h"

struct sqlite3_session;

namespace steadfast {

// Records the changes made on a connection's main database from Start()
// until Take(), as a changeset. Only tables with a primary key are
// recorded: every table an instance's checkpoint writes has one.
class ChangeCapture {
 public:
  static Result<ChangeCapture> Start(Connection& conn);
  ChangeCapture(ChangeCapture&& other) noexcept : session_(other.session_) { other.session_ = nullptr; }
  ChangeCapture& operator=(ChangeCapture&&) = delete;
  ChangeCapture(const ChangeCapture&) = delete;
  ChangeCapture& operator=(const ChangeCapture&) = delete;
  ~ChangeCapture();
  Result<std::string> Take();

 private:
  explicit ChangeCapture(sqlite3_session* session) : session_(session) {}
  sqlite3_session* session_;
};

// A new redo id (random, positive).
int64_t NewRedoId();

// Step 1's marker.
Status WriteRedoMarker(Connection& shard, int64_t id);

// Step 2, on the home file inside its transaction: the owed changeset, and
// the rows of earlier redos both sides have (`forget`).
Status WriteOwedRedo(Connection& home, int64_t id, int shard, const std::string& changeset,
                     const std::vector<int64_t>& forget);

// Inside a transaction of shard `shard`'s writer: applies every changeset
// the home file (read through `home`, a reader of it) owes this shard and
// the shard has no marker of. Returns how many it applied. A changeset
// that does not apply cleanly is kCorruption: the shard moved on without it.
Result<int64_t> ApplyOwedRedo(Connection& shard_conn, Connection& home, int shard);

// Outside any transaction, when a store is opened: deletes the home's rows
// of redos shard `shard` has (with ApplyOwedRedo run on it first, all of
// them), then those markers.
Status ForgetAppliedRedo(Connection& shard_conn, Connection& home_writer, int shard);

// Inside a transaction of a shard's writer: deletes markers whose home rows
// are gone.
Status DeleteRedoMarkers(Connection& shard, const std::vector<int64_t>& ids);

}  // namespace steadfast

#endif  // STEADFAST_STORE_SQLITE_SHARD_REDO_H_
