// The sandbox's own SQLite file (never the engine's), opened with the
// engine's Connection and Statement: one SQLite wrapper in the tree.
//
// The sandbox records every call and persists its charges, refunds,
// idempotency records and service records there, so tests and
// reconciliation can see exactly what happened and a restarted sandbox
// remembers what it did, as a real PSP would. Errors come back as
// steadfast::Status; nothing throws.
//
// A Connection is not thread-safe: its owner (SandboxService) serializes
// access with its mutex.
#ifndef STEADFAST_TOOLS_SANDBOX_SANDBOX_DATABASE_H_
#define STEADFAST_TOOLS_SANDBOX_SANDBOX_DATABASE_H_

#include <memory>
#include <string>

#include "steadfast/status.h"
#include "store/sqlite/connection.h"

namespace steadfast::sandbox {

// Opens (creating if needed) the file at path; ":memory:" keeps it in RAM.
// Files use WAL with synchronous=NORMAL.
Result<std::unique_ptr<Connection>> OpenSandboxDatabase(const std::string& path);

}  // namespace steadfast::sandbox

#endif  // STEADFAST_TOOLS_SANDBOX_SANDBOX_DATABASE_H_
