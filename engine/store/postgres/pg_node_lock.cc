// Node identities as session advisory locks (store/postgres/pg_node_lock.h).
#include "store/postgres/pg_node_lock.h"

#include <utility>

#include <fmt/format.h>

namespace steadfast {
namespace {

class PgNodeLock final : public NodeLock {
 public:
  explicit PgNodeLock(std::unique_ptr<PgConnection> conn) : conn_(std::move(conn)) {}
  // Closing the session gives the identity back.
  ~PgNodeLock() override = default;

 private:
  std::unique_ptr<PgConnection> conn_;
};

}  // namespace

Result<std::unique_ptr<NodeLock>> LockPgNode(const PgConnectionOptions& options, const std::string& node_name) {
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
  return std::unique_ptr<NodeLock>(std::make_unique<PgNodeLock>(std::move(conn)));
}

}  // namespace steadfast
