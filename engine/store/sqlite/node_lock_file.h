// The SQLite store's node identity lock (store/node_lock.h): an flock on
// "<database>.node-<node_name>.lock" beside the database file.
//
// Why a file lock: every process that uses a SQLite file runs on the host
// that has the file (WAL needs shared memory), so the kernel is a witness
// all of them share, and it drops an flock when the open file's last
// descriptor closes, which happens however the process exits: a successor
// can start right after a kill -9. flock rather than fcntl locks: an fcntl
// lock belongs to the process (a second open in the same process does not
// conflict, and closing any descriptor of the file drops it); an flock
// belongs to the open file, so two engines in one process exclude each
// other too. The descriptor is O_CLOEXEC so a child process never inherits
// the hold. The file stays after release (deleting it would race with a
// process that just opened it); it holds the last holder's pid and host,
// which the refusal message quotes.
#ifndef STEADFAST_STORE_SQLITE_NODE_LOCK_FILE_H_
#define STEADFAST_STORE_SQLITE_NODE_LOCK_FILE_H_

#include <memory>
#include <string>

#include "steadfast/status.h"
#include "store/node_lock.h"

namespace steadfast {

// The lock file of node_name for the database at db_path (symbolic links
// resolved, so every path to one database finds one lock file). Bytes of
// the name other than A-Z a-z 0-9 - _ . are percent-encoded.
std::string NodeLockPath(const std::string& db_path, const std::string& node_name);

// Takes the lock without waiting. kAlreadyExists naming the node, the
// database and the holder while another open file holds it;
// kFailedPrecondition when the lock file cannot be created or locked.
Result<std::unique_ptr<NodeLock>> LockNodeFile(const std::string& db_path, const std::string& node_name);

}  // namespace steadfast

#endif  // STEADFAST_STORE_SQLITE_NODE_LOCK_FILE_H_
