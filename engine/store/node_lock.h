// NodeLock: a process's exclusive hold on a node identity (node_name).
//
// An engine's lease owner is "<node_name>/<incarnation>", and at start-up
// it frees every lease of "<node_name>/..." that is not its own: the tasks
// of the process that ran under that name before it and died. That is only
// safe while no other live process runs under the same name, so the engine
// first takes the name with Store::LockNode and keeps the returned handle
// for its lifetime. Leases and lease tokens still decide who runs a task;
// the lock only guards that start-up shortcut.
//
// The hold must end when its holder dies, however it dies (kill -9, OOM,
// power), without the holder's help: a dead predecessor's tasks then resume
// as soon as its successor starts. That rules out a row with a heartbeat
// (a restart after kill -9 would wait out the heartbeat, and a stalled but
// live holder would lose it) in favour of locks the operating system or the
// database server drops with the process or its session:
//  - SQLite (one host): an flock on a file beside the database
//    (store/sqlite/node_lock_file.h);
//  - PostgreSQL (several hosts): a session-level advisory lock,
//    pg_try_advisory_lock(hash of node_name), held on a connection kept
//    for it and dropped by the server when that session ends.
//
// A hold on a database server can be lost while its holder lives: the
// server restarted or failed over, or cut the session off (network
// partition, pg_terminate_backend). Check() tells the engine, which then
// claims no work until the name is held again: another process may have
// taken the name meanwhile and freed this one's leases.
#ifndef STEADFAST_STORE_NODE_LOCK_H_
#define STEADFAST_STORE_NODE_LOCK_H_

#include "steadfast/status.h"

namespace steadfast {

class NodeLock {
 public:
  NodeLock() = default;
  virtual ~NodeLock() = default;  // gives the identity back
  NodeLock(const NodeLock&) = delete;
  NodeLock& operator=(const NodeLock&) = delete;

  enum class Held { kThroughout, kRetaken };
  // Whether the identity is held: kThroughout, or kRetaken when the hold
  // was lost and this call took the name again (it was free then, but
  // another process may have held it meanwhile). AlreadyExists: another
  // process holds it now; Unavailable: the database cannot be reached to
  // tell. Cheap when nothing changed (no round trip); called by one thread
  // at a time. A lock the operating system keeps (SQLite's flock) cannot be
  // lost.
  virtual Result<Held> Check() { return Held::kThroughout; }
};

}  // namespace steadfast

#endif  // STEADFAST_STORE_NODE_LOCK_H_
