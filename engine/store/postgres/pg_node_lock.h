// A node identity held on PostgreSQL (store/node_lock.h): a session-level
// advisory lock on a connection kept open for it alone. The server drops
// the lock when that session ends, however the process ends (kill -9,
// host lost: once the server notices the dead connection). Check() re-takes
// the lock on a new session when the server ended the old one (restart,
// failover: advisory locks are not replicated) and the name is still free.
#ifndef STEADFAST_STORE_POSTGRES_PG_NODE_LOCK_H_
#define STEADFAST_STORE_POSTGRES_PG_NODE_LOCK_H_

#include <memory>
#include <string>

#include "steadfast/status.h"
#include "store/node_lock.h"
#include "store/postgres/pg_connection.h"

namespace steadfast {

// kAlreadyExists, naming the node and the database, while another session
// holds the identity. The key is a hash of the connection's current schema
// and the node name, so stores in different schemas do not share names.
Result<std::unique_ptr<NodeLock>> LockPgNode(const PgConnectionOptions& options, const std::string& node_name);

}  // namespace steadfast

#endif  // STEADFAST_STORE_POSTGRES_PG_NODE_LOCK_H_
