// Node identities as session advisory locks (store/postgres/pg_node_lock.h).
#include "store/postgres/pg_node_lock.h"

#include <libpq-fe.h>
#include <poll.h>

#include <utility>

#include <fmt/format.h>

namespace steadfast {
namespace {

// Opens a session and takes the node's lock on it: the session, or
// AlreadyExists while another one holds the name.
Result<std::unique_ptr<PgConnection>> TakeNode(PgConnectionOptions options, const std::string& node_name) {
  // Operators find which session holds which node in pg_stat_activity
  // (unless the connection string names the application itself).
  options.application_name = "steadfast node " + node_name;
  SF_ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> conn, PgConnection::Open(options));
  SF_ASSIGN_OR_RETURN(
      PgResult res,
      conn->Query("SELECT pg_try_advisory_lock(hashtextextended('steadfast.node.' || current_schema() || '.' || $1, 0))",
                  {PgParam::Text(node_name)}));
  SF_ASSIGN_OR_RETURN(std::string locked, res.Text(0, 0));
  if (locked != "t") {
    return Status::AlreadyExists(fmt::format("node '{}' is already running on database {}", node_name,
                                             conn->redacted_url()));
  }
  return conn;
}

// Whether an idle session is still open, from what its socket holds now
// (never waits). The server's last words come as an error, then the end of
// the stream: read until nothing is left, or the stream ended.
bool SessionAlive(PgConnection& conn) {
  for (int reads = 0; reads < 8 && conn.healthy(); ++reads) {
    pollfd fd{PQsocket(conn.raw()), POLLIN, 0};
    if (fd.fd < 0) return false;
    if (poll(&fd, 1, 0) <= 0) break;  // nothing to read: quiet and open
    if (PQconsumeInput(conn.raw()) == 0) return false;
    while (PGnotify* n = PQnotifies(conn.raw())) PQfreemem(n);
  }
  return conn.healthy();
}

class PgNodeLock final : public NodeLock {
 public:
  PgNodeLock(PgConnectionOptions options, std::string node_name, std::unique_ptr<PgConnection> conn)
      : options_(std::move(options)), node_name_(std::move(node_name)), conn_(std::move(conn)) {}
  // Closing the session gives the identity back.
  ~PgNodeLock() override = default;

  Result<Held> Check() override {
    // A session the server ended (restart, failover, terminated backend)
    // has left its goodbye on the socket: reading what is there, without
    // waiting, is enough to see it. A silent network cut shows once TCP
    // keepalives give up (PgConnection sets them).
    if (conn_ != nullptr && SessionAlive(*conn_)) return Held::kThroughout;
    conn_.reset();  // the lock went with the session
    SF_ASSIGN_OR_RETURN(conn_, TakeNode(options_, node_name_));
    return Held::kRetaken;
  }

 private:
  const PgConnectionOptions options_;
  const std::string node_name_;
  std::unique_ptr<PgConnection> conn_;  // null while the hold is lost
};

}  // namespace

Result<std::unique_ptr<NodeLock>> LockPgNode(const PgConnectionOptions& options, const std::string& node_name) {
  SF_ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> conn, TakeNode(options, node_name));
  return std::unique_ptr<NodeLock>(std::make_unique<PgNodeLock>(options, node_name, std::move(conn)));
}

}  // namespace steadfast
