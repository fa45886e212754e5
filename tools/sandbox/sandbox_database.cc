// Opening the sandbox's SQLite file.
#include "sandbox_database.h"

namespace steadfast::sandbox {

Result<std::unique_ptr<Connection>> OpenSandboxDatabase(const std::string& path) {
  ConnectionOptions options;
  options.path = path;
  options.create = true;
  SF_ASSIGN_OR_RETURN(std::unique_ptr<Connection> db, Connection::Open(options));
  if (path != ":memory:") {
    // WAL + NORMAL: a sandbox needs durability across its own restarts, not
    // across power loss; this keeps per-call recording cheap.
    SF_RETURN_IF_ERROR(db->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"));
  }
  return db;
}

}  // namespace steadfast::sandbox
