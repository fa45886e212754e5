// SQLite result code -> Status, with messages that name the file.
#include "store/sqlite/sqlite_status.h"

#include <sqlite3.h>

#include <string>

#include <fmt/format.h>

namespace steadfast {

Status SqliteStatus(int rc, std::string_view what, std::string_view detail, std::string_view path) {
  const int primary = rc & 0xff;
  // SQLite's errstr is the generic phrase for the code; errmsg (detail) is
  // often more specific ("UNIQUE constraint failed: ..."). Show both when
  // they differ so an operator sees the cause without a debugger.
  std::string cause = sqlite3_errstr(rc);
  if (!detail.empty() && detail != cause) cause = fmt::format("{} ({})", detail, cause);
  switch (primary) {
    case SQLITE_FULL:
      return Status::ResourceExhausted(fmt::format("database or disk is full: {} ({}: {})", path, what, cause));
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Busy(fmt::format("database is locked by another connection or process: {} ({}: {})", path,
                                      what, cause));
    case SQLITE_CORRUPT:
      return Status::Corruption(fmt::format("database file is corrupt: {} ({}: {})", path, what, cause));
    case SQLITE_NOTADB:
      return Status::Corruption(
          fmt::format("file is not a database (or is encrypted): {} ({}: {})", path, what, cause));
    case SQLITE_CANTOPEN:
      return Status::Unavailable(fmt::format("cannot open database file {}: {} ({})", path, cause, what));
    case SQLITE_PERM:
    case SQLITE_READONLY:
    case SQLITE_AUTH:
      return Status::Unavailable(fmt::format("no permission to write database {} ({}: {})", path, what, cause));
    case SQLITE_IOERR:
      return Status::Unavailable(fmt::format("I/O error on database {} ({}: {})", path, what, cause));
    case SQLITE_NOMEM:
      return Status::ResourceExhausted(fmt::format("out of memory using database {} ({}: {})", path, what, cause));
    case SQLITE_CONSTRAINT:
      // The store checks every key it relies on before writing: a
      // constraint that still fires is a bug, not the caller's conflict.
      return Status::Internal(fmt::format("constraint violated in {} ({}: {})", path, what, cause));
    case SQLITE_TOOBIG:
    case SQLITE_RANGE:
    case SQLITE_MISMATCH:
      return Status::Internal(fmt::format("rejected by database {} ({}: {})", path, what, cause));
    default:
      return Status::Internal(fmt::format("sqlite error on {} ({}: {}, code {})", path, what, cause, rc));
  }
}

Status SqliteOpenStatus(int rc, std::string_view detail, std::string_view path) {
  switch (rc & 0xff) {
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_READONLY:
    case SQLITE_AUTH:
      return Status::FailedPrecondition(SqliteStatus(rc, "open", detail, path).message());
    default: return SqliteStatus(rc, "open", detail, path);
  }
}

}  // namespace steadfast
