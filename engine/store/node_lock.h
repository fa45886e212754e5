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
//  - PostgreSQL (several hosts, planned): a session-level advisory lock,
//    pg_try_advisory_lock(hash of node_name), held on a connection kept
//    for it and dropped by the server when that session ends.
#ifndef STEADFAST_STORE_NODE_LOCK_H_
#define STEADFAST_STORE_NODE_LOCK_H_

namespace steadfast {

class NodeLock {
 public:
  NodeLock() = default;
  virtual ~NodeLock() = default;  // gives the identity back
  NodeLock(const NodeLock&) = delete;
  NodeLock& operator=(const NodeLock&) = delete;
};

}  // namespace steadfast

#endif  // STEADFAST_STORE_NODE_LOCK_H_
